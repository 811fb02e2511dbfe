"""Disk use over repeated runs: `make bench-disk` (RUNS=10 by default).

Runs the full refresh (`lc-monitor run`, what `make run` does) RUNS times on the bundled
sample, in a temporary data folder and Dagster home, and prints after each run the bytes of
the raw snapshots, the warehouse file, dbt_project/target (the checkout's own: dbt writes
there, whatever the data folder) and the Dagster home. With nothing changing between runs,
raw grows by the runs' manifests alone, the dbt target keeps its newest folders and the
warehouse's blocks in use stay flat; the Dagster home keeps every run's event log.
README "Disk use and retention" shows the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.disk import INVOCATION_FOLDER
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

TARGET = DBT_PROJECT_DIR / "target"
# Settings that would point the runs away from the bundled sample or the temporary folders.
CLEARED = (
    "LCM_WAREHOUSE", "LCM_SERVING_PATH", "LCM_EXPORTS_DIR", "LCM_SOURCE_MODE", "LCM_NWOPEN_URL",
    "LCM_TSE_URL", "LCM_MOOI_REGISTER", "LCM_GVNL_REGISTER",
)  # fmt: skip


def tree_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (0 when it does not exist); files removed while
    walking (another process pruning) are skipped."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except FileNotFoundError:
                continue
    return total


def used_bytes(database: Path) -> int:
    """Bytes of the DuckDB file's blocks in use: the file itself grows while dbt replaces
    tables (old and new blocks until a checkpoint) and keeps the freed blocks for reuse."""
    if not database.exists():
        return 0
    with duckdb.connect(str(database), read_only=True) as con:
        row = con.execute("SELECT used_blocks, block_size FROM pragma_database_size()").fetchone()
    return int(row[0]) * int(row[1]) if row else 0


def invocation_folders(target: Path = TARGET) -> list[Path]:
    if not target.is_dir():
        return []
    return [p for p in target.iterdir() if p.is_dir() and INVOCATION_FOLDER.match(p.name)]


@dataclass(frozen=True)
class DiskUse:
    raw: int
    raw_files: int  # files under data/raw (manifests included)
    records: int  # data/records: the parsed records as Parquet, never pruned
    warehouse: int  # the DuckDB file and its write-ahead log
    warehouse_used: int  # its blocks in use (the file keeps freed blocks for reuse)
    target: int
    target_invocations: int
    dagster_home: int

    @classmethod
    def measure(cls, data_dir: Path, dagster_home: Path) -> DiskUse:
        raw = data_dir / "raw"
        warehouse = data_dir / "warehouse" / "lc_monitor.duckdb"
        return cls(
            raw=tree_bytes(raw),
            raw_files=sum(len(files) for _, _, files in os.walk(raw)),
            records=tree_bytes(data_dir / "records"),
            warehouse=sum(
                p.stat().st_size
                for p in (warehouse, warehouse.with_suffix(".duckdb.wal"))
                if p.exists()
            ),
            warehouse_used=used_bytes(warehouse),
            target=tree_bytes(TARGET),
            target_invocations=len(invocation_folders()),
            dagster_home=tree_bytes(dagster_home),
        )


HEADER = (
    f"{'run':>3} {'seconds':>7} {'raw bytes':>10} {'raw files':>9} {'records':>9} "
    f"{'warehouse':>11} "
    f"{'(in use)':>11} {'dbt target':>11} {'(folders)':>9} {'dagster home':>12}"
)


def row(run: int, seconds: float, use: DiskUse) -> str:
    return (
        f"{run:>3} {seconds:>7.1f} {use.raw:>10,} {use.raw_files:>9} {use.records:>9,} "
        f"{use.warehouse:>11,} "
        f"{use.warehouse_used:>11,} {use.target:>11,} {use.target_invocations:>9} "
        f"{use.dagster_home:>12,}"
    )


def environment(data_dir: Path, dagster_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        LCM_DATA_DIR=str(data_dir),
        DAGSTER_HOME=str(dagster_home),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        GX_ANALYTICS_ENABLED="false",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lcm-disk-") as tmp:
        data_dir, dagster_home = Path(tmp) / "data", Path(tmp) / "dagster_home"
        dagster_home.mkdir()
        (dagster_home / "dagster.yaml").symlink_to(REPO_ROOT / "dagster.yaml")
        env = environment(data_dir, dagster_home)
        command = [str(Path(sys.executable).parent / "lc-monitor"), "run"]
        print(f"{args.runs} runs of `lc-monitor run` on the bundled sample in {tmp}")
        print(f"before: dbt target {tree_bytes(TARGET):,} bytes, "
              f"{len(invocation_folders())} invocation folders")  # fmt: skip
        print(HEADER)
        for run in range(1, args.runs + 1):
            started = time.monotonic()
            done = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
            seconds = time.monotonic() - started
            if done.returncode != 0:
                print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
                print(f"run {run} failed (exit {done.returncode})", file=sys.stderr)
                return 1
            print(row(run, seconds, DiskUse.measure(data_dir, dagster_home)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
