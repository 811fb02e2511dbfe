"""Appending parsed records to the warehouse's ``raw`` schema, one snapshot at a time.

Raw tables keep every snapshot's records (``_snapshot_id``, ``_loaded_at``) so later models
can compare runs; loading a snapshot that is already there is a no-op, so a retried step cannot
double rows. Every row carries ``_record_no``, its position in the snapshot (what quarantine
entries point at), and ``_problems``, what the connector could not read in it (JSON, see
sources.problems). ``raw.snapshots`` records one row per landed snapshot with its manifest's
facts.

A snapshot whose rows equal, table for table and in order, those of the source's previous
snapshot appends none: its ``raw.snapshots`` row names in ``rows_snapshot_id`` the snapshot
whose rows hold its records (resolved to the one that appended them). The rows are compared,
not the source's content hash, because rows also depend on the connector's code and the call
catalogue: a new call or a parser fix appends rows although the source did not change.

Every record of every connector passes here, so this is where a field's length is bounded
(``max_field_chars``, setting ``LCM_MAX_FIELD_CHARS``): a title of a megabyte is a broken or
hostile source, and the snapshot fails before a row is appended, naming the table, the record
and the field (the raw files stay landed for a look).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from sources import problems
from sources.errors import SourceError
from sources.landing import Manifest, content_hash
from sources.redact import redact_text

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
    # Added later (null in older rows, meaning the snapshot's own id and unknown):
    "files_snapshot_id": "VARCHAR",  # whose folder holds the files (manifest.holder_id)
    "rows_snapshot_id": "VARCHAR",  # whose rows in the raw tables hold the records
    "rows_sha256": "VARCHAR",  # hash of the rows, to recognise the next identical pull
}


# Far above any real field (NWOpen summaries run to a few thousand characters).
MAX_FIELD_CHARS = 100_000
# Columns that say where a record was found, named with a field that is too long.
WHERE_COLUMNS = ("source_page", "source_row", "page_url")

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


@dataclass(frozen=True)
class LoadedSnapshot:
    """A snapshot as raw.snapshots records it: its id, where its records are, when loaded."""

    snapshot_id: str
    rows_snapshot_id: str
    loaded_at: datetime | None


def newest_snapshot(con: duckdb.DuckDBPyConnection, source: str) -> LoadedSnapshot | None:
    """The source's newest loaded snapshot (ids are UTC timestamps)."""
    found = con.execute(
        f"SELECT * FROM {SNAPSHOTS_TABLE} WHERE source = ? ORDER BY snapshot_id DESC LIMIT 1",
        [source],
    )
    names = [d[0] for d in found.description]
    row = found.fetchone()
    if row is None:
        return None
    values = dict(zip(names, row, strict=True))
    # Rows written before deduplication (or by hand) hold their own records.
    return LoadedSnapshot(
        values["snapshot_id"],
        values.get("rows_snapshot_id") or values["snapshot_id"],
        values.get("loaded_at"),
    )


def rows_sha256(tables: Mapping[str, tuple[Mapping[str, str], Sequence[dict[str, Any]]]]) -> str:
    """Hash of what a snapshot would append: each table's name, columns and rows in order."""
    return content_hash(
        [
            [table, list(columns.items()), [[row.get(c) for c in columns] for row in rows],
             [problems.to_json(row) for row in rows]]
            for table, (columns, rows) in sorted(tables.items())
        ]
    )  # fmt: skip


def check_field_lengths(
    manifest: Manifest,
    tables: Mapping[str, tuple[Mapping[str, str], Sequence[dict[str, Any]]]],
    max_chars: int,
) -> None:
    """Raise SourceError for the first text field longer than ``max_chars``, naming the table,
    the record (its number, key and where it was found) and the field."""
    for table, (columns, rows) in tables.items():
        key = next(iter(columns), None)
        for number, row in enumerate(rows, start=1):
            for column in columns:
                value = row.get(column)
                if not isinstance(value, str) or len(value) <= max_chars:
                    continue
                about = [f"{key}={row.get(key)!r}"] if key and key != column else []
                about += [f"{c}={row[c]!r}" for c in WHERE_COLUMNS if row.get(c) is not None]
                said = f" ({', '.join(about)})" if about else ""
                raise SourceError(
                    manifest.source,
                    manifest.location,
                    f"{table} record {number}{said}: {len(value):,} characters, above the "
                    f"bound of {max_chars:,} (LCM_MAX_FIELD_CHARS); not loaded",
                    field=column,
                )


def _same_rows_as(con: duckdb.DuckDBPyConnection, manifest: Manifest, digest: str) -> str | None:
    """The snapshot holding the rows of the source's previous snapshot, if they equal these."""
    previous = con.execute(
        f"SELECT coalesce(rows_snapshot_id, snapshot_id), rows_sha256 FROM {SNAPSHOTS_TABLE}"
        " WHERE source = ? AND snapshot_id < ? ORDER BY snapshot_id DESC LIMIT 1",
        [manifest.source, manifest.snapshot_id],
    ).fetchone()
    return previous[0] if previous and previous[1] == digest else None


def _insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Mapping[str, str],
    rows: Sequence[dict[str, Any]],
    snapshot_id: str,
    loaded_at: datetime,
) -> None:
    frame = pd.DataFrame(list(rows), columns=list(columns))
    frame.insert(0, "_problems", [problems.to_json(row) for row in rows])
    frame.insert(0, "_record_no", range(1, len(frame) + 1))
    frame.insert(0, "_loaded_at", loaded_at)
    frame.insert(0, "_snapshot_id", snapshot_id)
    con.register("_incoming", frame)
    names = ", ".join(frame.columns)
    casts = ", ".join(f"CAST({n} AS {t})" for n, t in {**RECORD_COLUMNS, **columns}.items())
    con.execute(f"INSERT INTO {table} ({names}) SELECT {casts} FROM _incoming")
    con.unregister("_incoming")


def append_snapshot(
    con: duckdb.DuckDBPyConnection,
    manifest: Manifest,
    snapshot_path: str,
    tables: Mapping[str, tuple[Mapping[str, str], Sequence[dict[str, Any]]]],
    record_count: int,
    max_field_chars: int = MAX_FIELD_CHARS,
) -> str | None:
    """Append ``tables`` (name -> (columns, rows)) for one snapshot in one transaction, unless
    they equal the previous snapshot's rows.

    Returns the snapshot whose rows hold this one's records (its own id when it appended
    them), or None when the snapshot had already been loaded. A text field longer than
    ``max_field_chars`` fails the snapshot (``SourceError``) before anything is written.
    """
    check_field_lengths(manifest, tables, max_field_chars)
    ensure_table(con, SNAPSHOTS_TABLE, SNAPSHOTS_COLUMNS)
    for table, (columns, _) in tables.items():
        ensure_table(con, table, {**RECORD_COLUMNS, **columns})
    already = con.execute(
        f"SELECT count(*) FROM {SNAPSHOTS_TABLE} WHERE snapshot_id = ?", [manifest.snapshot_id]
    ).fetchone()
    if already and already[0]:
        return None
    digest = rows_sha256(tables)
    rows_snapshot_id = _same_rows_as(con, manifest, digest) or manifest.snapshot_id
    loaded_at = datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        if rows_snapshot_id == manifest.snapshot_id:  # else the same rows are there already
            for table, (columns, rows) in tables.items():
                _insert_rows(con, table, columns, rows, manifest.snapshot_id, loaded_at)
        facts = {
            "snapshot_id": manifest.snapshot_id,
            "source": manifest.source,
            "location": redact_text(manifest.location),  # also for a manifest made elsewhere
            "fetched_at": manifest.fetched_at,
            "loaded_at": loaded_at,
            "content_sha256": manifest.content_sha256,
            "changed": manifest.changed,
            "previous_snapshot_id": manifest.previous_snapshot_id,
            "file_count": len(manifest.files),
            "record_count": record_count,
            "snapshot_path": snapshot_path,
            "files_snapshot_id": manifest.holder_id,
            "rows_snapshot_id": rows_snapshot_id,
            "rows_sha256": digest,
        }
        con.execute(
            f"INSERT INTO {SNAPSHOTS_TABLE} ({', '.join(facts)})"
            f" VALUES ({', '.join('?' * len(facts))})",
            list(facts.values()),
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return rows_snapshot_id
