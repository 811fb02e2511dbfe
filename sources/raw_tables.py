"""Raw records as Parquet files, one folder per snapshot, that the warehouse reads in place.

Every landed pull's parsed records are written to ``<records_dir>/<source>/<snapshot id>/``:
one ``<table>.parquet`` per raw table and ``snapshots.parquet``, the snapshot's facts (one
row of ``SNAPSHOTS_COLUMNS``). Ingestion writes only these files; it never opens the
warehouse, so a source's step needs no DuckDB slot. The warehouse's ``raw.<table>`` are views
over every snapshot's file of that table (``attach_raw_views``, run by each source's
validation step and before dbt), so dbt, the GX suites and anyone querying the warehouse read
the files where they lie; nothing copies them.

Files keep every snapshot's records (``_snapshot_id``, ``_loaded_at``) so later models can
compare runs, and the raw folders' retention (orchestration/disk.py) never touches them. A
snapshot folder is written under a hidden name and renamed into place whole, so a crash never
leaves half a snapshot; writing one that is already there is a no-op, so a retried step cannot
double rows. Every row carries ``_record_no``, its position in the snapshot (what quarantine
entries point at), and ``_problems``, what the connector could not read in it (JSON, see
sources.problems).

A snapshot whose rows equal, table for table and in order, those of the source's previous
snapshot writes only its facts: ``rows_snapshot_id`` names the snapshot whose files hold its
records (resolved to the one that wrote them). The rows are compared, not the source's content
hash, because rows also depend on the connector's code and the call catalogue: a new call or a
parser fix writes rows although the source did not change.

Every record of every connector passes here, so this is where a field's length is bounded
(``max_field_chars``, setting ``LCM_MAX_FIELD_CHARS``): a title of a megabyte is a broken or
hostile source, and the snapshot fails before a file is written, naming the table, the record
and the field (the raw files stay landed for a look).

Warehouses built before the records were files held them in tables ``raw.<table>``: the first
``attach_raw_views`` writes those rows out per snapshot, then replaces the tables by views.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from sources import problems
from sources.durable import fsync
from sources.errors import SourceError
from sources.landing import Manifest, content_hash
from sources.redact import redact_text
from sources.sql import literal, relation_exists

SNAPSHOTS = "snapshots"  # the facts' file name and view: raw.snapshots
SNAPSHOTS_TABLE = f"raw.{SNAPSHOTS}"
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
    "rows_snapshot_id": "VARCHAR",  # whose record files hold the records
    "rows_sha256": "VARCHAR",  # hash of the rows, to recognise the next identical pull
}
# Where a snapshot's folder is written before it is renamed into place: one level deeper than
# the snapshots, so the views' glob never reads half a snapshot.
WRITING = ".writing"
LEFTOVER_AFTER_S = 24 * 3600.0  # a half-written folder this old is a crash's leftover
# DuckDB reads these as pattern characters in a file name: a records folder holding them
# would make the views read other files (or none).
GLOB_CHARACTERS = re.compile(r"[*?\[\]{}]")
# A folder name made of a source or snapshot id (the earlier layout's values become paths).
FOLDER_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


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
    """Create the table, or add the columns a newer version writes (earlier rows get nulls
    there); for the tables the validation step keeps in the warehouse."""
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
    """The source's newest loaded snapshot (ids are UTC timestamps), from raw.snapshots."""
    if not relation_exists(con, "raw", SNAPSHOTS):
        return None
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
    """Hash of what a snapshot would write: each table's name, columns and rows in order."""
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


def checked_records_dir(records_dir: Path) -> Path:
    """The records folder, absolute; refused when its path holds a pattern character."""
    records_dir = records_dir.resolve()
    if GLOB_CHARACTERS.search(str(records_dir)):
        raise ValueError(
            f"records folder {records_dir}: the characters * ? [ ] {{ }} are not allowed in its"
            " path (DuckDB reads them as a file pattern); set LCM_DATA_DIR to another folder"
        )
    return records_dir


def snapshot_folder(records_dir: Path, source: str, snapshot_id: str) -> Path:
    """Where a snapshot's record files are."""
    return records_dir / source / snapshot_id


def _file_name(table: str) -> str:
    """``raw.nwopen_projects`` -> ``nwopen_projects``: the file and view of a raw table."""
    return table.split(".", 1)[-1]


def _previous_rows(records_dir: Path, manifest: Manifest) -> tuple[str, str | None] | None:
    """(whose files hold its records, rows hash) of the source's previous written snapshot."""
    source_dir = records_dir / manifest.source
    if not source_dir.is_dir():
        return None
    earlier = sorted(
        p.name
        for p in source_dir.iterdir()
        if not p.name.startswith(".")
        and p.name < manifest.snapshot_id
        and (p / f"{SNAPSHOTS}.parquet").is_file()
    )
    if not earlier:
        return None
    facts = source_dir / earlier[-1] / f"{SNAPSHOTS}.parquet"
    with duckdb.connect() as con:
        found = con.execute(f"SELECT * FROM read_parquet({literal(facts)})")
        names = [d[0] for d in found.description]
        row = found.fetchone()
    if row is None:
        return None
    values = dict(zip(names, row, strict=True))  # older facts may lack the later columns
    return values.get("rows_snapshot_id") or values["snapshot_id"], values.get("rows_sha256")


def _write_parquet(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, columns: Mapping[str, str],
                   path: Path) -> None:  # fmt: skip
    """The frame's columns cast to their declared types, as one Parquet file."""
    con.register("_incoming", frame)
    try:
        casts = ", ".join(f"CAST({n} AS {t}) AS {n}" for n, t in columns.items())
        con.execute(
            f"COPY (SELECT {casts} FROM _incoming) TO {literal(path)}"
            " (FORMAT parquet, COMPRESSION zstd)"
        )
    finally:
        con.unregister("_incoming")


def _record_frame(
    columns: Mapping[str, str], rows: Sequence[dict[str, Any]], snapshot_id: str,
    loaded_at: datetime,
) -> pd.DataFrame:  # fmt: skip
    frame = pd.DataFrame(list(rows), columns=list(columns))
    frame.insert(0, "_problems", [problems.to_json(row) for row in rows])
    frame.insert(0, "_record_no", range(1, len(frame) + 1))
    frame.insert(0, "_loaded_at", loaded_at)
    frame.insert(0, "_snapshot_id", snapshot_id)
    return frame


def write_snapshot(
    records_dir: Path,
    manifest: Manifest,
    snapshot_path: str,
    tables: Mapping[str, tuple[Mapping[str, str], Sequence[dict[str, Any]]]],
    record_count: int,
    max_field_chars: int = MAX_FIELD_CHARS,
) -> str | None:
    """Write ``tables`` (``raw.<name>`` -> (columns, rows)) of one snapshot as its folder of
    record files, unless they equal the previous snapshot's rows (then only its facts).

    Returns the snapshot whose files hold this one's records (its own id when it wrote them),
    or None when the snapshot had already been written. A text field longer than
    ``max_field_chars`` fails the snapshot (``SourceError``) before anything is written.
    """
    check_field_lengths(manifest, tables, max_field_chars)
    records_dir = checked_records_dir(records_dir)
    folder = snapshot_folder(records_dir, manifest.source, manifest.snapshot_id)
    if folder.exists():
        return None
    digest = rows_sha256(tables)
    previous = _previous_rows(records_dir, manifest)
    same = previous is not None and previous[1] == digest
    rows_snapshot_id = previous[0] if previous is not None and same else manifest.snapshot_id
    loaded_at = datetime.now(UTC)
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
    writing = records_dir / manifest.source / WRITING / manifest.snapshot_id
    _remove_leftovers(writing.parent)
    shutil.rmtree(writing, ignore_errors=True)  # what a crash left of this very snapshot
    writing.mkdir(parents=True)
    with duckdb.connect() as con:
        if rows_snapshot_id == manifest.snapshot_id:  # else the same rows are there already
            for table, (columns, rows) in tables.items():
                frame = _record_frame(columns, rows, manifest.snapshot_id, loaded_at)
                path = writing / f"{_file_name(table)}.parquet"
                _write_parquet(con, frame, {**RECORD_COLUMNS, **columns}, path)
        _write_parquet(con, pd.DataFrame([facts]), SNAPSHOTS_COLUMNS,
                       writing / f"{SNAPSHOTS}.parquet")  # fmt: skip
    # On disk before the name appears: after a power cut a snapshot's folder is whole or absent
    # (a present one is never written again, and every view reads every file).
    for path in [*writing.iterdir(), writing]:
        fsync(path)
    os.rename(writing, folder)  # the whole snapshot appears at once
    fsync(folder.parent)
    with contextlib.suppress(OSError):  # another snapshot may be being written there
        writing.parent.rmdir()
    return rows_snapshot_id


def _remove_leftovers(writing_dir: Path) -> None:
    """Half-written snapshot folders a crash left, once they are a day old."""
    if not writing_dir.is_dir():
        return
    for leftover in writing_dir.iterdir():
        with contextlib.suppress(OSError):
            if time.time() - leftover.stat().st_mtime > LEFTOVER_AFTER_S:
                shutil.rmtree(leftover)


def _is_name(name: str) -> bool:
    return name.isidentifier() and name.isascii() and name == name.lower()


def attach_raw_views(con: duckdb.DuckDBPyConnection, records_dir: Path) -> list[str]:
    """(Re)create ``raw.<table>`` as a view over every snapshot's ``<table>.parquet`` (and
    ``raw.snapshots`` over the facts), after writing out the tables of a warehouse built
    before the records were files. Run with a read-write connection; returns the views.

    Made again every time: a table seen for the first time needs its view, a column a newer
    connector added (null in older files, ``union_by_name``) its place in the view, and a
    moved or restored data folder views that name its own files.
    """
    records_dir = checked_records_dir(records_dir)
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    _write_out_raw_tables(con, records_dir)
    names = sorted({p.stem for p in records_dir.glob("*/*/*.parquet") if _is_name(p.stem)})
    for name in names:
        files = literal(records_dir / "*" / "*" / f"{name}.parquet")
        con.execute(
            f"CREATE OR REPLACE VIEW raw.{name} AS"
            f" SELECT * FROM read_parquet({files}, union_by_name = true)"
        )
    return names


MIGRATED, EMPTY = "_migrated", "empty"  # where a table of the earlier layout without rows goes


def _migrated_folder(records_dir: Path, source: str, snapshot_id: str, table: str) -> Path:
    """A snapshot's folder for the earlier layout's rows: its values become a path, so only
    plain names pass (never ``..`` or a separator)."""
    for value in (source, snapshot_id):
        if not FOLDER_NAME.match(value) or value in (".", ".."):
            raise ValueError(f"raw.{table}: snapshot {snapshot_id!r} of source {source!r}"
                             " cannot be a folder name; not written out")  # fmt: skip
    return snapshot_folder(records_dir, source, snapshot_id)


def _write_out_raw_tables(con: duckdb.DuckDBPyConnection, records_dir: Path) -> None:
    """Tables ``raw.<table>`` of an earlier version (records with ``_snapshot_id``, and
    ``raw.snapshots``): each snapshot's rows to its folder of record files, then the tables
    dropped, so the views take their place with nothing lost. Files already written stay."""
    found = con.execute(
        "SELECT table_name, list(column_name) FROM information_schema.columns"
        " WHERE table_catalog = current_database() AND table_schema = 'raw'"
        " AND table_name IN (SELECT table_name FROM information_schema.tables"
        "   WHERE table_catalog = current_database() AND table_schema = 'raw'"
        "   AND table_type = 'BASE TABLE')"
        " GROUP BY table_name ORDER BY table_name"
    ).fetchall()
    tables = {name: ("snapshot_id" if name == SNAPSHOTS else "_snapshot_id") for name, cols in found
              if name == SNAPSHOTS or "_snapshot_id" in cols}  # fmt: skip
    if not tables:
        return
    sources: dict[str, str] = {}
    if SNAPSHOTS in tables:
        sources = dict(con.execute(f"SELECT snapshot_id, source FROM {SNAPSHOTS_TABLE}").fetchall())
    written: set[Path] = set()
    for name, key in tables.items():
        order = "_record_no" if key == "_snapshot_id" else "snapshot_id"
        ids = [r[0] for r in con.execute(f"SELECT DISTINCT {key} FROM raw.{name}").fetchall()]
        # Each snapshot's folder and the rows that go there; every name checked before a write.
        targets = {
            _migrated_folder(records_dir, sources.get(snapshot_id) or "unknown", snapshot_id, name):
                f"{key} = {literal(snapshot_id)}"
            for snapshot_id in ids if snapshot_id is not None
        }  # fmt: skip
        if not targets:  # no rows: an empty file keeps the table (and its columns) a view
            targets = {records_dir / MIGRATED / EMPTY: "false"}
        for folder, condition in targets.items():
            path = folder / f"{name}.parquet"
            if path.exists():
                continue
            folder.mkdir(parents=True, exist_ok=True)
            part = path.with_name(path.name + ".part")  # not read by the views' glob
            con.execute(
                f"COPY (SELECT * FROM raw.{name} WHERE {condition} ORDER BY {order})"
                f" TO {literal(part)} (FORMAT parquet, COMPRESSION zstd)"
            )
            fsync(part)
            os.replace(part, path)
            written.add(folder)
    for folder in sorted(written):
        fsync(folder)
    con.execute("BEGIN TRANSACTION")
    for name in tables:
        con.execute(f"DROP TABLE raw.{name}")
    con.execute("COMMIT")
