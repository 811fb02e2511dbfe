"""Every raw asset from one definition: a source says how to pull (``RawSource.pull``, which
returns a ``Pull``), and ``build_raw_asset`` lands the pull as an immutable snapshot, writes
its records as Parquet files beside the warehouse and reports them the same way for every
source. An unchanged pull stores only its manifest (sources/landing.py) and writes no rows again
(sources/raw_tables.py). The step never opens the warehouse, so it takes no DuckDB slot; the
source's validation step makes the records visible there and prunes the raw folders.
"""

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration import prefetch
from orchestration.metadata import source_failure, table_metadata
from orchestration.retries import source_retry_policy
from orchestration.settings import Settings
from orchestration.settings_resource import SettingsResource
from sources.errors import SourceError
from sources.landing import Manifest, RawFile, StagedFiles, land_snapshot
from sources.raw_tables import write_snapshot
from sources.redact import is_http_url, redact_text, redact_url


@dataclass(frozen=True)
class RawTableSpec:
    """One raw table of a source: ``raw.<table>``, its columns and what it holds."""

    table: str
    columns: Mapping[str, str]
    description: str

    @property
    def key(self) -> dg.AssetKey:
        return dg.AssetKey(["raw", self.table])


@dataclass
class Pull:
    """One pull of a source, as its ``pull`` function returns it."""

    files: list[RawFile]  # landed as they came, before anything is parsed
    content_sha256: str  # of the records (or of the bytes when they could not be parsed)
    counts: dict[str, int]
    rows: dict[str, Sequence[dict[str, Any]]] = field(default_factory=dict)  # table -> rows
    record_count: int = 0  # the source's records (what the raw-row bound is checked on)
    metadata: dict[str, Any] = field(default_factory=dict)  # on every table's materialization
    table_metadata: dict[str, dict[str, Any]] = field(default_factory=dict)  # table -> extra
    manifest_extra: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    # Fetched but not parsed: the files are landed for diagnosis, then this error is raised.
    error: SourceError | None = None
    staged: StagedFiles | None = None  # files already written to disk, landed with ``files``
    fetched_at: datetime | None = None  # when the pull ended, if not just before landing


# (location, settings, log) -> the pull; raises SourceError when nothing could be fetched.
PullFunction = Callable[[str, Settings, logging.Logger], Pull]


@dataclass(frozen=True)
class RawSource:
    """A source as configuration: its name (group, raw folder, step ``<name>_raw``), label in
    messages, tables, where it is read from and how."""

    name: str
    label: str
    tables: tuple[RawTableSpec, ...]
    location: Callable[[Settings], str]
    pull: PullFunction


# Every source a raw asset was built for, by name: what the run's executor may fetch together
# before the raw steps run (orchestration/prefetch.py).
RAW_SOURCES: dict[str, RawSource] = {}


def build_raw_asset(source: RawSource) -> dg.AssetsDefinition:
    RAW_SOURCES[source.name] = source

    @dg.multi_asset(
        name=f"{source.name}_raw",
        specs=[
            dg.AssetSpec(
                t.key,
                group_name=source.name,
                kinds={"python", "parquet"},
                description=t.description,
            )
            for t in source.tables
        ],
        retry_policy=source_retry_policy(),
    )
    def _raw(
        context: dg.AssetExecutionContext,
        settings: SettingsResource,
    ) -> Iterator[dg.MaterializeResult]:
        resolved = settings.get()
        location = source.location(resolved)
        context.log.info(f"{source.label}: reading {redact_url(location)}")
        # Pulled while the run's earlier steps ran, unless this is a retry (pull again).
        fetched = prefetch.take(context.run_id, source.name, location)
        try:
            if fetched is not None and context.retry_number == 0:
                pull = fetched.result(context.log)
            else:
                pull = source.pull(location, resolved, context.log)
        except SourceError as exc:
            raise source_failure(exc) from exc
        manifest, snapshot_dir = land_snapshot(
            resolved.raw_dir, source.name, location, pull.files,
            content_sha256=pull.content_sha256, counts=pull.counts, extra=pull.manifest_extra,
            staged=pull.staged, fetched_at=pull.fetched_at,
        )  # fmt: skip
        landed = Landed(manifest, snapshot_dir, redact_text(location))
        context.log.info(
            f"{source.label}: landed snapshot {snapshot_dir} (changed={manifest.changed})"
        )
        if pull.error is not None:
            raise source_failure(pull.error) from pull.error
        for warning in pull.warnings:
            context.log.warning(f"{source.label}: {warning}")
        tables = [
            RawTable(t.key, f"raw.{t.table}", t.columns, pull.rows[t.table]) for t in source.tables
        ]
        rows_snapshot_id = load(landed, tables, pull.record_count, settings=resolved)
        yield from materializations(
            tables,
            {**snapshot_metadata(landed, rows_snapshot_id), **pull.metadata},
            extra={dg.AssetKey(["raw", t]): m for t, m in pull.table_metadata.items()},
        )

    return _raw


@dataclass(frozen=True)
class Landed:
    manifest: Manifest
    snapshot_dir: Path
    location: str


@dataclass(frozen=True)
class RawTable:
    """One raw table a source asset writes: its Dagster asset, warehouse table and records."""

    key: dg.AssetKey
    table: str
    columns: Mapping[str, str]
    rows: Sequence[dict[str, Any]]


def load(
    landed: Landed, tables: Sequence[RawTable], record_count: int, *, settings: Settings
) -> str | None:
    """Write the snapshot's records as its folder of Parquet files (unless they equal the
    previous snapshot's); returns whose files hold them, None if written before."""
    try:
        return write_snapshot(
            settings.records_dir,
            landed.manifest,
            str(landed.snapshot_dir),
            {t.table: (t.columns, t.rows) for t in tables},
            record_count=record_count,
            max_field_chars=settings.max_field_chars,
        )
    except SourceError as exc:  # a field past its bound: the source's error, not ours
        raise source_failure(exc) from exc


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


def snapshot_metadata(landed: Landed, rows_snapshot_id: str | None) -> dict[str, Any]:
    """What every raw asset reports about the snapshot it produced."""
    manifest = landed.manifest
    return {
        "snapshot_id": manifest.snapshot_id,
        "source_location": location_value(landed.location),
        "snapshot_path": dg.MetadataValue.path(str(landed.snapshot_dir)),
        "content_changed": manifest.changed,
        "content_sha256": manifest.content_sha256,
        "previous_snapshot_id": manifest.previous_snapshot_id or "",
        "newly_loaded": rows_snapshot_id is not None,
        "files_landed": len(manifest.files),
        # An unchanged pull stores neither files nor rows again: these name where they are.
        "files_snapshot_id": manifest.holder_id,
        "rows_snapshot_id": rows_snapshot_id or "",
    }
