"""Drift of a raw table against the last accepted pull, as GX rules made concrete per column.

A source can change without failing any rule: an optional label renamed on a site empties a
column, formula cells without a cached value read as empty, an id turns into free text, a new
mission or call round appears. Each raw table is therefore compared, column by column, with
the same table in the last pull whose verdict was ``accepted`` (the baseline). Per column:

- ``drift_filled``: filled in at least ``populated`` of the baseline's rows and now filled in
  ``null_drop`` (a share) fewer: WARN; for a column the suite's ``drift.required`` names, ERROR
  (the snapshot is rejected and the last good data stays published). A required column is
  watched as soon as the baseline fills it at all.
- ``drift_distinct``: distinct values multiplied or divided by ``distinct_factor`` (the drop
  counted from ``distinct_min`` values, a rise to at least that many): WARN.
- ``drift_new_categories`` / ``drift_vanished_categories``: for the columns ``drift.categories``
  names, values the baseline did not have, or had and are gone: WARN, listing them.

The baseline moves with every accepted pull, WARN included, so a legitimate change warns once
and not again. A required measure that really went away is accepted for one run with
``LCM_ACCEPT_DRIFT=<source>:<column>`` (the rule then warns), or for good by taking the column
out of ``drift.required``.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd

from orchestration.quality.suites import (
    DRIFT_DISTINCT,
    DRIFT_FILLED,
    DRIFT_NEW_CATEGORIES,
    DRIFT_VANISHED_CATEGORIES,
    Rule,
    SuiteFile,
)
from orchestration.quality.validation import SuiteOutcome, plain

# GX's ``mostly`` must be above 0: a required column filled in a small share of the baseline
# must still have one value now.
AT_LEAST_ONE = 1e-9
SHOWN = 10  # categories listed in a message


@dataclass(frozen=True)
class Baseline:
    """The last accepted pull of a source: its snapshot and the snapshot holding its rows."""

    snapshot_id: str
    rows_snapshot_id: str


@dataclass(frozen=True)
class DriftRule:
    """A drift rule with the baseline figures its message compares with."""

    rule: Rule
    table: str
    column: str
    baseline_id: str
    rows: int = 0
    filled: int = 0
    distinct: int = 0
    categories: tuple[Any, ...] = ()
    required: bool = False
    accepted: bool = False  # a required measure's drift accepted for this run


def _rule(name: str, action: str, description: str, kind: str, **kwargs: Any) -> Rule:
    return Rule(name, action, description, kind, kwargs)


def drift_rules(
    suite: SuiteFile,
    baseline: pd.DataFrame,
    baseline_id: str,
    accepted: Collection[str] = (),
) -> list[DriftRule]:
    """The drift rules of ``suite`` against the baseline's rows of its table. ``accepted``
    holds ``<source>:<column>`` whose required-measure drift only warns in this run."""
    config = suite.drift
    unknown = {*config.required, *config.categories, *config.ignore} - set(baseline.columns)
    if unknown:  # a typo would switch a check off without a word
        raise ValueError(
            f"{suite.path.name}: meta.drift names {sorted(unknown)}, not in {suite.table}"
        )
    rows = len(baseline)
    if not rows:
        return []
    made: list[DriftRule] = []
    of = f"snapshot {baseline_id} (accepted)"
    for column in baseline.columns:
        if column.startswith("_") or column in config.ignore:
            continue
        values = baseline[column]
        filled = int(values.notna().sum())
        share = filled / rows
        required = column in config.required
        where = {"table": suite.table, "column": column, "baseline_id": baseline_id}
        if share >= config.populated or (required and filled):
            excused = required and f"{suite.source}:{column}" in accepted
            action = "block" if required and not excused else "warn"
            what = "a required measure" if required else "a column"
            made.append(
                DriftRule(
                    _rule(
                        DRIFT_FILLED,
                        action,
                        f"{suite.table}.{column} is {what} filled in {filled} of {rows} rows of "
                        f"{of}: at most {config.null_drop:.0%} fewer may be filled now"
                        + (" (accepted for this run by LCM_ACCEPT_DRIFT)." if excused else "."),
                        "expect_column_values_to_not_be_null",
                        column=column,
                        mostly=max(share - config.null_drop, AT_LEAST_ONE),
                    ),
                    rows=rows,
                    filled=filled,
                    required=required,
                    accepted=excused,
                    **where,
                )
            )
        if not filled:
            continue
        if column in config.categories:
            found = tuple(sorted({plain(v) for v in values.dropna()}, key=str))
            for name, kind, says in (
                (DRIFT_NEW_CATEGORIES, "expect_column_distinct_values_to_be_in_set",
                 "has no category that the baseline did not have"),
                (DRIFT_VANISHED_CATEGORIES, "expect_column_distinct_values_to_contain_set",
                 "still has every category of the baseline"),
            ):  # fmt: skip
                made.append(
                    DriftRule(
                        _rule(
                            name,
                            "warn",
                            f"{suite.table}.{column} {says} ({of}).",
                            kind,
                            column=column,
                            value_set=list(found),
                        ),
                        categories=found,
                        **where,
                    )
                )
            continue
        if pd.api.types.is_bool_dtype(values):
            continue
        distinct = int(values.nunique())
        factor = config.distinct_factor
        low = math.ceil(distinct / factor) if distinct >= config.distinct_min else None
        high = max(math.floor(distinct * factor), config.distinct_min)
        made.append(
            DriftRule(
                _rule(
                    DRIFT_DISTINCT,
                    "warn",
                    f"{suite.table}.{column} has {distinct} distinct values in {of}: not "
                    f"{factor:g} times more or fewer now.",
                    "expect_column_unique_value_count_to_be_between",
                    column=column,
                    min_value=low,
                    max_value=high,
                ),
                distinct=distinct,
                **where,
            )
        )
    return made


def _listed(values: list[Any], count: int) -> str:
    shown = ", ".join(repr(v) for v in values[:SHOWN])
    return shown + (f" and {count - SHOWN} more" if count > SHOWN else "")


def explain(outcome: SuiteOutcome, rules: list[DriftRule]) -> None:
    """Give each drift result its figures in words (``note``, also the observed value that
    the results table, the report and `make run` show): before, in the baseline, and now."""
    by_rule = {id(d.rule): d for d in rules}
    emptied = {
        by_rule[id(o.rule)].column
        for o in outcome.failed
        if id(o.rule) in by_rule and o.rule.name == DRIFT_FILLED and not o.exception
    }
    # An emptied column has lost its distinct values too: that is one finding, not two.
    outcome.outcomes[:] = [
        o
        for o in outcome.outcomes
        if not (
            o.rule.name == DRIFT_DISTINCT
            and id(o.rule) in by_rule
            and by_rule[id(o.rule)].column in emptied
        )
    ]
    for o in outcome.outcomes:
        d = by_rule.get(id(o.rule))
        if d is None or o.exception:
            continue
        name = f"{d.table}.{d.column}"
        of = f"snapshot {d.baseline_id} (accepted)"
        if d.rule.name == DRIFT_FILLED:
            now = outcome.row_count - (o.unexpected_count or 0)
            label = f"{name} (required)" if d.required else name
            note = (
                f"{label}: {d.filled} of {d.rows} filled in {of}, {now} of {outcome.row_count} now"
            )
            if d.accepted and not o.success:
                note += "; accepted for this run (LCM_ACCEPT_DRIFT)"
            o.sample_unexpected = []
        elif d.rule.name == DRIFT_DISTINCT:
            note = f"{name}: {d.distinct} distinct values in {of}, {o.observed_value} now"
        else:
            # GX lists the new values (unexpected) or the vanished ones (missing).
            changed = sorted(o.sample_unexpected, key=str)
            count = o.unexpected_count or len(changed)
            if d.rule.name == DRIFT_NEW_CATEGORIES:
                note = f"{name}: new categories {_listed(changed, count)} (not in {of})"
            else:
                note = f"{name}: categories of {of} gone now: {_listed(changed, count)}"
            if not changed:
                note = f"{name}: the categories of {of}, no new or vanished one"
            o.sample_unexpected = changed[:SHOWN]
        o.note = note
        o.observed_value = note
        o.unexpected_count = None
        o.unexpected_percent = None
