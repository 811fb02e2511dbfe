"""Credentials are configuration, never data: what redaction does to tricky URLs, how a
source's credentials are configured and sent, and one full run whose sources want a token
(in the URL, in a setting) and a password (user:password@), followed by a byte search of
everything the run wrote and printed for them.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from orchestration.alerts import FailedStep, run_failure_alert
from orchestration.cli import check_config
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT, check_environment, load_settings
from sources.errors import SourceError
from sources.http import Credentials, HttpPolicy, PoliteClient, split_credentials
from sources.landing import land_snapshot, read_manifest
from sources.redact import is_http_url, redact_text, redact_url, remember_secret
from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE
from sources.tse import SAMPLE_DIR as TSE_SAMPLE_DIR
from sources.tse.site import FileSite

from .conftest import NWOPEN_PATH, sample_pages

LC_MONITOR = Path(sys.executable).parent / "lc-monitor"

# --- redact_url / redact_text ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Ordinary parameters stay byte for byte, encoding and order included.
        ("https://h.nl/api?page=2&per_page=100", "https://h.nl/api?page=2&per_page=100"),
        ("https://h.nl/a%20b?q=x%2By#top", "https://h.nl/a%20b?q=x%2By#top"),
        # Encoded values, repeated and differently cased names.
        ("https://h.nl/x?token=a%2Fb%3D%3D&page=1&TOKEN=two", "https://h.nl/x?token=***&page=1&TOKEN=***"),
        ("https://h.nl/x?access_token=t&accessToken=u&api-key=v", "https://h.nl/x?access_token=***&accessToken=***&api-key=***"),
        # A name percent-encoded is still the name.
        ("https://h.nl/x?acc%65ss_token=t", "https://h.nl/x?acc%65ss_token=***"),
        # Azure SAS: the signature is masked; what it grants and until when stays readable.
        ("https://a.blob.core.windows.net/c/r.xlsx?sv=2022-11-02&se=2026-12-01T00%3A00Z&sp=r&sig=Ab%2Bc%3D",
         "https://a.blob.core.windows.net/c/r.xlsx?sv=2022-11-02&se=2026-12-01T00%3A00Z&sp=r&sig=***"),
        # S3 and GCS presigned URLs, a Google API key.
        ("https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2F20261130&X-Amz-Signature=beef&X-Amz-Security-Token=tt",
         "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***"),
        ("https://storage.googleapis.com/b/o?X-Goog-Signature=ab&X-Goog-Credential=sa",
         "https://storage.googleapis.com/b/o?X-Goog-Signature=***&X-Goog-Credential=***"),
        ("https://maps.googleapis.com/x?key=AIzaSy123&sensor=false", "https://maps.googleapis.com/x?key=***&sensor=false"),
        # Fragments: an OAuth implicit-flow token; a plain anchor stays.
        ("https://h.nl/cb#access_token=abc&state=1", "https://h.nl/cb#access_token=***&state=1"),
        ("https://h.nl/p?page=1#section-2", "https://h.nl/p?page=1#section-2"),
        # Userinfo, also before an IPv6 host and with an unencoded '@' in the password.
        ("http://user:pw@[::1]:8080/x?page=2", "http://***@[::1]:8080/x?page=2"),
        ("https://user:p@ss@h.nl/x", "https://***@h.nl/x"),
        ("https://only-user@h.nl/x", "https://***@h.nl/x"),
        ("https://h.nl/x?page=1;token=t", "https://h.nl/x?page=1;token=***"),
        # Nothing to hide, or not a URL: unchanged.
        ("https://h.nl/x?token=", "https://h.nl/x?token="),
        ("https://h.nl/x?token", "https://h.nl/x?token"),
        ("/srv/registers/gvnl?token=abc", "/srv/registers/gvnl?token=abc"),
        ("", ""),
    ],
)  # fmt: skip
def test_redact_url(url: str, expected: str):
    assert redact_url(url) == expected


def test_redact_text_finds_urls_in_sentences_and_quotes():
    text = (
        "[gvnl_register] http://127.0.0.1:9/gvnl/partners.csv?token=s3cr3t: GET failed. "
        "Client error '404 NOT FOUND' for url 'https://h.nl/r.xlsx?sig=abc%3D' "
        "(see https://u:pw@h.nl/x?page=2), retried at https://h.nl/x?key=k1."
        "\nLast: <https://h.nl/y?api_key=k2>; also https://h.nl/z?token=k3!"
    )
    redacted = redact_text(text)
    for secret in ("s3cr3t", "abc%3D", "u:pw", "k1", "k2", "k3"):
        assert secret not in redacted
    assert redacted == (
        "[gvnl_register] http://127.0.0.1:9/gvnl/partners.csv?token=***: GET failed. "
        "Client error '404 NOT FOUND' for url 'https://h.nl/r.xlsx?sig=***' "
        "(see https://***@h.nl/x?page=2), retried at https://h.nl/x?key=***."
        "\nLast: <https://h.nl/y?api_key=***>; also https://h.nl/z?token=***!"
    )
    # A URL whose own path holds brackets keeps them.
    assert (
        redact_text("(at https://h.nl/wiki/A_(b)?token=1)")
        == "(at https://h.nl/wiki/A_(b)?token=***)"
    )


def test_redact_text_replaces_configured_secrets_anywhere():
    remember_secret("Cfg-Secret-Value-91")
    remember_secret("ab")  # too short to replace in free text: it would mangle words
    said = "header Bearer Cfg-Secret-Value-91 refused; {'token': 'Cfg-Secret-Value-91'} about"
    assert redact_text(said) == "header Bearer *** refused; {'token': '***'} about"


def test_is_http_url():
    assert is_http_url("https://h.nl/x") and is_http_url("HTTP://h.nl") and is_http_url(" http://h")
    assert not is_http_url("/srv/x.xlsx") and not is_http_url("ftp://h/x")
    assert not is_http_url("C:\\registers\\x.xlsx") and not is_http_url("httpfolder/x")


# --- credentials: configured, sent, never recorded --------------------------------------


def test_a_url_with_secrets_is_split_into_a_location_and_credentials():
    public, credentials = split_credentials(
        "https://reader:p%40ss@h.nl/gvnl/?lang=nl&token=abc%2F1&sig=x#top"
    )
    assert public == "https://h.nl/gvnl/?lang=nl#top"
    assert credentials.params == (("token", "abc/1"), ("sig", "x"))
    assert credentials.basic == ("reader", "p@ss")
    assert "abc" not in repr(credentials) and "p@ss" not in repr(credentials)
    assert split_credentials("/srv/gvnl") == ("/srv/gvnl", Credentials())


def test_settings_give_each_source_its_credentials(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LCM_NWOPEN_URL", "https://api.example.org/Projects?token=url-token-1")
    monkeypatch.setenv("LCM_TSE_URL", "https://site.example.org/projecten")
    monkeypatch.setenv("LCM_TSE_TOKEN", "tse-token-22")
    monkeypatch.setenv("LCM_TSE_TOKEN_HEADER", "X-API-Key")
    monkeypatch.setenv("LCM_MOOI_REGISTER", "https://office.example.org/mooi.xlsx")
    monkeypatch.setenv("LCM_MOOI_REGISTER_TOKEN", "mooi-token-333")
    monkeypatch.setenv("LCM_MOOI_REGISTER_TOKEN_PARAM", "access_token")
    monkeypatch.setenv("LCM_GVNL_REGISTER", "https://office.example.org/gvnl/")
    monkeypatch.setenv("LCM_GVNL_REGISTER_TOKEN", "gvnl-token-4444")
    settings = load_settings()
    assert settings.nwopen_location == "https://api.example.org/Projects"
    assert settings.http_for("nwopen").credentials.params == (("token", "url-token-1"),)
    assert settings.http_for("tse").credentials.headers == (("X-API-Key", "tse-token-22"),)
    assert settings.http_for("mooi_register").credentials.params == (
        ("access_token", "mooi-token-333"),
    )
    assert settings.http_for("gvnl_register").credentials.headers == (
        ("Authorization", "Bearer gvnl-token-4444"),
    )
    assert settings.http.credentials == Credentials()  # the shared policy carries none
    out = io.StringIO()
    assert check_config(out) == 0
    printed = out.getvalue()
    assert "credentials: nwopen: sends query parameter 'token' (values not shown)" in printed
    assert "credentials: tse: sends header 'X-API-Key' (values not shown)" in printed
    for secret in ("url-token-1", "tse-token-22", "mooi-token-333", "gvnl-token-4444"):
        assert secret not in printed and secret not in repr(settings)


def test_check_config_never_prints_a_secret():
    check = check_environment(
        {
            "LCM_NWOPEN_URL": "ftp://user:pw-9931@h.nl/x?token=tk-55821",
            "LCM_TSE_TOKEN_PARAM": "token",
            "LCM_TSE_TOKEN_HEADER": "X-Key",
            "LCM_GVNL_REGISTER_USER": "office",
            "LCM_ALERT_WEBHOOK_URL": "hooks.slack.com/services/T0/B0/wh-secret-77",
            "LCM_MOOI_REGISTER_TOKEN_HEADER": "not a header",
        }
    )
    said = "\n".join(check.errors + check.warnings)
    for secret in ("pw-9931", "tk-55821", "wh-secret-77"):
        assert secret not in said
    assert "LCM_NWOPEN_URL='ftp://***@h.nl/x?token=***'" in said
    assert "LCM_ALERT_WEBHOOK_URL=<hidden>: not an http:// or https:// URL" in said
    assert "LCM_TSE_TOKEN_PARAM and LCM_TSE_TOKEN_HEADER both set" in said
    assert "LCM_TSE_TOKEN missing" in said
    assert "LCM_GVNL_REGISTER_PASSWORD missing" in said
    assert "LCM_MOOI_REGISTER_TOKEN_HEADER='not a header': not an HTTP header name" in said


def test_the_client_sends_credentials_and_records_urls_without_them(
    httpserver: HTTPServer, fast_policy: HttpPolicy, caplog: pytest.LogCaptureFixture
):
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        ok = request.args.get("token") == "q-tok-8812" and request.authorization is not None
        return Response("{}" if ok else "no", status=200 if ok else 401)

    httpserver.expect_request("/api").respond_with_handler(handler)
    httpserver.expect_request("/gone").respond_with_data("gone", status=404)
    policy = HttpPolicy(
        user_agent="t",
        timeout_s=5,
        max_retries=0,
        min_interval_s=0,
        credentials=Credentials(params=(("token", "q-tok-8812"),), basic=("u", "pw-7731")),
    )
    with caplog.at_level(logging.DEBUG, logger="httpx"), PoliteClient("T", policy) as client:
        response = client.get(httpserver.url_for("/api"), params={"page": 2})
        assert response.status_code == 200
        assert client.recorded_url(response) == httpserver.url_for("/api") + "?page=2"
        # A URL's own query (a crawler's next page) is kept beside the credentials.
        assert client.get(httpserver.url_for("/api") + "?page=3&page=4").status_code == 200
        assert seen[-1].args.getlist("page") == ["3", "4"]
        with pytest.raises(SourceError) as error:
            client.get(httpserver.url_for("/gone"))
    assert seen[0].authorization.password == "pw-7731"
    assert "q-tok-8812" not in str(error.value) and "HTTP 404" in str(error.value)
    # httpx's own log lines (the test server's, on the other side, name what it received).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("httpx"))
    assert "token=***" in logged and "q-tok-8812" not in logged


def test_errors_manifests_and_alerts_are_redacted(tmp_path: Path):
    error = SourceError("gvnl_register", "https://u:pw-1@h.nl/p.csv?token=t-2", "GET failed")
    assert str(error) == "[gvnl_register] https://***@h.nl/p.csv?token=***: GET failed"
    _, folder = land_snapshot(
        tmp_path, "nwopen", "https://h.nl/api?token=t-3&page=1", [],
        content_sha256="x", counts={},
        extra={"documents": [{"url": "https://h.nl/p?sig=t-4"}], "parse_error": "at "
               "https://h.nl/q?key=t-5."},
    )  # fmt: skip
    written = (folder / "manifest.json").read_text(encoding="utf-8")
    assert not any(f"t-{n}" in written for n in (3, 4, 5))
    assert read_manifest(folder).location == "https://h.nl/api?token=***&page=1"  # type: ignore[union-attr]
    alert = run_failure_alert(
        job="refresh_all", run_id="r1", failed_steps=[FailedStep("s", str(error))],
        run_message="failed: https://h.nl/x?access_token=t-6", when=manifest_time(),
        run_url="http://127.0.0.1:3000/runs/r1",
    )  # fmt: skip
    sent = json.dumps(alert.payload()) + alert.text
    assert "t-2" not in sent and "t-6" not in sent and "pw-1" not in sent


def manifest_time():
    from datetime import UTC, datetime

    return datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


# --- one full run, then a search of everything it wrote -----------------------------------

URL_TOKEN = "lcmTok7Qz9Lm2XqR"  # in LCM_NWOPEN_URL and LCM_GVNL_REGISTER's query
SETTING_TOKEN = "lcmSet4Hd8Vw1PzK"  # LCM_MOOI_REGISTER_TOKEN, sent as a bearer token
USER, PASSWORD = "lcm-reader", "lcmPwd5Ny3Bc6TjW"  # in LCM_TSE_URL as user:password@
LINK_TOKEN = "lcmLnk8Rt2Wq6YsE"  # in a project link on the TSE listing (a share link's token)
TOKEN_LINK = f"/projecten/zon-op-water-noord-34599?token={LINK_TOKEN}"  # a MOOI project
NEEDLES = {
    "url token": URL_TOKEN.encode(),
    "setting token": SETTING_TOKEN.encode(),
    "password": PASSWORD.encode(),
    "link token": LINK_TOKEN.encode(),
    "basic auth header": base64.b64encode(f"{USER}:{PASSWORD}".encode()),
}


class Sources:
    """Every source over local HTTP, each answering 401 without its credential; the GVNL
    partners file fails with 500 until the source step's retry."""

    def __init__(self) -> None:
        self.refused: list[str] = []
        self.served: dict[str, int] = {"nwopen": 0, "tse": 0, "mooi": 0, "gvnl": 0}
        self.partners_failures = 2  # both attempts of the HTTP client in the first step try
        self.pages = sample_pages()
        self.site = FileSite(TSE_SAMPLE_DIR)

    def _refuse(self, request: Request) -> Response:
        self.refused.append(request.full_path)
        return Response("credentials required", status=401)

    def nwopen(self, request: Request) -> Response:
        if request.args.get("token") != URL_TOKEN:
            return self._refuse(request)
        self.served["nwopen"] += 1
        page = self.pages[int(request.args["page"]) - 1]
        return Response(json.dumps(page), content_type="application/json")

    def tse(self, request: Request) -> Response:
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (USER, PASSWORD):
            return self._refuse(request)
        # A link's token opens the page it is on (kept, it would reach the marts as page_url).
        query = "&".join(f"{k}={v}" for k, v in request.args.items() if k != "token")
        path = self.site.path_for(f"https://x{request.path}" + (f"?{query}" if query else ""))
        if not path.is_file():
            return Response("not found", status=404)
        self.served["tse"] += 1
        page = path.read_bytes()
        if request.path == "/projecten" and not query:
            # First on the page: its project is recorded by this link.
            page = page.replace(b"<main>", f'<main><a href="{TOKEN_LINK}">Deel</a>'.encode())
        return Response(page, content_type="text/html; charset=utf-8")

    def mooi(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {SETTING_TOKEN}":
            return self._refuse(request)
        self.served["mooi"] += 1
        return Response(MOOI_SAMPLE.read_bytes(), content_type="application/octet-stream")

    def gvnl(self, request: Request) -> Response:
        if request.args.get("token") != URL_TOKEN:
            return self._refuse(request)
        name = request.path.rsplit("/", 1)[-1]
        if name == "partners.csv" and self.partners_failures > 0:
            self.partners_failures -= 1
            return Response("register store unavailable", status=500)
        self.served["gvnl"] += 1
        return Response((GVNL_SAMPLE / name).read_bytes(), content_type="text/csv")


def files_under(root: Path, since: float | None = None) -> list[Path]:
    if not root.exists():
        return []
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and (since is None or p.stat().st_mtime >= since)
    ]


def hits_in_files(files: list[Path]) -> list[str]:
    hits = []
    for path in files:
        try:
            content = path.read_bytes()
        except OSError:  # removed meanwhile (another run's dbt folder)
            continue
        hits += [f"{path}: {what}" for what, needle in NEEDLES.items() if needle in content]
    return hits


def hits_in_tables(files: list[Path]) -> list[str]:
    """DuckDB and Parquet compress strings, so a byte search alone could miss: every row of
    every table is searched as text too."""
    hits = []
    for path in files:
        if path.suffix == ".parquet":
            relations = [f"read_parquet('{path}')"]
            con = duckdb.connect()
        elif path.suffix == ".duckdb":
            con = duckdb.connect(str(path), read_only=True)
            relations = [
                f'"{d}"."{s}"."{t}"'
                for d, s, t in con.execute(
                    "SELECT database_name, schema_name, table_name FROM duckdb_tables()"
                ).fetchall()
            ]
        else:
            continue
        with con:
            for relation in relations:
                for what, needle in NEEDLES.items():
                    found = con.execute(
                        f"SELECT count(*) FROM {relation} AS r WHERE CAST(r AS VARCHAR) LIKE ?",
                        [f"%{needle.decode()}%"],
                    ).fetchone()
                    if found and found[0]:
                        hits.append(f"{path} {relation}: {what}")
    return hits


@pytest.mark.pipeline
def test_a_full_run_writes_no_secret_anywhere(httpserver: HTTPServer, tmp_path: Path):
    sources = Sources()
    httpserver.expect_request(NWOPEN_PATH).respond_with_handler(sources.nwopen)
    httpserver.expect_request("/projecten", method="GET").respond_with_handler(sources.tse)
    httpserver.expect_request(re.compile(r"^/projecten/.*")).respond_with_handler(sources.tse)
    httpserver.expect_request("/office/mooi.xlsx").respond_with_handler(sources.mooi)
    httpserver.expect_request(re.compile(r"^/office/gvnl/.*")).respond_with_handler(sources.gvnl)
    host = f"{httpserver.host}:{httpserver.port}"

    data, home = tmp_path / "data", tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").symlink_to(REPO_ROOT / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LCM_", "DAGSTER_"))}
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "DAGSTER_HOME": str(home),
            "GX_ANALYTICS_ENABLED": "false",
            "LCM_DATA_DIR": str(data),
            "LCM_NWOPEN_URL": f"http://{host}{NWOPEN_PATH}?token={URL_TOKEN}",
            "LCM_TSE_URL": f"http://{USER}:{PASSWORD}@{host}/projecten",
            "LCM_MOOI_REGISTER": f"http://{host}/office/mooi.xlsx",
            "LCM_MOOI_REGISTER_TOKEN": SETTING_TOKEN,
            "LCM_GVNL_REGISTER": f"http://{host}/office/gvnl/?token={URL_TOKEN}",
            "LCM_HTTP_MIN_INTERVAL": "0",
            "LCM_HTTP_BACKOFF": "0.01",
            "LCM_HTTP_MAX_RETRIES": "1",
            "LCM_HTTP_TIMEOUT": "10",
            "LCM_SOURCE_RETRIES": "2",
            "LCM_SOURCE_RETRY_DELAY": "0",
            # Keep other runs' dbt folders (this checkout's target/ is shared).
            "LCM_DBT_TARGETS_KEEP": "1000",
        }
    )
    started = time.time() - 1
    completed = subprocess.run(
        [str(LC_MONITOR), "run"], env=env, cwd=REPO_ROOT, capture_output=True,
        timeout=600, check=False,
    )  # fmt: skip
    output = completed.stdout + completed.stderr
    said = output.decode(errors="replace")
    for command in ("status", "check-config"):  # what an operator prints next
        more = subprocess.run(
            [str(LC_MONITOR), command], env=env, cwd=REPO_ROOT, capture_output=True,
            timeout=300, check=False,
        )  # fmt: skip
        output += more.stdout + more.stderr
    assert b"credentials: tse: sends basic auth (values not shown)" in output
    # Every source step succeeded and dbt built the marts; whether every later check passed
    # is other tests' business (a failed run prints more, which is searched too).
    assert completed.returncode in (0, 1), said[-4000:]
    failed = re.findall(r"failed steps: \[(.*)\]", said)
    assert not any("_raw" in steps for steps in failed), said[-4000:]

    # The sources were really read, each with its credential, and GVNL failed once.
    assert sources.refused == []
    assert all(count > 0 for count in sources.served.values()), sources.served
    assert sources.partners_failures == 0
    assert "HTTP 500" in said and f"http://{host}/office/gvnl/partners.csv" in said
    with duckdb.connect(str(data / "warehouse" / "lc_monitor.duckdb"), read_only=True) as con:
        locations = dict(con.execute("SELECT source, location FROM raw.snapshots").fetchall())
        assert con.execute("SELECT count(*) FROM marts.fct_project").fetchone()[0] > 0
    assert locations == {
        "nwopen": f"http://{host}{NWOPEN_PATH}",
        "tse": f"http://{host}/projecten",
        "mooi_register": f"http://{host}/office/mooi.xlsx",
        "gvnl_register": f"http://{host}/office/gvnl/",
    }

    # The search: the run's data folder, its Dagster home, what dbt wrote since it started,
    # and everything the run printed.
    written = (
        files_under(data)
        + files_under(home)
        + files_under(DBT_PROJECT_DIR / "target", since=started)
        + files_under(DBT_PROJECT_DIR / "logs", since=started)
    )
    assert len(files_under(home)) > 1 and any(p.suffix == ".duckdb" for p in written)
    control = tmp_path / "control.txt"
    control.write_bytes(b"x" + URL_TOKEN.encode() + b"x")
    assert hits_in_files([control]) == [f"{control}: url token"]  # the search can find one
    hits = hits_in_files(written) + hits_in_tables(written)
    hits += [f"output: {what}" for what, needle in NEEDLES.items() if needle in output]
    # The listing page is landed as the site sent it, the link it published included (which
    # also shows the link token was served); nothing built from the page may hold it.
    published = [h for h in hits if re.search(r"/raw/tse/[^/]+/0001-listing\.html: link", h)]
    assert len(published) == 1, hits
    hits.remove(published[0])
    assert hits == [], hits
    print(f"searched {len(written)} files and {len(output)} bytes of output: no secret")
