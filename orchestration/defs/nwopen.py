"""Raw NWOpen ingestion: read the pages, land them as an immutable snapshot, load raw tables."""

from collections.abc import Iterator

import dagster as dg

from orchestration.ingest import RawTable, land, load, materializations, snapshot_metadata
from orchestration.metadata import source_failure, step_settings
from orchestration.retries import source_retry_policy
from orchestration.settings import CALLS_SEED
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource
from sources import nwopen
from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.redact import redact_url

PROJECTS = dg.AssetKey(["raw", "nwopen_projects"])
MEMBERS = dg.AssetKey(["raw", "nwopen_project_members"])
UNFOLLOWED = dg.AssetKey(["raw", "nwopen_unfollowed_schemes"])
GROUP = "nwopen"


@dg.multi_asset(
    name="nwopen_raw",
    specs=[
        dg.AssetSpec(
            PROJECTS,
            group_name=GROUP,
            kinds={"python", "duckdb"},
            description="Projects of the configured KIC and GroenvermogenNL calls from the "
            "NWOpen API (or its bundled sample), every snapshot kept.",
        ),
        dg.AssetSpec(
            MEMBERS,
            group_name=GROUP,
            kinds={"python", "duckdb"},
            description="Members (applicants, leaders) of those projects, every snapshot kept.",
        ),
        dg.AssetSpec(
            UNFOLLOWED,
            group_name=GROUP,
            kinds={"python", "duckdb"},
            description="Funding schemes of each pull that the call catalogue does not follow, "
            "with their record counts: where a new call shows up.",
        ),
    ],
    pool=DUCKDB_POOL,
    retry_policy=source_retry_policy(),
)
def nwopen_raw(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    settings = step_settings()
    location = settings.nwopen_location
    context.log.info(f"NWOpen: reading {redact_url(location)}")
    try:
        pages = nwopen.read_pages(
            location, settings.http_for("nwopen"), max_pages=settings.nwopen_max_pages,
            tolerance=settings.completeness_tolerance,
        )  # fmt: skip
        # Landed before parsing: a page that fails to parse is kept for diagnosis.
        landed = land(
            settings.raw_dir,
            "nwopen",
            location,
            nwopen.raw_files(pages),
            content_sha256=nwopen.content_sha256(pages),
            counts={"pages": len(pages), "records": sum(len(p.projects) for p in pages)},
        )
        context.log.info(
            f"NWOpen: landed snapshot {landed.snapshot_dir} (changed={landed.manifest.changed})"
        )
        catalogue = CallCatalogue.from_csv(CALLS_SEED)
        extract = nwopen.parse_pages(pages, catalogue)
    except SourceError as exc:
        raise source_failure(exc) from exc

    tables = [
        RawTable(PROJECTS, "raw.nwopen_projects", nwopen.PROJECT_COLUMNS, extract.projects),
        RawTable(
            UNFOLLOWED,
            "raw.nwopen_unfollowed_schemes",
            nwopen.UNFOLLOWED_SCHEME_COLUMNS,
            extract.unfollowed_schemes,
        ),
        RawTable(MEMBERS, "raw.nwopen_project_members", nwopen.MEMBER_COLUMNS, extract.members),
    ]
    loaded = load(
        warehouse, landed, tables, record_count=extract.in_scope,
        retention_days=settings.disk.raw_days,
    )  # fmt: skip
    common = {
        **snapshot_metadata(landed, loaded),
        "pages": len(pages),
        "records_seen": extract.records_seen,
        "repeated_records_dropped": extract.repeated_records,
        "distinct_projects_in_source": extract.distinct_projects,
        "records_without_scheme": extract.records_without_scheme,
        "records_with_problems": extract.records_with_problems,
        "api_version": extract.api_version or "",
    }
    yield from materializations(
        tables, common, extra={PROJECTS: {"projects_in_scope": extract.in_scope}}
    )
