"""Runs whose process died, found while the daemon runs: such a run stays STARTED and holds
its place in the run queue and its pool slot, so nothing queued would start until the next
`lc-monitor run` swept it (orchestration/run_lock.py). This sensor sweeps every minute."""

import dagster as dg

from orchestration.run_lock import sweep_dead_runs


@dg.sensor(
    name="dead_run_sweep",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Marks failed every run whose process died (killed, out of memory, a reboot) and "
        "frees its pool slots, so queued runs go ahead."
    ),
)
def dead_run_sweep(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    swept = sweep_dead_runs(context.instance)
    for message in swept:
        context.log.warning(message)
    return dg.SkipReason(
        f"swept {len(swept)} dead run(s)" if swept else "no run whose process died"
    )
