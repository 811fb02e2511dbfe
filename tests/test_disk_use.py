"""Disk use over three real runs of the full refresh on the unchanged bundled sample (the
first is the test session's, copied): the raw snapshots and dbt's target folder stay flat
after the first run, the warehouse grows by bookkeeping only, and staging still reads each
pull as seen (last-seen dates advance).

`make bench-disk` does the same over ten runs and prints the figures (tests/bench/disk_use.py).
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import DiskRetention

from .bench.disk_use import TARGET, DiskUse, invocation_folders
from .test_end_to_end import failed_checks, run_refresh

RUNS = 3
SOURCES = ("gvnl_register", "mooi_register", "nwopen", "tse")
# After the second run the warehouse's blocks in use may grow by what every run records: four
# verdicts and ~300 validation results, a few tens of kB, so at most one new 256 KiB DuckDB
# block. (The file itself swings by ~5 MB from run to run as dbt replaces tables and freed
# blocks are reused: not a measure of growth.) The rows of a pull are checked exactly below.
WAREHOUSE_GROWTH_PER_RUN = 256 * 1024


@pytest.fixture(autouse=True)
def _default_retention(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LCM_DBT_TARGETS_KEEP", "LCM_RAW_RETENTION_DAYS"):
        monkeypatch.delenv(name, raising=False)


def record_counts(warehouse: Path) -> dict[str, int]:
    """Rows of each raw table of records (not the snapshots' or verdicts' bookkeeping)."""
    bookkeeping = ("snapshots", "%_acceptance", "%_quarantine")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(  # views over the record files (sources/raw_tables.py)
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
            " AND table_catalog = current_database()"
            " AND NOT list_bool_or([table_name LIKE p FOR p IN $patterns])",
            {"patterns": list(bookkeeping)},
        ).fetchall()
        return {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for (t,) in tables}


@pytest.mark.pipeline
def test_disk_use_is_flat_after_the_first_run(sample_data: Path, tmp_path: Path):
    isolated_data = sample_data  # the first run: a copy of the session's run of the sample
    keep = DiskRetention().dbt_targets
    warehouse = isolated_data / "warehouse" / "lc_monitor.duckdb"
    use = [DiskUse.measure(isolated_data, tmp_path / "no_dagster_home")]
    raw_rows = [record_counts(warehouse)]
    run_ids: list[str] = []
    for _ in range(RUNS - 1):
        result = run_refresh()
        assert result.success and failed_checks(result) == []
        run_ids.append(result.run_id)
        use.append(DiskUse.measure(isolated_data, tmp_path / "no_dagster_home"))
        raw_rows.append(record_counts(warehouse))

    # Raw: every later pull of every source added one folder holding its manifest alone.
    snapshots = {s: sorted((isolated_data / "raw" / s).iterdir()) for s in SOURCES}
    manifests_only = [folder for s in SOURCES for folder in snapshots[s][1:]]
    assert all(len(snapshots[s]) == RUNS for s in SOURCES)
    assert all([p.name for p in f.iterdir()] == ["manifest.json"] for f in manifests_only)
    later = sum((f / "manifest.json").stat().st_size for f in manifests_only)
    assert use[-1].raw - use[0].raw == later
    assert use[-1].raw_files - use[0].raw_files == len(manifests_only)
    # Records: every later pull wrote its facts alone (its rows equal the first pull's).
    records = {s: sorted((isolated_data / "records" / s).glob("2*")) for s in SOURCES}
    assert all(len(records[s]) == RUNS for s in SOURCES)
    facts_only = [folder for s in SOURCES for folder in records[s][1:]]
    assert all([p.name for p in f.iterdir()] == ["snapshots.parquet"] for f in facts_only)
    later_facts = sum((f / "snapshots.parquet").stat().st_size for f in facts_only)
    assert use[-1].records - use[0].records == later_facts

    # dbt target: of this test's invocation folders (two per run), at most `keep` are left,
    # the newest among them; the project's own artifacts are untouched.
    own = [p for p in invocation_folders() if any(f"-{r[:7]}-" in p.name for r in run_ids)]
    assert 1 <= len(own) <= keep
    assert any(f"-{run_ids[-1][:7]}-" in p.name for p in own)
    assert (TARGET / "manifest.json").is_file()

    # Warehouse: no raw record appended after the first run, only bookkeeping.
    assert raw_rows[0] == raw_rows[-1] and len(raw_rows[0]) == 9
    for before, after in pairwise(use[1:]):
        assert after.warehouse_used - before.warehouse_used <= WAREHOUSE_GROWTH_PER_RUN, use
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first, newest = (p.name for p in (snapshots["nwopen"][0], snapshots["nwopen"][-1]))
        assert con.execute("SELECT DISTINCT _snapshot_id FROM raw.nwopen_projects").fetchall() == [
            (first,)
        ]
        loaded = dict(
            con.execute(
                "SELECT snapshot_id, loaded_at FROM raw.snapshots WHERE source = 'nwopen'"
            ).fetchall()
        )
        # Staging reads the newest pull, under its own id and load time...
        staged = con.execute(
            "SELECT DISTINCT snapshot_id, loaded_at FROM staging.stg_nwopen__projects"
        ).fetchall()
        assert staged == [(newest, loaded[newest])]
        # ...and every pull counts as a sighting: last-seen dates advance.
        seen = con.execute(
            "SELECT DISTINCT first_seen_at, last_seen_at, times_seen"
            " FROM intermediate.int_projects__seen_dates WHERE project_key LIKE 'nwopen:%'"
        ).fetchall()
        assert seen == [(loaded[first], loaded[newest], RUNS)]
        assert con.execute("SELECT count(*) FROM marts.mart_quarantine").fetchone() == (0,)
