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
from pathlib import Path
from urllib.parse import urlparse

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
class Settings:
    data_dir: Path
    warehouse_path: Path
    source_mode: str
    nwopen_location: str
    tse_location: str
    # Register source name -> path or URL; None when live mode has no register configured.
    register_locations: dict[str, str | None]
    http: HttpPolicy

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
        Variable("LCM_HTTP_TIMEOUT", "seconds, a number above 0", _is_number(0.001)),
        Variable("LCM_HTTP_MAX_RETRIES", "a whole number, 0 or more", _is_number(0, True)),
        Variable("LCM_HTTP_MIN_INTERVAL", "seconds, a number, 0 or more", _is_number(0)),
        Variable("LCM_HTTP_BACKOFF", "seconds, a number, 0 or more", _is_number(0)),
        Variable("LCM_SOURCE_RETRIES", "a whole number, 0 or more", _is_number(0, True)),
        Variable("LCM_SOURCE_RETRY_DELAY", "seconds, a number, 0 or more", _is_number(0)),
        Variable("LCM_CONTACT", "a contact URL or e-mail address", _is_path),
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
