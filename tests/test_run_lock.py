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
import duckdb
import pytest
from dagster._core.events import DagsterEventType

from orchestration.run_lock import (
    WaitStopped,
    WarehouseLock,
    holder_for,
    is_alive,
    liveness_path,
    read_holder,
    run_alive,
    sweep_dead_runs,
    wait_until_writable,
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
        assert mine.current_holder().run_id == "run-a"
        # Interrupted or cancelled while waiting: it stops at once, without the lock.
        with pytest.raises(WaitStopped):
            list(mine.acquire(me, stop=lambda: True))
        waiting = mine.acquire(me)
        message = next(waiting)
        assert "run run-a (refresh_all, launched by lc-monitor run" in message
        assert str(warehouse) in message
        # The holder dies the way a killed run does: the system releases its lock.
        child.kill()
        child.wait()
        # The killed holder's note is still in the file, but nobody holds the lock.
        assert read_holder(mine.path).run_id == "run-a"
        assert mine.current_holder() is None
        assert list(waiting) == []  # the generator ends once the lock is taken
        assert read_holder(mine.path).run_id == "run-b"
        mine.release()
        assert read_holder(mine.path) is None
    finally:
        child.kill()
        child.wait()


def test_a_process_left_holding_the_duckdb_file_is_waited_for(tmp_path: Path):
    """A run killed alone leaves its dbt child writing the file: the next run waits for it."""
    warehouse = tmp_path / "w.duckdb"
    duckdb.connect(str(warehouse)).close()
    child = _hold_in_child(f"""
        import time, duckdb
        con = duckdb.connect({str(warehouse)!r})
        print("ready", flush=True)
        time.sleep(2)
    """)
    started = time.monotonic()
    messages = list(wait_until_writable(warehouse))
    assert time.monotonic() - started >= 1.0
    assert (
        len(messages) == 1 and "a process left by an earlier run still has it open" in messages[0]
    )
    child.wait()
    assert list(wait_until_writable(warehouse)) == []  # free: no wait, no message
    assert list(wait_until_writable(tmp_path / "none.duckdb")) == []  # first run: no file


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


def test_a_cli_run_waiting_for_the_warehouse_stops_on_ctrl_c(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    (home / "dagster.yaml").symlink_to(REPO / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    instance = dg.DagsterInstance.from_config(str(home))
    held = WarehouseLock(data / "warehouse" / "lc_monitor.duckdb")
    assert held.try_acquire(holder_for("nightly-run", "refresh_all", "schedule nightly_refresh"))
    cli = subprocess.Popen(
        [str(BIN / "lc-monitor"), "run"],
        cwd=REPO, env=_env(home, data), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:

        def waiting() -> bool:
            return any(
                "Waiting for the warehouse" in (e.user_message or "")
                for r in instance.get_runs()
                for e in instance.all_logs(r.run_id)
            )

        _wait_for(waiting, 120, "the CLI run to wait for the warehouse")
        cli.send_signal(signal.SIGINT)
        output, _ = cli.communicate(timeout=30)  # stops at once, not when the lock frees
    finally:
        cli.kill()
        held.release()
    assert cli.returncode != 0
    assert "nightly-run (refresh_all, launched by schedule nightly_refresh" in output
    (run,) = instance.get_runs()
    assert run.status in (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)
    assert not (data / "raw").exists()  # it never started a step


@pytest.mark.pipeline
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

    # 2. A run queued for the daemon (as the UI, the schedule and sensors launch them). The
    #    dead run holds the queue's only place until the daemon's dead-run sweep fails it;
    #    nobody repairs the instance by hand. Then, while the queued run writes, a CLI run
    #    (which skips the queue) is started: it must wait for the warehouse.
    launch = subprocess.run(
        [str(BIN / "dagster"), "job", "launch", "-j", "refresh_all"],  # pyproject's location
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert launch.returncode == 0, launch.stderr
    (queued,) = [r for r in instance.get_runs() if r.run_id != dead.run_id]
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:

        def queued_run_writes() -> bool:
            return any(
                e.step_key == "nwopen_raw"
                for e in instance.all_logs(queued.run_id, of_type=DagsterEventType.STEP_START)
            )

        _wait_for(queued_run_writes, 300, "the queued run to start after the sweep")
        cli = subprocess.run(
            [str(BIN / "lc-monitor"), "run"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert cli.returncode == 0, cli.stdout[-3000:] + cli.stderr[-3000:]
        assert f"run {queued.run_id} (refresh_all, launched by the Dagster UI or API" in (
            cli.stdout + cli.stderr
        )

        def finished() -> bool:
            status = instance.get_run_by_id(queued.run_id).status
            return status in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE)

        _wait_for(finished, 600, "the queued run")
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)

    runs = {r.run_id: r for r in instance.get_runs()}
    (cli_run,) = [
        r for r in runs.values() if "lc_monitor/launched_by" in r.tags and r.run_id != dead.run_id
    ]
    queued_run = runs[queued.run_id]
    # The dead run was found, failed with a message, and its slot freed: both went ahead.
    assert runs[dead.run_id].status == dg.DagsterRunStatus.FAILURE
    failure = instance.all_logs(dead.run_id, of_type=DagsterEventType.RUN_FAILURE)
    assert "process died" in failure[-1].message and "by the dead-run sweep" in failure[-1].message
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
    # They really met: one of them waited for the other, and said for what.
    waited = [
        run_id
        for run_id in (cli_run.run_id, queued_run.run_id)
        if any(
            "Waiting for the warehouse" in (e.user_message or "") for e in _events(instance, run_id)
        )
    ]
    assert waited, "the two runs never contended for the warehouse"
