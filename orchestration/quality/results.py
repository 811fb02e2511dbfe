"""Validation results kept in the warehouse: one row per expectation per check run.

``quality.validation_results`` is the history that BI tools chart (dbt's mart_data_quality
summarises it) and what staging uses to read only accepted snapshots: validated, with no
failed ERROR expectation in the newest validation by each suite (macro ``latest_snapshot``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from orchestration.quality.suites import ROW_DROP_RULE
from orchestration.quality.validation import ERROR, SuiteOutcome

SCHEMA = "quality"
TABLE = f"{SCHEMA}.validation_results"

COLUMNS = {
    "run_id": "VARCHAR",
    "validated_at": "TIMESTAMPTZ",
    "asset_key": "VARCHAR",
    "suite": "VARCHAR",
    "table_name": "VARCHAR",
    "snapshot_id": "VARCHAR",
    "expectation": "VARCHAR",
    "column_name": "VARCHAR",
    "severity": "VARCHAR",
    "success": "BOOLEAN",
    "rows_validated": "BIGINT",
    "observed_value": "VARCHAR",
    "unexpected_count": "BIGINT",
    "unexpected_percent": "DOUBLE",
    "sample_unexpected": "VARCHAR",
    "exception": "VARCHAR",
    # One id per validation (one check execution): runs can validate a suite more than once.
    "validation_id": "VARCHAR",
}

# The expectation name recorded when a check could not validate at all (table missing, ...).
CHECK_COULD_NOT_RUN = "check_could_not_run"


def ensure_results_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({columns})")
    for name, kind in COLUMNS.items():  # tables made by an earlier version lack newer columns
        con.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {name} {kind}")


_INSERT = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"


@dataclass(frozen=True)
class CheckRun:
    """Where a validation happened: which run, suite, asset, table and snapshot."""

    run_id: str
    suite: str
    asset_key: str
    table_name: str
    snapshot_id: str | None


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def record_outcome(con: duckdb.DuckDBPyConnection, check: CheckRun, outcome: SuiteOutcome) -> int:
    """Append one row per expectation; returns the number of rows written."""
    ensure_results_table(con)
    now = datetime.now(UTC)
    validation_id = str(uuid.uuid4())
    rows = [
        (
            check.run_id, now, check.asset_key, check.suite, check.table_name,
            check.snapshot_id, o.name or o.expectation_type, o.column, o.severity, o.success,
            outcome.row_count, _json(o.observed_value), o.unexpected_count,
            o.unexpected_percent, _json(o.sample_unexpected or None), o.exception,
            validation_id,
        )
        for o in outcome.outcomes
    ]  # fmt: skip
    con.executemany(_INSERT, rows)
    return len(rows)


def record_failure(con: duckdb.DuckDBPyConnection, check: CheckRun, error: str) -> None:
    """A check that could not validate is one failed ERROR row naming the exception."""
    ensure_results_table(con)
    con.execute(
        _INSERT,
        [
            check.run_id, datetime.now(UTC), check.asset_key, check.suite, check.table_name,
            check.snapshot_id, CHECK_COULD_NOT_RUN, None, ERROR, False, None, None, None,
            None, None, error, str(uuid.uuid4()),
        ],
    )  # fmt: skip


def results_table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
        [SCHEMA, TABLE.split(".")[1]],
    ).fetchall()
    return bool(row[0][0])


def previous_row_count(con: duckdb.DuckDBPyConnection, suite: str) -> int | None:
    """Rows of the suite's last good validation: no failed ERROR expectation and no failed
    row-count drop rule (a drop that warned must not become the new baseline). Works on a
    read-only connection; None before the first such validation."""
    if not results_table_exists(con):
        return None
    row = con.execute(
        f"""
        SELECT max(rows_validated) FROM {TABLE}
        WHERE suite = ? AND rows_validated IS NOT NULL
        GROUP BY validation_id
        HAVING bool_and(success OR (severity <> '{ERROR}' AND expectation <> ?))
        ORDER BY max(validated_at) DESC LIMIT 1
        """,
        [suite, ROW_DROP_RULE],
    ).fetchall()
    return int(row[0][0]) if row else None
