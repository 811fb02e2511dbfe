"""Small SQL helpers shared by the code that writes DuckDB statements by hand: DuckDB takes no
parameters where a file path or a comment goes (COPY, ATTACH, COMMENT ON), and the catalogue
question "is this relation there" is asked of tables and of views alike."""

from __future__ import annotations

from pathlib import Path

import duckdb


def literal(value: str | Path) -> str:
    """``value`` as a SQL string literal (single quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """Whether ``schema.name`` is a table or view of the connection's database (works on a
    read-only connection)."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database()"
        " AND table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])
