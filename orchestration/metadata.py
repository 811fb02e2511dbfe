"""Shapes of the metadata and failures that assets report to Dagster."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from sources.errors import SourceError


def table_metadata(table: str, columns: Mapping[str, str], row_count: int) -> dict[str, Any]:
    """Row count, table name and column schema under Dagster's standard metadata keys."""
    return {
        "dagster/table_name": table,
        "dagster/row_count": row_count,
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, sql_type) for name, sql_type in columns.items()]
        ),
    }


def source_failure(exc: SourceError) -> dg.Failure:
    """A Dagster failure whose description and metadata name the source, location and field."""
    return dg.Failure(
        description=str(exc),
        metadata={
            "source": exc.source,
            "location": exc.location,
            "field": exc.field or "",
            "detail": exc.detail,
        },
        allow_retries=True,
    )
