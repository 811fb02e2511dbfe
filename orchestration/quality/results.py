"""Validation results kept in the warehouse: one row per rule per validation.

``quality.validation_results`` is the history of every check, for the HTML report, `make run`'s
closing summary and ``marts.mart_data_quality``. Nothing upstream reads it to decide what is
accepted: a raw snapshot's verdict and its records set aside are written by the validation
step into the raw layer itself (``orchestration/quality/acceptance.py``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from orchestration.quality.suites import ERROR
from orchestration.quality.validation import SuiteOutcome
from sources.redact import redact_text
from sources.sql import relation_exists

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
    # One id per validation (one execution of one suite): runs can validate a suite twice.
    "validation_id": "VARCHAR",
    "rule": "VARCHAR",
    "action": "VARCHAR",
    # Raw suites: the source, and the verdict on its snapshot this validation was part of.
    "source_system": "VARCHAR",
    "acceptance_id": "VARCHAR",
    "snapshot_status": "VARCHAR",
}

# The rule recorded when a check could not validate at all (table missing, ...).
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
    validation_id: str = ""
    source_system: str = "warehouse"  # mart suites
    acceptance_id: str | None = None
    validated_at: datetime | None = None

    @classmethod
    def new(cls, run_id: str, suite: str, asset_key: str, table_name: str, **more) -> CheckRun:
        return cls(
            run_id, suite, asset_key, table_name, more.pop("snapshot_id", None),
            validation_id=str(uuid.uuid4()), validated_at=datetime.now(UTC), **more,
        )  # fmt: skip


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def record_outcome(
    con: duckdb.DuckDBPyConnection,
    check: CheckRun,
    outcome: SuiteOutcome,
    snapshot_status: str | None = None,
) -> int:
    """Append one row per rule; returns the number of rows written."""
    ensure_results_table(con)
    rows = [
        (
            check.run_id, check.validated_at, check.asset_key, check.suite, check.table_name,
            check.snapshot_id, o.expectation_type, o.column, o.severity, o.success,
            outcome.row_count, _json(o.observed_value), o.unexpected_count,
            o.unexpected_percent, _json(o.sample_unexpected or None), redact_text(o.exception),
            check.validation_id, o.rule.name, o.rule.action, check.source_system,
            check.acceptance_id, snapshot_status,
        )
        for o in outcome.outcomes
    ]  # fmt: skip
    con.executemany(_INSERT, rows)
    return len(rows)


def record_failure(
    con: duckdb.DuckDBPyConnection,
    check: CheckRun,
    error: str,
    snapshot_status: str | None = None,
) -> None:
    """A check that could not validate is one failed ERROR row naming the exception."""
    ensure_results_table(con)
    con.execute(
        _INSERT,
        [
            check.run_id, check.validated_at, check.asset_key, check.suite, check.table_name,
            check.snapshot_id, CHECK_COULD_NOT_RUN, None, ERROR, False, None, None, None,
            None, None, redact_text(error), check.validation_id, CHECK_COULD_NOT_RUN, "block",
            check.source_system, check.acceptance_id, snapshot_status,
        ],
    )  # fmt: skip


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether ``schema.table`` is in the warehouse (works on a read-only connection)."""
    schema, name = table.split(".", 1)
    return relation_exists(con, schema, name)


def results_table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(con, TABLE)


def previous_row_count(con: duckdb.DuckDBPyConnection, suite: str) -> int | None:
    """Rows of the suite's last accepted validation: no failed ERROR and, on a raw suite, its
    snapshot accepted. A drop that only warned counts: once accepted it is the baseline, so
    one larger pull does not make every normal pull after it warn. (Raw suites compare with
    the last accepted pull's rows in the raw layer; this is for marts and for warehouses
    without such a verdict.) Works on a read-only connection, also on a results table written
    by an earlier version; None before the first such validation."""
    if not results_table_exists(con):
        return None
    columns = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
            [SCHEMA, TABLE.split(".")[1]],
        ).fetchall()
    }
    accepted = (
        "coalesce(snapshot_status, 'accepted') = 'accepted'"
        if "snapshot_status" in columns
        else "true"
    )
    row = con.execute(
        f"""
        SELECT max(rows_validated) FROM {TABLE}
        WHERE suite = ? AND rows_validated IS NOT NULL
        GROUP BY validation_id
        HAVING bool_and((success OR severity <> '{ERROR}') AND {accepted})
        ORDER BY max(validated_at) DESC LIMIT 1
        """,
        [suite],
    ).fetchall()
    return int(row[0][0]) if row else None
