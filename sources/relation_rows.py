"""Rows of a DuckDB relation as dicts: how the dbt Python models hand seeds and models to the
plain-Python rules in sources/ (which take records, not relations)."""

from __future__ import annotations

from typing import Any

import duckdb


def relation_rows(relation: duckdb.DuckDBPyRelation) -> list[dict[str, Any]]:
    names = relation.columns
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]
