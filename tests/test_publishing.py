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
from .test_end_to_end import failed_checks, run_refresh
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


@pytest.mark.pipeline
def test_a_reader_holding_the_serving_file_never_blocks_nor_breaks(
    httpserver: Any,
    sample_data: Path,
    fast_http: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
):
    isolated_data = sample_data  # after one good run of the sample, published
    pages = sample_pages()
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, pages))
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


def test_a_duckdb_1_4_client_opens_the_serving_file(sample_run: Path):
    """The serving file opens in DuckDB 1.4 (its own venv, made by `make test`), the oldest
    client the BI guide promises; the build warehouse, in DuckDB 2.0's format, does not."""
    python = os.environ.get("LCM_DUCKDB1_PYTHON")
    if not python:
        pytest.skip("LCM_DUCKDB1_PYTHON is unset: `make test` creates the DuckDB 1.4 venv")
    warehouse = sample_run / "warehouse" / "lc_monitor.duckdb"
    serving = sample_run / "serving" / "lc_monitor.duckdb"
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


# --- one set per publish: versions, one pointer, leftovers, the old layout ------------------

PUBLISHER = """
import sys
from pathlib import Path
from orchestration.publish import publish

builds = [Path(p) for p in sys.argv[1].split(",")]
serving, exports, start = Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
count = int(sys.argv[5]) if len(sys.argv) > 5 else 10_000  # until killed
for i in range(start, start + count):
    publish(builds[i % len(builds)], serving, exports, keep=2)
"""
MART_TABLES = 12


def make_build(path: Path, rows: int) -> Path:
    """A build database whose every mart holds ``rows`` rows: a mixed set shows as tables of
    different sizes; a few hundred thousand rows make a publish take long enough to hit."""
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        for i in range(MART_TABLES):
            con.execute(
                f"CREATE TABLE marts.t{i:02d} AS SELECT range AS id, 'row ' || range AS label"
                f" FROM range({rows})"
            )
            con.execute(f"COMMENT ON TABLE marts.t{i:02d} IS 'mart {i}'")
    return path


def sha256_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_set(serving_path: Path, exports_dir: Path) -> int | None:
    """What a reader finds now: None before any publish, else the one row count every table
    of the serving file and every Parquet file share; fails on any mix or broken file."""
    pointer = serving_path.parent / "current"
    if not pointer.is_symlink():
        assert not serving_path.exists()
        return None
    version = Path(os.path.realpath(pointer))
    manifest = json.loads((version / "manifest.json").read_text())
    for name, recorded in manifest["files"].items():  # every file whole, as written
        assert sha256_of(version / name) == recorded["sha256"], name
    # The stable paths lead into the same version.
    assert Path(os.path.realpath(serving_path)) == version / serving_path.name
    counts = set()
    with duckdb.connect(str(version / serving_path.name), read_only=True) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        assert sorted(f"marts.{t}" for t in tables) == sorted(manifest["tables"])
        for table in tables:
            rows = con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]
            export = exports_dir / f"{table}.parquet"
            assert Path(os.path.realpath(export)) == version / "exports" / f"{table}.parquet"
            in_parquet = con.execute(f"SELECT count(*) FROM '{export}'").fetchone()[0]
            assert rows == in_parquet == manifest["tables"][f"marts.{table}"]["rows"], table
            counts.add(rows)
    assert len(counts) == 1, f"a mixed set: {counts}"
    return counts.pop()


def leftovers(serving_path: Path, exports_dir: Path) -> list[Path]:
    serving_dir = serving_path.parent
    partial = [
        folder
        for folder in (serving_dir / "versions").glob("*")
        if not (folder / "manifest.json").exists()
    ]
    temporary = [
        p
        for folder in (serving_dir, exports_dir)
        for p in folder.iterdir()
        if p.name.endswith((".tmp", ".tmp.wal"))
    ]
    return partial + temporary


def test_a_publish_killed_at_any_point_leaves_the_whole_old_set_or_the_whole_new_one(
    tmp_path: Path,
):
    """SIGKILL a process publishing in a loop at random moments, many times: after each kill
    the pointer names one complete version (every table of the serving file and every Parquet
    file the same build, checksums as in the manifest) and the stable paths lead into it; the
    next publish removes what the killed one left."""
    import random
    import signal

    builds = [make_build(tmp_path / f"build{k}.duckdb", 200_000 + k) for k in range(3)]
    serving, exports = tmp_path / "serving" / "lc_monitor.duckdb", tmp_path / "exports"
    # The kills are timed by how long a publisher takes here and now to start and publish
    # once (about 1.5 s on a quiet machine, more beside the other test worker's refreshes):
    # from a third of that to twice that, so they land before, during and after publishes.
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-c", PUBLISHER, ",".join(map(str, builds)),
         str(tmp_path / "calibration" / "lc_monitor.duckdb"), str(tmp_path / "calibration_exports"),
         "0", "1"],
        check=True, timeout=300,
    )  # fmt: skip
    once = time.monotonic() - started
    seen, kills_mid_publish, rounds = set(), 0, 0
    rng = random.Random(17)
    while rounds < 12 or (kills_mid_publish < 3 and rounds < 40):
        rounds += 1
        publisher = subprocess.Popen(
            # Each round starts with another build: the kills land in different publishes.
            [sys.executable, "-c", PUBLISHER, ",".join(map(str, builds)), str(serving),
             str(exports), str(rounds)],
            stderr=subprocess.PIPE,
        )  # fmt: skip
        time.sleep(rng.uniform(once / 3, 2 * once))
        assert publisher.poll() is None, publisher.communicate()
        publisher.send_signal(signal.SIGKILL)
        publisher.wait(timeout=30)
        # Killed between the files of a version: some exports written, not all.
        for folder in (serving.parent / "versions").glob("*"):
            written = len(list((folder / "exports").glob("*.parquet")))
            if not (folder / "manifest.json").exists() and 0 < written < MART_TABLES:
                kills_mid_publish += 1
        seen.add(published_set(serving, exports))
    print(f"{rounds} kills ({once:.1f} s a publish), {kills_mid_publish} between the files of a "
          f"version; sets {seen}")  # fmt: skip
    assert kills_mid_publish >= 3
    assert len(seen - {None}) >= 2, "the kills should land in different publishes"

    from orchestration.publish import publish

    # What the kills left, plus leftovers of a kill at a known point (the last random kill
    # may have landed after a switch, leaving nothing): a version without its manifest and a
    # temporary file beside the serving file and among the exports ...
    partial = serving.parent / "versions" / "20000101T000000Z-deadbeef"
    (partial / "exports").mkdir(parents=True)
    (partial / "exports" / "fct_project.parquet").write_bytes(b"half")
    (serving.parent / ".lc_monitor.duckdb.cafe.tmp").write_bytes(b"half")
    (exports / ".fct_project.cafe.parquet.tmp").write_bytes(b"half")
    assert len(leftovers(serving, exports)) >= 3
    result = publish(builds[0], serving, exports, keep=2)
    assert leftovers(serving, exports) == []  # ... is gone after the next publish
    assert published_set(serving, exports) == 200_000
    assert sorted((serving.parent / "versions").iterdir())[-1] == result.version_dir
    assert len(list((serving.parent / "versions").iterdir())) <= 2


def test_an_old_install_is_adopted_and_a_reader_of_a_removed_version_keeps_reading(
    tmp_path: Path,
):
    """The layout before versions (a regular serving file and regular Parquet files, with the
    .tmp files a killed publish left): the first publish cleans the leftovers, turns the old
    paths into links through `current` and publishes; a reader that opened the old file keeps
    reading it after its version is removed (LCM_SERVING_KEEP=1 here)."""
    from orchestration.publish import publish

    serving, exports = tmp_path / "serving" / "lc_monitor.duckdb", tmp_path / "exports"
    serving.parent.mkdir()
    exports.mkdir()
    with duckdb.connect(str(serving)) as con:
        con.execute(
            "CREATE SCHEMA marts; CREATE TABLE marts.t00 AS SELECT range AS id FROM range(5)"
        )
        con.execute(f"COPY marts.t00 TO '{exports / 't00.parquet'}' (FORMAT parquet)")
    stale = [
        serving.with_name(".lc_monitor.duckdb.0a1b2c3d.tmp"),
        serving.with_name(".lc_monitor.duckdb.0a1b2c3d.tmp.wal"),
        exports / ".t00.0a1b2c3d.parquet.tmp",
    ]
    for path in stale:
        path.write_bytes(b"left by a killed publish")
    (exports / "notes.txt").write_text("an analyst's file")  # not ours: stays

    reader = duckdb.connect(str(serving), read_only=True)  # a dashboard on the old file
    assert reader.execute("SELECT count(*) FROM marts.t00").fetchone()[0] == 5
    build = make_build(tmp_path / "build.duckdb", 7)
    publish(build, serving, exports, keep=1)
    publish(build, serving, exports, keep=1)

    assert not any(path.exists() for path in stale)
    assert (exports / "notes.txt").read_text() == "an analyst's file"
    assert serving.is_symlink() and os.readlink(serving) == "current/lc_monitor.duckdb"
    assert (exports / "t00.parquet").is_symlink()
    assert published_set(serving, exports) == 7
    assert len(list((serving.parent / "versions").iterdir())) == 1  # the old one is removed
    # The old file has no name left, but the open connection still reads it.
    assert reader.execute("SELECT count(*) FROM marts.t00").fetchone()[0] == 5
    reader.close()
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.t00").fetchone()[0] == 7


def test_the_serving_asset_publishes_a_version_and_says_which(
    tmp_path: Path, isolated_data: Path, monkeypatch: pytest.MonkeyPatch
):
    """The Dagster asset alone, on a small build: LCM_SERVING_KEEP is honoured and the
    materialization names the version folder `current` points at."""
    import dagster as dg

    from orchestration.defs.publishing import published_marts
    from orchestration.settings_resource import SettingsResource
    from orchestration.warehouse import WarehouseResource

    monkeypatch.setenv("LCM_SERVING_KEEP", "1")
    build = make_build(tmp_path / "build.duckdb", 3)
    resources = {"warehouse": WarehouseResource(path=str(build)), "settings": SettingsResource()}
    for _ in range(2):
        result = dg.materialize([published_marts], resources=resources)
    metadata = result.asset_materializations_for_node("serving__lc_monitor")[0].metadata
    serving = isolated_data / "serving" / "lc_monitor.duckdb"
    version = Path(os.path.realpath(serving.parent / "current"))
    assert metadata["version_dir"].value == str(version)
    assert [p.name for p in (serving.parent / "versions").iterdir()] == [version.name]
    assert len(metadata["removed"].value) == 1  # the first version, beyond LCM_SERVING_KEEP
    assert published_set(serving, isolated_data / "exports") == 3
