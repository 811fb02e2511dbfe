"""What a check reports: its metadata in Dagster, and the mart suites' checks themselves.

Raw suites run in their source's validation step (``orchestration/quality/acceptance.py``);
mart suites run here, one blocking check per suite, reading the mart over a read-only
connection. Both record their results in ``quality.validation_results`` and rewrite the HTML
report.
"""

from __future__ import annotations

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
from orchestration.quality.suites import ERROR, SuiteFile
from orchestration.quality.validation import SuiteOutcome, validate_frame
from orchestration.warehouse import WarehouseResource

SAMPLE_SHOWN = 5
KEYS_LISTED = 100


def failing_keys(suite: SuiteFile, outcome: SuiteOutcome, frame: Any) -> dict[str, Any]:
    """For a mart suite with a ``record_key`` (e.g. dim_organisation's organisation_name): the
    keys of the rows that failed each failed null or value-set rule, so a WARN such as "many
    organisations of type onbekend" lists which ones."""
    metadata: dict[str, Any] = {}
    keys = [column for column in suite.record_key if column in frame.columns]
    for failed in outcome.failed if keys else []:
        column = failed.column
        if column not in frame.columns:
            continue
        if failed.expectation_type == "expect_column_values_to_not_be_in_set":
            rows = frame[frame[column].isin(failed.rule.kwargs.get("value_set", []))]
        elif failed.expectation_type == "expect_column_values_to_not_be_null":
            rows = frame[frame[column].isna()]
        else:
            continue
        listed = sorted(" / ".join(str(row[k]) for k in keys) for _, row in rows.iterrows())
        more = f"\n\n... and {len(listed) - KEYS_LISTED} more" if len(listed) > KEYS_LISTED else ""
        metadata[f"{failed.rule.name}_rows"] = dg.MetadataValue.md(
            "\n".join(f"- {key}" for key in listed[:KEYS_LISTED]) + more
        )
    return metadata


def outcome_metadata(outcome: SuiteOutcome) -> dict[str, Any]:
    failed_rows = "\n".join(
        f"| {o.severity} | `{o.rule.name}` | {o.rule.action} | {o.column or ''} | "
        f"{'' if o.unexpected_count is None else o.unexpected_count} | {o.exception or ''} | "
        f"{', '.join(map(str, o.sample_unexpected[:SAMPLE_SHOWN]))[:300]} |"
        for o in outcome.failed
    )
    # Drift against the last accepted pull, in words: the column and its figures then and now.
    drift = "\n".join(f"- [{o.severity}] {o.note}" for o in outcome.failed if o.note)
    return {
        **({"drift": dg.MetadataValue.md(drift)} if drift else {}),
        "rows_validated": outcome.row_count,
        "evaluated_rules": len(outcome.outcomes),
        "successful_rules": len(outcome.outcomes) - len(outcome.failed),
        "unsuccessful_rules": len(outcome.failed),
        "failed_errors": len(outcome.errors),
        "failed_warnings": len(outcome.warnings),
        "rules_raised": len(outcome.exceptions),
        "failures": dg.MetadataValue.md(
            "| severity | rule | action | column | unexpected | exception | sample |\n"
            "|---|---|---|---|---|---|---|\n" + failed_rows
        )
        if outcome.failed
        else dg.MetadataValue.md("All rules met."),
        "results": dg.MetadataValue.json(
            [
                {
                    "rule": o.rule.name,
                    # Said with the rule where a check failed (orchestration/failures.py).
                    "description": o.rule.description,
                    "action": o.rule.action,
                    "expectation": o.expectation_type,
                    "column": o.column,
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


def rewrite_report(
    warehouse: WarehouseResource, folder: Path, suite: str | None = None
) -> Path | None:
    """Rewrite the HTML report in ``folder`` (setting LCM_QUALITY_REPORT_DIR); the page of
    ``suite`` (or the index). None if it could not be written: a report is a convenience and
    must not fail a check."""
    try:
        with warehouse.connect(read_only=True) as con:
            index = write_report(con, folder)
    except (OSError, duckdb.Error):
        return None
    return folder / suite_page_name(suite) if suite else index


def _record(warehouse: WarehouseResource, write: Callable[[Any], object]) -> str | None:
    """Write results to the warehouse (the check runs in the duckdb pool, so no other step
    writes); returns why it could not, e.g. another process holding the file."""
    try:
        with warehouse.connect() as con:
            write(con)
    except (OSError, duckdb.Error) as exc:
        return f"its results could not be recorded: {type(exc).__name__}: {exc}"
    return None


def check_result(
    suite: SuiteFile,
    outcome: SuiteOutcome | None,
    *,
    error: str | None = None,
    extra: dict[str, Any] | None = None,
    **target: Any,
) -> dg.AssetCheckResult:
    """A suite's outcome as a Dagster check result: ERROR when a block rule failed or the
    suite could not run (``outcome`` None, ``error`` says why), WARN for anything else that
    failed. ``target`` names the check and asset when one step yields several checks."""
    metadata = {"suite_file": str(suite.path), **(extra or {})}
    if outcome is None:
        return dg.AssetCheckResult(
            **target,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"{suite.name} could not run: {error}",
            metadata={"error": error or "", **metadata},
        )
    return dg.AssetCheckResult(
        **target,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR
        if outcome.severity == ERROR
        else dg.AssetCheckSeverity.WARN,
        description=outcome.summary(),
        metadata={**outcome_metadata(outcome), **metadata},
    )


def run_mart_suite(
    suite: SuiteFile, warehouse: WarehouseResource, run_id: str = "manual", *, report_dir: Path
) -> dg.AssetCheckResult:
    """Validate a mart and record the result; anything that goes wrong, in GX, before it or
    while recording, fails the check with ERROR."""
    check = CheckRun.new(run_id, suite.name, "/".join(suite.asset_key or ()), suite.table)
    try:
        with warehouse.connect(read_only=True) as con:
            frame = con.sql(f"SELECT * FROM {suite.table}").df()
            previous_rows = previous_row_count(con, suite.name)
        outcome = validate_frame(suite, frame, suite.volume_rules(previous_rows))
    except Exception as exc:  # a check that could not run must never look like a pass
        error = f"{type(exc).__name__}: {exc}"
        not_recorded = _record(warehouse, lambda con: record_failure(con, check, error))
        rewrite_report(warehouse, report_dir)
        why = error + (f"; {not_recorded}" if not_recorded else "")
        return check_result(suite, None, error=why)
    not_recorded = _record(warehouse, lambda con: record_outcome(con, check, outcome))
    if not_recorded:
        why = f"validated ({outcome.summary()}) but {not_recorded}"
        return check_result(suite, None, error=why)
    report = rewrite_report(warehouse, report_dir, suite.name)
    return check_result(
        suite,
        outcome,
        extra={
            "previous_rows": previous_rows if previous_rows is not None else "",
            **({"report": dg.MetadataValue.path(str(report))} if report else {}),
            **failing_keys(suite, outcome, frame),
        },
    )
