"""Run a suite on a pandas DataFrame with GX 1.x and turn GX's result into plain facts.

GX marks an expectation that raised (a missing column, a bad argument) as merely unsuccessful;
here such an expectation is an ERROR of the check, reported with the exception's message, and
never a pass. Record-level rules (quarantine, flag) are validated with GX's complete result
format and the frame's ``_record_no`` as index column, so that every failing record is known.
GX is imported inside the function: importing it takes seconds.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from orchestration.quality.suites import ERROR, PROBLEMS_COLUMN, RECORD_NO, WARN, Rule, SuiteFile
from sources import problems

SAMPLE_SIZE = 10
SUMMARY_SAMPLES = 3  # in the one-line summary a check shows


@dataclass
class FailingRecord:
    record_no: int
    values: dict[str, Any]  # the rule's columns and their values in that record


@dataclass
class RuleOutcome:
    rule: Rule
    success: bool
    exception: str | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: Any = None
    sample_unexpected: list[Any] = field(default_factory=list)
    failing_records: list[FailingRecord] = field(default_factory=list)
    # What the result means in words, where counts alone do not say it (drift: the column's
    # figures in the baseline and now).
    note: str | None = None

    @property
    def severity(self) -> str:
        return ERROR if self.exception else self.rule.severity

    @property
    def expectation_type(self) -> str:
        return self.rule.expectation_type

    @property
    def column(self) -> str | None:
        columns = self.rule.columns
        return ", ".join(columns) if columns else None

    @property
    def label(self) -> str:
        return f"{self.rule.name}({self.column})" if self.column else self.rule.name

    def why(self) -> str:
        if self.exception:
            return f"raised {self.exception}"
        if self.note:
            return self.note
        if self.unexpected_count is not None:
            shown = ", ".join(repr(v) for v in self.sample_unexpected[:SUMMARY_SAMPLES])
            return f"{self.unexpected_count} unexpected" + (f", e.g. {shown}" if shown else "")
        return f"observed {self.observed_value!r}"


@dataclass
class SuiteOutcome:
    suite: str
    row_count: int
    outcomes: list[RuleOutcome]

    @property
    def failed(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def errors(self) -> list[RuleOutcome]:
        return [o for o in self.failed if o.severity == ERROR]

    @property
    def warnings(self) -> list[RuleOutcome]:
        return [o for o in self.failed if o.severity == WARN]

    @property
    def exceptions(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if o.exception]

    @property
    def passed(self) -> bool:
        return not self.failed

    @property
    def severity(self) -> str:
        return ERROR if self.errors else WARN

    def add(self, outcome: RuleOutcome) -> None:
        self.outcomes.append(outcome)
        self.outcomes.sort(key=_order)

    def summary(self) -> str:
        if self.passed:
            return f"{self.suite}: all {len(self.outcomes)} rules met on {self.row_count} rows"
        parts = [f"[{o.severity}] {o.label}: {o.why()}" for o in self.failed]
        return f"{self.suite}: {len(self.failed)} of {len(self.outcomes)} failed; " + "; ".join(
            parts
        )


def _order(o: RuleOutcome) -> tuple:
    return (o.success, o.severity != ERROR, o.rule.name)


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


def plain(value: Any) -> Any:
    """JSON-safe copy of a GX or pandas value (NaN, timestamps, numpy scalars)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if hasattr(value, "item"):
        return plain(value.item())
    return str(value)


def _failing_records(rule: Rule, details: dict[str, Any]) -> list[FailingRecord]:
    records = []
    for item in details.get("unexpected_index_list") or []:
        if not isinstance(item, dict) or RECORD_NO not in item:
            continue
        values = {c: plain(item.get(c)) for c in rule.columns}
        records.append(FailingRecord(int(item[RECORD_NO]), values))
    return records


def _readable(rule: Rule, sample: list[Any]) -> list[Any]:
    """Samples of the connector-problems rule as `column='value': problem`, not raw JSON."""
    if rule.columns != [PROBLEMS_COLUMN]:
        return sample
    shown = [
        f"{p.get('column')}={p.get('value')!r}: {p.get('problem')}"
        for text in sample
        for p in problems.from_json(text)
    ]
    return shown or sample


def validate_frame(
    suite: SuiteFile, frame: pd.DataFrame, extra_rules: list[Rule] | None = None
) -> SuiteOutcome:
    """Validate ``frame`` with the suite's rules (and ``extra_rules``, e.g. the volume rules
    made concrete for this validation)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    rules = [*suite.rules, *(extra_rules or [])]
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # Rules are told apart by position: the drift rules share a name across columns.
    configs = [rule.gx_config() for rule in rules]
    for index, config in enumerate(configs):
        config["meta"]["index"] = index
    gx_suite = gx.ExpectationSuite(name=suite.name, expectations=configs)
    batch = (
        context.data_sources.add_pandas("lcm")
        .add_dataframe_asset(suite.name)
        .add_batch_definition_whole_dataframe("frame")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    record_level = any(r.is_record_level for r in rules) and RECORD_NO in frame.columns
    result_format: Any = (
        {"result_format": "COMPLETE", "unexpected_index_column_names": [RECORD_NO]}
        if record_level
        else "SUMMARY"
    )
    result = batch.validate(gx_suite, result_format=result_format)
    outcomes = []
    for r in result.results:
        rule = rules[int((r.expectation_config.meta or {})["index"])]
        details = r.result or {}
        exception = _exception_message(r.exception_info)
        sample = details.get("partial_unexpected_list")
        if sample is None:
            sample = details.get("unexpected_list", details.get("partial_missing_list", []))
        # A value set that must be contained: the values missing are what is unexpected.
        unexpected_count = details.get("unexpected_count", details.get("missing_count"))
        outcomes.append(
            RuleOutcome(
                rule=rule,
                success=bool(r.success) and exception is None,
                exception=exception,
                unexpected_count=unexpected_count,
                unexpected_percent=plain(details.get("unexpected_percent")),
                observed_value=plain(details.get("observed_value")),
                sample_unexpected=_readable(rule, plain(list(sample or [])[:SAMPLE_SIZE])),
                failing_records=_failing_records(rule, details) if rule.is_record_level else [],
            )
        )
    outcomes.sort(key=_order)
    return SuiteOutcome(suite=suite.name, row_count=len(frame), outcomes=outcomes)
