"""Great Expectations suites as blocking Dagster asset checks, one per file in expectations/."""

from typing import Any

import dagster as dg

from orchestration.quality.suites import SuiteFile, load_suites
from orchestration.quality.validation import ERROR, SuiteOutcome, validate_frame
from orchestration.settings import EXPECTATIONS_DIR
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


def run_suite(suite: SuiteFile, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    """Validate; anything that goes wrong, in GX or before it, fails the check with ERROR."""
    try:
        frame = warehouse.read_frame(suite.query())
        outcome = validate_frame(suite, frame)
    except Exception as exc:  # a check that could not run must never look like a pass
        return dg.AssetCheckResult(
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"{suite.name} could not run: {type(exc).__name__}: {exc}",
            metadata={"error": f"{type(exc).__name__}: {exc}", "suite_file": str(suite.path)},
        )
    return dg.AssetCheckResult(
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR
        if outcome.severity == ERROR
        else dg.AssetCheckSeverity.WARN,
        description=outcome.summary(),
        metadata={**outcome_metadata(outcome), "suite_file": str(suite.path)},
    )


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
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        return run_suite(suite, warehouse)

    return _check


@dg.definitions
def gx_checks() -> dg.Definitions:
    return dg.Definitions(
        asset_checks=[build_gx_check(suite) for suite in load_suites(EXPECTATIONS_DIR)]
    )
