"""Shapes of the metadata and failures that assets report to Dagster."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
import duckdb

from sources.errors import SourceError

# A preview shows what the data looks like, not the data: a few rows, long texts cut short.
PREVIEW_ROWS = 5
PREVIEW_CELL_CHARS = 80


def table_metadata(
    table: str,
    columns: Mapping[str, str],
    row_count: int,
    rows: Sequence[Mapping[str, Any]] = (),
    descriptions: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Row count, table name, column schema and a preview of the first ``rows``, under
    Dagster's standard metadata keys (``preview`` is ours)."""
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn(name, sql_type, description=(descriptions or {}).get(name))
            for name, sql_type in columns.items()
        ]
    )
    return {
        "dagster/table_name": table,
        "dagster/row_count": row_count,
        "dagster/column_schema": schema,
        "preview": dg.MetadataValue.table(
            records=[
                dg.TableRecord({name: _cell(row.get(name)) for name in columns})
                for row in rows[:PREVIEW_ROWS]
            ],
            schema=schema,
        ),
    }


def relation_metadata(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    name: str,
    descriptions: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``table_metadata`` of a table or view as the warehouse holds it: DuckDB's column types
    and row count, and its first rows."""
    columns = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, name],
        ).fetchall()
    )
    if not columns:
        raise LookupError(f"{schema}.{name} is not in the warehouse")
    relation = f"{_identifier(schema)}.{_identifier(name)}"
    row_count = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]  # type: ignore[index]
    cursor = con.execute(f"SELECT * FROM {relation} LIMIT {PREVIEW_ROWS}")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return table_metadata(f"{schema}.{name}", columns, row_count, rows, descriptions)


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cell(value: Any) -> str | int | float | bool | None:
    """A value as a preview cell can hold it (Dagster takes only str, int, float, bool; the
    metadata is stored as JSON, which has no NaN or infinity)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float | decimal.Decimal):
        return float(value) if math.isfinite(value) else str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        text = json.dumps(value, default=str, ensure_ascii=False)
    else:
        text = str(value)
    return text if len(text) <= PREVIEW_CELL_CHARS else text[: PREVIEW_CELL_CHARS - 1] + "…"


def source_failure(exc: SourceError) -> dg.Failure:
    """A Dagster failure whose description and metadata name the source, location and field.

    Only a transient error goes to the step's retry policy (orchestration/retries.py): bad
    content fails at once, as a retry would read the same bad content again.
    """
    return dg.Failure(
        description=str(exc),
        metadata={
            "source": exc.source,
            "location": exc.location,
            "field": exc.field or "",
            "detail": exc.detail,
            "transient": exc.transient,
        },
        allow_retries=exc.transient,
    )
