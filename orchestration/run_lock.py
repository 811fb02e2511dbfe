"""One run at a time per warehouse, whoever launched it, and runs whose process died found out.

DuckDB allows one writer per file, and a run is a sequence of writes (pulls, validation, dbt,
publishing) that must not interleave with another run's. The instance's run queue serialises
the runs it launches (UI, schedule, sensors), but a run executed by `lc-monitor run` skips the
queue. So every run, however launched, holds an exclusive lock on ``<warehouse>.run.lock``
while it executes (see orchestration/run_executor.py), and writes who holds it into the file
for whoever waits.

A run also holds a *liveness* lock, ``<instance>/run_liveness/<run_id>.lock``, for as long as
its process lives. The operating system releases both locks when the process dies (killed, out
of memory, a reboot), so a run the instance still calls STARTED whose liveness lock is free is
dead: `sweep_dead_runs` marks it failed with a message and frees the pool slots it held, which
would otherwise keep every later run waiting.

Locks are ``flock`` locks: they hold on one machine's local file system (the deployment this
project documents), not across hosts sharing a network drive.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import duckdb

# How often a waiting run looks at the lock again, and how often it says it still waits.
POLL_SECONDS = 0.5
REPEAT_WAIT_MESSAGE_SECONDS = 60.0
LIVENESS_DIR = "run_liveness"


class WaitStopped(RuntimeError):
    """A run was interrupted or cancelled while it waited for the warehouse."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".run.lock")


@dataclass(frozen=True)
class Holder:
    """Who holds the warehouse lock, as written into the lock file."""

    run_id: str
    job: str
    launched_by: str
    pid: int
    host: str
    since: str

    def describe(self) -> str:
        return (
            f"run {self.run_id} ({self.job}, launched by {self.launched_by}, "
            f"pid {self.pid} on {self.host}, since {self.since})"
        )


def read_holder(path: Path) -> Holder | None:
    """The holder written in the lock file; None when free or unreadable (being rewritten)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
        return Holder(**data) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError):
        return None


class WarehouseLock:
    """The exclusive run lock of one warehouse file."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse
        self.path = lock_path(warehouse)
        self._file: IO[str] | None = None

    def try_acquire(self, holder: Holder) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held while the run runs
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        file.seek(0)
        file.truncate()
        file.write(json.dumps(holder.__dict__))
        file.flush()
        self._file = file
        return True

    def acquire(self, holder: Holder, stop: Callable[[], bool] = lambda: False) -> Iterator[str]:
        """Wait for the lock; yields a message saying what it waits for (again every minute).
        Raises WaitStopped as soon as ``stop()`` is true (the run was interrupted or cancelled)."""
        said_at: float | None = None
        said_about: Holder | None = None
        while not self.try_acquire(holder):
            if stop():
                raise WaitStopped(f"stopped while waiting for the warehouse {self.warehouse}")
            current = read_holder(self.path)
            now = time.monotonic()
            if (
                said_at is None
                or current != said_about
                or now - said_at >= REPEAT_WAIT_MESSAGE_SECONDS
            ):
                who = current.describe() if current else "another run"
                yield f"Waiting for the warehouse {self.warehouse}: {who} is writing it."
                said_at, said_about = now, current
            time.sleep(POLL_SECONDS)

    def current_holder(self) -> Holder | None:
        """Who holds the lock now; None when nobody does (a killed run leaves its JSON behind,
        so the file alone does not tell)."""
        if not self.path.exists():
            return None
        with open(self.path, encoding="utf-8") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return read_holder(self.path) or Holder("?", "?", "?", 0, "?", "?")
            fcntl.flock(file, fcntl.LOCK_UN)
            return None

    def release(self) -> None:
        if self._file is None:
            return
        with contextlib.suppress(OSError):
            self._file.seek(0)
            self._file.truncate()
            self._file.flush()
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()
        self._file = None


def wait_until_writable(warehouse: Path, stop: Callable[[], bool] = lambda: False) -> Iterator[str]:
    """Wait until no process holds the DuckDB file itself; yields what it waits for.

    A run killed alone (kill -9 of its process, an OOM kill) leaves its dbt child running: the
    run locks are free, but dbt still writes the file until it finishes.
    """
    said_at: float | None = None
    while warehouse.exists():
        try:
            duckdb.connect(str(warehouse)).close()
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if stop():
                raise WaitStopped(f"stopped while waiting for {warehouse}") from exc
            now = time.monotonic()
            if said_at is None or now - said_at >= REPEAT_WAIT_MESSAGE_SECONDS:
                yield (
                    f"Waiting for the warehouse {warehouse}: a process left by an earlier run "
                    f"still has it open ({str(exc).splitlines()[0]})."
                )
                said_at = now
            time.sleep(POLL_SECONDS)


def liveness_path(instance_root: Path, run_id: str) -> Path:
    return instance_root / LIVENESS_DIR / f"{run_id}.lock"


@contextlib.contextmanager
def run_alive(instance_root: Path, run_id: str) -> Iterator[None]:
    """Hold the run's liveness lock while the block runs (the process lives).

    The file is locked under a temporary name and then renamed into place, so a sweeper never
    finds it present and unlocked while the run is alive.
    """
    final = liveness_path(instance_root, run_id)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.{os.getpid()}")
    file = open(temporary, "w", encoding="utf-8")  # noqa: SIM115 - held for the block
    try:
        fcntl.flock(file, fcntl.LOCK_EX)
        file.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))
        file.flush()
        os.replace(temporary, final)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            final.unlink()
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        file.close()


def is_alive(instance_root: Path, run_id: str) -> bool | None:
    """True while the run's process holds its liveness lock, False once it died; None when
    the run never took one (not started by this project's executor, or not yet)."""
    path = liveness_path(instance_root, run_id)
    try:
        file = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return None
    with file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(file, fcntl.LOCK_UN)
        # A run that finished removes its file and then lets go of the lock: if the file was
        # removed (or replaced) between our open and our lock, the run ended normally.
        try:
            same = os.stat(path).st_ino == os.fstat(file.fileno()).st_ino
        except FileNotFoundError:
            same = False
        return False if same else None


def forget_liveness(instance_root: Path, run_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        liveness_path(instance_root, run_id).unlink()


def holder_for(run_id: str, job: str, launched_by: str) -> Holder:
    return Holder(
        run_id=run_id,
        job=job,
        launched_by=launched_by,
        pid=os.getpid(),
        host=socket.gethostname(),
        since=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def sweep_dead_runs(instance: Any, own_run_id: str | None = None) -> list[str]:
    """Mark failed every active run of ``instance`` whose process died, and free its pool
    slots; returns a message per run swept.

    Only runs that took a liveness lock are judged: a run without one may not have reached
    the executor yet. The daemon's run monitoring fails runs stuck STARTING, but the local run
    launcher cannot check a STARTED run's process, so a run that died in the split second
    between starting and taking its liveness lock (or between letting go of it and recording
    its end) stays STARTED: `lc-monitor status` shows it, and it is failed by hand (UI:
    Terminate / mark failed)."""
    from dagster import DagsterRunStatus, RunsFilter

    root = Path(instance.root_directory)
    active = instance.get_runs(
        filters=RunsFilter(
            statuses=[
                DagsterRunStatus.STARTING,
                DagsterRunStatus.STARTED,
                DagsterRunStatus.CANCELING,
            ]
        )
    )
    swept = []
    for run in active:
        if run.run_id == own_run_id or is_alive(root, run.run_id) is not False:
            continue
        current = instance.get_run_by_id(run.run_id)
        if current is None or current.is_finished:  # it ended while we looked
            continue
        message = (
            f"Run {run.run_id} ({run.job_name}) stopped without finishing: its process died "
            "(killed, out of memory or a reboot). Marked failed and its pool slots freed "
            + (f"by run {own_run_id}" if own_run_id else "by the dead-run sweep")
            + f" at {datetime.now(UTC).isoformat(timespec='seconds')}. Nothing it had not "
            "published was published; start a new run to refresh."
        )
        instance.report_run_failed(run, message)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        forget_liveness(root, run.run_id)
        swept.append(message)
    return swept
