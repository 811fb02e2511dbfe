"""The pipeline's speed and memory against its floor: `make bench` (issue 18's figures).

In one go, in a temporary data folder and Dagster home:

1. **Warm full refresh vs its floor** on the bundled sample. After one cold run, REPEATS pairs
   of: `lc-monitor run` (what `make run` does), then the floor, `python -c "import dagster"`
   plus a bare `dbt build` of the same project (models, seeds, snapshots, tests) in the same
   warehouse. Prints the medians (wall seconds, CPU seconds of the process tree) and the ratio.
2. **Per-step times** of the last refresh, from the run's own Dagster events.
3. **Peak memory**: the largest resident set of any process of the run (ru_maxrss of the
   waited-for process tree), for the sample and for each NWOpen set.
4. **NWOpen at 15,000 and 150,000 projects** (tests/bench/nwopen_scale.py) served on 127.0.0.1
   like the API: two refreshes each, the first a changed pull, the second an unchanged one, with
   the bytes each pull added under data/raw.
5. **A run launched as from the UI** (``--ui``): `dagster dev` on 127.0.0.1 (webserver, daemon
   and code server, as `make dev` starts them), the full refresh submitted over its GraphQL API
   (what the UI's Launch button sends), timed from submission until the run finished, beside
   a warm `lc-monitor run` in the same folders.

Each figure is measured, not estimated; `--sizes` and `--repeats` make a shorter run.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT
from tests.bench.disk_use import CLEARED, tree_bytes
from tests.bench.nwopen_scale import scaled_pages, serve

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Measured:
    wall_s: float
    cpu_s: float
    peak_mb: float
    returncode: int
    output: str


def measure(args: list[str], env: dict[str, str], cwd: Path = REPO_ROOT) -> Measured:
    """Run ``args`` and return its wall time, the CPU time and peak RSS of its process tree."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return Measured(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,
        returncode=proc.returncode,
        output=output,
    )


def chain(*steps: Measured) -> Measured:
    return Measured(
        wall_s=sum(s.wall_s for s in steps),
        cpu_s=sum(s.cpu_s for s in steps),
        peak_mb=max(s.peak_mb for s in steps),
        returncode=max(s.returncode for s in steps),
        output="".join(s.output for s in steps),
    )


class Bench:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.home = root / "dagster_home"
        self.home.mkdir(parents=True)
        (self.home / "dagster.yaml").symlink_to(REPO_ROOT / "dagster.yaml")
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        env.update(
            LCM_DATA_DIR=str(self.data),
            DAGSTER_HOME=str(self.home),
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            GX_ANALYTICS_ENABLED="false",
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        )
        self.env = env

    def refresh(self, **extra: str) -> Measured:
        result = measure([str(BIN / "lc-monitor"), "run"], {**self.env, **extra})
        if result.returncode != 0:
            sys.stderr.write(result.output[-6000:])
            raise SystemExit(f"lc-monitor run failed (exit {result.returncode})")
        return result

    def floor(self) -> Measured:
        imported = measure([sys.executable, "-c", "import dagster"], self.env)
        env = {**self.env, "LCM_WAREHOUSE": str(self.data / "warehouse" / "lc_monitor.duckdb")}
        target = self.root / "floor-target"
        built = measure(
            [str(BIN / "dbt"), "build", "--quiet", "--profiles-dir", ".",
             "--exclude-resource-type", "unit_test",  # as the refresh's build
             "--target-path", str(target), "--log-path", str(self.root / "floor-logs")],
            env, cwd=DBT_PROJECT_DIR,
        )  # fmt: skip
        if built.returncode != 0:
            sys.stderr.write(built.output[-6000:])
            raise SystemExit("the floor's dbt build failed")
        return chain(imported, built)

    def step_times(self) -> list[tuple[str, float]]:
        """(step, seconds) of the latest run, in the order the steps started."""
        os.environ["DAGSTER_HOME"] = str(self.home)
        import dagster as dg
        from dagster._core.events import DagsterEventType

        with dg.DagsterInstance.get() as instance:
            run = instance.get_runs(limit=1)[0]
            records = instance.get_records_for_run(
                run.run_id,
                of_type={
                    DagsterEventType.STEP_START,
                    DagsterEventType.STEP_SUCCESS,
                    DagsterEventType.STEP_FAILURE,
                },
            ).records
        started: dict[str, float] = {}
        times: list[tuple[str, float]] = []
        for record in records:
            entry = record.event_log_entry
            key = entry.step_key or ""
            if entry.dagster_event.event_type == DagsterEventType.STEP_START:
                started[key] = entry.timestamp
            elif key in started:
                times.append((key, entry.timestamp - started[key]))
        return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def sample_section(bench: Bench, repeats: int) -> None:
    print("== Bundled sample: warm full refresh against its floor ==", flush=True)
    cold = bench.refresh()
    print(f"cold first run: {cold.wall_s:.1f} s wall, peak {cold.peak_mb:.0f} MB", flush=True)
    runs: list[Measured] = []
    floors: list[Measured] = []
    for index in range(repeats):
        runs.append(bench.refresh())
        steps = bench.step_times()
        floors.append(bench.floor())
        print(
            f"pair {index + 1}: refresh {runs[-1].wall_s:.1f} s ({runs[-1].cpu_s:.1f} s CPU), "
            f"floor {floors[-1].wall_s:.1f} s ({floors[-1].cpu_s:.1f} s CPU)",
            flush=True,
        )
    run_wall, floor_wall = median([r.wall_s for r in runs]), median([f.wall_s for f in floors])
    run_cpu, floor_cpu = median([r.cpu_s for r in runs]), median([f.cpu_s for f in floors])
    print()
    print(f"| measure (median of {repeats}) | full refresh | floor | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| wall time | {run_wall:.1f} s | {floor_wall:.1f} s | {run_wall / floor_wall:.2f}x |")
    print(f"| CPU time | {run_cpu:.1f} s | {floor_cpu:.1f} s | {run_cpu / floor_cpu:.2f}x |")
    peak = max(r.peak_mb for r in runs)
    print(f"| peak memory (largest process) | {peak:.0f} MB | "
          f"{max(f.peak_mb for f in floors):.0f} MB | |")  # fmt: skip
    print()
    print("Per-step times of the last refresh (from its Dagster events):")
    print("| step | seconds |")
    print("|---|---:|")
    for key, seconds in steps:
        print(f"| {key} | {seconds:.1f} |")
    print(f"| (sum of steps) | {sum(s for _, s in steps):.1f} |")
    print(flush=True)


def scale_section(root: Path, sizes: list[int]) -> None:
    print("== NWOpen at scale, served on 127.0.0.1 ==", flush=True)
    rows: list[str] = []
    for size in sizes:
        pages = scaled_pages(size)
        mb = sum(map(len, pages)) / 1e6
        bench = Bench(root / f"nwopen-{size}")
        with serve(pages) as url:
            extra = {
                "LCM_NWOPEN_URL": url,
                "LCM_HTTP_MIN_INTERVAL": "0",
                "LCM_NWOPEN_MAX_PAGES": str(len(pages) + 10),
            }
            raw, records = bench.data / "raw", bench.data / "records"
            for pull in ("first (changed)", "second (unchanged)"):
                before = tree_bytes(raw), tree_bytes(records)
                result = bench.refresh(**extra)
                added = tree_bytes(raw) - before[0]
                records_added = tree_bytes(records) - before[1]
                steps = dict(bench.step_times())
                nwopen = steps.get("nwopen_raw", 0.0)
                rows.append(
                    f"| {size:,} ({len(pages)} pages, {mb:.0f} MB) | {pull} | "
                    f"{result.wall_s:.1f} s | {nwopen:.1f} s | {result.peak_mb:.0f} MB | "
                    f"{added / 1e6:.1f} MB | {records_added / 1e6:.2f} MB |"
                )
                print(rows[-1], flush=True)
    print()
    print(
        "| NWOpen set | pull | full refresh | nwopen_raw step | peak memory | raw added |"
        " records added |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


def ui_section(root: Path) -> None:
    """A warm CLI refresh, then the same job launched through `dagster dev`'s GraphQL API."""
    print("== A run launched as from the UI, beside the CLI ==", flush=True)
    bench = Bench(root / "ui")
    bench.refresh()  # cold: both runs below are warm
    cli = bench.refresh()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dev = subprocess.Popen(
        [str(BIN / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port), "--log-level", "warning"],
        env=bench.env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # its webserver, daemon and code servers stop with it
    )  # fmt: skip
    try:
        _wait_for(f"http://127.0.0.1:{port}/server_info", seconds=180)
        submitted, finished, status, started_after = _launch(port, bench)
    finally:
        os.killpg(dev.pid, signal.SIGTERM)
        try:
            dev.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
    ui = finished - submitted
    print()
    print("| launched by | seconds | ratio |")
    print("|---|---:|---:|")
    print(f"| `lc-monitor run` (warm, whole process) | {cli.wall_s:.1f} | 1.00x |")
    print(f"| UI / GraphQL, submit to finished ({status}) | {ui:.1f} | {ui / cli.wall_s:.2f}x |")
    print(f"(of which queued until the run started: {started_after:.1f} s)", flush=True)


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError as exc:
            if time.monotonic() > deadline:
                raise SystemExit(f"dagster dev did not answer at {url} in {seconds:.0f} s") from exc
            time.sleep(1)


def _launch(port: int, bench: Bench) -> tuple[float, float, str, float]:
    """Submit refresh_all as the UI does; (submitted, finished, status, seconds queued)."""
    from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

    client = DagsterGraphQLClient("127.0.0.1", port_number=port)
    deadline = time.monotonic() + 180
    while True:  # the code location may still be loading
        try:
            submitted = time.time()
            run_id = client.submit_job_execution(
                "refresh_all", repository_location_name="lc_monitor",
                repository_name="__repository__",
            )  # fmt: skip
            break
        except DagsterGraphQLClientError:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)
    while (status := client.get_run_status(run_id).value) not in {"SUCCESS", "FAILURE", "CANCELED"}:
        time.sleep(0.5)
    finished = time.time()
    os.environ["DAGSTER_HOME"] = str(bench.home)
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        record = instance.get_run_record_by_id(run_id)
    queued = (record.start_time or submitted) - submitted if record else 0.0
    return submitted, finished, status, queued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--sizes", default="15000,150000", help="NWOpen set sizes, comma-separated; '' skips"
    )
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument(
        "--ui", action=argparse.BooleanOptionalAction, default=True,
        help="time a run launched through dagster dev's GraphQL API (default on)",
    )  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lcm-bench-") as folder:
        root = Path(folder)
        if not args.skip_sample:
            sample_section(Bench(root / "sample"), args.repeats)
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        if sizes:
            scale_section(root, sizes)
        if args.ui:
            ui_section(root)


if __name__ == "__main__":
    main()
