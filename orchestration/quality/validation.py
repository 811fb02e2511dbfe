"""Run a suite on a pandas DataFrame with GX 1.x and summarise the outcome.

GX marks an expectation that raised (a missing column, a bad argument) as merely unsuccessful;
here such an expectation is an ERROR of the check, reported with the exception's message, and
never a pass. GX is imported inside the function: importing it takes seconds.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from orchestration.quality.suites import SuiteFile

ERROR = "ERROR"
WARN = "WARN"
SAMPLE_SIZE = 10


@dataclass
class ExpectationOutcome:
    expectation_type: str
    column: str | None
    severity: str  # ERROR or WARN
    success: bool
    exception: str | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: Any = None
    sample_unexpected: list[Any] = field(default_factory=list)
    name: str | None = None  # a rule's own name (meta.name), e.g. row_count_not_dropped

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return f"{self.expectation_type}({self.column})" if self.column else self.expectation_type


@dataclass
class SuiteOutcome:
    suite: str
    row_count: int
    outcomes: list[ExpectationOutcome]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def errors(self) -> list[ExpectationOutcome]:
        return [o for o in self.failed if o.severity == ERROR]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.failed if o.severity == WARN]

    @property
    def exceptions(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.exception]

    @property
    def passed(self) -> bool:
        return not self.failed

    @property
    def severity(self) -> str:
        return ERROR if self.errors else WARN

    def summary(self) -> str:
        if self.passed:
            return (
                f"{self.suite}: all {len(self.outcomes)} expectations met on {self.row_count} rows"
            )
        parts = []
        for o in self.failed:
            why = (
                f"raised {o.exception}"
                if o.exception
                else f"{o.unexpected_count} unexpected"
                if o.unexpected_count is not None
                else f"observed {o.observed_value!r}"
            )
            parts.append(f"[{o.severity}] {o.label}: {why}")
        return f"{self.suite}: {len(self.failed)} of {len(self.outcomes)} failed; " + "; ".join(
            parts
        )


def _exception_message(info: Any) -> str | None:
    """GX puts exception info either flat or keyed by metric id; find a raised one in either."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return info.get("exception_message") or "unknown exception"
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return value.get("exception_message") or "unknown exception"
    return None


def _plain(value: Any) -> Any:
    """JSON-safe copy of a GX value (NaN, timestamps, numpy scalars)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        return _plain(value.item())
    return str(value)


def validate_frame(
    suite: SuiteFile, frame: pd.DataFrame, previous_rows: int | None = None
) -> SuiteOutcome:
    """Validate ``frame``; ``previous_rows`` (rows of the last good validation) arms the
    suite's row-count drop rule."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    gx_suite = gx.ExpectationSuite(**suite.with_previous_rows(previous_rows))
    batch = (
        context.data_sources.add_pandas("lcm")
        .add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe("frame")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    result = batch.validate(gx_suite, result_format="SUMMARY")
    outcomes = []
    for r in result.results:
        config = r.expectation_config
        details = r.result or {}
        exception = _exception_message(r.exception_info)
        severity = getattr(config, "severity", None)
        severity_value = getattr(severity, "value", severity) or "critical"
        outcomes.append(
            ExpectationOutcome(
                expectation_type=config.type,
                column=config.kwargs.get("column"),
                severity=ERROR if (severity_value == "critical" or exception) else WARN,
                success=bool(r.success) and exception is None,
                exception=exception,
                unexpected_count=details.get("unexpected_count"),
                unexpected_percent=_plain(details.get("unexpected_percent")),
                observed_value=_plain(details.get("observed_value")),
                sample_unexpected=_plain(details.get("partial_unexpected_list", []))[:SAMPLE_SIZE],
                name=(config.meta or {}).get("name"),
            )
        )
    outcomes.sort(key=lambda o: (o.success, o.severity != ERROR, o.label))
    return SuiteOutcome(suite=suite.name, row_count=len(frame), outcomes=outcomes)
