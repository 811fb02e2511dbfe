"""Publishing the marts for BI readers: a serving DuckDB file and Parquet exports.

The build database is written by every run; BI tools must never read it (DuckDB allows one
writer or many readers, and a half-built warehouse is not a result). Publishing copies the
marts into a *new* file created in DuckDB 1.4's storage format (readable by the DuckDB 1.x
that many BI connectors embed) and moves it over the serving file with ``os.replace``: a
reader that holds the previous file open keeps reading it, undisturbed, and a new reader
sees either the old or the new file, never a partial one. Parquet files are written the same
way (temporary name, then ``os.replace``), one per mart.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

SERVING_STORAGE_VERSION = "v1.4.0"
PUBLISHED_SCHEMAS = ("marts",)


@dataclass(frozen=True)
class Published:
    serving_path: Path
    exports_dir: Path
    tables: dict[str, int]  # schema.table -> rows
    parquet: dict[str, Path]  # schema.table -> its Parquet export
    size_bytes: int
    seconds: float


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    """The published relations: tables, and views (mart_data_quality), which are published
    as tables holding what they show at publishing time."""
    return con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables()"
        " WHERE database_name = 'build' AND schema_name IN $schemas"
        " UNION ALL SELECT schema_name, view_name, comment FROM duckdb_views()"
        " WHERE database_name = 'build' AND schema_name IN $schemas"
        " ORDER BY 1, 2",
        {"schemas": list(PUBLISHED_SCHEMAS)},
    ).fetchall()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish(build_path: Path, serving_path: Path, exports_dir: Path) -> Published:
    """Copy the build database's marts to a fresh serving file and Parquet exports."""
    started = time.monotonic()
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    exports_dir.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    new_file = serving_path.with_name(f".{serving_path.name}.{token}.tmp")
    written: list[tuple[Path, Path]] = []
    tables: dict[str, int] = {}
    parquet: dict[str, Path] = {}
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {_quote(str(build_path))} AS build (READ_ONLY)")
        # The catalog name of the serving file is its base name; attach under a fixed alias.
        con.execute(
            f"ATTACH {_quote(str(new_file))} AS serving"
            f" (STORAGE_VERSION {_quote(SERVING_STORAGE_VERSION)})"
        )
        for schema, table, comment in _tables(con):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS serving.{schema}")
            con.execute(
                f"CREATE TABLE serving.{schema}.{table} AS SELECT * FROM build.{schema}.{table}"
            )
            # Descriptions travel with the data, so BI tools show them on the serving file too.
            if comment:
                con.execute(f"COMMENT ON TABLE serving.{schema}.{table} IS {_quote(comment)}")
            for column, column_comment in con.execute(
                "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = 'build'"
                " AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
                [schema, table],
            ).fetchall():
                con.execute(
                    f'COMMENT ON COLUMN serving.{schema}.{table}."{column}"'
                    f" IS {_quote(column_comment)}"
                )
            rows = con.execute(f"SELECT count(*) FROM serving.{schema}.{table}").fetchall()[0][0]
            tables[f"{schema}.{table}"] = int(rows)
            target = exports_dir / f"{table}.parquet"
            temporary = exports_dir / f".{table}.{token}.parquet.tmp"
            con.execute(f"COPY build.{schema}.{table} TO {_quote(str(temporary))} (FORMAT parquet)")
            written.append((temporary, target))
            parquet[f"{schema}.{table}"] = target
        con.execute("DETACH serving")
        con.execute("DETACH build")
    except BaseException:
        con.close()
        new_file.unlink(missing_ok=True)
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)
        raise
    con.close()
    # Everything is complete on disk: only now replace what readers see.
    os.replace(new_file, serving_path)
    for temporary, target in written:
        os.replace(temporary, target)
    return Published(
        serving_path=serving_path,
        exports_dir=exports_dir,
        tables=tables,
        parquet=parquet,
        size_bytes=serving_path.stat().st_size,
        seconds=time.monotonic() - started,
    )
