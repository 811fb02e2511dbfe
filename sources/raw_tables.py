"""Appending parsed records to the warehouse's ``raw`` schema, one snapshot at a time.

Raw tables keep every snapshot (``_snapshot_id``, ``_loaded_at``) so later models can compare
runs; loading a snapshot that is already there is a no-op, so a retried step cannot double rows.
Every row carries ``_record_no``, its position in the snapshot (what quarantine entries point
at), and ``_problems``, what the connector could not read in it (JSON, see sources.problems).
``raw.snapshots`` records one row per landed snapshot with its manifest's facts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from sources import problems
from sources.landing import Manifest

SNAPSHOTS_TABLE = "raw.snapshots"
SNAPSHOTS_COLUMNS = {
    "snapshot_id": "VARCHAR",
    "source": "VARCHAR",
    "location": "VARCHAR",
    "fetched_at": "TIMESTAMPTZ",
    "loaded_at": "TIMESTAMPTZ",
    "content_sha256": "VARCHAR",
    "changed": "BOOLEAN",
    "previous_snapshot_id": "VARCHAR",
    "file_count": "INTEGER",
    "record_count": "INTEGER",
    "snapshot_path": "VARCHAR",
}


# Added to every raw table in front of the connector's own columns.
RECORD_COLUMNS = {
    "_snapshot_id": "VARCHAR",
    "_loaded_at": "TIMESTAMPTZ",
    "_record_no": "INTEGER",
    "_problems": "VARCHAR",
}


def ensure_table(con: duckdb.DuckDBPyConnection, table: str, columns: Mapping[str, str]) -> None:
    """Create the table, or add the columns a newer version of the connector writes (earlier
    snapshots get nulls there); raw tables are never rewritten."""
    schema = table.split(".", 1)[0]
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    cols = ",\n  ".join(f"{name} {sql_type}" for name, sql_type in columns.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} (\n  {cols}\n)")
    for name, sql_type in columns.items():
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {sql_type}")


def append_snapshot(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    snapshot_path: str,
    tables: Mapping[str, tuple[Mapping[str, str], Sequence[dict[str, Any]]]],
    record_count: int,
) -> bool:
    """Append ``tables`` (name -> (columns, rows)) for one snapshot in one transaction.

    Returns False when the snapshot had already been loaded.
    """
    ensure_table(con, SNAPSHOTS_TABLE, SNAPSHOTS_COLUMNS)
    for table, (columns, _) in tables.items():
        ensure_table(con, table, {**RECORD_COLUMNS, **columns})
    already = con.execute(
        f"SELECT count(*) FROM {SNAPSHOTS_TABLE} WHERE snapshot_id = ?", [manifest.snapshot_id]
    ).fetchone()
    if already and already[0]:
        return False
    loaded_at = datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        for table, (columns, rows) in tables.items():
            frame = pd.DataFrame(list(rows), columns=list(columns))
            frame.insert(0, "_problems", [problems.to_json(row) for row in rows])
            frame.insert(0, "_record_no", range(1, len(frame) + 1))
            frame.insert(0, "_loaded_at", loaded_at)
            frame.insert(0, "_snapshot_id", manifest.snapshot_id)
            con.register("_incoming", frame)
            names = ", ".join(frame.columns)
            casts = ", ".join(f"CAST({n} AS {t})" for n, t in {**RECORD_COLUMNS, **columns}.items())
            con.execute(f"INSERT INTO {table} ({names}) SELECT {casts} FROM _incoming")
            con.unregister("_incoming")
        con.execute(
            f"INSERT INTO {SNAPSHOTS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                manifest.snapshot_id,
                manifest.source,
                manifest.location,
                manifest.fetched_at,
                loaded_at,
                manifest.content_sha256,
                manifest.changed,
                manifest.previous_snapshot_id,
                len(manifest.files),
                record_count,
                snapshot_path,
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True
