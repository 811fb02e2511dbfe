"""Publishing the marts for BI readers: a serving DuckDB file and Parquet exports, as one set.

The build database is written by every run; BI tools must never read it (DuckDB allows one
writer or many readers, and a half-built warehouse is not a result). Every publish writes a
new version folder beside the serving file, and only then switches one pointer to it::

    <serving dir>/versions/<UTC timestamp>-<token>/
        lc_monitor.duckdb         the marts, in DuckDB 1.4's storage format
        exports/<mart>.parquet    one file per mart
        manifest.json             rows and SHA-256 per file; written last: a folder without
                                  it is an interrupted publish, removed by the next one
    <serving dir>/current  ->  versions/<id>     the pointer, replaced with one os.replace
    <serving dir>/lc_monitor.duckdb  ->  current/lc_monitor.duckdb        (LCM_SERVING_PATH)
    <exports dir>/<mart>.parquet  ->  <serving dir>/current/exports/<mart>.parquet

The serving file and every export therefore switch together, when ``current`` is replaced;
the stable paths (``LCM_SERVING_PATH`` and the files in ``LCM_EXPORTS_DIR``) are links through
``current`` that never change. A reader holding a file open keeps reading it even after its
version is removed (Linux keeps an unlinked file until it is closed). The newest
``keep`` versions stay; leftovers of an interrupted publish (version folders without a
manifest, hidden ``*.tmp`` / ``*.tmp.wal`` files) are removed at the start of the next.

An install with the old layout (a regular serving file and regular Parquet files) is adopted
by the first publish: its files are hard-linked into a version folder, ``current`` points to
it and the old paths become links that show the same files, then the new version is published
as usual, so even the upgrade switches the set at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from sources.durable import fsync
from sources.sql import literal

SERVING_STORAGE_VERSION = "v1.4.0"
PUBLISHED_SCHEMAS = ("marts",)
VERSIONS = "versions"
CURRENT = "current"
EXPORTS = "exports"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Published:
    serving_path: Path  # the stable path BI tools open (a link through ``current``)
    exports_dir: Path
    version_dir: Path  # the folder ``current`` names after this publish
    tables: dict[str, int]  # schema.table -> rows
    parquet: dict[str, Path]  # schema.table -> its Parquet export (stable path)
    size_bytes: int
    seconds: float
    removed: list[str] = field(default_factory=list)  # leftovers and old versions removed


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


def current_version(serving_dir: Path) -> Path | None:
    """The version folder ``current`` names now, or None before the first publish."""
    pointer = serving_dir / CURRENT
    if not pointer.is_symlink():
        return None
    return serving_dir / os.readlink(pointer)


def read_manifest(version_dir: Path) -> dict[str, Any] | None:
    path = version_dir / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _link(target: str, link: Path, token: str) -> None:
    """Make ``link`` a symbolic link to ``target`` in one step (a temporary link renamed over
    it), whatever ``link`` was: absent, a link, or a regular file of the old layout."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    temporary = link.with_name(f".{link.name}.{token}.tmp")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, link)


def _is_leftover(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith((".tmp", ".tmp.wal"))


def clean_leftovers(serving_dir: Path, exports_dir: Path) -> list[str]:
    """Remove what an interrupted publish left: version folders without a manifest (never the
    one ``current`` names) and hidden temporary files of this or the old layout."""
    removed = []
    current = current_version(serving_dir)
    versions = serving_dir / VERSIONS
    for folder in sorted(versions.iterdir()) if versions.is_dir() else []:
        if folder.is_dir() and not (folder / MANIFEST).is_file() and folder != current:
            shutil.rmtree(folder)
            removed.append(str(folder))
    for folder in {serving_dir, exports_dir}:
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if _is_leftover(path) and not path.is_dir():
                path.unlink()
                removed.append(str(path))
    return removed


def _prune(serving_dir: Path, keep: int) -> list[str]:
    """Keep the newest ``keep`` complete versions (ids sort by time), always ``current``."""
    current = current_version(serving_dir)
    complete = sorted(
        folder
        for folder in (serving_dir / VERSIONS).iterdir()
        if folder.is_dir() and (folder / MANIFEST).is_file()
    )
    removed = []
    for folder in complete[: max(len(complete) - keep, 0)]:
        if folder != current:
            shutil.rmtree(folder)
            removed.append(str(folder))
    return removed


def _new_version_id(kind: str = "") -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return f"{stamp}-{kind}{uuid.uuid4().hex[:8]}"


def _write_manifest(version: Path, content: dict[str, Any]) -> None:
    """Checksums of every file, then the manifest (the mark of a complete version)."""
    files = sorted(p for p in version.rglob("*") if p.is_file() and p.name != MANIFEST)
    for path in files:
        fsync(path)
    content["files"] = {
        str(p.relative_to(version)): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
        for p in files
    }
    temporary = version / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(content, indent=2, sort_keys=True), encoding="utf-8")
    fsync(temporary)
    os.replace(temporary, version / MANIFEST)
    for folder in (version / EXPORTS, version):
        fsync(folder)


def _switch(serving_dir: Path, version: Path, serving_path: Path, exports_dir: Path) -> None:
    """Point ``current`` at ``version`` (the one atomic step), then make sure the stable paths
    are links through ``current`` (a no-op after the first publish, except for a new mart)."""
    token = uuid.uuid4().hex[:8]
    _link(f"{VERSIONS}/{version.name}", serving_dir / CURRENT, token)
    fsync(serving_dir)
    _link(f"{CURRENT}/{serving_path.name}", serving_path, token)
    exported = serving_dir.resolve() / CURRENT / EXPORTS
    for parquet in sorted((version / EXPORTS).glob("*.parquet")):
        target = os.path.relpath(exported / parquet.name, exports_dir.resolve())
        _link(target, exports_dir / parquet.name, token)
    # A mart that is no longer published: its link now leads nowhere.
    for link in exports_dir.glob("*.parquet"):
        if link.is_symlink() and not link.exists() and CURRENT in os.readlink(link):
            link.unlink()


def _adopt_old_layout(serving_dir: Path, serving_path: Path, exports_dir: Path) -> Path | None:
    """An install published before versions: its serving file and exports become a version
    (hard links, no copy; a copy across file systems) so the switch to links changes nothing
    a reader sees, and the next publish replaces the whole set at once."""
    if current_version(serving_dir) is not None or not serving_path.is_file():
        return None
    if serving_path.is_symlink():
        return None
    version = serving_dir / VERSIONS / _new_version_id("old")
    (version / EXPORTS).mkdir(parents=True)
    old = [(serving_path, version / serving_path.name)] + [
        (p, version / EXPORTS / p.name)
        for p in sorted(exports_dir.glob("*.parquet"))
        if p.is_file() and not p.is_symlink()
    ]
    for source, target in old:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)
    _write_manifest(version, {"version": version.name, "adopted_from_old_layout": True})
    _switch(serving_dir, version, serving_path, exports_dir)
    return version


def publish(build_path: Path, serving_path: Path, exports_dir: Path, keep: int = 3) -> Published:
    """Copy the build database's marts into a new version and switch ``current`` to it."""
    started = time.monotonic()
    serving_dir = serving_path.parent
    (serving_dir / VERSIONS).mkdir(parents=True, exist_ok=True)
    exports_dir.mkdir(parents=True, exist_ok=True)
    removed = clean_leftovers(serving_dir, exports_dir)
    _adopt_old_layout(serving_dir, serving_path, exports_dir)

    version = serving_dir / VERSIONS / _new_version_id()
    (version / EXPORTS).mkdir(parents=True)
    new_file = version / serving_path.name
    tables: dict[str, int] = {}
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {literal(build_path)} AS build (READ_ONLY)")
        # The catalog name of the serving file is its base name; attach under a fixed alias.
        con.execute(
            f"ATTACH {literal(new_file)} AS serving"
            f" (STORAGE_VERSION {literal(SERVING_STORAGE_VERSION)})"
        )
        for schema, table, comment in _tables(con):
            con.execute(f"CREATE SCHEMA IF NOT EXISTS serving.{schema}")
            con.execute(
                f"CREATE TABLE serving.{schema}.{table} AS SELECT * FROM build.{schema}.{table}"
            )
            # Descriptions travel with the data, so BI tools show them on the serving file too.
            if comment:
                con.execute(f"COMMENT ON TABLE serving.{schema}.{table} IS {literal(comment)}")
            for column, column_comment in con.execute(
                "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = 'build'"
                " AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
                [schema, table],
            ).fetchall():
                con.execute(
                    f'COMMENT ON COLUMN serving.{schema}.{table}."{column}"'
                    f" IS {literal(column_comment)}"
                )
            rows = con.execute(f"SELECT count(*) FROM serving.{schema}.{table}").fetchall()[0][0]
            tables[f"{schema}.{table}"] = int(rows)
            # From the serving copy: the export holds exactly the rows the file holds.
            parquet = version / EXPORTS / f"{table}.parquet"
            con.execute(f"COPY serving.{schema}.{table} TO {literal(parquet)} (FORMAT parquet)")
        con.execute("DETACH serving")
        con.execute("DETACH build")
    except BaseException:
        con.close()
        shutil.rmtree(version, ignore_errors=True)
        raise
    con.close()
    _write_manifest(
        version,
        {
            "version": version.name,
            "published_at": datetime.now(UTC).isoformat(),
            "storage_version": SERVING_STORAGE_VERSION,
            "serving_file": serving_path.name,
            "tables": {
                name: {"rows": rows, "parquet": f"{EXPORTS}/{name.split('.', 1)[1]}.parquet"}
                for name, rows in tables.items()
            },
        },
    )
    # Everything is complete on disk: only now switch what readers see, in one step.
    _switch(serving_dir, version, serving_path, exports_dir)
    removed += _prune(serving_dir, keep)
    return Published(
        serving_path=serving_path,
        exports_dir=exports_dir,
        version_dir=version,
        tables=tables,
        parquet={name: exports_dir / f"{name.split('.', 1)[1]}.parquet" for name in tables},
        size_bytes=new_file.stat().st_size,
        seconds=time.monotonic() - started,
        removed=removed,
    )
