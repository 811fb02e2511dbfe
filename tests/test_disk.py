"""Bounded disk, part by part: unchanged pulls store neither files nor rows again, dbt's
invocation folders and old raw snapshot folders are pruned. Real folders, real DuckDB files."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.disk import prune_dbt_targets, prune_raw_snapshots
from orchestration.quality.acceptance import ACCEPTED, REJECTED, acceptance_table, ensure_tables
from sources.landing import MANIFEST, RawFile, content_hash, land_snapshot, latest_files
from sources.raw_tables import attach_raw_views, newest_snapshot, write_snapshot

T0 = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)
COLUMNS = {"id": "VARCHAR", "n": "INTEGER"}


def land(raw: Path, content: str, when: datetime, source: str = "demo"):
    return land_snapshot(
        raw,
        source,
        "https://example.invalid/api",
        [RawFile("page-0001.json", content.encode(), "https://example.invalid/api?page=1")],
        content_sha256=content_hash(content),
        counts={"records": 1},
        fetched_at=when,
    )


def files_of(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- unchanged pulls -----------------------------------------------------------------------


def test_an_unchanged_pull_stores_only_its_manifest_pointing_at_the_original(tmp_path: Path):
    first, folder1 = land(tmp_path, "a", T0)
    second, folder2 = land(tmp_path, "a", T0 + timedelta(days=1))
    third, folder3 = land(tmp_path, "a", T0 + timedelta(days=2))
    assert files_of(folder1) == ["manifest.json", "page-0001.json"]
    assert files_of(folder2) == files_of(folder3) == ["manifest.json"]
    # Resolved to the snapshot that stored the files, never a chain to walk.
    written = json.loads((folder3 / MANIFEST).read_text())
    assert written["files_snapshot_id"] == first.snapshot_id
    assert written["previous_snapshot_id"] == second.snapshot_id
    assert written["changed"] is False and written["files"] == []
    assert first.holder_id == first.snapshot_id and third.holder_id == first.snapshot_id
    holder, folder = latest_files(tmp_path / "demo") or (None, None)
    assert holder == first and folder == folder1

    fourth, folder4 = land(tmp_path, "b", T0 + timedelta(days=3))  # changed: stored again
    assert fourth.changed and fourth.holder_id == fourth.snapshot_id
    assert files_of(folder4) == ["manifest.json", "page-0001.json"]
    assert (folder1 / "page-0001.json").read_text() == "a"  # untouched


def test_an_unchanged_pull_stores_its_files_when_the_original_folder_is_gone(tmp_path: Path):
    _, folder1 = land(tmp_path, "a", T0)
    land(tmp_path, "a", T0 + timedelta(days=1))  # points at folder1
    for path in folder1.iterdir():
        path.unlink()
    folder1.rmdir()  # removed by hand
    third, folder3 = land(tmp_path, "a", T0 + timedelta(days=2))
    assert third.changed is False and third.holder_id == third.snapshot_id
    assert files_of(folder3) == ["manifest.json", "page-0001.json"]


def test_rows_equal_to_the_previous_snapshot_are_not_appended_again(tmp_path: Path):
    db = tmp_path / "w.duckdb"
    same = [{"id": "a", "n": 1}, {"id": "b", "n": 2}]
    pulls = [land(tmp_path, content, T0 + timedelta(days=i)) for i, content in
             enumerate(["x", "x", "x", "y"])]  # fmt: skip
    rows_per_pull = [same, same, same, [*same, {"id": "c", "n": 3}]]
    records = tmp_path / "records"
    held_by = [
        write_snapshot(records, m, str(f), {"raw.t": (COLUMNS, rows)}, len(rows))
        for (m, f), rows in zip(pulls, rows_per_pull, strict=True)
    ]
    ids = [m.snapshot_id for m, _ in pulls]
    assert held_by == [ids[0], ids[0], ids[0], ids[3]]  # resolved to the one that wrote them
    assert write_snapshot(records, *pulls[1], {"raw.t": (COLUMNS, same)}, 2) is None  # reload
    # The unchanged pulls wrote their facts only.
    assert [p.name for p in (records / "demo" / ids[1]).iterdir()] == ["snapshots.parquet"]
    with duckdb.connect(str(db)) as con:
        attach_raw_views(con, records)
        per_snapshot = con.execute(
            "SELECT _snapshot_id, count(*) FROM raw.t GROUP BY 1 ORDER BY 1"
        ).fetchall()
        recorded = con.execute(
            "SELECT snapshot_id, rows_snapshot_id, files_snapshot_id, file_count, changed"
            " FROM raw.snapshots ORDER BY 1"
        ).fetchall()
        newest = newest_snapshot(con, "demo")
    assert per_snapshot == [(ids[0], 2), (ids[3], 3)]
    assert recorded == [
        (ids[0], ids[0], ids[0], 1, True),
        (ids[1], ids[0], ids[0], 0, False),
        (ids[2], ids[0], ids[0], 0, False),
        (ids[3], ids[3], ids[3], 1, True),
    ]
    assert newest is not None and (newest.snapshot_id, newest.rows_snapshot_id) == (ids[3],) * 2


def test_same_source_content_but_different_rows_appends_them(tmp_path: Path):
    """Rows depend on the connector and the call catalogue too: a pull whose files equal the
    previous one's (a new call followed, a parser fix) still appends its rows."""
    db = tmp_path / "w.duckdb"
    first, folder1 = land(tmp_path, "x", T0)
    second, folder2 = land(tmp_path, "x", T0 + timedelta(days=1))
    assert second.holder_id == first.snapshot_id  # the files were not stored again
    records = tmp_path / "records"
    write_snapshot(records, first, str(folder1), {"raw.t": (COLUMNS, [{"id": "a", "n": 1}])}, 1)
    held_by = write_snapshot(
        records, second, str(folder2), {"raw.t": (COLUMNS, [{"id": "a", "n": 9}])}, 1
    )
    with duckdb.connect(str(db)) as con:
        attach_raw_views(con, records)
        rows = con.execute("SELECT _snapshot_id, n FROM raw.t ORDER BY n").fetchall()
    assert held_by == second.snapshot_id
    assert rows == [(first.snapshot_id, 1), (second.snapshot_id, 9)]


# --- dbt target folders --------------------------------------------------------------------


def invocation(target: Path, name: str, age_s: float, finished: bool = True) -> Path:
    folder = target / name
    (folder / "compiled").mkdir(parents=True)
    (folder / "dbt.log").write_text("log")
    if finished:
        (folder / "run_results.json").write_text("{}")
    when = time.time() - age_s
    for path in (folder / "dbt.log", folder / "compiled", folder):
        os.utime(path, (when, when))
    if finished:
        os.utime(folder / "run_results.json", (when, when))
    return folder


def test_dbt_targets_keep_the_newest_and_never_a_running_invocation(tmp_path: Path):
    target = tmp_path / "target"
    target.mkdir()
    own = {"manifest.json", "static_index.html", "partial_parse.msgpack"}
    for name in own:
        (target / name).write_text("project's own")
    (target / "compiled").mkdir()
    old = [invocation(target, f"lc_monitor_dbt-aaaa00{i}-bbbb00{i}", 3600 * (i + 2)) for i in
           range(5)]  # fmt: skip
    killed = invocation(target, "lc_monitor_dbt-dead000-dead000", 3 * 86400, finished=False)
    quiet = invocation(target, "lc_monitor_dbt_history-0000001-0000001", 600, finished=False)
    started = time.time() - 60
    concurrent = invocation(target, "lc_monitor_dbt-beef000-beef000", 10)  # began after ours
    current = invocation(target, "lc_monitor_dbt-c0ffee0-c0ffee0", 0)

    removed = prune_dbt_targets(current, keep=3, started=started)

    assert sorted(removed) == sorted([*old[2:], killed])
    left = {p.name for p in target.iterdir()}
    assert left == own | {"compiled"} | {p.name for p in (old[0], old[1], quiet, concurrent,
                                                          current)}  # fmt: skip


def test_dbt_targets_keep_one_is_the_current_invocation_alone(tmp_path: Path):
    old = invocation(tmp_path, "lc_monitor_dbt-0000001-0000001", 120)
    current = invocation(tmp_path, "lc_monitor_dbt-0000002-0000002", 0)
    assert prune_dbt_targets(current, keep=1, started=time.time() - 30) == [old]
    assert [p.name for p in tmp_path.iterdir()] == [current.name]


# --- raw retention ---------------------------------------------------------------------------


def verdict(con: duckdb.DuckDBPyConnection, snapshot_id: str, status: str, when: datetime):
    ensure_tables(con, "demo")
    con.execute(
        f"INSERT INTO {acceptance_table('demo')} (acceptance_id, snapshot_id, status,"
        " validated_at) VALUES (uuid()::VARCHAR, ?, ?, ?)",
        [snapshot_id, status, when],
    )


def test_raw_retention_removes_old_folders_but_never_what_is_read_or_pointed_at(
    tmp_path: Path,
):
    raw, db = tmp_path / "raw", tmp_path / "w.duckdb"
    now = T0 + timedelta(days=500)
    # Day 0: a, accepted and still what staging reads (every later pull was rejected).
    # Day 10: b (rejected). Day 20: c, stored. Days 30 and 480: c again, manifest-only.
    # Day 40: d (rejected, old). Day 490: e (rejected): the newest.
    pulls = {}
    for day, content in ((0, "a"), (10, "b"), (20, "c"), (30, "c"), (40, "d"), (480, "d"),
                         (490, "e")):  # fmt: skip
        pulls[day] = land(raw, content, T0 + timedelta(days=day))[0]
    # Day 480 is d again, so it points at day 40's files: those stay although old.
    assert pulls[480].holder_id == pulls[40].snapshot_id
    records = tmp_path / "records"
    write_snapshot(
        records, pulls[0], str(raw / "demo" / pulls[0].snapshot_id),
        {"raw.t": (COLUMNS, [{"id": "a", "n": 1}])}, 1,
    )  # fmt: skip
    with duckdb.connect(str(db)) as con:
        attach_raw_views(con, records)
        verdict(con, pulls[0].snapshot_id, ACCEPTED, T0)
        for day in (10, 20, 40, 480, 490):
            verdict(con, pulls[day].snapshot_id, REJECTED, T0 + timedelta(days=day))
        (raw / "demo" / ".20250101T000000.000000Z.partial").mkdir()  # a crash's leftover
        pruned = prune_raw_snapshots(con, raw, "demo", keep_days=400, now=now)
        rows = con.execute("SELECT count(*) FROM raw.t").fetchone()

    gone = {pulls[d].snapshot_id for d in (10, 20, 30)}
    assert set(pruned.removed) == gone and pruned.bytes_freed > 0
    left = sorted(p.name for p in (raw / "demo").iterdir())
    assert left == sorted(pulls[d].snapshot_id for d in (0, 40, 480, 490))
    assert rows == (1,)  # raw rows are the audit trail: never removed
    assert (records / "demo" / pulls[0].snapshot_id / "t.parquet").is_file()


def test_raw_retention_keeps_the_files_of_the_current_snapshot(tmp_path: Path):
    """The snapshot staging reads stored only its manifest: its files' folder stays too."""
    raw, db = tmp_path / "raw", tmp_path / "w.duckdb"
    first = land(raw, "a", T0)[0]
    second = land(raw, "a", T0 + timedelta(days=5))[0]
    newest = land(raw, "b", T0 + timedelta(days=450))[0]
    with duckdb.connect(str(db)) as con:
        verdict(con, second.snapshot_id, ACCEPTED, T0 + timedelta(days=5))
        verdict(con, newest.snapshot_id, ACCEPTED, T0 + timedelta(days=450))
        verdict(con, newest.snapshot_id, REJECTED, T0 + timedelta(days=451))  # validated again
        pruned = prune_raw_snapshots(con, raw, "demo", 400, now=T0 + timedelta(days=460))
    assert pruned.removed == []
    assert {p.name for p in (raw / "demo").iterdir()} == {
        first.snapshot_id,
        second.snapshot_id,
        newest.snapshot_id,
    }


def test_raw_retention_without_verdicts_keeps_the_newest(tmp_path: Path):
    raw = tmp_path / "raw"
    old = land(raw, "a", T0)[0]
    newest = land(raw, "b", T0 + timedelta(days=1))[0]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        pruned = prune_raw_snapshots(con, raw, "demo", 30, now=T0 + timedelta(days=100))
        assert prune_raw_snapshots(con, raw, "other", 30).removed == []  # no folder at all
    assert pruned.removed == [old.snapshot_id]
    assert [p.name for p in (raw / "demo").iterdir()] == [newest.snapshot_id]


def test_run_history_keeps_recent_runs_and_the_latest_materializations(tmp_path: Path):
    import dagster as dg

    from orchestration.disk import prune_run_history

    home = tmp_path / "home"
    home.mkdir()
    instance = dg.DagsterInstance.local_temp(str(home))

    @dg.asset(key=["serving", "lc_monitor"])
    def published() -> None: ...

    job = dg.Definitions(assets=[published]).resolve_implicit_global_asset_job_def()
    first = job.execute_in_process(instance=instance).run_id
    second = job.execute_in_process(instance=instance).run_id
    shard = Path(instance.event_log_storage.path_for_shard(first))
    assert shard.exists()

    assert prune_run_history(instance, keep_days=90) == []  # all recent
    later = datetime.now(UTC) + timedelta(days=91)
    assert prune_run_history(instance, keep_days=90, now=later) == [first]
    assert instance.get_run_by_id(first) is None and not shard.exists()
    # The second run holds the asset's latest materialization: kept, however old.
    assert instance.get_run_by_id(second) is not None
    latest = instance.get_latest_materialization_event(dg.AssetKey(["serving", "lc_monitor"]))
    assert latest is not None and latest.run_id == second
    instance.dispose()
