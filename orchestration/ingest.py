"""Landing a pull as an immutable snapshot and appending it to raw tables: one routine for all
sources, so every raw asset records and reports snapshots the same way. An unchanged pull
stores only its manifest (sources/landing.py) and appends no rows (sources/raw_tables.py);
after a load the source's raw folders past the retention are removed (orchestration/disk.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.disk import Pruned, prune_raw_snapshots
from orchestration.metadata import source_failure, step_settings, table_metadata
from orchestration.warehouse import WarehouseResource
from sources.errors import SourceError
from sources.landing import Manifest, RawFile, land_snapshot
from sources.raw_tables import append_snapshot
from sources.redact import is_http_url, redact_text, redact_url


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
    return Landed(manifest, snapshot_dir, redact_text(location))


@dataclass(frozen=True)
class RawTable:
    """One raw table a source asset writes: its Dagster asset, warehouse table and records."""

    key: dg.AssetKey
    table: str
    columns: Mapping[str, str]
    rows: Sequence[dict[str, Any]]


@dataclass(frozen=True)
class Loaded:
    rows_snapshot_id: str | None  # whose rows hold the records; None: loaded before
    pruned: Pruned  # raw folders of the source removed by the retention


def load(
    warehouse: WarehouseResource,
    landed: Landed,
    tables: Sequence[RawTable],
    record_count: int,
    *,
    retention_days: int,
) -> Loaded:
    """Append the snapshot's records to their raw tables (unless they equal the previous
    snapshot's), then remove the source's raw folders older than ``retention_days``."""
    raw_dir = landed.snapshot_dir.parent.parent
    max_field_chars = step_settings().max_field_chars
    with warehouse.connect() as con:
        try:
            rows = append_snapshot(
                con,
                landed.manifest,
                str(landed.snapshot_dir),
                {t.table: (t.columns, t.rows) for t in tables},
                record_count=record_count,
                max_field_chars=max_field_chars,
            )
        except SourceError as exc:  # a field past its bound: the source's error, not ours
            raise source_failure(exc) from exc
        try:
            pruned = prune_raw_snapshots(con, raw_dir, landed.manifest.source, retention_days)
        except OSError as exc:  # housekeeping: the pull is loaded; try again next run
            logging.getLogger("lc_monitor").warning(
                redact_text(f"{landed.manifest.source}: old raw snapshots not removed: {exc}")
            )
            pruned = Pruned([], 0)
    return Loaded(rows, pruned)


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
    if is_http_url(location):
        return dg.MetadataValue.url(redact_url(location))
    return dg.MetadataValue.path(location)


def snapshot_metadata(landed: Landed, loaded: Loaded) -> dict[str, Any]:
    """What every raw asset reports about the snapshot it produced."""
    manifest = landed.manifest
    return {
        "snapshot_id": manifest.snapshot_id,
        "source_location": location_value(landed.location),
        "snapshot_path": dg.MetadataValue.path(str(landed.snapshot_dir)),
        "content_changed": manifest.changed,
        "content_sha256": manifest.content_sha256,
        "previous_snapshot_id": manifest.previous_snapshot_id or "",
        "newly_loaded": loaded.rows_snapshot_id is not None,
        "files_landed": len(manifest.files),
        # An unchanged pull stores neither files nor rows again: these name where they are.
        "files_snapshot_id": manifest.holder_id,
        "rows_snapshot_id": loaded.rows_snapshot_id or "",
        "raw_snapshots_removed": len(loaded.pruned.removed),
        "raw_bytes_freed": loaded.pruned.bytes_freed,
    }
