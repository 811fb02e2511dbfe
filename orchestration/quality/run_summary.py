"""What a run's checks found, as `make run` prints it at the end.

For every check of the run that failed or warned: the suite, each rule that failed with its
expectation, column, unexpected count and up to five sample values (from
``quality.validation_results``); for dbt tests, the test and its severity. Then, per source,
the verdict on its newest snapshot and the records set aside and flagged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.quality.acceptance import acceptance_table
from orchestration.quality.results import TABLE, results_table_exists, table_exists

SAMPLES = 5


@dataclass(frozen=True)
class CheckVerdict:
    """A check evaluation of the run, as Dagster reported it."""

    asset: str
    check: str
    severity: str  # ERROR or WARN
    description: str = ""


def _samples(text: str | None) -> str:
    if not text:
        return ""
    try:
        values = json.loads(text)
    except json.JSONDecodeError:
        return text[:120]
    if not isinstance(values, list):
        values = [values]
    shown = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values[:SAMPLES])
    return shown[:300]


def _failed_rules(con: duckdb.DuckDBPyConnection, run_id: str, suite: str) -> list[tuple]:
    return con.execute(
        f"""
        SELECT rule, expectation, column_name, severity, unexpected_count, observed_value,
            sample_unexpected, exception
        FROM {TABLE}
        WHERE run_id = ? AND suite = ? AND NOT success
        ORDER BY severity, rule
        """,
        [run_id, suite],
    ).fetchall()


def _test_failures(
    con: duckdb.DuckDBPyConnection, relation: tuple[str, str]
) -> tuple[int, list[str], list[tuple]] | None:
    """A dbt test's failing rows (dbt stores them as a view: store_failures_as view)."""
    schema, alias = relation
    name = f'"{schema}"."{alias}"'
    try:
        count = con.execute(f"SELECT count(*) FROM {name}").fetchone()
        cursor = con.execute(f"SELECT * FROM {name} LIMIT {SAMPLES}")
    except duckdb.Error:
        return None
    columns = [d[0] for d in cursor.description]
    return (count[0] if count else 0), columns, cursor.fetchall()


def check_lines(
    warehouse: Path,
    run_id: str,
    verdicts: list[CheckVerdict],
    dbt_tests: dict[str, tuple[str, str]] | None = None,
) -> list[str]:
    """One block per failed or warned check of the run. ``dbt_tests`` maps a dbt test's name
    to the relation holding its failing rows."""
    if not verdicts:
        return []
    lines = ["Checks that failed or warned:"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        has_results = results_table_exists(con)
        for v in sorted(verdicts, key=lambda v: (v.severity != "ERROR", v.asset, v.check)):
            lines.append(f"  [{v.severity}] {v.check} on {v.asset}")
            suite = v.check.removeprefix("gx_")
            rules = _failed_rules(con, run_id, suite) if v.check.startswith("gx_") else []
            failures = (
                _test_failures(con, dbt_tests[v.check]) if v.check in (dbt_tests or {}) else None
            )
            if failures is not None:
                count, columns, rows = failures
                lines.append(f"      dbt test: {count} failing rows ({', '.join(columns)})")
                lines += [f"            e.g. {', '.join(map(str, row))}"[:300] for row in rows]
            elif has_results and rules:
                for rule, expectation, column, severity, count, observed, sample, exc in rules:
                    what = (
                        f"raised {exc}"
                        if exc
                        else f"{count} unexpected"
                        if count is not None
                        else f"observed {observed}"
                    )
                    lines.append(
                        f"      {severity:<5} {rule} ({expectation}"
                        + (f", column {column}" if column else "")
                        + f"): {what}"
                    )
                    if sample and not exc:
                        lines.append(f"            e.g. {_samples(sample)}")
            elif v.description:
                lines.append(f"      {v.description.strip()[:300]}")
    return lines


def quarantine_lines(warehouse: Path, sources: list[str]) -> list[str]:
    """Per source, the newest verdict: snapshot, status, records set aside and flagged."""
    lines = ["Quarantine per source (newest validation; mart_quarantine lists the records):"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for source in sources:
            table = acceptance_table(source)
            row = (
                con.execute(
                    f"SELECT snapshot_id, status, records_validated, records_set_aside, "
                    f"records_flagged, reason FROM {table} ORDER BY validated_at DESC LIMIT 1"
                ).fetchone()
                if table_exists(con, table)
                else None
            )
            if row is None:
                lines.append(f"  {source:<14} not validated yet")
                continue
            snapshot, status, validated, set_aside, flagged, reason = row
            lines.append(
                f"  {source:<14} {status:<8} snapshot {snapshot}: {validated} records, "
                f"{set_aside} set aside, {flagged} flagged"
            )
            if reason:
                lines.append(f"                 rejected because {reason[:400]}")
    return lines
