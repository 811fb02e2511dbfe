"""Every environment variable the platform reads, resolved in one place.

The README's configuration table mirrors this module. Connectors in ``sources/`` never read the
environment themselves: they receive the values resolved here, so they stay testable alone.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlparse

from orchestration.alerts import (
    SMTP_DEFAULT_PORTS,
    SMTP_TLS_MODES,
    Channel,
    EmailChannel,
    WebhookChannel,
)
from sources.archives import MB, ArchiveLimits
from sources.http import NO_CREDENTIALS, Credentials, HttpPolicy, split_credentials
from sources.nwopen import LIVE_URL as NWOPEN_LIVE_URL
from sources.nwopen import SAMPLE_DIR as NWOPEN_SAMPLE_DIR
from sources.redact import is_http_url, redact_text, remember_secret, remember_secrets
from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE
from sources.tse import LIVE_URL as TSE_LIVE_URL
from sources.tse import SAMPLE_DIR as TSE_SAMPLE_DIR

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
CALLS_SEED = SEEDS_DIR / "programme_calls.csv"

SOURCE_MODES = ("sample", "live")
# The nightly refresh runs at 02:00 (defs/jobs.py): a source or mart not refreshed for 26 hours
# missed a night (WARN), for 50 hours two nights (failing freshness). The UI's freshness
# policy, `lc-monitor status` and the stale-data alert's default use these.
FRESHNESS_WARN_HOURS = 26
FRESHNESS_FAIL_HOURS = 50


class ConfigError(ValueError):
    """A configuration value is present but unusable."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_float(name: str, default: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a number") from exc


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from exc


@dataclass(frozen=True)
class DiskRetention:
    """Raw snapshot folders older than ``raw_days`` are removed after a load (never the newest
    one, the one staging reads, or one whose files a kept snapshot points at); dagster-dbt's
    invocation folders under dbt_project/target beyond the newest ``dbt_targets``."""

    raw_days: int = 400  # a year of comparisons, plus a month for the yearly report
    dbt_targets: int = 3  # the last few builds, for debugging
    # Dagster runs (~7.5 MB of event log each) finished longer ago are deleted, except those
    # holding an asset's latest materialization: a quarter of nightly runs, ~0.7 GB.
    run_history_days: int = 90


def load_disk_retention() -> DiskRetention:
    default = DiskRetention()
    disk = DiskRetention(
        raw_days=_env_int("LCM_RAW_RETENTION_DAYS", default.raw_days),
        dbt_targets=_env_int("LCM_DBT_TARGETS_KEEP", default.dbt_targets),
        run_history_days=_env_int("LCM_RUN_HISTORY_DAYS", default.run_history_days),
    )
    if min(disk.raw_days, disk.dbt_targets, disk.run_history_days) < 1:  # deletes data
        raise ConfigError(
            "LCM_RAW_RETENTION_DAYS, LCM_DBT_TARGETS_KEEP and LCM_RUN_HISTORY_DAYS must be 1 "
            "or more"
        )
    return disk


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse_path: Path
    source_mode: str
    nwopen_location: str
    tse_location: str
    # Register source name -> path or URL; None when live mode has no register configured.
    register_locations: dict[str, str | None]
    http: HttpPolicy
    # Bounds on a register's size and compression, checked before it is parsed.
    archive_limits: ArchiveLimits
    # What runs may leave on disk (orchestration/disk.py).
    disk: DiskRetention = DiskRetention()
    # Source name -> what its server wants to see (LCM_<SOURCE>_TOKEN ..., or a secret the
    # configured URL carried); sent with requests, never part of a location.
    credentials: Mapping[str, Credentials] = field(default_factory=dict, repr=False)
    # How complete a pull must be and how long a field may be (sources/nwopen/pages.py,
    # sources/tse/site.py, sources/raw_tables.py).
    nwopen_max_pages: int = 2000
    completeness_tolerance: float = 0.005
    max_field_chars: int = 100_000

    def http_for(self, source: str) -> HttpPolicy:
        """The HTTP policy of one source, with that source's credentials."""
        return replace(self.http, credentials=self.credentials.get(source, NO_CREDENTIALS))

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def records_dir(self) -> Path:
        """Every snapshot's parsed records as Parquet, read in place by the warehouse's
        ``raw.*`` views (sources/raw_tables.py); never pruned: they are the history."""
        return self.data_dir / "records"

    @property
    def serving_path(self) -> Path:
        """The DuckDB file BI tools read (published after every run whose checks passed): a
        link to ``current/<name>`` in its folder, which switches with the exports."""
        return Path(_env("LCM_SERVING_PATH", str(self.data_dir / "serving" / "lc_monitor.duckdb")))

    @property
    def exports_dir(self) -> Path:
        """One Parquet file per mart, published with the serving file (links into
        ``<serving folder>/current/exports``, orchestration/publish.py)."""
        return Path(_env("LCM_EXPORTS_DIR", str(self.data_dir / "exports")))

    @property
    def serving_keep(self) -> int:
        """Published versions kept in ``<serving folder>/versions`` (the newest is current)."""
        return _env_int("LCM_SERVING_KEEP", 3)

    @property
    def report_dir(self) -> Path:
        """The monitoring report (static site), rebuilt from the serving file every run."""
        return Path(_env("LCM_REPORT_DIR", str(self.data_dir / "report")))

    @property
    def quality_report_dir(self) -> Path:
        """The HTML data-quality report, rewritten after every check."""
        return self.data_dir / "quality" / "report"

    @property
    def nwopen_is_http(self) -> bool:
        return is_http_url(self.nwopen_location)


@dataclass(frozen=True)
class SourceRetries:
    """Dagster's retries of a source step that failed on a transient error."""

    count: int
    delay_s: float  # the n-th retry waits n times this


def load_source_retries() -> SourceRetries:
    """Read when the code location loads: a retry policy is part of the asset definitions."""
    return SourceRetries(
        count=_env_int("LCM_SOURCE_RETRIES", 2),
        delay_s=_env_float("LCM_SOURCE_RETRY_DELAY", 600.0),
    )


def load_settings() -> Settings:
    """Read the environment now (not at import) so tests and runs can point elsewhere."""
    data_dir = Path(_env("LCM_DATA_DIR", str(REPO_ROOT / "data"))).expanduser().resolve()
    warehouse = Path(
        _env("LCM_WAREHOUSE", str(data_dir / "warehouse" / "lc_monitor.duckdb"))
    ).expanduser()
    mode = (_env("LCM_SOURCE_MODE", "sample") or "sample").strip().lower()
    if mode not in SOURCE_MODES:
        raise ConfigError(f"LCM_SOURCE_MODE={mode!r}: expected one of {', '.join(SOURCE_MODES)}")
    live = mode == "live"
    nwopen_default = NWOPEN_LIVE_URL if live else str(NWOPEN_SAMPLE_DIR)
    tse_default = TSE_LIVE_URL if live else str(TSE_SAMPLE_DIR)
    # Operators of a source should be able to reach whoever runs the crawler: set LCM_CONTACT.
    contact = _env("LCM_CONTACT")
    http = HttpPolicy(
        user_agent="lc-monitor/0.1 (open-source Learning Community monitor"
        + (f"; +{contact})" if contact else ")"),
        timeout_s=_env_float("LCM_HTTP_TIMEOUT", 60.0),
        max_retries=_env_int("LCM_HTTP_MAX_RETRIES", 5),
        min_interval_s=_env_float("LCM_HTTP_MIN_INTERVAL", 1.0),
        backoff_base_s=_env_float("LCM_HTTP_BACKOFF", 2.0),
        deadline_s=_env_float("LCM_HTTP_DEADLINE", 120.0),
        max_bytes=_env_int("LCM_HTTP_MAX_MB", 200) * MB,
    )
    locations: dict[str, str | None] = {
        "nwopen": _env("LCM_NWOPEN_URL", nwopen_default) or nwopen_default,
        "tse": _env("LCM_TSE_URL", tse_default) or tse_default,
        # Registers have no public URL: live mode reads only what is configured.
        "mooi_register": _env("LCM_MOOI_REGISTER", None if live else str(MOOI_SAMPLE)),
        "gvnl_register": _env("LCM_GVNL_REGISTER", None if live else str(GVNL_SAMPLE)),
    }
    credentials = {}
    for source, location in locations.items():
        if location is not None:
            locations[source], credentials[source] = source_credentials(source, location)
    return Settings(
        data_dir=data_dir,
        warehouse_path=warehouse.resolve(),
        source_mode=mode,
        nwopen_location=str(locations["nwopen"]),
        tse_location=str(locations["tse"]),
        register_locations={s: locations[s] for s in ("mooi_register", "gvnl_register")},
        http=http,
        archive_limits=load_archive_limits(),
        disk=load_disk_retention(),
        credentials=credentials,
        nwopen_max_pages=_env_int("LCM_NWOPEN_MAX_PAGES", 2000),
        completeness_tolerance=_env_float("LCM_COMPLETENESS_TOLERANCE", 0.005),
        max_field_chars=_env_int("LCM_MAX_FIELD_CHARS", 100_000),
    )


# --- credentials: configuration, never data ------------------------------------------------

# Source -> the prefix of its credential settings (LCM_<SOURCE>_TOKEN, ...).
CREDENTIAL_PREFIXES = {
    "nwopen": "LCM_NWOPEN",
    "tse": "LCM_TSE",
    "mooi_register": "LCM_MOOI_REGISTER",
    "gvnl_register": "LCM_GVNL_REGISTER",
}
CREDENTIAL_SUFFIXES = ("_TOKEN", "_TOKEN_PARAM", "_TOKEN_HEADER", "_USER", "_PASSWORD")


def source_credentials(
    source: str, location: str, environ: Mapping[str, str] | None = None
) -> tuple[str, Credentials]:
    """The location as it may be recorded, and what requests to it must carry: the secrets
    the URL itself held (``?token=``, ``user:password@``), then the source's settings, which
    win. Every secret is remembered, so ``redact_text`` masks it wherever it shows up."""
    environ = os.environ if environ is None else environ
    prefix = CREDENTIAL_PREFIXES[source]

    def value(suffix: str) -> str | None:
        return environ.get(prefix + suffix) or None

    public, from_url = split_credentials(location)
    params, headers, basic = dict(from_url.params), {}, from_url.basic
    if token := value("_TOKEN"):
        if param := value("_TOKEN_PARAM"):
            params[param.strip()] = token
        else:
            header = (value("_TOKEN_HEADER") or "Authorization").strip()
            # Authorization takes a scheme; any other header (X-API-Key, ...) the bare token.
            headers[header] = f"Bearer {token}" if header.lower() == "authorization" else token
    if (user := value("_USER")) and (password := value("_PASSWORD")) is not None:
        basic = (user, password)
    credentials = Credentials(tuple(params.items()), tuple(headers.items()), basic)
    remember_secrets(credentials.secrets())
    return public, credentials


def _credential_problems(environ: Mapping[str, str]) -> list[str]:
    """Credential settings that only make sense together. Values are never printed."""
    problems = []
    for prefix in CREDENTIAL_PREFIXES.values():

        def given(suffix: str, prefix: str = prefix) -> bool:
            return bool(environ.get(prefix + suffix))

        if given("_TOKEN_PARAM") and given("_TOKEN_HEADER"):
            problems.append(
                f"{prefix}_TOKEN_PARAM and {prefix}_TOKEN_HEADER both set: the token is sent "
                "one way, as a query parameter or as a header"
            )
        if (given("_TOKEN_PARAM") or given("_TOKEN_HEADER")) and not given("_TOKEN"):
            problems.append(f"{prefix}_TOKEN missing: how to send a token is set, the token not")
        if given("_USER") != given("_PASSWORD"):
            missing = f"{prefix}_PASSWORD" if given("_USER") else f"{prefix}_USER"
            problems.append(
                f"basic auth half-configured: {missing} missing; {prefix}_USER and "
                f"{prefix}_PASSWORD go together"
            )
        header = (environ.get(prefix + "_TOKEN_HEADER") or "Authorization").lower()
        bearer = given("_TOKEN") and not given("_TOKEN_PARAM") and header == "authorization"
        if bearer and given("_USER"):
            problems.append(
                f"{prefix}_TOKEN and {prefix}_USER both want the Authorization header: send "
                f"the token as a query parameter ({prefix}_TOKEN_PARAM) or in another header "
                f"({prefix}_TOKEN_HEADER)"
            )
    return problems


def credentials_summary(settings: Settings) -> list[str]:
    """How each source authenticates, in words, without a single secret (check-config)."""
    lines = []
    for source, credentials in sorted(settings.credentials.items()):
        ways = [f"query parameter {name!r}" for name, _ in credentials.params]
        ways += [f"header {name!r}" for name, _ in credentials.headers]
        ways += ["basic auth"] if credentials.basic else []
        if ways:
            lines.append(f"{source}: sends {', '.join(ways)} (values not shown)")
    return lines


def load_archive_limits() -> ArchiveLimits:
    """Bounds on spreadsheets and archives (sources/archives.py documents the defaults)."""
    default = ArchiveLimits()
    return ArchiveLimits(
        max_unpacked_bytes=_env_int("LCM_MAX_UNPACKED_MB", default.max_unpacked_bytes // MB) * MB,
        max_ratio=_env_float("LCM_MAX_COMPRESSION_RATIO", default.max_ratio),
        max_members=_env_int("LCM_MAX_ARCHIVE_MEMBERS", default.max_members),
    )


# --- checking the configuration before anything runs -------------------------------------


def _is_number(minimum: float, whole: bool = False) -> Callable[[str], str | None]:
    def check(raw: str) -> str | None:
        try:
            value = int(raw) if whole else float(raw)
        except ValueError:
            return "not a whole number" if whole else "not a number"
        return None if value >= minimum else f"below {minimum:g}"

    return check


def _is_share(raw: str) -> str | None:
    try:
        value = float(raw)
    except ValueError:
        return "not a number"
    return None if 0 <= value < 1 else "not from 0 up to (not including) 1"


def _is_choice(*choices: str) -> Callable[[str], str | None]:
    return lambda raw: None if raw.strip().lower() in choices else "not one of the choices"


def _is_location(raw: str) -> str | None:
    """An http(s) URL with a host, or a file or folder path."""
    if is_http_url(raw):
        return None if urlparse(raw).netloc else "a URL without a host"
    if "://" in raw:
        return "only http:// and https:// URLs are read"
    return None


def _exists(raw: str) -> str | None:
    """A path that does not exist now is a warning, not an error: a share may be mounted by
    the time the run reads it, and then only that source's asset fails, naming the path."""
    if is_http_url(raw) or Path(raw).expanduser().exists():
        return None
    return "no such file or folder now; that source's asset will fail if it is still missing"


def _is_path(raw: str) -> str | None:
    return None if raw.strip() else "empty"


def _is_executable(raw: str) -> str | None:
    return None if os.access(Path(raw).expanduser(), os.X_OK) else "not an executable file"


def _is_url(raw: str) -> str | None:
    if not is_http_url(raw):
        return "not an http:// or https:// URL"
    return None if urlparse(raw).netloc else "a URL without a host"


def _is_port(raw: str) -> str | None:
    return None if raw.isdigit() and 0 < int(raw) < 65536 else "not a port number"


_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _is_header_name(raw: str) -> str | None:
    return None if _HEADER_NAME.match(raw.strip()) else "not an HTTP header name"


def _is_param_name(raw: str) -> str | None:
    bad = set(raw) & set("&=#?/ \t")
    return None if raw.strip() and not bad else "not a query parameter name"


def _is_addresses(raw: str) -> str | None:
    """One e-mail address, or several separated by commas (``Name <a@b.org>`` is fine too)."""
    addresses = [address for _, address in getaddresses([raw])]
    if not addresses or any("@" not in address for address in addresses):
        return "not an e-mail address (or a comma-separated list of them)"
    return None


def _is_drift_list(raw: str) -> str | None:
    """LCM_ACCEPT_DRIFT: ``<source>:<column>`` entries, comma-separated."""
    bad = [part for part in raw.split(",") if len(part.strip().split(":")) != 2 or
           not all(piece.strip() for piece in part.split(":"))]  # fmt: skip
    return f"not <source>:<column>: {', '.join(map(repr, bad))}" if bad else None


def accepted_drift(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The required measures whose drift is accepted for this run (a WARN, not an ERROR), as
    ``<source>:<column>`` (orchestration/quality/drift.py)."""
    raw = (os.environ if environ is None else environ).get("LCM_ACCEPT_DRIFT") or ""
    if problem := raw.strip() and _is_drift_list(raw):
        raise ConfigError(f"LCM_ACCEPT_DRIFT={raw!r}: {problem}")
    parts = [part.split(":") for part in raw.split(",") if part.strip()]
    return frozenset(f"{source.strip()}:{column.strip()}" for source, column in parts)


@dataclass(frozen=True)
class Variable:
    name: str
    allowed: str  # the values allowed, in words (printed with an error)
    check: Callable[[str], str | None]  # the problem with a value, or None
    advise: Callable[[str], str | None] | None = None  # a warning about a usable value
    secret: bool = False  # its value is never printed, not even in an error

    def shown(self, raw: str) -> str:
        """The value as an error or warning may quote it: redacted, or not at all."""
        return "<hidden>" if self.secret else repr(redact_text(raw))


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        Variable("LCM_SOURCE_MODE", "sample or live", _is_choice(*SOURCE_MODES)),
        Variable("LCM_NWOPEN_URL", "an http(s) URL or a folder", _is_location, _exists),
        Variable("LCM_TSE_URL", "an http(s) URL or a folder", _is_location, _exists),
        Variable("LCM_MOOI_REGISTER", "an http(s) URL, an .xlsx file or a csv folder",
                 _is_location, _exists),
        Variable("LCM_GVNL_REGISTER", "an http(s) URL, an .xlsx file or a csv folder",
                 _is_location, _exists),
        Variable("LCM_DATA_DIR", "a folder path", _is_path),
        Variable("LCM_WAREHOUSE", "a file path", _is_path),
        Variable("LCM_SERVING_PATH", "a file path", _is_path),
        Variable("LCM_EXPORTS_DIR", "a folder path", _is_path),
        # Published versions kept beside the serving file (orchestration/publish.py).
        Variable("LCM_SERVING_KEEP", "a whole number, 1 or more", _is_number(1, True)),
        # The monitoring report's folder (orchestration/report/).
        Variable("LCM_REPORT_DIR", "a folder path", _is_path),
        Variable("LCM_HTTP_TIMEOUT", "seconds, a number above 0", _is_number(0.001)),
        Variable("LCM_HTTP_MAX_RETRIES", "a whole number, 0 or more", _is_number(0, True)),
        Variable("LCM_HTTP_MIN_INTERVAL", "seconds, a number, 0 or more", _is_number(0)),
        Variable("LCM_HTTP_BACKOFF", "seconds, a number, 0 or more", _is_number(0)),
        Variable("LCM_SOURCE_RETRIES", "a whole number, 0 or more", _is_number(0, True)),
        Variable("LCM_SOURCE_RETRY_DELAY", "seconds, a number, 0 or more", _is_number(0)),
        Variable("LCM_CONTACT", "a contact URL or e-mail address", _is_path),
        # Bounds on registers (sources/archives.py): refused before parsing past them.
        Variable("LCM_MAX_UNPACKED_MB", "megabytes, a whole number, 1 or more",
                 _is_number(1, True)),
        Variable("LCM_MAX_COMPRESSION_RATIO", "a number, 1 or more", _is_number(1)),
        Variable("LCM_MAX_ARCHIVE_MEMBERS", "a whole number, 1 or more", _is_number(1, True)),
        # Bounds on every pull (sources/http_bounds.py, sources/raw_tables.py) and how complete
        # it must be (sources/nwopen/pages.py, sources/tse/site.py); past them a source fails.
        Variable("LCM_HTTP_DEADLINE", "seconds, a number above 0", _is_number(0.001)),
        Variable("LCM_HTTP_MAX_MB", "megabytes, a whole number, 1 or more", _is_number(1, True)),
        Variable("LCM_MAX_FIELD_CHARS", "characters, a whole number, 1 or more",
                 _is_number(1, True)),
        Variable("LCM_NWOPEN_MAX_PAGES", "a whole number, 1 or more", _is_number(1, True)),
        Variable("LCM_COMPLETENESS_TOLERANCE", "a share from 0 up to 1, e.g. 0.005", _is_share),
        # Disk use (orchestration/disk.py): raw snapshot folders kept this many days (the
        # newest and the one staging reads always), dbt invocation folders kept.
        Variable("LCM_RAW_RETENTION_DAYS", "days, a whole number, 1 or more",
                 _is_number(1, True)),
        Variable("LCM_DBT_TARGETS_KEEP", "a whole number, 1 or more", _is_number(1, True)),
        Variable("LCM_RUN_HISTORY_DAYS", "days, a whole number, 1 or more",
                 _is_number(1, True)),
        # Alerts on failed runs and stale data (orchestration/defs/alerts.py); off unless
        # e-mail (host, from, to) or a webhook is set. The password comes from the environment.
        Variable("LCM_ALERT_EMAIL_TO", "e-mail addresses, comma-separated", _is_addresses),
        Variable("LCM_ALERT_EMAIL_FROM", "an e-mail address", _is_addresses),
        Variable("LCM_ALERT_SMTP_HOST", "the SMTP server's host name", _is_path),
        Variable("LCM_ALERT_SMTP_PORT", "a port number (default by TLS: 587, 465 or 25)",
                 _is_port),
        Variable("LCM_ALERT_SMTP_TLS", "starttls, ssl or off", _is_choice(*SMTP_TLS_MODES)),
        Variable("LCM_ALERT_SMTP_USER", "a user name (with LCM_ALERT_SMTP_PASSWORD)", _is_path),
        Variable("LCM_ALERT_SMTP_PASSWORD", "a password (with LCM_ALERT_SMTP_USER)", _is_path,
                 secret=True),
        # A webhook URL's path is its secret.
        Variable("LCM_ALERT_WEBHOOK_URL", "an http(s) URL", _is_url, secret=True),
        Variable("LCM_ALERT_TIMEOUT", "seconds, a number above 0", _is_number(0.001)),
        Variable("LCM_ALERT_STALE_HOURS", "hours, a number above 0", _is_number(0.001)),
        Variable("LCM_UI_URL", "the Dagster UI's http(s) URL", _is_url),
        # Drift checks (orchestration/quality/drift.py): a required measure's drift accepted
        # for one run, so the pull that carries a known change is accepted and the baseline.
        Variable("LCM_ACCEPT_DRIFT", "<source>:<column>, comma-separated", _is_drift_list),
        # Used by the test suite only: the Python of the DuckDB 1.4 venv (Makefile).
        Variable("LCM_DUCKDB1_PYTHON", "an executable Python", _is_executable),
        # Used by the test suite only: 1 makes the report's browser test fail without chromium.
        Variable("LCM_REQUIRE_BROWSER", "1, 0, true or false",
                 _is_choice("1", "0", "true", "false")),
        # Credentials per source (CREDENTIAL_PREFIXES): a token sent as the query parameter
        # LCM_<SOURCE>_TOKEN_PARAM or in a header (default Authorization: Bearer), basic auth
        # with _USER and _PASSWORD. Values are never printed or recorded (sources/redact.py).
        *(variable for prefix in CREDENTIAL_PREFIXES.values() for variable in (
            Variable(f"{prefix}_TOKEN", "an access token", _is_path, secret=True),
            Variable(f"{prefix}_TOKEN_PARAM", "a query parameter name, e.g. token",
                     _is_param_name),
            Variable(f"{prefix}_TOKEN_HEADER", "an HTTP header name, e.g. X-API-Key",
                     _is_header_name),
            Variable(f"{prefix}_USER", f"a user name (with {prefix}_PASSWORD)", _is_path),
            Variable(f"{prefix}_PASSWORD", f"a password (with {prefix}_USER)", _is_path,
                     secret=True),
        )),
    )
}  # fmt: skip


@dataclass(frozen=True)
class ConfigCheck:
    errors: list[str]
    warnings: list[str]


def check_environment(environ: Mapping[str, str] | None = None) -> ConfigCheck:
    """Every ``LCM_*`` value checked: an error names the variable, its value and the values
    allowed; an unknown ``LCM_*`` name is a warning with the closest known name."""
    environ = os.environ if environ is None else environ
    errors, warnings = [], []
    for name in sorted(key for key in environ if key.startswith("LCM_")):
        raw = environ[name]
        variable = VARIABLES.get(name)
        if variable is None:
            close = difflib.get_close_matches(name, VARIABLES, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            warnings.append(f"{name} is not a setting of LC Monitor{hint}")
        elif raw != "" and (problem := variable.check(raw)):
            errors.append(f"{name}={variable.shown(raw)}: {problem}; allowed: {variable.allowed}")
        elif raw != "" and variable.advise and (advice := variable.advise(raw)):
            warnings.append(f"{name}={variable.shown(raw)}: {advice}")
    errors += _alert_problems(environ) + _credential_problems(environ)
    return ConfigCheck(errors, warnings)


def require_valid_environment(environ: Mapping[str, str] | None = None) -> list[str]:
    """Raise ConfigError naming every bad ``LCM_*`` value; return the warnings."""
    check = check_environment(environ)
    if check.errors:
        raise ConfigError("configuration: " + "; ".join(check.errors))
    return check.warnings


def dbt_executable() -> str:
    """The venv's ``dbt``: dagster-dbt runs it as a subprocess, and the venv may not be on PATH."""
    beside_python = Path(sys.executable).parent / "dbt"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("dbt") or "dbt"


# --- alerts --------------------------------------------------------------------------------

EMAIL_REQUIRED = ("LCM_ALERT_SMTP_HOST", "LCM_ALERT_EMAIL_FROM", "LCM_ALERT_EMAIL_TO")
EMAIL_SETTINGS = (
    *EMAIL_REQUIRED,
    "LCM_ALERT_SMTP_PORT",
    "LCM_ALERT_SMTP_TLS",
    "LCM_ALERT_SMTP_USER",
    "LCM_ALERT_SMTP_PASSWORD",
)
ALERT_CHANNEL_SETTINGS = (*EMAIL_REQUIRED, "LCM_ALERT_WEBHOOK_URL")


def _alert_problems(environ: Mapping[str, str]) -> list[str]:
    """E-mail settings that only make sense together: half a configuration would send nothing
    and look like a quiet night. Values are never printed (one is a password)."""
    given = [name for name in EMAIL_SETTINGS if environ.get(name)]
    problems = []
    if given and (missing := [name for name in EMAIL_REQUIRED if not environ.get(name)]):
        problems.append(
            f"e-mail alerts half-configured: {', '.join(given)} set, {', '.join(missing)} "
            "missing; set all of LCM_ALERT_SMTP_HOST, LCM_ALERT_EMAIL_FROM and "
            "LCM_ALERT_EMAIL_TO, or none"
        )
    user, password = environ.get("LCM_ALERT_SMTP_USER"), environ.get("LCM_ALERT_SMTP_PASSWORD")
    if bool(user) != bool(password):
        missing_one = "LCM_ALERT_SMTP_PASSWORD" if user else "LCM_ALERT_SMTP_USER"
        problems.append(
            f"SMTP login half-configured: {missing_one} missing; LCM_ALERT_SMTP_USER and "
            "LCM_ALERT_SMTP_PASSWORD go together"
        )
    return problems


@dataclass(frozen=True)
class AlertConfig:
    channels: tuple[Channel, ...]  # empty: alerts are off
    stale_hours: float
    ui_url: str  # links in alerts point here

    @property
    def off_reason(self) -> str | None:
        if self.channels:
            return None
        return f"alerts off: no channel configured ({' / '.join(ALERT_CHANNEL_SETTINGS)})"


def load_alert_config(environ: Mapping[str, str] | None = None) -> AlertConfig:
    """Read when a sensor ticks; raises ConfigError on a bad or half-configured value."""
    environ = os.environ if environ is None else environ
    names = [*EMAIL_SETTINGS, "LCM_ALERT_WEBHOOK_URL", "LCM_ALERT_TIMEOUT",
             "LCM_ALERT_STALE_HOURS", "LCM_UI_URL"]  # fmt: skip
    check = check_environment({name: environ[name] for name in names if name in environ})
    if check.errors:
        raise ConfigError("configuration: " + "; ".join(check.errors))

    def value(name: str) -> str | None:
        return environ.get(name) or None

    remember_secret(value("LCM_ALERT_SMTP_PASSWORD"))
    remember_secret(value("LCM_ALERT_WEBHOOK_URL"))
    timeout = float(value("LCM_ALERT_TIMEOUT") or 10.0)
    channels: list[Channel] = []
    if host := value("LCM_ALERT_SMTP_HOST"):
        tls = (value("LCM_ALERT_SMTP_TLS") or "starttls").strip().lower()
        channels.append(
            EmailChannel(
                host=host.strip(),
                port=int(value("LCM_ALERT_SMTP_PORT") or SMTP_DEFAULT_PORTS[tls]),
                sender=str(value("LCM_ALERT_EMAIL_FROM")).strip(),
                recipients=tuple(
                    part.strip()
                    for part in str(value("LCM_ALERT_EMAIL_TO")).split(",")
                    if part.strip()
                ),
                tls=tls,
                user=value("LCM_ALERT_SMTP_USER"),
                password=value("LCM_ALERT_SMTP_PASSWORD"),
                timeout_s=timeout,
            )
        )
    if url := value("LCM_ALERT_WEBHOOK_URL"):
        channels.append(WebhookChannel(url=url.strip(), timeout_s=timeout))
    return AlertConfig(
        channels=tuple(channels),
        stale_hours=float(value("LCM_ALERT_STALE_HOURS") or FRESHNESS_WARN_HOURS),
        ui_url=(value("LCM_UI_URL") or "http://127.0.0.1:3000").rstrip("/"),
    )
