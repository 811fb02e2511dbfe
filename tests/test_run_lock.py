"""One run at a time per warehouse for every launcher, and recovery from a run whose process
died: the lock and liveness primitives with real processes, then real runs — a CLI run killed
with SIGKILL in the middle of dbt, followed by a queued run (launched by the Dagster daemon) and
a CLI run started together, which recover unattended and run one after the other."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType

from orchestration.run_lock import (
    WarehouseLock,
    holder_for,
    is_alive,
    liveness_path,
    read_holder,
    run_alive,
    sweep_dead_runs,
)

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"


def _hold_in_child(code: str) -> subprocess.Popen:
    """A Python child running ``code``, which prints 'ready' once it holds what it takes."""
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    return child


def test_the_warehouse_lock_is_exclusive_and_says_who_holds_it(tmp_path: Path):
    warehouse = tmp_path / "w.duckdb"
    child = _hold_in_child(f"""
        import time
        from pathlib import Path
        from orchestration.run_lock import WarehouseLock, holder_for
        lock = WarehouseLock(Path({str(warehouse)!r}))
        assert lock.try_acquire(holder_for("run-a", "refresh_all", "lc-monitor run"))
        print("ready", flush=True)
        time.sleep(60)
    """)
    try:
        mine = WarehouseLock(warehouse)
        me = holder_for("run-b", "refresh_nwopen", "schedule nightly_refresh")
        assert not mine.try_acquire(me)
        holder = read_holder(mine.path)
        assert holder is not None and holder.run_id == "run-a" and holder.pid == child.pid
        waiting = mine.acquire(me)
        message = next(waiting)
        assert "run run-a (refresh_all, launched by lc-monitor run" in message
        assert str(warehouse) in message
        # The holder dies the way a killed run does: the system releases its lock.
        child.kill()
        child.wait()
        assert list(waiting) == []  # the generator ends once the lock is taken
        assert read_holder(mine.path).run_id == "run-b"
        mine.release()
        assert read_holder(mine.path) is None
    finally:
        child.kill()
        child.wait()


def test_a_run_whose_process_died_is_seen_dead_and_a_live_one_alive(tmp_path: Path):
    child = _hold_in_child(f"""
        import time
        from pathlib import Path
        from orchestration.run_lock import run_alive
        with run_alive(Path({str(tmp_path)!r}), "run-x"):
            print("ready", flush=True)
            time.sleep(60)
    """)
    assert is_alive(tmp_path, "run-x") is True
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert is_alive(tmp_path, "run-x") is False
    assert is_alive(tmp_path, "never-started") is None
    with run_alive(tmp_path, "run-y"):
        assert is_alive(tmp_path, "run-y") is True
    assert not liveness_path(tmp_path, "run-y").exists()  # a finished run leaves nothing


def test_the_sweep_fails_dead_runs_frees_their_slots_and_spares_live_ones(tmp_path: Path):
    (tmp_path / "home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "home"))
    root = Path(instance.root_directory)
    instance.event_log_storage.set_concurrency_slots("duckdb", 1)

    @dg.op
    def noop() -> None: ...

    @dg.job
    def some_job() -> None:
        noop()

    def started_run() -> dg.DagsterRun:
        run = instance.create_run_for_job(some_job)
        instance.handle_run_event(
            run.run_id,
            dg.DagsterEvent(DagsterEventType.RUN_START.value, job_name=some_job.name),
        )
        return instance.get_run_by_id(run.run_id)

    dead, live, unknown = started_run(), started_run(), started_run()
    assert instance.event_log_storage.claim_concurrency_slot(
        "duckdb", dead.run_id, "step"
    ).is_claimed
    child = _hold_in_child(f"""
        from pathlib import Path
        from orchestration.run_lock import run_alive
        with run_alive(Path({str(root)!r}), {dead.run_id!r}):
            print("ready", flush=True)
            import os, signal
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    child.wait()
    with run_alive(root, live.run_id):
        swept = sweep_dead_runs(instance, own_run_id="someone-else")
    assert len(swept) == 1 and dead.run_id in swept[0] and "process died" in swept[0]
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    assert instance.get_run_by_id(live.run_id).status == dg.DagsterRunStatus.STARTED
    # Without a liveness lock, a run was not started by our executor: left to run monitoring.
    assert instance.get_run_by_id(unknown.run_id).status == dg.DagsterRunStatus.STARTED
    slots = instance.event_log_storage.get_concurrency_info("duckdb")
    assert slots.active_slot_count == 0 and slots.slot_count == 1
    failure = instance.all_logs(dead.run_id, of_type=DagsterEventType.RUN_FAILURE)
    assert "process died" in failure[-1].message


# --- Real runs --------------------------------------------------------------------------


def _env(home: Path, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LCM_")}
    return {
        **env,
        "PATH": f"{BIN}:{env.get('PATH', '')}",
        "DAGSTER_HOME": str(home),
        "LCM_DATA_DIR": str(data),
        "LCM_SOURCE_RETRY_DELAY": "0",
        "GX_ANALYTICS_ENABLED": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONUNBUFFERED": "1",
    }


def _events(instance: dg.DagsterInstance, run_id: str) -> list[dg.EventLogEntry]:
    return instance.all_logs(run_id)


def _step_window(instance: dg.DagsterInstance, run_id: str) -> tuple[float, float]:
    """From the run's first step start to its last step end."""
    steps = [
        e.timestamp
        for e in _events(instance, run_id)
        if e.dagster_event_type
        in (
            DagsterEventType.STEP_START,
            DagsterEventType.STEP_SUCCESS,
            DagsterEventType.STEP_FAILURE,
        )
    ]
    return min(steps), max(steps)


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def test_killed_run_recovers_and_queued_and_cli_runs_take_turns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # dagster.yaml's storage reads it
    (home / "dagster.yaml").symlink_to(REPO / "dagster.yaml")
    env = _env(home, data)
    instance = dg.DagsterInstance.from_config(str(home))

    # 1. A CLI run killed with SIGKILL (its whole process group, as a reboot or an OOM kill of
    #    the group does) while dbt builds.
    killed = subprocess.Popen(
        [str(BIN / "lc-monitor"), "run"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip

    def dbt_started() -> bool:
        for run in instance.get_runs():
            for e in instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_START):
                if e.step_key == "lc_monitor_dbt":
                    return True
        return False

    try:
        _wait_for(dbt_started, 300, "the killed run's dbt step")
        time.sleep(3)  # dbt is writing the warehouse
    finally:
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
    (dead,) = instance.get_runs()
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.STARTED

    # 2. A run queued for the daemon (as the UI, the schedule and sensors launch them) and a
    #    CLI run, started together. Nobody repairs the instance by hand.
    launch = subprocess.run(
        [str(BIN / "dagster"), "job", "launch", "-m", "orchestration.definitions",
         "-j", "refresh_all"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert launch.returncode == 0, launch.stderr
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-m", "orchestration.definitions"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        cli = subprocess.run(
            [str(BIN / "lc-monitor"), "run"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert cli.returncode == 0, cli.stdout[-3000:] + cli.stderr[-3000:]
        queued = [r for r in instance.get_runs() if r.run_id != dead.run_id and
                  "lc_monitor/launched_by" not in r.tags]  # fmt: skip
        assert len(queued) == 1

        def finished() -> bool:
            status = instance.get_run_by_id(queued[0].run_id).status
            return status in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)

        _wait_for(finished, 600, "the queued run")
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)

    runs = {r.run_id: r for r in instance.get_runs()}
    (cli_run,) = [
        r for r in runs.values() if "lc_monitor/launched_by" in r.tags and r.run_id != dead.run_id
    ]
    queued_run = runs[queued[0].run_id]
    # The dead run was found, failed with a message, and its slot freed: both went ahead.
    assert runs[dead.run_id].status == dg.DagsterRunStatus.FAILURE
    failure = instance.all_logs(dead.run_id, of_type=DagsterEventType.RUN_FAILURE)
    assert "process died" in failure[-1].message
    assert cli_run.status == dg.DagsterRunStatus.SUCCESS
    assert queued_run.status == dg.DagsterRunStatus.SUCCESS, [
        e.message for e in _events(instance, queued_run.run_id) if e.level >= 40
    ]
    # One after the other: no step of one run ran inside the other's window.
    a, b = sorted(
        [_step_window(instance, cli_run.run_id), _step_window(instance, queued_run.run_id)]
    )
    assert a[1] <= b[0], f"runs overlapped: {a} and {b}"
    # Each run published only after its own checks.
    for run_id in (cli_run.run_id, queued_run.run_id):
        events = _events(instance, run_id)
        checks = [e.timestamp for e in events
                  if e.dagster_event_type == DagsterEventType.ASSET_CHECK_EVALUATION]  # fmt: skip
        published = [e.timestamp for e in events
                     if e.dagster_event_type == DagsterEventType.STEP_START
                     and e.step_key == "serving__lc_monitor"]  # fmt: skip
        assert checks and published and max(checks) < min(published)
    assert instance.event_log_storage.get_concurrency_info("duckdb").active_slot_count == 0
