"""Every environment variable the platform reads, resolved in one place.

The README's configuration table mirrors this module. Connectors in ``sources/`` never read the
environment themselves: they receive the values resolved here, so they stay testable alone.
"""

from __future__ import annotations

import difflib
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
from sources.http import HttpPolicy
from sources.nwopen import LIVE_URL as NWOPEN_LIVE_URL
from sources.nwopen import SAMPLE_DIR as NWOPEN_SAMPLE_DIR
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

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def serving_path(self) -> Path:
        """The DuckDB file BI tools read (published after every run whose checks passed)."""
        return Path(_env("LCM_SERVING_PATH", str(self.data_dir / "serving" / "lc_monitor.duckdb")))

    @property
    def exports_dir(self) -> Path:
        """One Parquet file per mart, published with the serving file."""
        return Path(_env("LCM_EXPORTS_DIR", str(self.data_dir / "exports")))

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
        return self.nwopen_location.startswith(("http://", "https://"))


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
    )
    return Settings(
        data_dir=data_dir,
        warehouse_path=warehouse.resolve(),
        source_mode=mode,
        nwopen_location=_env("LCM_NWOPEN_URL", nwopen_default) or nwopen_default,
        tse_location=_env("LCM_TSE_URL", tse_default) or tse_default,
        # Registers have no public URL: live mode reads only what is configured.
        register_locations={
            "mooi_register": _env("LCM_MOOI_REGISTER", None if live else str(MOOI_SAMPLE)),
            "gvnl_register": _env("LCM_GVNL_REGISTER", None if live else str(GVNL_SAMPLE)),
        },
        http=http,
        archive_limits=load_archive_limits(),
        disk=load_disk_retention(),
    )


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


def _is_choice(*choices: str) -> Callable[[str], str | None]:
    return lambda raw: None if raw.strip().lower() in choices else "not one of the choices"


def _is_location(raw: str) -> str | None:
    """An http(s) URL with a host, or a file or folder path."""
    if raw.startswith(("http://", "https://")):
        return None if urlparse(raw).netloc else "a URL without a host"
    if "://" in raw:
        return "only http:// and https:// URLs are read"
    return None


def _exists(raw: str) -> str | None:
    """A path that does not exist now is a warning, not an error: a share may be mounted by
    the time the run reads it, and then only that source's asset fails, naming the path."""
    if raw.startswith(("http://", "https://")) or Path(raw).expanduser().exists():
        return None
    return "no such file or folder now; that source's asset will fail if it is still missing"


def _is_path(raw: str) -> str | None:
    return None if raw.strip() else "empty"


def _is_executable(raw: str) -> str | None:
    return None if os.access(Path(raw).expanduser(), os.X_OK) else "not an executable file"


def _is_url(raw: str) -> str | None:
    if not raw.startswith(("http://", "https://")):
        return "not an http:// or https:// URL"
    return None if urlparse(raw).netloc else "a URL without a host"


def _is_port(raw: str) -> str | None:
    return None if raw.isdigit() and 0 < int(raw) < 65536 else "not a port number"


def _is_addresses(raw: str) -> str | None:
    """One e-mail address, or several separated by commas (``Name <a@b.org>`` is fine too)."""
    addresses = [address for _, address in getaddresses([raw])]
    if not addresses or any("@" not in address for address in addresses):
        return "not an e-mail address (or a comma-separated list of them)"
    return None


@dataclass(frozen=True)
class Variable:
    name: str
    allowed: str  # the values allowed, in words (printed with an error)
    check: Callable[[str], str | None]  # the problem with a value, or None
    advise: Callable[[str], str | None] | None = None  # a warning about a usable value


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
        Variable("LCM_ALERT_SMTP_PASSWORD", "a password (with LCM_ALERT_SMTP_USER)", _is_path),
        Variable("LCM_ALERT_WEBHOOK_URL", "an http(s) URL", _is_url),
        Variable("LCM_ALERT_TIMEOUT", "seconds, a number above 0", _is_number(0.001)),
        Variable("LCM_ALERT_STALE_HOURS", "hours, a number above 0", _is_number(0.001)),
        Variable("LCM_UI_URL", "the Dagster UI's http(s) URL", _is_url),
        # Used by the test suite only: the Python of the DuckDB 1.4 venv (Makefile).
        Variable("LCM_DUCKDB1_PYTHON", "an executable Python", _is_executable),
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
            errors.append(f"{name}={raw!r}: {problem}; allowed: {variable.allowed}")
        elif raw != "" and variable.advise and (advice := variable.advise(raw)):
            warnings.append(f"{name}={raw!r}: {advice}")
    errors += _alert_problems(environ)
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
