"""Shared fixtures: an isolated data folder per test, fast HTTP policy, sample pages."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sources.http import HttpPolicy
from sources.nwopen import SAMPLE_DIR
from sources.raw_tables import attach_raw_views

# A source step retried after a transient error waits 10 minutes by default; the retry policy
# is read when the definitions are first imported, so it is set here, before any test does
# (the count too, which tests assert, whatever a developer's .env says).
os.environ["LCM_SOURCE_RETRY_DELAY"] = "0"
os.environ["LCM_SOURCE_RETRIES"] = "2"

NWOPEN_PATH = "/NWOpen-API/api/Projects"
# Settings that point away from the bundled sample data: cleared so tests read the sample.
LOCATION_VARIABLES = (
    "LCM_WAREHOUSE",
    "LCM_SOURCE_MODE",
    "LCM_NWOPEN_URL",
    "LCM_TSE_URL",
    "LCM_MOOI_REGISTER",
    "LCM_GVNL_REGISTER",
)


@pytest.fixture(autouse=True)
def isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes its warehouse and snapshots under its own temporary folder."""
    data = tmp_path / "data"
    monkeypatch.setenv("LCM_DATA_DIR", str(data))
    for name in LOCATION_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GX_ANALYTICS_ENABLED", "false")
    return data


@pytest.fixture(scope="session")
def sample_refresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """One real refresh of the bundled sample per test session (per worker under xdist): its
    data folder (warehouse, published serving file and exports, report) and its result."""
    from .test_end_to_end import build_sample_warehouse

    data = tmp_path_factory.mktemp("sample_run") / "data"
    with pytest.MonkeyPatch.context() as patch:
        for name in ("LCM_SERVING_PATH", "LCM_EXPORTS_DIR", "LCM_REPORT_DIR"):
            patch.delenv(name, raising=False)
        result = build_sample_warehouse(data)
    return data, result


@pytest.fixture(scope="session")
def sample_run(sample_refresh: tuple[Path, Any]) -> Path:
    """The data folder of the session's refresh of the sample, for the tests that only read
    it. A test that changes it works on a copy (``sample_data``)."""
    return sample_refresh[0]


@pytest.fixture
def sample_data(sample_run: Path, isolated_data: Path) -> Path:
    """This test's own copy of the session's sample refresh: its data folder as one good run
    of the bundled sample left it (warehouse, raw snapshots, published serving file, exports,
    report), for tests about what the runs after it do. The serving and export links are
    relative (orchestration/publish.py), so the copy never points into the session's folder."""
    shutil.copytree(sample_run, isolated_data, symlinks=True)
    # The warehouse's raw views name their record files by absolute path: point them at the
    # copy's, as a run on the copy would (sources/raw_tables.py).
    with duckdb.connect(str(isolated_data / "warehouse" / "lc_monitor.duckdb")) as con:
        attach_raw_views(con, isolated_data / "records")
    return isolated_data


@pytest.fixture
def fast_http(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs that read a local test server: no politeness pauses, quick retries."""
    monkeypatch.setenv("LCM_HTTP_MIN_INTERVAL", "0")
    monkeypatch.setenv("LCM_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("LCM_HTTP_MAX_RETRIES", "1")
    monkeypatch.setenv("LCM_HTTP_TIMEOUT", "5")


@pytest.fixture
def patient_policy(fast_policy: HttpPolicy) -> HttpPolicy:
    """Fast, but with a timeout that a loaded CI machine cannot hit: for happy-path tests that
    count requests, where a retry after a spurious timeout would be a false failure."""
    return dataclasses.replace(fast_policy, timeout_s=15.0)


@pytest.fixture
def fast_policy() -> HttpPolicy:
    return HttpPolicy(
        user_agent="lc-monitor-tests/1.0 (+https://example.invalid/tests)",
        timeout_s=1.0,
        max_retries=2,
        min_interval_s=0.0,
        backoff_base_s=0.01,
        backoff_max_s=2.0,
    )


def sample_pages() -> list[dict[str, Any]]:
    """The bundled sample's pages as JSON (fresh copies: tests may change them)."""
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(SAMPLE_DIR.glob("page-*.json"))
    ]


def envelope(
    projects: list[dict[str, Any]], page: int = 1, pages: int = 1, count: int | None = None
) -> dict[str, Any]:
    return {
        "meta": {
            "api_type": "NWO Projects API",
            "version": "1.0.1",
            "count": len(projects) if count is None else count,
            "per_page": 100,
            "pages": pages,
            "page": page,
        },
        "projects": projects,
    }


def project(
    project_id: str, scheme_id: int, scheme: str, members: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    record = {
        "project_id": project_id,
        "title": f"Project {project_id}",
        "funding_scheme_id": scheme_id,
        "funding_scheme": scheme,
        "start_date": "2022-09-01T00:00:00",
        "end_date": "2026-08-31",
        "project_members": members,
    }
    record.update(extra)
    return record


def member(
    role: str,
    last_name: str,
    organisation: str,
    member_id: int | None = None,
    orcid: str | None = None,
) -> dict[str, Any]:
    return {
        "role": role,
        "member_id": member_id,
        "first_name": "X",
        "initials": "X.",
        "prefix": None,
        "last_name": last_name,
        "orcid": orcid,
        "organisation": organisation,
        "ror": None,
        "active": True,
    }


def serve_pages(httpserver: Any, pages: list[dict[str, Any]]) -> str:
    """Serve ``pages`` like the API (?page=N&per_page=100) and return the endpoint URL."""
    for number, body in enumerate(pages, start=1):
        httpserver.expect_request(
            NWOPEN_PATH, query_string={"page": str(number), "per_page": "100"}
        ).respond_with_json(copy.deepcopy(body))
    return httpserver.url_for(NWOPEN_PATH)
