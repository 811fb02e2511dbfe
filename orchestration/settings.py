"""Every environment variable the platform reads, resolved in one place.

The README's configuration table mirrors this module. Connectors in ``sources/`` never read the
environment themselves: they receive the values resolved here, so they stay testable alone.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

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


def dbt_executable() -> str:
    """The venv's ``dbt``: dagster-dbt runs it as a subprocess, and the venv may not be on PATH."""
    beside_python = Path(sys.executable).parent / "dbt"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("dbt") or "dbt"
