"""A BI reader during a run: what Superset does (SQLAlchemy + duckdb-engine, read-only),
in its own process, holding the serving file open and querying it while a full run builds
and publishes new data. The run must succeed, the reader must never fail nor see a partial
state, and after reconnecting it must see the new data. And the published file opens in a
DuckDB 1.4 client, as BI connectors that embed DuckDB 1.x need."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from .conftest import sample_pages, serve_pages
from .test_end_to_end import build_sample_warehouse, failed_checks, run_refresh
from .test_history import changed_pages

READER = """
import json, sys, time
from pathlib import Path
import sqlalchemy as sa

serving, log, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
query = sa.text("SELECT count(*) FROM marts.fct_project")
engine = sa.create_engine(f"duckdb:///{serving}", connect_args={"read_only": True})
results, errors = [], []
with engine.connect() as con:  # held open for the whole run, like a dashboard
    while not stop.exists():
        try:
            results.append(con.execute(query).scalar_one())
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        log.write_text(json.dumps({"results": results, "errors": errors}))
        time.sleep(0.1)
engine.dispose()
engine = sa.create_engine(f"duckdb:///{serving}", connect_args={"read_only": True})
with engine.connect() as con:
    reopened = con.execute(query).scalar_one()
log.write_text(json.dumps({"results": results, "errors": errors, "reopened": reopened}))
"""


def read_log(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {"results": [], "errors": []}


def test_a_reader_holding_the_serving_file_never_blocks_nor_breaks(
    httpserver: Any,
    isolated_data: Path,
    fast_http: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
):
    pages = sample_pages()
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, pages))
    first = run_refresh()
    assert first.success, failed_checks(first)
    serving = isolated_data / "serving" / "lc_monitor.duckdb"

    log, stop = tmp_path / "reader.json", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving), str(log), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not read_log(log)["results"] and time.monotonic() < deadline:
            assert reader.poll() is None, reader.communicate()
            time.sleep(0.1)
        before = read_log(log)["results"]
        assert before, "the reader never queried the serving file"

        # A second run with one project fewer, while the reader keeps querying.
        changed, *_ = changed_pages(pages)
        httpserver.clear()
        serve_pages(httpserver, changed)
        second = run_refresh()
        assert second.success, failed_checks(second)
        during = read_log(log)["results"]
    finally:
        stop.touch()
        _, stderr = reader.communicate(timeout=60)
    outcome = read_log(log)

    assert reader.returncode == 0, stderr
    assert outcome["errors"] == []
    assert len(during) > len(before), "the reader queried while the run built and published"
    # The open connection saw the file it opened, whole: the old data, never a mix.
    assert set(outcome["results"]) == {before[0]}
    assert outcome["reopened"] == before[0] - 1  # reconnected: the published new data


DUCKDB1_READER = """
import json, sys
import duckdb

def open_(path):
    try:
        con = duckdb.connect(path, read_only=True)
    except duckdb.Error as exc:
        return {"error": str(exc)}
    rows = con.execute("SELECT count(*) FROM marts.fct_project").fetchone()[0]
    return {"rows": rows}

print(json.dumps({"version": duckdb.__version__, "serving": open_(sys.argv[1]),
                  "warehouse": open_(sys.argv[2])}))
"""


def test_a_duckdb_1_4_client_opens_the_serving_file(tmp_path: Path):
    """The serving file opens in DuckDB 1.4 (its own venv, made by `make test`), the oldest
    client the BI guide promises; the build warehouse, in DuckDB 2.0's format, does not."""
    python = os.environ.get("LCM_DUCKDB1_PYTHON")
    if not python:
        pytest.skip("LCM_DUCKDB1_PYTHON is unset: `make test` creates the DuckDB 1.4 venv")
    data = tmp_path / "data"
    warehouse = build_sample_warehouse(data)
    serving = data / "serving" / "lc_monitor.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        projects = con.execute("SELECT count(*) FROM marts.fct_project").fetchone()[0]

    opened = subprocess.run(
        [python, "-c", DUCKDB1_READER, str(serving), str(warehouse)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    result = json.loads(opened.stdout)
    assert result["version"].startswith("1.4.")
    assert result["serving"] == {"rows": projects}
    # The control: DuckDB 2.0's default format, which 1.4 refuses.
    assert "version number" in result["warehouse"].get("error", ""), result["warehouse"]
