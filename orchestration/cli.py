"""`lc-monitor` command line: run the full refresh, print what the warehouse holds.

``lc-monitor run`` executes the ``refresh_all`` job in this process against the Dagster
instance in $DAGSTER_HOME (so the run shows in the UI's history), then prints the summary.
"""

from __future__ import annotations

import argparse
import sys
import time

import duckdb

from orchestration.settings import load_settings


def mart_row_counts(database: str) -> list[tuple[str, int]]:
    with duckdb.connect(database, read_only=True) as con:
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
        ).fetchall()
        return [
            (name, con.execute(f'SELECT count(*) FROM marts."{name}"').fetchone()[0])
            for (name,) in tables
        ]


def summary() -> int:
    settings = load_settings()
    path = settings.warehouse_path
    if not path.exists():
        print(f"No warehouse at {path} yet: run `make run` first.", file=sys.stderr)
        return 1
    print(f"Warehouse: {path}")
    print(f"Raw snapshots: {settings.raw_dir}")
    for name, count in mart_row_counts(str(path)):
        print(f"  marts.{name:<30} {count:>8} rows")
    serving = settings.serving_path
    published = "not published yet" if not serving.exists() else f"{serving.stat().st_size} bytes"
    print(f"Serving file for BI tools (read-only): {serving} ({published})")
    print(f"Parquet exports: {settings.exports_dir}")
    print(f"Data-quality report: {settings.quality_report_dir / 'index.html'}")
    return 0


def run() -> int:
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.defs.jobs import REFRESH_ALL

    started = time.monotonic()
    job = defs().resolve_job_def(REFRESH_ALL)
    instance = dg.DagsterInstance.get()
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    elapsed = time.monotonic() - started
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        print(
            f"Run {result.run_id} FAILED after {elapsed:.1f} s; failed steps: {failed}",
            file=sys.stderr,
        )
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data.error:
                error = event.step_failure_data.error
                while error.cause is not None:  # the user-code error is at the bottom
                    error = error.cause
                print(f"  {event.step_key}: {error.message.strip()}", file=sys.stderr)
        return 1
    failed_checks = [
        e.event_specific_data.check_name
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    ]
    print(f"Run {result.run_id} succeeded in {elapsed:.1f} s.")
    if failed_checks:
        print(f"Checks that did not pass (warnings): {', '.join(sorted(failed_checks))}")
    return summary()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lc-monitor", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="materialize every asset, then print the summary")
    sub.add_parser("summary", help="print the warehouse path and mart row counts")
    args = parser.parse_args(argv)
    return run() if args.command == "run" else summary()


if __name__ == "__main__":
    sys.exit(main())
