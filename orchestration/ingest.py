"""Landing a pull as an immutable snapshot and appending it to raw tables: one routine for all
sources, so every raw asset records and reports snapshots the same way."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.metadata import table_metadata
from orchestration.warehouse import WarehouseResource
from sources.landing import Manifest, RawFile, land_snapshot
from sources.raw_tables import append_snapshot


@dataclass(frozen=True)
class Landed:
    manifest: Manifest
    snapshot_dir: Path
    location: str


def land(
    raw_dir: Path,
    source: str,
    location: str,
    files: list[RawFile],
    *,
    content_sha256: str,
    counts: dict[str, int],
    extra: dict[str, Any] | None = None,
) -> Landed:
    manifest, snapshot_dir = land_snapshot(
        raw_dir, source, location, files, content_sha256=content_sha256, counts=counts,
        extra=extra,
    )  # fmt: skip
    return Landed(manifest, snapshot_dir, location)


@dataclass(frozen=True)
class RawTable:
    """One raw table a source asset writes: its Dagster asset, warehouse table and records."""

    key: dg.AssetKey
    table: str
    columns: Mapping[str, str]
    rows: Sequence[dict[str, Any]]


def load(
    warehouse: WarehouseResource, landed: Landed, tables: Sequence[RawTable], record_count: int
) -> bool:
    """Append the snapshot's records to their raw tables; False if it was loaded before."""
    with warehouse.connect() as con:
        return append_snapshot(
            con,
            landed.manifest,
            str(landed.snapshot_dir),
            {t.table: (t.columns, t.rows) for t in tables},
            record_count=record_count,
        )


def materializations(
    tables: Sequence[RawTable],
    common: Mapping[str, Any],
    extra: Mapping[dg.AssetKey, Mapping[str, Any]] | None = None,
) -> Iterator[dg.MaterializeResult]:
    """One materialization per raw table: the snapshot's facts, the table's row count, schema
    and preview, and what ``extra`` adds for that table."""
    for t in tables:
        yield dg.MaterializeResult(
            asset_key=t.key,
            metadata={
                **common,
                **table_metadata(t.table, t.columns, len(t.rows), t.rows),
                **(extra or {}).get(t.key, {}),
            },
        )


def location_value(location: str) -> dg.MetadataValue:
    if location.startswith(("http://", "https://")):
        return dg.MetadataValue.url(location)
    return dg.MetadataValue.path(location)


def snapshot_metadata(landed: Landed, newly_loaded: bool) -> dict[str, Any]:
    """What every raw asset reports about the snapshot it produced."""
    manifest = landed.manifest
    return {
        "snapshot_id": manifest.snapshot_id,
        "source_location": location_value(landed.location),
        "snapshot_path": dg.MetadataValue.path(str(landed.snapshot_dir)),
        "content_changed": manifest.changed,
        "content_sha256": manifest.content_sha256,
        "previous_snapshot_id": manifest.previous_snapshot_id or "",
        "newly_loaded": newly_loaded,
        "files_landed": len(manifest.files),
    }
