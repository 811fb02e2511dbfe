"""A source's newest snapshot validated as a whole: its verdict and its quarantine.

Every raw suite of a source runs on the source's newest snapshot. What comes out is data of the
raw layer, written in one transaction by the source's validation step and read by staging:

- ``raw.<source>_acceptance``: one row per validation of a snapshot, ``accepted`` or
  ``rejected`` (a ``block`` rule failed, a suite could not run, or more records than the
  suite's ``max_set_aside_share`` were set aside). The newest row per snapshot counts.
- ``raw.<source>_quarantine``: one row per record and rule of that validation: records *set
  aside* (``quarantine`` rules; staging leaves them out) and records *flagged* (``flag`` rules;
  kept), with the rule, its description, the column and the value as received.

Staging reads the newest accepted snapshot of each source without its set-aside records
(macro ``accepted_rows``), so a rejected pull never reaches the marts and the last good data
stays published. A pull that wrote no rows of its own (they equalled the previous pull's,
sources/raw_tables.py) is validated on the rows that hold its records; its verdict names them
(``rows_snapshot_id``) and its load time (``snapshot_loaded_at``), which is all staging needs.

Volume and drift are compared with the *baseline*: the source's newest earlier pull whose
verdict is accepted, WARN or not (``accepted_baseline``), read from the raw tables by its
snapshot id. So a change that warned once, and was accepted, is what the next pull is
compared with: one larger pull does not make every normal pull after it warn.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from orchestration.quality.drift import Baseline, drift_rules, explain
from orchestration.quality.reference import Reference
from orchestration.quality.results import TABLE as RESULTS_TABLE
from orchestration.quality.results import (
    CheckRun,
    ensure_results_table,
    previous_row_count,
    record_failure,
    record_outcome,
    results_table_exists,
    table_exists,
)
from orchestration.quality.suites import (
    PARENT_SET_ASIDE,
    PROBLEMS_COLUMN,
    RECORD_NO,
    SET_ASIDE_SHARE,
    Rule,
    SuiteFile,
)
from orchestration.quality.validation import RuleOutcome, SuiteOutcome, validate_frame
from sources import problems
from sources.raw_tables import SNAPSHOTS_TABLE, ensure_table, newest_snapshot

# In a small table (a register of seven LCs) two bad rows are a large share but no sign that
# the source changed: the share rule counts from this many records set aside.
SHARE_FLOOR = 3

ACCEPTED = "accepted"
REJECTED = "rejected"
SET_ASIDE = "set_aside"
FLAGGED = "flagged"

ACCEPTANCE_COLUMNS = {
    "acceptance_id": "VARCHAR",
    "snapshot_id": "VARCHAR",
    "status": "VARCHAR",
    "reason": "VARCHAR",
    "records_validated": "INTEGER",
    "records_set_aside": "INTEGER",
    "records_flagged": "INTEGER",
    "run_id": "VARCHAR",
    "validated_at": "TIMESTAMPTZ",
    # The snapshot whose rows were validated (the snapshot's own, or for a pull that wrote
    # none, the snapshot holding the same rows) and when the snapshot was loaded: when the
    # source was last seen. Null in verdicts written before pulls were deduplicated.
    "rows_snapshot_id": "VARCHAR",
    "snapshot_loaded_at": "TIMESTAMPTZ",
}
QUARANTINE_COLUMNS = {
    "acceptance_id": "VARCHAR",
    "validation_id": "VARCHAR",
    "snapshot_id": "VARCHAR",
    "table_name": "VARCHAR",
    "record_no": "INTEGER",
    "record_key": "VARCHAR",
    "disposition": "VARCHAR",
    "rule": "VARCHAR",
    "rule_description": "VARCHAR",
    "column_name": "VARCHAR",
    "value": "VARCHAR",
    "problem": "VARCHAR",
    "run_id": "VARCHAR",
    "validated_at": "TIMESTAMPTZ",
}


def acceptance_table(source: str) -> str:
    return f"raw.{source}_acceptance"


def quarantine_table(source: str) -> str:
    return f"raw.{source}_quarantine"


@dataclass
class QuarantineEntry:
    table_name: str
    record_no: int
    record_key: str
    disposition: str
    rule: str
    rule_description: str
    column_name: str | None
    value: str | None
    problem: str | None
    validation_id: str


@dataclass
class SuiteRun:
    suite: SuiteFile
    check: CheckRun
    outcome: SuiteOutcome | None = None
    error: str | None = None  # the suite could not run at all

    @property
    def rejected(self) -> bool:
        return self.error is not None or (self.outcome is not None and bool(self.outcome.errors))


@dataclass
class SourceValidation:
    source: str
    snapshot_id: str | None
    acceptance_id: str
    run_id: str
    validated_at: datetime
    runs: list[SuiteRun] = field(default_factory=list)
    entries: list[QuarantineEntry] = field(default_factory=list)
    rows_snapshot_id: str | None = None  # whose rows hold the snapshot's records
    snapshot_loaded_at: datetime | None = None
    # The last accepted pull before this one: volume and drift are compared with it.
    baseline: Baseline | None = None

    @property
    def status(self) -> str:
        rejected = self.snapshot_id is None or any(r.rejected for r in self.runs)
        return REJECTED if rejected else ACCEPTED

    @property
    def reason(self) -> str | None:
        if self.snapshot_id is None:
            return f"no snapshot of {self.source} has been loaded"
        reasons = []
        for run in self.runs:
            if run.error:
                reasons.append(f"{run.suite.name} could not run: {run.error}")
            elif run.outcome is not None:
                reasons += [f"{run.suite.name}: {o.label}: {o.why()}" for o in run.outcome.errors]
        return "; ".join(reasons) or None

    def records(self, disposition: str, table: str | None = None) -> int:
        return len(
            {
                (e.table_name, e.record_no)
                for e in self.entries
                if e.disposition == disposition and (table is None or e.table_name == table)
            }
        )

    @property
    def records_validated(self) -> int:
        return sum(r.outcome.row_count for r in self.runs if r.outcome is not None)

    def verdict(self) -> dict[str, Any]:
        """The row of ``raw.<source>_acceptance`` this validation writes (ACCEPTANCE_COLUMNS)."""
        return {
            "acceptance_id": self.acceptance_id,
            "snapshot_id": self.snapshot_id,
            "status": self.status,
            "reason": self.reason,
            "records_validated": self.records_validated,
            "records_set_aside": self.records(SET_ASIDE),
            "records_flagged": self.records(FLAGGED),
            "run_id": self.run_id,
            "validated_at": self.validated_at,
            "rows_snapshot_id": self.rows_snapshot_id,
            "snapshot_loaded_at": self.snapshot_loaded_at,
        }


def current_snapshot(con: duckdb.DuckDBPyConnection, source: str) -> str | None:
    """The snapshot staging reads now: the newest one whose newest verdict is accepted (the
    rule of the dbt macro current_acceptance, dbt_project/macros/accepted_rows.sql)."""
    if not table_exists(con, acceptance_table(source)):
        return None
    row = con.execute(
        f"""
        SELECT max(snapshot_id) FROM (
            SELECT snapshot_id, status FROM {acceptance_table(source)}
            QUALIFY row_number() OVER (
                PARTITION BY snapshot_id ORDER BY validated_at DESC, acceptance_id DESC) = 1
        ) WHERE status = '{ACCEPTED}'
        """
    ).fetchone()
    return row[0] if row else None


def accepted_baseline(
    con: duckdb.DuckDBPyConnection, source: str, snapshot_id: str | None
) -> Baseline | None:
    """The newest snapshot older than ``snapshot_id`` whose newest verdict is accepted, WARN
    or not: a change that was accepted once is what the next pull is compared with."""
    if snapshot_id is None or not table_exists(con, acceptance_table(source)):
        return None
    row = con.execute(
        f"""
        SELECT snapshot_id, coalesce(rows_snapshot_id, snapshot_id) FROM (
            SELECT snapshot_id, rows_snapshot_id, status FROM {acceptance_table(source)}
            QUALIFY row_number() OVER (
                PARTITION BY snapshot_id ORDER BY validated_at DESC, acceptance_id DESC) = 1
        ) WHERE status = '{ACCEPTED}' AND snapshot_id < ?
        ORDER BY snapshot_id DESC LIMIT 1
        """,
        [snapshot_id],
    ).fetchone()
    return Baseline(row[0], row[1]) if row else None


def _record_key(frame: pd.DataFrame, suite: SuiteFile) -> dict[int, str]:
    """record_no -> the record's key columns as JSON, e.g. {"project_id": "KICH1…", …}."""
    if frame.empty:
        return {}
    columns = [c for c in suite.record_key if c in frame.columns]
    return {
        int(row[RECORD_NO]): json.dumps(
            {c: (None if pd.isna(row[c]) else str(row[c])) for c in columns}, ensure_ascii=False
        )
        for row in frame[[RECORD_NO, *columns]].to_dict("records")
    }


def _value(values: dict[str, Any]) -> str | None:
    if len(values) == 1:
        (value,) = values.values()
        return None if value is None else str(value)
    return "; ".join(f"{c}={v}" for c, v in values.items())


def record_entries(
    suite: SuiteFile, outcome: SuiteOutcome, frame: pd.DataFrame, validation_id: str
) -> list[QuarantineEntry]:
    """One entry per record and failed record-level rule. A connector's problems (the
    ``_problems`` column) become one entry each, under the problem's own rule and column."""
    keys = _record_key(frame, suite)
    entries = []
    for o in outcome.failed:
        if not o.rule.is_record_level:
            continue
        disposition = SET_ASIDE if o.rule.action == "quarantine" else FLAGGED
        for failing in o.failing_records:
            common = {
                "table_name": suite.table,
                "record_no": failing.record_no,
                "record_key": keys.get(failing.record_no, "{}"),
                "disposition": disposition,
                "validation_id": validation_id,
            }
            if o.rule.columns == [PROBLEMS_COLUMN]:
                for problem in problems.from_json(failing.values[PROBLEMS_COLUMN]):
                    entries.append(
                        QuarantineEntry(
                            **common,
                            rule=problem.get("rule") or o.rule.name,
                            rule_description=o.rule.description,
                            column_name=problem.get("column"),
                            value=problem.get("value"),
                            problem=problem.get("problem"),
                        )
                    )
                continue
            entries.append(
                QuarantineEntry(
                    **common,
                    rule=o.rule.name,
                    rule_description=o.rule.description,
                    column_name=o.column,
                    value=_value(failing.values),
                    problem=None,
                )
            )
    return entries


def _set_aside_share_outcome(
    suite: SuiteFile, outcome: SuiteOutcome, entries: list[QuarantineEntry]
) -> RuleOutcome | None:
    share = suite.max_set_aside_share
    if share is None or not outcome.row_count:
        return None
    set_aside = {e.record_no for e in entries if e.disposition == SET_ASIDE}
    observed = len(set_aside) / outcome.row_count
    rule = Rule(
        name=SET_ASIDE_SHARE,
        action="block",
        description=f"At most {share:.0%} of the records are set aside (or fewer than "
        f"{SHARE_FLOOR}, in a small table); more means the source itself changed, so its whole "
        "snapshot is rejected.",
        expectation_type="share_of_records_set_aside",
        kwargs={"max_value": share, "floor": SHARE_FLOOR},
    )
    return RuleOutcome(
        rule=rule,
        success=observed <= share or len(set_aside) < SHARE_FLOOR,
        unexpected_count=len(set_aside),
        unexpected_percent=round(100 * observed, 2),
        observed_value=round(observed, 4),
    )


def _cascade(
    suite: SuiteFile,
    frame: pd.DataFrame,
    parent_frame: pd.DataFrame,
    parent_entries: list[QuarantineEntry],
    validation_id: str,
) -> list[QuarantineEntry]:
    """Set aside the records of a child table (members, partners) whose parent record was set
    aside, so that no orphan reaches staging. Not counted towards the child's share."""
    set_aside = {e.record_no: e.rule for e in parent_entries if e.disposition == SET_ASIDE}
    if not set_aside or frame.empty:
        return []
    columns = list(suite.parent_columns)
    parents = parent_frame[parent_frame[RECORD_NO].isin(set_aside)][[RECORD_NO, *columns]]
    children = frame.merge(parents, on=columns, suffixes=("", "_parent")).drop_duplicates(
        subset=[RECORD_NO]
    )
    keys = _record_key(frame, suite)
    return [
        QuarantineEntry(
            table_name=suite.table,
            record_no=int(row[RECORD_NO]),
            record_key=keys.get(int(row[RECORD_NO]), "{}"),
            disposition=SET_ASIDE,
            rule=PARENT_SET_ASIDE,
            rule_description=f"A record of {suite.table} goes with its parent record in "
            f"{suite.parent_table} when that is set aside.",
            column_name=", ".join(columns),
            value="; ".join(f"{c}={row[c]}" for c in columns),
            problem=f"parent set aside: {set_aside[int(row[RECORD_NO + '_parent'])]}",
            validation_id=validation_id,
        )
        for row in children.to_dict("records")
    ]


def read_frame(
    con: duckdb.DuckDBPyConnection, suite: SuiteFile, rows_snapshot_id: str
) -> pd.DataFrame:
    return con.execute(
        f"SELECT * FROM {suite.table} WHERE _snapshot_id = ? ORDER BY {RECORD_NO}",
        [rows_snapshot_id],
    ).df()


def validate_source(
    con: duckdb.DuckDBPyConnection,
    source: str,
    suites: list[SuiteFile],
    reference: Reference,
    run_id: str,
    accept_drift: Collection[str] | None = None,
) -> SourceValidation:
    """Validate the newest snapshot of ``source`` with its suites (reads only),
    with its volume and drift compared with the last accepted pull. ``accept_drift``
    (``<source>:<column>``, default the setting LCM_ACCEPT_DRIFT) makes a required measure's
    drift a WARN for this validation."""
    if accept_drift is None:
        from orchestration.settings import accepted_drift

        accept_drift = accepted_drift()
    newest = newest_snapshot(con, source)
    validation = SourceValidation(
        source=source,
        snapshot_id=newest.snapshot_id if newest else None,
        acceptance_id=str(uuid.uuid4()),
        run_id=run_id,
        validated_at=datetime.now(UTC),
        rows_snapshot_id=newest.rows_snapshot_id if newest else None,
        snapshot_loaded_at=newest.loaded_at if newest else None,
    )
    validation.baseline = accepted_baseline(con, source, validation.snapshot_id)
    frames: dict[str, pd.DataFrame] = {}
    for suite in suites:
        check = CheckRun.new(
            run_id, suite.name, "raw/" + suite.table.split(".", 1)[1], suite.table,
            snapshot_id=validation.snapshot_id, source_system=source,
            acceptance_id=validation.acceptance_id,
        )  # fmt: skip
        run = SuiteRun(suite, check)
        validation.runs.append(run)
        if validation.rows_snapshot_id is None:
            run.error = f"no snapshot of {source} in {SNAPSHOTS_TABLE}"
            continue
        try:
            frame = read_frame(con, suite, validation.rows_snapshot_id)
            drift = []
            if validation.baseline is None:  # e.g. verdicts from before they were kept
                previous = previous_row_count(con, suite.name)
            else:
                base = read_frame(con, suite, validation.baseline.rows_snapshot_id)
                previous = len(base)
                drift = drift_rules(suite, base, validation.baseline.snapshot_id, accept_drift)
            enriched = reference.enrich(frame, suite.subsidy_column)
            outcome = validate_frame(
                suite, enriched, [*suite.volume_rules(previous), *(d.rule for d in drift)]
            )
            explain(outcome, drift)
        except Exception as exc:  # a suite that could not run must never look like a pass
            run.error = f"{type(exc).__name__}: {exc}"
            continue
        entries = record_entries(suite, outcome, frame, check.validation_id)
        share = _set_aside_share_outcome(suite, outcome, entries)
        if share is not None:
            outcome.add(share)
        run.outcome = outcome
        validation.entries += entries
        frames[suite.table] = frame
    # Children after every suite ran: a parent's set-aside records take their children along.
    for run in validation.runs:
        parent = run.suite.parent_table
        if run.outcome is None or parent not in frames:
            continue
        parent_entries = [e for e in validation.entries if e.table_name == parent]
        validation.entries += _cascade(
            run.suite, frames[run.suite.table], frames[parent], parent_entries,
            run.check.validation_id,
        )  # fmt: skip
    return validation


def ensure_tables(
    con: duckdb.DuckDBPyConnection, source: str, suites: list[str] | None = None
) -> None:
    """Create the source's verdict and quarantine tables. A warehouse built before verdicts
    were recorded here had its checks decide in quality.validation_results: the snapshots they
    accepted are carried over, so staging's history (first and last seen) stays intact."""
    created = not table_exists(con, acceptance_table(source))
    # Columns added since a table was created are added to it (null in older rows).
    ensure_table(con, acceptance_table(source), ACCEPTANCE_COLUMNS)
    ensure_table(con, quarantine_table(source), QUARANTINE_COLUMNS)
    if created and suites and results_table_exists(con):
        _carry_over_earlier_verdicts(con, source, suites)


def _carry_over_earlier_verdicts(
    con: duckdb.DuckDBPyConnection, source: str, suites: list[str]
) -> None:
    """Accepted, as the earlier rule had it: validated by the source's suites, and the newest
    validation of each suite failed no ERROR expectation."""
    con.execute(
        f"""
        INSERT INTO {acceptance_table(source)} (acceptance_id, snapshot_id, status, reason,
            run_id, validated_at)
        SELECT uuid()::VARCHAR, snapshot_id, '{ACCEPTED}',
            'carried over from quality.validation_results', 'migration', max(validated_at)
        FROM (
            SELECT snapshot_id, validated_at, failed,
                row_number() OVER (PARTITION BY suite, snapshot_id ORDER BY validated_at DESC)
                    AS newest_first
            FROM (
                SELECT suite, snapshot_id, validation_id, max(validated_at) AS validated_at,
                    bool_or(severity = 'ERROR' AND NOT success) AS failed
                FROM {RESULTS_TABLE}
                WHERE snapshot_id IS NOT NULL AND suite IN $suites
                GROUP BY suite, snapshot_id, validation_id
            )
        )
        WHERE newest_first = 1
        GROUP BY snapshot_id
        HAVING NOT bool_or(failed)
        """,
        {"suites": suites},
    )


def record(con: duckdb.DuckDBPyConnection, validation: SourceValidation) -> None:
    """Write the verdict, the quarantine and the results in one transaction."""
    ensure_tables(con, validation.source, [run.suite.name for run in validation.runs])
    ensure_results_table(con)
    con.execute("BEGIN TRANSACTION")
    try:
        for run in validation.runs:
            if run.outcome is not None:
                record_outcome(con, run.check, run.outcome, validation.status)
            else:
                record_failure(con, run.check, run.error or "not validated", validation.status)
        if validation.entries:
            rows = [
                (
                    validation.acceptance_id, e.validation_id, validation.snapshot_id,
                    e.table_name, e.record_no, e.record_key, e.disposition, e.rule,
                    e.rule_description, e.column_name, e.value, e.problem, validation.run_id,
                    validation.validated_at,
                )
                for e in validation.entries
            ]  # fmt: skip
            con.executemany(
                f"INSERT INTO {quarantine_table(validation.source)} "
                f"VALUES ({', '.join('?' * len(QUARANTINE_COLUMNS))})",
                rows,
            )
        verdict = validation.verdict()
        con.execute(
            f"INSERT INTO {acceptance_table(validation.source)} ({', '.join(verdict)}) "
            f"VALUES ({', '.join('?' * len(verdict))})",
            list(verdict.values()),
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
