"""`lc-monitor status`: what the last runs did, when the marts were published, how fresh each
source is and which checks failed, read from the Dagster instance alone.

It never opens the warehouse (a running refresh holds it read-write), so it answers while a
run is going on; the exit code says whether anything needs attention (for cron or a probe).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.events import DagsterEventType

from orchestration.defs.jobs import REFRESH_ALL, SOURCE_GROUPS
from orchestration.run_executor import launched_by
from orchestration.run_lock import WarehouseLock
from orchestration.settings import FRESHNESS_FAIL_HOURS, FRESHNESS_WARN_HOURS

SERVING_KEY = dg.AssetKey(["serving", "lc_monitor"])
RECENT_RUNS = 5


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    pulled_at: datetime | None
    snapshot_id: str
    changed: bool | None

    def verdict(self, now: datetime) -> str:
        if self.pulled_at is None:
            return "never pulled"
        hours = (now - self.pulled_at).total_seconds() / 3600
        if hours > FRESHNESS_FAIL_HOURS:
            return f"STALE (over {FRESHNESS_FAIL_HOURS} h)"
        if hours > FRESHNESS_WARN_HOURS:
            return f"late (over {FRESHNESS_WARN_HOURS} h)"
        return "fresh"


def _when(timestamp: float | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z") if moment else "-"


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return ""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min ago"
    return f"{minutes // 60} h ago" if minutes < 48 * 60 else f"{minutes // 1440} days ago"


def source_freshness(instance: dg.DagsterInstance, source: str) -> SourceFreshness:
    """When the source was last pulled: its projects table's newest materialization."""
    event = instance.get_latest_materialization_event(dg.AssetKey(["raw", f"{source}_projects"]))
    if event is None or event.asset_materialization is None:
        return SourceFreshness(source, None, "", None)
    metadata = event.asset_materialization.metadata
    snapshot = metadata.get("snapshot_id")
    changed = metadata.get("content_changed")
    return SourceFreshness(
        source,
        _when(event.timestamp),
        str(snapshot.value) if snapshot else "",
        bool(changed.value) if changed else None,
    )


def _failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    lines = []
    for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = entry.dagster_event.event_specific_data  # type: ignore[union-attr]
        if evaluation.passed:
            continue
        description = (evaluation.description or "").strip().splitlines()
        lines.append(
            f"  {evaluation.severity.value:<5} {evaluation.asset_key.to_user_string()}"
            f" {evaluation.check_name}" + (f": {description[0][:160]}" if description else "")
        )
    return lines


def _run_line(instance: dg.DagsterInstance, record: Any, now: datetime) -> str:
    run = record.dagster_run
    start, end = _when(record.start_time), _when(record.end_time)
    took = f", took {int((end - start).total_seconds())} s" if start and end else ""
    return (
        f"  {run.job_name:<24} {run.status.value:<9} {_fmt(start)} ({_age(start, now)}{took})"
        f" by {launched_by(dict(run.tags))}  run {run.run_id}"
    )


def status_lines(
    instance: dg.DagsterInstance, warehouse: Path, serving: Path, now: datetime | None = None
) -> tuple[list[str], bool]:
    """The report and whether everything is healthy (last refresh succeeded, every source
    fresh, the marts published)."""
    now = now or datetime.now(UTC)
    healthy = True
    lines = [f"LC Monitor status at {_fmt(now)} (Dagster instance {instance.root_directory})"]

    records: Sequence[Any] = instance.get_run_records(limit=RECENT_RUNS)
    lines.append("Recent runs:" if records else "Recent runs: none yet (make run)")
    lines += [_run_line(instance, r, now) for r in records]
    active = [r for r in records if not r.dagster_run.is_finished]
    holder = WarehouseLock(warehouse).current_holder()  # not a killed run's leftover note
    if holder:
        lines.append(f"Writing the warehouse now: {holder.describe()}")
    elif active:
        lines.append(f"{len(active)} run(s) queued or starting.")

    refreshes = instance.get_run_records(dg.RunsFilter(job_name=REFRESH_ALL), limit=1)
    if refreshes and refreshes[0].dagster_run.status == dg.DagsterRunStatus.FAILURE:
        healthy = False
        lines.append(f"The last {REFRESH_ALL} run FAILED: see its failed steps in the UI.")

    published = instance.get_latest_materialization_event(SERVING_KEY)
    published_at = _when(published.timestamp) if published else None
    lines.append(
        f"Published for BI tools: {_fmt(published_at)} ({_age(published_at, now)}) -> {serving}"
        if published_at
        else f"Published for BI tools: never ({serving} is not written yet)"
    )
    healthy &= published_at is not None

    lines.append(
        f"Sources (fresh within {FRESHNESS_WARN_HOURS} h, stale after {FRESHNESS_FAIL_HOURS} h):"
    )
    for source in SOURCE_GROUPS:
        freshness = source_freshness(instance, source)
        verdict = freshness.verdict(now)
        healthy &= verdict in ("fresh",) or verdict.startswith("late")
        changed = {True: "changed", False: "unchanged", None: ""}[freshness.changed]
        lines.append(
            f"  {source:<14} {verdict:<20} last pull {_fmt(freshness.pulled_at)}"
            f" {_age(freshness.pulled_at, now)} {freshness.snapshot_id} {changed}".rstrip()
        )

    finished = [r for r in records if r.dagster_run.is_finished]
    if finished:
        last = finished[0].dagster_run
        failed = _failed_checks(instance, last.run_id)
        lines.append(
            f"Checks that failed or warned in the last finished run ({last.run_id}):"
            if failed
            else f"Every check passed in the last finished run ({last.run_id})."
        )
        lines += failed
    return lines, healthy
