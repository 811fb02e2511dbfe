"""Sources fetched together (orchestration/prefetch.py): a run through the project's executor
starts every source's pull at once, and each raw step lands and loads its own; a step run
alone, or retried, pulls itself."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from orchestration import prefetch
from orchestration.defs.nwopen import NWOPEN
from orchestration.defs.registers import REGISTERS
from orchestration.defs.tse import TSE
from orchestration.ingest import Pull, RawSource, build_raw_asset
from orchestration.run_executor import warehouse_run_executor
from orchestration.settings import Settings, load_settings
from orchestration.settings_resource import SettingsResource
from orchestration.warehouse import WarehouseResource
from sources.errors import SourceError
from sources.raw_tables import attach_raw_views
from sources.registers import MOOI_SAMPLE

from .conftest import NWOPEN_PATH, sample_pages

DELAY_S = 0.4  # per answer: long enough that two sources' requests overlap when fetched together
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def raw_only_job() -> dg.JobDefinition:
    """The four raw assets alone, run by the executor every job of the code location uses."""
    defs = dg.Definitions(
        assets=[build_raw_asset(s) for s in (NWOPEN, TSE, *(r.raw_source() for r in REGISTERS))],
        resources={"warehouse": WarehouseResource(), "settings": SettingsResource()},
        executor=warehouse_run_executor,
        jobs=[dg.define_asset_job("raw_only")],
    )
    return defs.resolve_job_def("raw_only")


class Spans:
    """When each request to a test server was answered, per source."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spans: list[tuple[str, float, float]] = []

    def slow(self, source: str, body: bytes, content_type: str) -> Any:
        def handler(request: Request) -> Response:
            started = time.monotonic()
            time.sleep(DELAY_S)
            with self.lock:
                self.spans.append((source, started, time.monotonic()))
            return Response(body, content_type=content_type)

        return handler

    def of(self, source: str) -> tuple[float, float]:
        mine = [(start, end) for name, start, end in self.spans if name == source]
        assert mine, f"no request to {source}"
        return min(s for s, _ in mine), max(e for _, e in mine)


@pytest.fixture
def servers(
    httpserver: HTTPServer, isolated_data: Path, fast_http: None, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """NWOpen's sample pages on one server and the MOOI register on another (each server
    answers one request at a time), each answer delayed."""
    spans = Spans()
    for number, page in enumerate(sample_pages(), start=1):
        httpserver.expect_request(
            NWOPEN_PATH, query_string={"page": str(number), "per_page": "100"}
        ).respond_with_handler(spans.slow("nwopen", json.dumps(page).encode(), "application/json"))
    monkeypatch.setenv("LCM_NWOPEN_URL", httpserver.url_for(NWOPEN_PATH))
    office = HTTPServer(host="127.0.0.1", port=0)
    office.expect_request("/mooi.xlsx").respond_with_handler(
        spans.slow("mooi_register", MOOI_SAMPLE.read_bytes(), XLSX)
    )
    office.start()
    monkeypatch.setenv("LCM_MOOI_REGISTER", office.url_for("/mooi.xlsx"))
    try:
        yield spans
    finally:
        office.clear()
        office.stop()


def raw_rows(data: Path) -> dict[str, int]:
    """Snapshots written per source: the raw steps write record files, not the warehouse."""
    assert not (data / "warehouse" / "lc_monitor.duckdb").exists()
    with duckdb.connect() as con:
        attach_raw_views(con, data / "records")
        return dict(
            con.execute(
                "SELECT source, count(*) FROM raw.snapshots GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )


def test_a_run_fetches_its_sources_together_and_each_step_lands_its_own(
    servers: Spans, isolated_data: Path, tmp_path: Path
):
    (tmp_path / "home").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "home")) as instance:
        result = dg.execute_job(dg.reconstructable(raw_only_job), instance=instance)
        assert result.success
        logs = [e.user_message for e in instance.all_logs(result.run_id)]
    # The two slow sources were fetched at the same time, not one after the other: each one's
    # requests began before the other's had all been answered.
    nwopen, mooi = servers.of("nwopen"), servers.of("mooi_register")
    assert nwopen[0] < mooi[1] and mooi[0] < nwopen[1], servers.spans
    assert any("Fetching" in m and "nwopen" in m and "mooi_register" in m for m in logs)
    # Each step landed and loaded its own source, once, and logged what its pull logged.
    assert raw_rows(isolated_data) == {
        "gvnl_register": 1, "mooi_register": 1, "nwopen": 1, "tse": 1
    }  # fmt: skip
    assert sum("TSE: crawling" in m for m in logs) == 1
    for source in ("gvnl_register", "mooi_register", "nwopen", "tse"):
        (snapshot,) = (isolated_data / "raw" / source).iterdir()
        assert (snapshot / "manifest.json").is_file()


def pull_of(name: str, release: threading.Event) -> RawSource:
    """A source whose pull logs, waits for ``release`` and returns (or raises for "broken")."""

    def pull(location: str, settings: Settings, log: logging.Logger) -> Pull:
        log.info(f"{name}: pulling {location}")
        release.wait(10)
        if name == "broken":
            raise SourceError(name, location, "HTTP 503")
        return Pull(files=[], content_sha256=name, counts={})

    return RawSource(name, name, (), lambda settings: f"/{name}", pull)


def test_what_is_fetched_ahead_and_who_takes_it():
    settings = load_settings()
    release = threading.Event()
    sources = [pull_of(name, release) for name in ("one", "two", "broken", "unselected")]
    steps = ["one_raw", "two_raw", "broken_raw", "lc_monitor_dbt"]

    # One source's step in the run: nothing is fetched ahead.
    assert prefetch.start("run-a", ["one_raw", "lc_monitor_dbt"], sources, settings) == []
    assert prefetch.take("run-a", "one", "/one") is None

    assert prefetch.start("run-b", steps, sources, settings) == ["one", "two", "broken"]
    # Taken once, and only for the location the step reads (else the step pulls itself).
    assert prefetch.take("run-b", "two", "/elsewhere") is None
    assert prefetch.take("run-b", "two", "/two") is None
    one, broken = prefetch.take("run-b", "one", "/one"), prefetch.take("run-b", "broken", "/broken")
    assert one is not None and broken is not None
    assert prefetch.take("run-b", "one", "/one") is None
    release.set()
    logged = logging.getLogger("test_prefetch")
    with pytest.raises(SourceError, match="HTTP 503"):
        broken.result(logged)
    assert one.result(logged).content_sha256 == "one"
    assert one.pull is not None and one.pull.fetched_at is not None
    assert [r.getMessage() for r in one.kept.records] == ["one: pulling /one"]
    prefetch.forget("run-b")
