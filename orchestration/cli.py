"""`lc-monitor` command line: run a job, show the monitor's status, print what the warehouse
holds, check the configuration, check a register before it is sent (README, Command line).

``lc-monitor run`` checks the configuration, then executes a job (default ``refresh_all``) in
this process against the project's Dagster instance ($DAGSTER_HOME, else the checkout's
``.dagster_home``) through the job's own executor, which waits for the warehouse's run lock like
every other run; the run shows in the UI's history. ``lc-monitor status`` reads only that
instance.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TextIO

import duckdb

from orchestration.failures import failure_lines
from orchestration.publish import current_version
from orchestration.quality.run_summary import CheckVerdict, check_lines, quarantine_lines
from orchestration.quality.suites import load_suites, suites_by_source
from orchestration.settings import (
    EXPECTATIONS_DIR,
    REPO_ROOT,
    ConfigError,
    check_environment,
    credentials_summary,
    load_settings,
)
from sources.redact import redact_text


def mart_row_counts(database: str) -> list[tuple[str, int]]:
    with duckdb.connect(database, read_only=True) as con:
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            " UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts'"
            " ORDER BY 1"
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
    print(f"Raw records: {settings.records_dir}")
    for name, count in mart_row_counts(str(path)):
        print(f"  marts.{name:<30} {count:>8} rows")
    serving = settings.serving_path
    published = "not published yet" if not serving.exists() else f"{serving.stat().st_size} bytes"
    print(f"Serving file for BI tools (read-only): {serving} ({published})")
    print(f"Parquet exports: {settings.exports_dir}")
    if (version := current_version(serving.parent)) is not None:
        print(f"Published set (serving file and exports, switched together): {version}")
    print(f"Monitoring report (opens offline): {settings.report_dir / 'index.html'}")
    print(f"Data-quality report: {settings.quality_report_dir / 'index.html'}")
    return 0


def status() -> int:
    """Print the monitor's state from the Dagster instance; 1 when something needs attention."""
    project_instance_home()
    import dagster as dg

    from orchestration.status import status_lines

    settings = load_settings()
    with dg.DagsterInstance.get() as instance:
        lines, healthy = status_lines(instance, settings.warehouse_path, settings.serving_path)
    # Failed checks and runs quote their messages: no URL with a token leaves this way.
    print(redact_text("\n".join(lines)))
    return 0 if healthy else 1


def check_config(file: TextIO = sys.stdout) -> int:
    """Print every problem with the ``LCM_*`` configuration; 1 when a value is unusable."""
    check = check_environment()
    for warning in check.warnings:
        print(f"warning: {warning}", file=file)
    for error in check.errors:
        print(f"error: {error}", file=file)
    if check.errors:
        return 1
    settings = load_settings()
    print(
        f"configuration OK: source mode {settings.source_mode}, warehouse "
        f"{settings.warehouse_path}, serving file {settings.serving_path}",
        file=file,
    )
    for line in credentials_summary(settings):  # how each source authenticates, no values
        print(f"credentials: {line}", file=file)
    return 0


def project_instance_home() -> str:
    """$DAGSTER_HOME, or the checkout's .dagster_home with the project's dagster.yaml (what
    the Makefile sets up), so a run without the Makefile uses the same instance and queue."""
    home = os.environ.get("DAGSTER_HOME")
    if home:
        return home
    folder = REPO_ROOT / ".dagster_home"
    folder.mkdir(exist_ok=True)
    config = folder / "dagster.yaml"
    if not config.exists() and not config.is_symlink():
        config.symlink_to(REPO_ROOT / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(folder)
    return str(folder)


def run(job_name: str | None = None) -> int:
    """Execute a job (default: the full refresh) in this process, through the job's own
    executor: it waits for the warehouse's run lock like every queued run, so the CLI never
    writes alongside a run of the UI or the schedule, and sweeps runs whose process died."""
    # A bad setting fails here, at once, before any run exists (never retried, never queued).
    check = check_environment()
    for warning in check.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if check.errors:
        for error in check.errors:
            print(f"error: {error}", file=sys.stderr)
        print("Nothing was run: fix the configuration (lc-monitor check-config).", file=sys.stderr)
        return 2
    project_instance_home()
    import dagster as dg
    from dagster._core.definitions.reconstruct import ReconstructableRepository

    from orchestration.definitions import defs
    from orchestration.defs.jobs import REFRESH_ALL
    from orchestration.run_executor import LAUNCHED_BY_TAG
    from orchestration.run_origin import execute_job_in_location

    job_name = job_name or REFRESH_ALL
    jobs = sorted(j.name for j in defs().resolve_all_job_defs() if not j.name.startswith("__"))
    if job_name not in jobs:
        print(f"error: no job {job_name!r}; the jobs are: {', '.join(jobs)}", file=sys.stderr)
        return 2
    # A reconstructable job (not execute_in_process) so the run uses the job's executor: the
    # same run lock and dead-run sweep as runs launched from the UI.
    job = ReconstructableRepository.for_module(
        "orchestration.definitions", "defs", working_directory=str(REPO_ROOT)
    ).get_reconstructable_job(job_name)
    started = time.monotonic()
    with dg.DagsterInstance.get() as instance:
        # Filed under the code location's job, as a UI run is: in its history and timeline.
        result = execute_job_in_location(
            job,
            instance,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            tags={LAUNCHED_BY_TAG: f"lc-monitor run (pid {os.getpid()})"},
        )
    elapsed = time.monotonic() - started
    verdicts = [
        CheckVerdict(
            e.asset_key.to_user_string(), e.check_name, e.severity.value, e.description or ""
        )
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        print(
            f"Run {result.run_id} ({job_name}) FAILED after {elapsed:.1f} s; "
            f"failed steps: {failed}",
            file=sys.stderr,
        )
        # Each step's cause: the source's own error, or the blocking check's failed rules.
        for line in failure_lines(result.all_events):
            print(redact_text(line), file=sys.stderr)
        for event in result.all_events:
            if event.is_run_failure and not failed:  # failed outside any step
                print(f"  {redact_text(event.message or '')}", file=sys.stderr)
        print("Nothing was published; the last published data stays.", file=sys.stderr)
        _print_quality(result.run_id, verdicts, file=sys.stderr)
        return 1
    print(f"Run {result.run_id} ({job_name}) succeeded in {elapsed:.1f} s.")
    code = summary()
    _print_quality(result.run_id, verdicts)
    return code


def _print_quality(run_id: str, verdicts: list[CheckVerdict], file: TextIO = sys.stdout) -> None:
    """The checks that failed or warned, with their rules and samples, and the quarantine."""
    warehouse = load_settings().warehouse_path
    if not warehouse.exists():
        return
    try:
        lines = check_lines(warehouse, run_id, verdicts, _dbt_test_relations())
        lines += quarantine_lines(
            warehouse, sorted(suites_by_source(load_suites(EXPECTATIONS_DIR)))
        )
    except duckdb.Error as exc:  # e.g. a process holding the warehouse: the run stands
        lines = [f"(no quality summary: cannot read the warehouse: {exc})"]
    for line in lines:
        print(redact_text(line), file=file)


def _dbt_test_relations() -> dict[str, tuple[str, str]]:
    """dbt test name -> (schema, relation) of the view holding its failing rows."""
    from orchestration.dbt_project import dbt_manifest

    manifest = dbt_manifest()
    return {
        node["name"]: (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lc-monitor", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser(
        "run", help="run a job (default refresh_all: every asset), then print the summary"
    )
    run_parser.add_argument("--job", help="the job to run (default: refresh_all)")
    sub.add_parser("summary", help="print the warehouse path and mart row counts")
    sub.add_parser(
        "status",
        help="last runs and their result, publish time, freshness per source, failed checks;"
        " exit 1 when something needs attention",
    )
    sub.add_parser("check-config", help="check every LCM_* setting without running anything")
    validate = sub.add_parser(
        "validate-register",
        help="check a register as a run would (rows set aside, refusal); writes nothing",
    )
    validate.add_argument("file", help="the register: an .xlsx file or a folder of csv files")
    validate.add_argument(
        "--programme", choices=("mooi", "gvnl"), help="whose rules (default: from the file)"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "validate-register":
            from orchestration.register_check import validate_register  # loads the rules

            return validate_register(args.file, args.programme, load_settings())
        if args.command == "check-config":
            return check_config()
        if args.command == "status":
            return status()
        return run(args.job) if args.command == "run" else summary()
    except ConfigError as exc:
        print(f"error: {redact_text(str(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
