"""No silent loss (issue 17, parts 1 and 3): a pull is complete or its source fails, and every
input is bounded. Each case is served over 127.0.0.1 (pytest-httpserver, or a raw socket
server for the trickle) or written as a file, and shows the source blocked with a message
naming the source, the URL or file and the field; the NWOpen repeated page also end to end,
with the published set unchanged.
"""

from __future__ import annotations

import copy
import dataclasses
import gzip
import json
import re
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import openpyxl
import pytest
from pytest_httpserver import HTTPServer

from orchestration.defs.nwopen import NWOPEN
from orchestration.ingest import build_raw_asset
from orchestration.settings import CALLS_SEED, check_environment, load_settings
from orchestration.settings_resource import SettingsResource
from orchestration.warehouse import WarehouseResource
from sources import nwopen, registers
from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.http import MAX_REDIRECTS, Credentials, HttpPolicy, PoliteClient
from sources.landing import land_snapshot
from sources.nwopen.pages import decode_page
from sources.problems import PROBLEMS
from sources.raw_tables import write_snapshot
from sources.tse import read_site
from tests.conftest import NWOPEN_PATH, envelope, project, sample_pages, serve_pages
from tests.test_end_to_end import fct_project, run_refresh, step_error
from tests.test_tse_connector import LISTING, SampleSite, sample_file, serve

MB = 1_000_000
LC_2021 = "Human Capital: Learning communities als innovatieversneller"


# --- part 3: bounded inputs ------------------------------------------------------------------


class TrickleServer:
    """A raw HTTP server on 127.0.0.1 that answers one byte every ``interval`` seconds: the
    headers (``what="headers"``) or, after headers sent at once, the body. The first
    ``prompt`` requests on a connection are answered at once (keep-alive)."""

    def __init__(
        self, what: str, interval: float = 0.2, body: bytes = b"x" * 1000, prompt: int = 0
    ):
        self.what, self.interval, self.body, self.prompt = what, interval, body, prompt
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slow"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                try:
                    self._answer(conn)
                except OSError:
                    continue  # the client hung up: what the deadline is for

    def _answer(self, conn: socket.socket) -> None:
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(self.body)}\r\n\r\n"
        ).encode()
        for number in range(self.prompt + 1):
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(4096) or b"\r\n\r\n"
            if number < self.prompt:
                conn.sendall(head + self.body)
                continue
            trickled = head + self.body if self.what == "headers" else self.body
            if self.what == "body":
                conn.sendall(head)
            for i in range(len(trickled)):
                if self.stopped.is_set():
                    return
                conn.sendall(trickled[i : i + 1])
                time.sleep(self.interval)

    def stop(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def bounded_policy(fast_policy: HttpPolicy) -> HttpPolicy:
    # Each read is answered well within the 5 s timeout: only the deadline can stop them.
    return dataclasses.replace(fast_policy, timeout_s=5.0, deadline_s=1.0, max_retries=0)


@pytest.mark.parametrize(
    ("what", "prompt"), [("headers", 0), ("body", 0), ("headers", 1)],
    ids=["headers", "body", "headers-on-a-reused-connection"],
)  # fmt: skip
def test_a_trickling_server_is_cut_at_the_deadline(
    what: str, prompt: int, bounded_policy: HttpPolicy
):
    server = TrickleServer(what, prompt=prompt)
    try:
        with PoliteClient("NWOpen", bounded_policy) as client:
            for _ in range(prompt):  # answered at once, and the connection kept
                assert client.get(server.url).content == server.body
            started = time.monotonic()
            with pytest.raises(SourceError) as err:
                client.get(server.url, what="page 1")
            elapsed = time.monotonic() - started
    finally:
        server.stop()
    # 1000 bytes at 5 a second would take 200 s; cut at the 1 s deadline.
    assert elapsed < 2.5, elapsed
    assert server.connections == 1
    message = str(err.value)
    assert message.startswith("[NWOpen] " + server.url)
    assert "deadline of 1 s per request (LCM_HTTP_DEADLINE)" in message
    assert err.value.transient  # like a timeout: worth another try later


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """512 MiB of zeros, gzip-compressed to about half a megabyte."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    return b"".join([*(packer.compress(zeros) for _ in range(512)), packer.flush()])


def test_a_gzip_bomb_is_refused_without_inflating_it(
    httpserver: HTTPServer, fast_policy: HttpPolicy, gzip_bomb: bytes
):
    httpserver.expect_request(NWOPEN_PATH).respond_with_data(
        gzip_bomb, content_type="application/json", headers={"Content-Encoding": "gzip"}
    )
    url = httpserver.url_for(NWOPEN_PATH)
    policy = dataclasses.replace(fast_policy, max_bytes=20 * MB, max_retries=0)
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as err:
            nwopen.read_pages(url, policy)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(err.value)
    assert message.startswith(f"[NWOpen] {url}?page=1&per_page=100:")
    assert "too large" in message and "20,000,000 bytes (LCM_HTTP_MAX_MB)" in message
    assert not err.value.transient
    # The bound plus a slice or two, not the 512 MiB the body inflates to (httpx alone would
    # inflate each 64 KB read into 64 MB at once).
    assert peak < 60 * MB, f"peak {peak / MB:.0f} MB"


def test_a_redirect_with_a_gzip_bomb_is_followed_unread_and_the_answer_bounded(
    httpserver: HTTPServer, fast_policy: HttpPolicy, gzip_bomb: bytes
):
    bomb = {"Content-Encoding": "gzip"}
    httpserver.expect_request("/moved").respond_with_data(
        gzip_bomb, status=302, headers={**bomb, "Location": "/final"}
    )
    httpserver.expect_request("/final").respond_with_data(
        gzip_bomb, content_type="application/json", headers=bomb
    )
    policy = dataclasses.replace(fast_policy, max_bytes=20 * MB, max_retries=0)
    tracemalloc.start()
    try:
        with PoliteClient("NWOpen", policy) as client, pytest.raises(SourceError) as err:
            client.get(httpserver.url_for("/moved"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [r.path for r, _ in httpserver.log] == ["/moved", "/final"]
    assert str(err.value).startswith(f"[NWOpen] {httpserver.url_for('/final')}: ")
    assert "too large" in str(err.value)
    # Neither body inflated whole: httpx, following the redirect itself, read the 302's.
    assert peak < 60 * MB, f"peak {peak / MB:.0f} MB"


def test_a_redirect_chain_longer_than_the_maximum_fails_naming_the_url(
    httpserver: HTTPServer, fast_policy: HttpPolicy
):
    for hop in range(MAX_REDIRECTS + 2):  # each to the next, by a relative Location
        httpserver.expect_request(f"/hop/{hop}").respond_with_data(
            b"", status=301, headers={"Location": str(hop + 1)}
        )
    url = httpserver.url_for("/hop/0")
    with PoliteClient("TSE", fast_policy) as client, pytest.raises(SourceError) as err:
        client.get(url, what="listing")
    message = str(err.value)
    assert message.startswith(f"[TSE] {url}: GET (listing) failed: more than 5 redirects")
    assert httpserver.url_for(f"/hop/{MAX_REDIRECTS + 1}") in message
    assert len(httpserver.log) == MAX_REDIRECTS + 1  # the first request and 5 hops
    assert not err.value.transient


@pytest.fixture
def other_origin() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


def test_credentials_go_to_the_configured_origin_only(
    httpserver: HTTPServer, other_origin: HTTPServer, fast_policy: HttpPolicy
):
    credentials = Credentials(
        params=(("token", "q-tok-5521"),),
        headers=(("X-API-Key", "h-key-7713"),),
        basic=("reader", "pw-9904"),
    )
    policy = dataclasses.replace(fast_policy, credentials=credentials)
    away = other_origin.url_for("/elsewhere") + "?token=q-tok-5521&keep=1"  # echoed: dropped
    httpserver.expect_request("/same").respond_with_data(
        b"", status=302, headers={"Location": "/here"}
    )
    httpserver.expect_request("/here").respond_with_data(b"ok")
    httpserver.expect_request("/away").respond_with_data(
        b"", status=307, headers={"Location": away}
    )
    other_origin.expect_request("/elsewhere").respond_with_data(b"ok")
    with PoliteClient("TSE", policy) as client:
        assert client.get(httpserver.url_for("/same")).content == b"ok"
        moved = client.get(httpserver.url_for("/away"))
    assert moved.content == b"ok"

    (first, _), (here, _), (last, _) = httpserver.log
    assert [r.path for r in (first, here, last)] == ["/same", "/here", "/away"]
    for request in (first, here, last):  # the configured origin: everything, every hop
        assert request.args.get("token") == "q-tok-5521"
        assert request.headers.get("X-API-Key") == "h-key-7713"
        assert request.authorization is not None
        assert (request.authorization.username, request.authorization.password) == (
            "reader", "pw-9904",
        )  # fmt: skip
    [(elsewhere, _)] = other_origin.log
    assert elsewhere.args.to_dict() == {"keep": "1"}
    assert "X-API-Key" not in elsewhere.headers
    assert "Authorization" not in elsewhere.headers
    assert client.recorded_url(moved) == other_origin.url_for("/elsewhere") + "?keep=1"


def test_a_gzip_response_within_the_bound_is_decoded(
    httpserver: HTTPServer, patient_policy: HttpPolicy
):
    pages = sample_pages()
    for number, page in enumerate(pages, start=1):
        httpserver.expect_request(
            NWOPEN_PATH, query_string={"page": str(number), "per_page": "100"}
        ).respond_with_data(
            gzip.compress(json.dumps(page).encode()),
            content_type="application/json",
            headers={"Content-Encoding": "gzip"},
        )
    read = nwopen.read_pages(httpserver.url_for(NWOPEN_PATH), patient_policy)
    assert [p.payload for p in read] == pages
    assert {r.headers["Accept-Encoding"] for r, _ in httpserver.log} == {"gzip, deflate"}


def test_a_declared_length_above_the_bound_is_refused_unread(
    httpserver: HTTPServer, fast_policy: HttpPolicy
):
    httpserver.expect_request("/register.xlsx").respond_with_data(b"x" * (2 * MB))
    policy = dataclasses.replace(fast_policy, max_bytes=1 * MB)
    with pytest.raises(SourceError) as err:
        registers.read_register(
            httpserver.url_for("/register.xlsx"), source="mooi_register",
            catalogue=CallCatalogue.from_csv(CALLS_SEED), policy=policy,
        )  # fmt: skip
    assert str(err.value).startswith(f"[mooi_register] {httpserver.url_for('/register.xlsx')}")
    assert "Content-Length 2,000,000 bytes" in str(err.value)
    assert len(httpserver.log) == 1  # bad content is not retried


def test_a_page_file_above_the_bound_is_refused_unread(tmp_path: Path, fast_policy: HttpPolicy):
    (tmp_path / "page-001.json").write_text(json.dumps(sample_pages()[0]))
    with pytest.raises(SourceError) as err:
        nwopen.read_pages(str(tmp_path), dataclasses.replace(fast_policy, max_bytes=1000))
    assert str(err.value).startswith(f"[NWOpen] {tmp_path / 'page-001.json'}: page 1 is ")
    assert "above the bound of 1,000 (LCM_HTTP_MAX_MB)" in str(err.value)


def _manifest_and_tables(tmp_path: Path, title: str) -> tuple:
    pages = [envelope([project("KICH1.LWV02.22.001", 1, LC_2021, [], title=title)])]
    raw = [decode_page(1, "http://127.0.0.1/api?page=1", json.dumps(pages[0]).encode())]
    extract = nwopen.parse_pages(raw, CallCatalogue.from_csv(CALLS_SEED))
    manifest, folder = land_snapshot(
        tmp_path / "raw", "nwopen", "http://127.0.0.1/api", nwopen.raw_files(raw),
        content_sha256=nwopen.content_sha256(raw), counts={"records": 1},
    )  # fmt: skip
    tables = {"raw.nwopen_projects": (nwopen.PROJECT_COLUMNS, extract.projects)}
    return manifest, folder, tables


def test_a_field_of_a_megabyte_fails_its_source_naming_record_and_field(tmp_path: Path):
    manifest, folder, tables = _manifest_and_tables(tmp_path, "T" * MB)
    records = tmp_path / "records"
    with pytest.raises(SourceError) as err:
        write_snapshot(records, manifest, str(folder), tables, record_count=1)
    assert str(err.value) == (
        "[nwopen] http://127.0.0.1/api: field 'title': raw.nwopen_projects record 1 "
        "(project_id='KICH1.LWV02.22.001', source_page=1): 1,000,000 characters, above the "
        "bound of 100,000 (LCM_MAX_FIELD_CHARS); not loaded"
    )
    assert not records.exists()  # refused before anything was written
    # The bound is a setting; within it the same record loads.
    manifest, folder, tables = _manifest_and_tables(tmp_path / "ok", "T" * 1000)
    assert write_snapshot(records, manifest, str(folder), tables, 1, max_field_chars=1000)


def test_the_bounds_are_settings_with_rules(monkeypatch: pytest.MonkeyPatch):
    settings = load_settings()
    assert (settings.http.deadline_s, settings.http.max_bytes) == (120.0, 200 * MB)
    assert (settings.max_field_chars, settings.nwopen_max_pages) == (100_000, 2000)
    assert settings.completeness_tolerance == 0.005
    for name, value in (("LCM_HTTP_DEADLINE", "30"), ("LCM_HTTP_MAX_MB", "5"),
                        ("LCM_MAX_FIELD_CHARS", "500"), ("LCM_NWOPEN_MAX_PAGES", "10"),
                        ("LCM_COMPLETENESS_TOLERANCE", "0")):  # fmt: skip
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert (settings.http.deadline_s, settings.http.max_bytes) == (30.0, 5 * MB)
    assert (settings.max_field_chars, settings.nwopen_max_pages) == (500, 10)
    assert settings.completeness_tolerance == 0.0
    errors = check_environment(
        {"LCM_HTTP_DEADLINE": "0", "LCM_HTTP_MAX_MB": "0.5", "LCM_COMPLETENESS_TOLERANCE": "1"}
    ).errors
    assert len(errors) == 3
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
    for name in ("LCM_HTTP_DEADLINE", "LCM_HTTP_MAX_MB", "LCM_MAX_FIELD_CHARS",
                 "LCM_NWOPEN_MAX_PAGES", "LCM_COMPLETENESS_TOLERANCE"):  # fmt: skip
        assert f"| `{name}` |" in readme and f"{name}=" in example


# --- part 1: NWOpen, a pull is complete or it fails ------------------------------------------


def _page_query(number: int) -> dict[str, str]:
    return {"page": str(number), "per_page": "100"}


def serve_with_page_3_repeating_page_2(httpserver: HTTPServer, heals: bool = False) -> str:
    """The sample's pages, page 3 answering page 2's records (with its own meta); ``heals``:
    only the first time."""
    pages = sample_pages()
    wrong = copy.deepcopy(pages[1])
    wrong["meta"]["page"] = 3
    if heals:
        httpserver.expect_oneshot_request(
            NWOPEN_PATH, query_string=_page_query(3)
        ).respond_with_json(wrong)
    else:
        pages[2] = wrong
    return serve_pages(httpserver, pages)


def test_a_page_repeating_an_earlier_page_is_read_again_then_fails_naming_its_url(
    httpserver: HTTPServer, patient_policy: HttpPolicy
):
    url = serve_with_page_3_repeating_page_2(httpserver)
    with pytest.raises(SourceError) as err:
        nwopen.read_pages(url, patient_policy)
    assert str(err.value).startswith(f"[NWOpen] {url}?page=3&per_page=100: field 'projects': ")
    assert "page 3 repeats page 2: all its 100 projects came on earlier pages" in str(err.value)
    asked = [r.args.get("page") for r, _ in httpserver.log]
    assert asked == ["1", "2", "3", "3"]  # read once more, then failed: page 4 never asked


def test_a_repeated_page_that_heals_when_read_again_is_complete(
    httpserver: HTTPServer, patient_policy: HttpPolicy
):
    url = serve_with_page_3_repeating_page_2(httpserver, heals=True)
    pages = nwopen.read_pages(url, patient_policy)
    assert [p.payload for p in pages] == sample_pages()


def test_distinct_projects_not_records_are_held_to_meta_count(
    httpserver: HTTPServer, patient_policy: HttpPolicy
):
    # Page 4 repeats ten records of page 1 instead of ten of its own: as many records as
    # meta.count announces, ten projects fewer (the old check counted records and passed).
    pages = sample_pages()
    pages[3]["projects"][:10] = copy.deepcopy(pages[0]["projects"][:10])
    url = serve_pages(httpserver, pages)
    with pytest.raises(SourceError) as err:
        nwopen.read_pages(url, patient_policy)
    assert str(err.value) == (
        f"[NWOpen] {url}: field 'meta.count': incomplete list: meta.count announced 383 "
        "projects but 4 pages held only 372 distinct ones (383 records); 11 missing, at most 1 "
        "may be (LCM_COMPLETENESS_TOLERANCE)"
    )


def test_the_sample_with_its_known_page_overlap_is_within_the_tolerance():
    # One project on two pages (a list shifting during the crawl): one short of meta.count.
    assert len(nwopen.read_pages(str(nwopen.SAMPLE_DIR), HttpPolicy("t"))) == 4
    with pytest.raises(SourceError, match="1 missing, at most 0 may be"):
        nwopen.read_pages(str(nwopen.SAMPLE_DIR), HttpPolicy("t"), tolerance=0.0)


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"count": 10**9, "pages": 10**7},
         "meta.pages is 10,000,000, above the bound of 2,000 pages (LCM_NWOPEN_MAX_PAGES)"),
        ({"count": 383, "pages": 50},
         "meta.pages is 50 but meta.count 383 at 100 per page needs 4"),
    ],
)  # fmt: skip
def test_meta_pages_is_bounded_and_checked_before_walking(
    httpserver: HTTPServer, fast_policy: HttpPolicy, meta: dict, expected: str
):
    first = sample_pages()[0]
    first["meta"].update(meta)
    url = serve_pages(httpserver, [first])
    with pytest.raises(SourceError) as err:
        nwopen.read_pages(url, fast_policy)
    assert err.value.field == "meta.pages" and expected in str(err.value)
    assert f"{url}?page=1&per_page=100" in str(err.value)
    assert len(httpserver.log) == 1


def failed_steps(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.step_key for e in result.all_events if e.is_step_failure}


def published(data: Path) -> tuple:
    """What readers see: the version the serving file and each export resolve to."""
    serving = data / "serving" / "lc_monitor.duckdb"
    exports = sorted((data / "exports").iterdir())
    return serving.resolve(), [(p.name, p.resolve()) for p in exports]


@pytest.mark.pipeline
def test_end_to_end_a_repeated_page_blocks_nwopen_and_the_published_set_stays(
    httpserver: HTTPServer, sample_data: Path, fast_http: None, monkeypatch: pytest.MonkeyPatch
):
    isolated_data = sample_data  # after one good run of the sample
    warehouse = isolated_data / "warehouse" / "lc_monitor.duckdb"
    good, before = fct_project(warehouse), published(isolated_data)

    url = serve_with_page_3_repeating_page_2(httpserver)
    monkeypatch.setenv("LCM_NWOPEN_URL", url)
    result = run_refresh()
    assert "nwopen_raw" in failed_steps(result)
    message = step_error(result, "nwopen_raw")
    assert f"[NWOpen] {url}?page=3&per_page=100: field 'projects': page 3 repeats page 2" in message
    assert published(isolated_data) == before
    assert fct_project(warehouse) == good


def materialize_nwopen() -> dg.ExecuteInProcessResult:
    """The NWOpen raw asset alone, as a run executes it (pull, landing, raw tables)."""
    return dg.materialize(
        [build_raw_asset(NWOPEN)],
        resources={"warehouse": WarehouseResource(), "settings": SettingsResource()},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def raw_folders(data: Path) -> tuple[list[Path], list[str]]:
    """The NWOpen snapshot folders, oldest first, and any hidden (staged, partial) folder."""
    folder = data / "raw" / "nwopen"
    found = sorted(folder.iterdir()) if folder.exists() else []
    return [p for p in found if not p.name.startswith(".")], [
        p.name for p in found if p.name.startswith(".")
    ]


def ten_pages() -> list[dict]:
    projects = [project(f"KICH1.LC.22.{i:03d}", 1, LC_2021, []) for i in range(50)]
    pages = [envelope(projects[i : i + 5], page=i // 5 + 1, pages=10, count=50)
             for i in range(0, 50, 5)]  # fmt: skip
    for page in pages:
        page["meta"]["per_page"] = 5
    return pages


def test_a_pull_failing_on_page_7_of_10_lands_pages_1_to_7_then_fails(
    httpserver: HTTPServer, isolated_data: Path, fast_http: None, monkeypatch: pytest.MonkeyPatch
):
    """Each page goes to disk as it arrives: the page that cannot be decoded, and those
    before it, are landed for diagnosis; the pages after it are never asked for."""
    pages = ten_pages()
    truncated = json.dumps(pages[6]).encode()[:100]
    for number, page in enumerate(pages, start=1):
        body = truncated if number == 7 else json.dumps(page).encode()
        httpserver.expect_request(NWOPEN_PATH, query_string=_page_query(number)).respond_with_data(
            body, content_type="application/json"
        )
    url = httpserver.url_for(NWOPEN_PATH)
    monkeypatch.setenv("LCM_NWOPEN_URL", url)
    result = materialize_nwopen()
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    description = failure.step_failure_data.user_failure_data.description
    assert description.startswith(f"[NWOpen] {url}?page=7&per_page=100: page 7 is not valid JSON")
    assert not [e for e in result.all_events if e.is_step_up_for_retry]  # bad content
    assert sorted(int(r.args["page"]) for r, _ in httpserver.log) == list(range(1, 8))
    (snapshot,), leftovers = raw_folders(isolated_data)
    names = [f"page-{n:04d}.json" for n in range(1, 8)]
    assert sorted(p.name for p in snapshot.iterdir()) == ["manifest.json", *names]
    assert (snapshot / "page-0007.json").read_bytes() == truncated
    assert (snapshot / "page-0003.json").read_bytes() == json.dumps(pages[2]).encode()
    manifest = json.loads((snapshot / "manifest.json").read_text())
    assert [f["name"] for f in manifest["files"]] == names
    assert manifest["counts"] == {"pages": 7, "records": 30}
    assert leftovers == []


def test_an_unchanged_streamed_pull_stores_no_page_twice(
    httpserver: HTTPServer, isolated_data: Path, fast_http: None, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, sample_pages()))
    assert materialize_nwopen().success
    assert materialize_nwopen().success
    (first, second), leftovers = raw_folders(isolated_data)
    assert sorted(p.name for p in first.iterdir()) == [
        "manifest.json", "page-0001.json", "page-0002.json", "page-0003.json", "page-0004.json",
    ]  # fmt: skip
    assert [p.name for p in second.iterdir()] == ["manifest.json"]
    manifest = json.loads((second / "manifest.json").read_text())
    assert (manifest["changed"], manifest["files_snapshot_id"]) == (False, first.name)
    assert leftovers == []  # the pages written while pulling went again


def test_a_failed_walk_lands_nothing_and_leaves_no_page_behind(
    httpserver: HTTPServer, isolated_data: Path, fast_http: None, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_with_page_3_repeating_page_2(httpserver))
    result = materialize_nwopen()
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "page 3 repeats page 2" in failure.step_failure_data.user_failure_data.description
    assert raw_folders(isolated_data) == ([], [])


# --- part 1: TSE, every listing page yields projects -------------------------------------------


def _page(query: str) -> bytes:
    return sample_file(LISTING, query).read_bytes()


def _without_project_links(html: bytes) -> bytes:
    return re.sub(rb'<li class="project-card">.*?</li>\n', b"", html)


def test_a_later_listing_page_without_project_links_fails_naming_it(
    httpserver: HTTPServer, patient_policy: HttpPolicy
):
    site = SampleSite()
    site.overrides["/projecten?page=3"] = _without_project_links(_page("page=3"))
    url = serve(httpserver, site)
    with pytest.raises(SourceError) as err:
        read_site(url, patient_policy)
    assert str(err.value) == (
        f"[TSE] {url}?page=3: field 'project links': listing page 3 of 4 links to no project "
        "pages: the projects it should list are missing from the crawl"
    )


def test_a_listing_page_served_twice_fails_naming_it(
    httpserver: HTTPServer, patient_policy: HttpPolicy
):
    site = SampleSite()
    site.overrides["/projecten?page=3"] = _page("page=2").replace(
        b"Pagina 2 van 4", b"Pagina 3 van 4"
    ).replace(b"/projecten?page=3", b"/projecten?page=4")  # fmt: skip
    url = serve(httpserver, site)
    with pytest.raises(SourceError, match=r"listing page 3 of 4 links only to the \d+ project"):
        read_site(url, patient_policy)


def test_a_crawl_ending_before_the_announced_last_page_fails(
    httpserver: HTTPServer, patient_policy: HttpPolicy
):
    site = SampleSite()
    site.overrides["/projecten?page=2"] = re.sub(
        rb'<a href="/projecten\?page=3" rel="next">Volgende</a>', b"", _page("page=2")
    )
    url = serve(httpserver, site)
    with pytest.raises(SourceError) as err:
        read_site(url, patient_policy)
    assert str(err.value) == (
        f"[TSE] {url}?page=2: field 'project links': the crawl ended at listing page 2 (no "
        "link to a next page) but page 1 announced 4 pages: the projects of pages 3 to 4 are "
        "missing"
    )


@pytest.mark.parametrize(("total", "fails"), [(40, False), (41, False), (45, True)])
def test_the_crawl_is_held_to_the_total_the_listing_states(
    httpserver: HTTPServer, patient_policy: HttpPolicy, total: int, fails: bool
):
    # The sample links to 40 project pages; one may be missing (a list changing meanwhile).
    site = SampleSite()
    site.overrides["/projecten"] = _page("").replace(
        b"<p>Pagina 1 van 4</p>", f"<p>{total} projecten</p>".encode()
    )
    url = serve(httpserver, site)
    if not fails:
        assert sum(d.kind == "project" for d in read_site(url, patient_policy)) == 40
        return
    with pytest.raises(SourceError) as err:
        read_site(url, patient_policy)
    assert str(err.value) == (
        f"[TSE] {url}: field 'project links': the listing states 45 projects but its pages "
        "link to 40: 5 missing, at most 1 may be (LCM_COMPLETENESS_TOLERANCE)"
    )


# --- part 1: registers, formula cells without a calculated value -----------------------------


def test_a_formula_cell_without_a_cached_value_is_its_records_problem(tmp_path: Path):
    # openpyxl writes formulas without calculating them: exactly such a workbook.
    workbook = openpyxl.load_workbook(registers.MOOI_SAMPLE)
    sheet = workbook["Projects"]
    header = [str(c.value).strip().casefold() for c in sheet[1]]
    column = header.index("subsidy_eur") + 1
    cell = sheet.cell(row=3, column=column)
    cell.value = "=40000+10000"
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    extract = registers.read_register(
        path, source="mooi_register", catalogue=CallCatalogue.from_csv(CALLS_SEED)
    )
    record = next(p for p in extract.projects if p["source_row"] == 3)
    assert record["subsidy_eur"] is None
    assert record[PROBLEMS] == [
        {
            "rule": "unreadable_value",
            "column": "subsidy_eur",
            "value": "=40000+10000",
            "problem": f"sheet 'Projects' cell {cell.coordinate}: a formula without a "
            "calculated value (the workbook was saved without calculating; open it in Excel "
            "and save it again)",
        }
    ]
    assert sum(1 for p in extract.projects if p.get(PROBLEMS)) == 1
    assert f"{record['register_id']}: subsidy_eur: sheet 'Projects' cell" in extract.problems[0]
