"""The sources of a run fetched together.

Steps run one after another in the run's process (orchestration/run_executor.py). A source's
pull is network I/O and files under its own raw folder: when a run is to execute the raw steps
of two or more sources, the executor starts every one of their pulls at once, each in its own
thread, and each raw step then lands what its source's pull returned and writes its record
files (``take``). A live refresh so waits for its
slowest source rather than for the sum of them (NWOpen's ~150 pages and the TSE crawl, each at
one request a second to its own host).

A prefetched pull is used once, by the step's first attempt, and only for the location the step
reads: a retried step (the source's retry policy) pulls again itself, as does a step run without
this executor (``execute_in_process``). What a pull logged is kept and logged by its step, so
the run's log reads as before. The threads are daemons: a run that is stopped does not wait for
a pull to finish (a pull's half-written pages are a hidden folder, removed after a day).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from orchestration.settings import Settings

if TYPE_CHECKING:
    from orchestration.ingest import Pull, RawSource


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Prefetched:
    """One source's pull, running or done."""

    location: str
    done: threading.Event = field(default_factory=threading.Event)
    pull: Pull | None = None
    error: BaseException | None = None
    kept: _Kept = field(default_factory=_Kept)

    def result(self, log: logging.Logger) -> Pull:
        """Wait for the pull, log what it logged to ``log``, then return it or raise its error."""
        self.done.wait()
        for record in self.kept.records:
            log.log(record.levelno, record.getMessage())
        if self.error is not None:
            raise self.error
        assert self.pull is not None
        return self.pull


_lock = threading.Lock()
_runs: dict[str, dict[str, Prefetched]] = {}


def _run_pull(source: RawSource, fetch: Prefetched, settings: Settings) -> None:
    log = logging.Logger(f"lc_monitor.prefetch.{source.name}")  # not in the logging tree
    log.addHandler(fetch.kept)
    try:
        fetch.pull = source.pull(fetch.location, settings, log)
        fetch.pull.fetched_at = datetime.now(UTC)  # the snapshot's time, not the landing's
    except BaseException as exc:  # raised by the step that takes it, as if it had pulled
        fetch.error = exc
    finally:
        fetch.done.set()


def start(
    run_id: str, step_keys: Iterable[str], sources: Iterable[RawSource], settings: Settings
) -> list[str]:
    """Start the pull of every source whose raw step (``<name>_raw``) is among ``step_keys``,
    when there are two or more; return their names. A source whose location cannot be resolved
    (a register not configured) is left to its step, which fails with that message."""
    keys = set(step_keys)
    chosen: list[tuple[RawSource, str]] = []
    for source in sources:
        if f"{source.name}_raw" not in keys:
            continue
        try:
            chosen.append((source, source.location(settings)))
        except Exception:  # the step reports it, in its own words
            continue
    if len(chosen) < 2:
        return []
    fetches = {source.name: Prefetched(location) for source, location in chosen}
    with _lock:
        _runs[run_id] = fetches
    for source, _ in chosen:
        threading.Thread(
            target=_run_pull,
            args=(source, fetches[source.name], settings),
            name=f"pull-{source.name}",
            daemon=True,
        ).start()
    return list(fetches)


def take(run_id: str, source: str, location: str) -> Prefetched | None:
    """The source's prefetched pull for this run, once, if it read ``location``."""
    with _lock:
        fetch = _runs.get(run_id, {}).pop(source, None)
    return fetch if fetch is not None and fetch.location == location else None


def forget(run_id: str) -> None:
    """Drop what the run did not take (its steps were skipped or the run stopped)."""
    with _lock:
        _runs.pop(run_id, None)
