"""Alerts through the channels set in ``LCM_ALERT_*`` (orchestration/alerts.py): one sensor on
every failed run, one on stale data. Both run by default, under the daemon (`make dev`), and
skip, saying why, while no channel is configured.

A channel that fails is reported on the sensor's tick: a failed-run alert fails its tick, naming
the channel (Dagster still moves past that run, so it is not sent twice to the channels that
took it); a staleness alert that no channel took is tried again on the next tick.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from orchestration.alerts import (
    FailedStep,
    Staleness,
    clipped,
    deliver,
    fresh_again_alert,
    run_failure_alert,
    stale_alert,
)
from orchestration.defs.jobs import SOURCE_GROUPS
from orchestration.failures import cause_line
from orchestration.settings import load_alert_config

PUBLICATION = dg.AssetKey(["serving", "lc_monitor"])
# Each source's main raw table stands for its pull (its other raw assets land in the same step).
WATCHED = {
    PUBLICATION: "published marts",
    **{dg.AssetKey(["raw", f"{group}_projects"]): f"source {group}" for group in SOURCE_GROUPS},
}
FRESHNESS_INTERVAL_S = 15 * 60


class AlertNotDelivered(RuntimeError):
    """A channel did not take an alert (the message names it and what it said)."""


def bottom_error(error: Any) -> str:
    """What the source, check or code itself said, below Dagster's wrappers ("Error occurred
    while executing op", "Exceeded max_retries"): the same line `lc-monitor run` prints."""
    return clipped(cause_line(error))


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    # Every run of the instance, also those `lc-monitor run` executes in its own process.
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Sends an alert (e-mail and/or webhook, LCM_ALERT_*) naming the job, the run, each "
        "failed step and its error. Skips while no channel is configured."
    ),
)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> dg.SkipReason | None:
    config = load_alert_config()
    if config.off_reason:
        return dg.SkipReason(config.off_reason)
    run = context.dagster_run
    record = context.instance.get_run_record_by_id(run.run_id)
    ended = record.end_time if record and record.end_time else None
    alert = run_failure_alert(
        job=run.job_name,
        run_id=run.run_id,
        failed_steps=[
            FailedStep(str(event.step_key), bottom_error(event.step_failure_data.error))
            for event in context.get_step_failure_events()
            if event.step_failure_data.error is not None
        ],
        run_message=context.failure_event.message or "",
        when=datetime.fromtimestamp(ended, UTC) if ended else datetime.now(UTC),
        run_url=f"{config.ui_url}/runs/{run.run_id}",
    )
    delivery = deliver(alert, config.channels)
    if delivery.failed:
        # Fails this tick, visibly, after every channel was tried.
        raise AlertNotDelivered(f"alert on run {run.run_id}: {delivery.summary()}")
    context.log.info(f"alert on run {run.run_id}: {delivery.summary()}")
    return None


def last_materialized(instance: dg.DagsterInstance, key: dg.AssetKey) -> datetime | None:
    event = instance.get_latest_materialization_event(key)
    return datetime.fromtimestamp(event.timestamp, UTC) if event else None


@dg.sensor(
    name="alert_on_stale_data",
    minimum_interval_seconds=FRESHNESS_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Sends one alert when the published marts or a source's pull get older than "
        "LCM_ALERT_STALE_HOURS (26), and one when they are fresh again. Skips while no "
        "channel is configured."
    ),
)
def alert_on_stale_data(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    config = load_alert_config()
    if config.off_reason:
        return dg.SkipReason(config.off_reason)
    now = datetime.now(UTC)
    items = [
        Staleness(key.to_user_string(), label, last_materialized(context.instance, key))
        for key, label in WATCHED.items()
    ]
    too_old = now - timedelta(hours=config.stale_hours)
    stale = [item for item in items if item.last is None or item.last < too_old]
    stale_keys = {item.key for item in stale}
    # The cursor holds what an alert already said is stale: one alert per stale episode.
    alerted = set(json.loads(context.cursor)["stale"]) if context.cursor else set()
    newly_stale = [item for item in stale if item.key not in alerted]
    fresh_again = [item for item in items if item.key in alerted and item.key not in stale_keys]

    pending = []  # (alert, its keys, whether they are stale from now on)
    if newly_stale:
        alert = stale_alert(
            newly_stale, max_age_hours=config.stale_hours, now=now, ui_url=config.ui_url
        )
        pending.append((alert, {item.key for item in newly_stale}, True))
    if fresh_again:
        alert = fresh_again_alert(fresh_again, now=now, ui_url=config.ui_url)
        pending.append((alert, {item.key for item in fresh_again}, False))

    said, sent_any = [], False
    for alert, keys, now_stale in pending:
        delivery = deliver(alert, config.channels)
        said.append(f"{alert.kind} alert on {', '.join(sorted(keys))}: {delivery.summary()}")
        for name, problem in delivery.failed.items():
            context.log.error(f"{alert.subject}: not sent by {name}: {problem}")
        if delivery.sent:  # someone was told; otherwise the next tick tries again
            sent_any = True
            alerted = alerted | keys if now_stale else alerted - keys
    if pending and not sent_any:
        raise AlertNotDelivered("; ".join(said))
    if not said:
        still = sorted(alerted & stale_keys)
        said.append(f"still stale (alert sent before): {', '.join(still)}" if still else "fresh")
    return dg.SensorResult(
        skip_reason="; ".join(said), cursor=json.dumps({"stale": sorted(alerted)})
    )
