"""Bounded disk: dagster-dbt's per-invocation target folders, the raw snapshot folders and
the Dagster run history.

Each is pruned by what makes or judges it (dbt after each build, a source's validation step
after its verdict, the run executor after each run), so disk use stays flat however many runs
there are; README "Disk use and retention" gives the figures.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from orchestration.quality.acceptance import current_snapshot
from sources.landing import read_manifest, snapshot_ids

# dagster-dbt names the target folder of each invocation `<op>-<run id[:7]>-<uuid[:7]>`
# (`<uuid[:7]>` without a context) beside the project's own target/ files, which stay.
INVOCATION_FOLDER = re.compile(r"^(\w+-[0-9a-f]{7}-)?[0-9a-f]{7}$")
# dbt writes run_results.json when it exits; a folder without one that has been quiet this
# long belongs to an invocation that was killed.
ABANDONED_AFTER_S = 24 * 3600.0


def _last_activity(folder: Path) -> float | None:
    """Newest modification of the folder or a file in it (dbt.log grows during a build)."""
    try:
        return max([folder.stat().st_mtime] + [p.stat().st_mtime for p in folder.iterdir()])
    except FileNotFoundError:  # removed meanwhile by another process's pruning
        return None


def prune_dbt_targets(current: Path, keep: int, started: float) -> list[Path]:
    """Remove dagster-dbt's invocation folders beside ``current`` (the target path of the
    invocation that just ran, which stays) beyond the newest ``keep``, counting ``current``.

    Only folders of finished invocations (or killed ones, quiet for a day) whose last write
    came before ``started`` (when the current invocation began) are candidates, so the folder
    of an invocation still running in another process is never touched.
    """
    now = time.time()
    finished: list[tuple[float, Path]] = []
    for folder in current.parent.iterdir():
        if folder == current or not folder.is_dir() or not INVOCATION_FOLDER.match(folder.name):
            continue
        active = _last_activity(folder)
        if active is None or active >= started:
            continue
        if (folder / "run_results.json").exists() or now - active > ABANDONED_AFTER_S:
            finished.append((active, folder))
    finished.sort(reverse=True)
    removed = [folder for _, folder in finished[max(keep - 1, 0) :]]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


SNAPSHOT_ID_FORMAT = "%Y%m%dT%H%M%S.%fZ"  # sources.landing.new_snapshot_id
LEFTOVER_AFTER = timedelta(days=1)  # a hidden half-written or half-removed folder this old


def _snapshot_time(snapshot_id: str) -> datetime | None:
    try:
        return datetime.strptime(snapshot_id, SNAPSHOT_ID_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _tree_bytes(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file())


@dataclass(frozen=True)
class Pruned:
    removed: list[str]  # snapshot ids whose folders were removed
    bytes_freed: int


def prune_raw_snapshots(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    source: str,
    keep_days: int,
    now: datetime | None = None,
) -> Pruned:
    """Remove the source's raw snapshot folders older than ``keep_days``, except:

    - the newest snapshot (the next pull compares with it; TSE revalidates against it),
    - the snapshot staging reads now (the newest accepted verdict's; the marts' evidence),
    - the snapshot whose folder holds the files of any snapshot kept (manifest-only pulls).

    Only these folders go: the record files (sources/raw_tables.py, a tree of their own) keep
    every snapshot's rows (first- and last-seen dates and history are built from them) and
    raw.snapshots still lists the removed ones. A folder is
    renamed to a hidden name before it is deleted, so a crash never leaves half a snapshot
    under its id.
    """
    now = now or datetime.now(UTC)
    source_dir = raw_dir / source
    dated = {i: t for i in snapshot_ids(source_dir) if (t := _snapshot_time(i)) is not None}
    if not dated:
        return Pruned([], 0)
    cutoff = now - timedelta(days=keep_days)
    keep = {i for i, t in dated.items() if t >= cutoff} | {max(dated)}
    if (current := current_snapshot(con, source)) is not None:
        keep.add(current)
    for snapshot_id in list(keep):
        manifest = read_manifest(source_dir / snapshot_id)
        if manifest is not None:
            keep.add(manifest.holder_id)
    removed, freed = [], 0
    for snapshot_id in sorted(set(dated) - keep):
        doomed = source_dir / f".{snapshot_id}.removing"
        (source_dir / snapshot_id).rename(doomed)
        freed += _tree_bytes(doomed)
        shutil.rmtree(doomed)
        removed.append(snapshot_id)
    for leftover in source_dir.glob(".*"):  # from a crash while landing or removing
        # `.<snapshot id>.partial` or `.<snapshot id>.removing`
        found = _snapshot_time(leftover.name[1:].rsplit(".", 1)[0]) if leftover.is_dir() else None
        if found is not None and found < now - LEFTOVER_AFTER:
            shutil.rmtree(leftover, ignore_errors=True)
    return Pruned(removed, freed)


def prune_run_history(instance: Any, keep_days: int, now: datetime | None = None) -> list[str]:
    """Delete the Dagster runs (records, event logs, captured output) that finished more than
    ``keep_days`` ago; returns their ids. A run is ~7.5 MB of event log (each table's schema
    and preview on its materializations), so a nightly refresh would grow the Dagster home by
    ~2.7 GB a year. Never deleted: a run not finished, and a run holding the latest
    materialization of an asset (what the UI, `lc-monitor status` and the freshness alerts
    read), however old.
    """
    import dagster as dg

    now = now or datetime.now(UTC)
    cutoff = (now - timedelta(days=keep_days)).timestamp()
    finished = dg.RunsFilter(
        statuses=[
            dg.DagsterRunStatus.SUCCESS,
            dg.DagsterRunStatus.FAILURE,
            dg.DagsterRunStatus.CANCELED,
        ],
        updated_before=datetime.fromtimestamp(cutoff, UTC),
    )
    old = [
        r
        for r in instance.get_run_records(filters=finished)
        if (r.end_time or r.update_timestamp.timestamp()) < cutoff
    ]
    if not old:
        return []
    keys = instance.get_asset_keys()
    latest = instance.get_latest_materialization_events(keys) if keys else {}
    holding = {e.run_id for e in latest.values() if e is not None}
    deleted = []
    storage = instance.event_log_storage
    for record in old:
        run_id = record.dagster_run.run_id
        if run_id in holding:
            continue
        instance.delete_run(run_id)
        instance.compute_log_manager.delete_logs(prefix=[run_id])
        # SQLite keeps a file per run that delete_run empties but leaves behind.
        shard = getattr(storage, "path_for_shard", None)
        if shard is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(shard(run_id) + suffix).unlink(missing_ok=True)
        deleted.append(run_id)
    return deleted
