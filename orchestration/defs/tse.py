"""Raw MOOI ingestion from the Topsector Energie project database (HTML pages)."""

from collections.abc import Iterator

import dagster as dg

from orchestration.ingest import RawTable, land, load, materializations, snapshot_metadata
from orchestration.metadata import source_failure, step_settings
from orchestration.retries import source_retry_policy
from orchestration.settings import CALLS_SEED
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource
from sources import tse
from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.landing import content_hash, latest_files
from sources.problems import PROBLEMS
from sources.redact import redact_url

PROJECTS = dg.AssetKey(["raw", "tse_projects"])
PARTNERS = dg.AssetKey(["raw", "tse_project_partners"])
GROUP = "tse"
SOURCE_DIR = "tse"


@dg.multi_asset(
    name="tse_raw",
    specs=[
        dg.AssetSpec(
            PROJECTS,
            group_name=GROUP,
            kinds={"python", "duckdb"},
            description="MOOI projects from the Topsector Energie project database "
            "(projecten.topsectorenergie.nl, or its bundled sample), every snapshot kept.",
        ),
        dg.AssetSpec(
            PARTNERS,
            group_name=GROUP,
            kinds={"python", "duckdb"},
            description="Lead applicant (penvoerder) and partners of those MOOI projects, "
            "as the pages name them, every snapshot kept.",
        ),
    ],
    pool=DUCKDB_POOL,
    retry_policy=source_retry_policy(),
)
def tse_raw(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    settings = step_settings()
    location = settings.tse_location
    source_dir = settings.raw_dir / SOURCE_DIR
    try:
        # The pages of the newest pull, from the snapshot that stored them.
        previous = latest_files(source_dir)
        cached = tse.previous_documents(*previous) if previous else {}
        context.log.info(
            f"TSE: crawling {redact_url(location)} ({len(cached)} pages cached for revalidation)"
        )
        documents = tse.read_site(
            location, settings.http_for("tse"), cached, tolerance=settings.completeness_tolerance
        )
    except SourceError as exc:
        raise source_failure(exc) from exc
    parse_error: SourceError | None = None
    try:
        extract = tse.parse_documents(documents, CallCatalogue.from_csv(CALLS_SEED))
        digest = tse.content_sha256(extract)
    except SourceError as exc:
        # Land what was fetched anyway, so the page that broke the parser can be inspected.
        parse_error, extract = exc, None
        digest = content_hash([d.content.hex() for d in documents])
    landed = land(
        settings.raw_dir,
        SOURCE_DIR,
        location,
        tse.raw_files(documents),
        content_sha256=digest,
        counts={
            "listing_pages": sum(d.kind == "listing" for d in documents),
            "project_pages": sum(d.kind == "project" for d in documents),
            "mooi_projects": len(extract.projects) if extract else 0,
        },
        extra={
            "documents": tse.document_index(documents),
            "parse_error": str(parse_error) if parse_error else None,
        },
    )
    context.log.info(
        f"TSE: landed snapshot {landed.snapshot_dir} (changed={landed.manifest.changed})"
    )
    if parse_error is not None:
        raise source_failure(parse_error) from parse_error
    assert extract is not None

    tables = [
        RawTable(PROJECTS, "raw.tse_projects", tse.PROJECT_COLUMNS, extract.projects),
        RawTable(PARTNERS, "raw.tse_project_partners", tse.PARTNER_COLUMNS, extract.partners),
    ]
    loaded = load(
        warehouse, landed, tables, record_count=len(extract.projects),
        retention_days=settings.disk.raw_days,
    )  # fmt: skip
    common = {
        **snapshot_metadata(landed, loaded),
        "listing_pages": landed.manifest.counts["listing_pages"],
        "project_pages": extract.pages_read,
        "pages_not_modified": sum(d.not_modified for d in documents),
        "other_scheme_pages_skipped": sum(extract.other_schemes.values()),
        "other_schemes": dg.MetadataValue.json(extract.other_schemes),
        "records_with_problems": sum(1 for p in extract.projects if p.get(PROBLEMS)),
        "warnings": "\n".join(extract.warnings) or "none",
    }
    for warning in extract.warnings:
        context.log.warning(f"TSE: {warning}")
    yield from materializations(tables, common)
