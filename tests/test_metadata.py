"""The metadata every asset reports: a real DuckDB table with awkward types, described."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.metadata import PREVIEW_CELL_CHARS, PREVIEW_ROWS, relation_metadata


def test_relation_metadata_describes_a_table_as_duckdb_holds_it(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute(
            "CREATE TABLE marts.t AS SELECT i AS id, 1234.5::DECIMAL(12, 2) AS amount,"
            " DATE '2024-01-31' AS start_date, ['a', 'b'] AS tags, repeat('x', 200) AS summary,"
            " NULL::VARCHAR AS empty, 'NaN'::DOUBLE AS ratio, TIME '01:02:00' AS at"
            " FROM range(7) r(i)"
        )
        con.execute("CREATE VIEW marts.v AS SELECT id FROM marts.t WHERE id < 2")
        con.execute('CREATE TABLE marts."odd ""name" AS SELECT 1 AS x')
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        table = relation_metadata(con, "marts", "t", {"id": "The key."})
        view = relation_metadata(con, "marts", "v")
        odd = relation_metadata(con, "marts", 'odd "name')
        with pytest.raises(LookupError, match=r"marts\.missing"):
            relation_metadata(con, "marts", "missing")

    assert table["dagster/table_name"] == "marts.t"
    assert table["dagster/row_count"] == 7
    columns = table["dagster/column_schema"].columns
    assert [(c.name, c.type) for c in columns] == [
        ("id", "BIGINT"),
        ("amount", "DECIMAL(12,2)"),
        ("start_date", "DATE"),
        ("tags", "VARCHAR[]"),
        ("summary", "VARCHAR"),
        ("empty", "VARCHAR"),
        ("ratio", "DOUBLE"),
        ("at", "TIME"),
    ]
    assert columns[0].description == "The key."
    records = table["preview"].records
    assert len(records) == PREVIEW_ROWS
    first = records[0].data
    assert first["amount"] == 1234.5
    assert first["start_date"] == "2024-01-31"
    assert first["tags"] == '["a", "b"]'
    assert len(first["summary"]) == PREVIEW_CELL_CHARS and first["summary"].endswith("…")
    assert first["empty"] is None
    assert first["ratio"] == "nan"  # stored as JSON, which has no NaN
    assert first["at"] == "01:02:00"
    assert view["dagster/row_count"] == 2 and len(view["preview"].records) == 2
    assert odd["dagster/row_count"] == 1  # quoted identifiers
