"""The executor of every job: all steps in the run's own process, inside the warehouse's run
lock (orchestration/run_lock.py), after a sweep for runs whose process died.

Every launcher runs through it: the UI, the schedule and sensors (the daemon's run worker) and
`lc-monitor run` (dagster.execute_job in the CLI's process). Steps run one after another in one
process: the `duckdb` pool admits one step at a time anyway, and a process per step cost each
UI run about four minutes of start-ups. The sources' pulls, which need no warehouse, start
together when the run starts (orchestration/prefetch.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
from dagster._core.errors import DagsterExecutionInterruptedError
from dagster._core.events import DagsterEvent
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode, get_retries_config
from dagster._core.executor.in_process import InProcessExecutor
from dagster._core.storage.tags import SCHEDULE_NAME_TAG, SENSOR_NAME_TAG
from dagster._utils.interrupts import check_captured_interrupt

from orchestration import prefetch
from orchestration.disk import prune_run_history
from orchestration.ingest import RAW_SOURCES
from orchestration.run_lock import (
    WaitStopped,
    WarehouseLock,
    holder_for,
    run_alive,
    sweep_dead_runs,
    wait_until_writable,
)
from orchestration.settings import load_settings

# Set by `lc-monitor run` on its runs, so a waiting run can say who holds the warehouse.
LAUNCHED_BY_TAG = "lc_monitor/launched_by"
STATUS_POLL_SECONDS = 2.0  # how often a waiting run asks whether it was cancelled


def launched_by(tags: dict[str, str]) -> str:
    if LAUNCHED_BY_TAG in tags:
        return tags[LAUNCHED_BY_TAG]
    if SCHEDULE_NAME_TAG in tags:
        return f"schedule {tags[SCHEDULE_NAME_TAG]}"
    if SENSOR_NAME_TAG in tags:
        return f"sensor {tags[SENSOR_NAME_TAG]}"
    return "the Dagster UI or API"


def _stop_check(instance: dg.DagsterInstance, run_id: str) -> Callable[[], bool]:
    """True once the run should stop waiting: Ctrl-C / SIGTERM (which Dagster only records
    while the executor runs) or Terminate in the UI (the run is CANCELING)."""
    checked_at = 0.0

    def stop() -> bool:
        nonlocal checked_at
        if check_captured_interrupt():
            return True
        if time.monotonic() - checked_at < STATUS_POLL_SECONDS:
            return False
        checked_at = time.monotonic()
        current = instance.get_run_by_id(run_id)
        return current is None or current.status in (
            dg.DagsterRunStatus.CANCELING,
            dg.DagsterRunStatus.CANCELED,
        )

    return stop


class WarehouseRunExecutor(InProcessExecutor):
    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        run = plan_context.dagster_run
        instance = plan_context.instance
        lock = WarehouseLock(load_settings().warehouse_path)
        holder = holder_for(run.run_id, run.job_name, launched_by(dict(run.tags)))
        stop = _stop_check(instance, run.run_id)
        with run_alive(Path(instance.root_directory), run.run_id):
            # Logged at INFO (engine events are DEBUG): `lc-monitor run` prints what it waits for.
            try:
                for message in lock.acquire(holder, stop):
                    plan_context.log.info(message)
            except WaitStopped as exc:
                raise DagsterExecutionInterruptedError(str(exc)) from exc
            try:
                plan_context.log.info(f"This run holds the warehouse lock {lock.path}.")
                try:
                    for message in wait_until_writable(lock.warehouse, stop):
                        plan_context.log.warning(message)
                except WaitStopped as exc:
                    raise DagsterExecutionInterruptedError(str(exc)) from exc
                for message in sweep_dead_runs(instance, own_run_id=run.run_id):
                    plan_context.log.warning(message)
                fetching = prefetch.start(
                    run.run_id, execution_plan.step_keys_to_execute, RAW_SOURCES.values(),
                    load_settings(),
                )  # fmt: skip
                if fetching:
                    plan_context.log.info(
                        f"Fetching {', '.join(fetching)} together; each raw step lands its own."
                    )
                try:
                    yield from super().execute(plan_context, execution_plan)
                finally:
                    prefetch.forget(run.run_id)
                days = load_settings().disk.run_history_days
                if deleted := prune_run_history(instance, days):
                    plan_context.log.info(
                        f"Deleted {len(deleted)} run(s) finished over {days} days ago from the "
                        "Dagster history (LCM_RUN_HISTORY_DAYS)."
                    )
            finally:
                lock.release()


@dg.executor(
    name="warehouse_run",
    config_schema={"retries": get_retries_config()},
)
def warehouse_run_executor(init_context: dg.InitExecutorContext) -> WarehouseRunExecutor:
    """All steps in one process, one run at a time per warehouse (see the module docstring)."""
    return WarehouseRunExecutor(
        retries=RetryMode.from_config(init_context.executor_config["retries"])
    )
