"""Great Expectations suites as blocking Dagster asset checks, one per file in expectations/."""

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from orchestration.quality.report import suite_page_name, write_report
from orchestration.quality.results import (
    CheckRun,
    previous_row_count,
    record_failure,
    record_outcome,
)
from orchestration.quality.suites import SuiteFile, load_suites
from orchestration.quality.validation import ERROR, SuiteOutcome, validate_frame
from orchestration.settings import EXPECTATIONS_DIR, load_settings
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource


def outcome_metadata(outcome: SuiteOutcome) -> dict[str, Any]:
    failed_rows = "\n".join(
        f"| {o.severity} | `{o.label}` | {'' if o.unexpected_count is None else o.unexpected_count}"
        f" | {o.exception or ''} | {', '.join(map(str, o.sample_unexpected))[:200]} |"
        for o in outcome.failed
    )
    return {
        "rows_validated": outcome.row_count,
        "evaluated_expectations": len(outcome.outcomes),
        "successful_expectations": len(outcome.outcomes) - len(outcome.failed),
        "unsuccessful_expectations": len(outcome.failed),
        "failed_errors": len(outcome.errors),
        "failed_warnings": len(outcome.warnings),
        "expectations_raised": len(outcome.exceptions),
        "success_percent": round(
            100.0 * (len(outcome.outcomes) - len(outcome.failed)) / max(len(outcome.outcomes), 1),
            1,
        ),
        "failures": dg.MetadataValue.md(
            "| severity | expectation | unexpected | exception | sample |\n|---|---|---|---|---|\n"
            + failed_rows
        )
        if outcome.failed
        else dg.MetadataValue.md("All expectations met."),
        "results": dg.MetadataValue.json(
            [
                {
                    "expectation": o.label,
                    "severity": o.severity,
                    "success": o.success,
                    "unexpected_count": o.unexpected_count,
                    "observed_value": o.observed_value,
                    "sample_unexpected": o.sample_unexpected,
                    "exception": o.exception,
                }
                for o in outcome.outcomes
            ]
        ),
    }


def run_suite(
    suite: SuiteFile, warehouse: WarehouseResource, run_id: str = "manual"
) -> dg.AssetCheckResult:
    """Validate and record the result in quality.validation_results; anything that goes
    wrong, in GX, before it or while recording, fails the check with ERROR."""
    check = CheckRun(run_id, suite.name, "/".join(suite.asset_key), suite.table, None)
    try:
        with warehouse.connect(read_only=True) as con:
            snapshot_query = suite.snapshot_query()
            if snapshot_query:
                check = dataclasses.replace(
                    check, snapshot_id=con.execute(snapshot_query).fetchall()[0][0]
                )
            frame = con.sql(suite.query()).df()
            previous_rows = previous_row_count(con, suite.name)
        outcome = validate_frame(suite, frame, previous_rows=previous_rows)
    except Exception as exc:  # a check that could not run must never look like a pass
        error = f"{type(exc).__name__}: {exc}"
        not_recorded = _record(warehouse, lambda con: record_failure(con, check, error))
        _report_path(warehouse, suite)
        return _could_not_run(suite, error + (f"; {not_recorded}" if not_recorded else ""))
    not_recorded = _record(warehouse, lambda con: record_outcome(con, check, outcome))
    if not_recorded:
        # Unrecorded, the snapshot would not count as accepted: say so rather than pass.
        return _could_not_run(suite, f"validated ({outcome.summary()}) but {not_recorded}")
    report = _report_path(warehouse, suite)
    return dg.AssetCheckResult(
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR
        if outcome.severity == ERROR
        else dg.AssetCheckSeverity.WARN,
        description=outcome.summary(),
        metadata={
            **outcome_metadata(outcome),
            "suite_file": str(suite.path),
            "snapshot_id": check.snapshot_id or "",
            "previous_rows": previous_rows if previous_rows is not None else "",
            **({"report": dg.MetadataValue.path(str(report))} if report else {}),
        },
    )


def _could_not_run(suite: SuiteFile, error: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{suite.name} could not run: {error}",
        metadata={"error": error, "suite_file": str(suite.path)},
    )


def _report_path(warehouse: WarehouseResource, suite: SuiteFile) -> Path | None:
    """Rewrite the HTML report; its page for ``suite`` (None if it could not be written: a
    report is a convenience and must not fail a check)."""
    folder = load_settings().quality_report_dir
    try:
        with warehouse.connect(read_only=True) as con:
            write_report(con, folder)
    except (OSError, duckdb.Error):
        return None
    return folder / suite_page_name(suite.name)


def _record(warehouse: WarehouseResource, write: Callable[[Any], object]) -> str | None:
    """Write results to the warehouse (the check runs in the duckdb pool, so no other step
    writes); returns why it could not, e.g. another process holding the file."""
    try:
        with warehouse.connect() as con:
            write(con)
    except (OSError, duckdb.Error) as exc:
        return f"its results could not be recorded: {type(exc).__name__}: {exc}"
    return None


def build_gx_check(suite: SuiteFile) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset_key)),
        name=f"gx_{suite.name}",
        description=suite.description
        or f"Great Expectations suite {suite.path.name} ({suite.expectation_count} expectations)",
        blocking=True,
        pool=DUCKDB_POOL,
        metadata={"suite_file": str(suite.path.name), "expectations": suite.expectation_count},
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        return run_suite(suite, warehouse, run_id=context.run.run_id)

    return _check


@dg.definitions
def gx_checks() -> dg.Definitions:
    return dg.Definitions(
        asset_checks=[build_gx_check(suite) for suite in load_suites(EXPECTATIONS_DIR)]
    )
