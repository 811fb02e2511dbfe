"""Raw MOOI ingestion from the Topsector Energie project database (HTML pages), revalidating
the pages of the previous pull."""

import logging

import dagster as dg

from orchestration.ingest import Pull, RawSource, RawTableSpec, build_raw_asset
from orchestration.settings import CALLS_SEED, Settings
from sources import tse
from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.landing import content_hash, latest_files
from sources.problems import PROBLEMS
from sources.redact import redact_url

SOURCE = "tse"
PROJECTS = RawTableSpec(
    "tse_projects",
    tse.PROJECT_COLUMNS,
    "MOOI projects from the Topsector Energie project database (projecten.topsectorenergie.nl, "
    "or its bundled sample), every snapshot kept.",
)
PARTNERS = RawTableSpec(
    "tse_project_partners",
    tse.PARTNER_COLUMNS,
    "Lead applicant (penvoerder) and partners of those MOOI projects, as the pages name them, "
    "every snapshot kept.",
)


def pull_tse(location: str, settings: Settings, log: logging.Logger) -> Pull:
    # The pages of the newest pull, from the snapshot that stored them.
    previous = latest_files(settings.raw_dir / SOURCE)
    cached = tse.previous_documents(*previous) if previous else {}
    log.info(f"TSE: crawling {redact_url(location)} ({len(cached)} pages cached for revalidation)")
    documents = tse.read_site(
        location, settings.http_for(SOURCE), cached, tolerance=settings.completeness_tolerance
    )
    pull = Pull(
        files=tse.raw_files(documents),
        content_sha256="",
        counts={
            "listing_pages": sum(d.kind == "listing" for d in documents),
            "project_pages": sum(d.kind == "project" for d in documents),
        },
        manifest_extra={"documents": tse.document_index(documents), "parse_error": None},
    )
    try:
        extract = tse.parse_documents(documents, CallCatalogue.from_csv(CALLS_SEED))
        pull.content_sha256 = tse.content_sha256(extract)
    except SourceError as exc:
        # Landed anyway, so the page that broke the parser can be inspected.
        pull.error = exc
        pull.content_sha256 = content_hash([d.content.hex() for d in documents])
        pull.counts["mooi_projects"] = 0
        pull.manifest_extra = {**(pull.manifest_extra or {}), "parse_error": str(exc)}
        return pull
    pull.counts["mooi_projects"] = len(extract.projects)
    pull.rows = {PROJECTS.table: extract.projects, PARTNERS.table: extract.partners}
    pull.record_count = len(extract.projects)
    pull.warnings = list(extract.warnings)
    pull.metadata = {
        "listing_pages": pull.counts["listing_pages"],
        "project_pages": extract.pages_read,
        "pages_not_modified": sum(d.not_modified for d in documents),
        "other_scheme_pages_skipped": sum(extract.other_schemes.values()),
        "other_schemes": dg.MetadataValue.json(extract.other_schemes),
        "records_with_problems": sum(1 for p in extract.projects if p.get(PROBLEMS)),
        "warnings": "\n".join(extract.warnings) or "none",
    }
    return pull


TSE = RawSource(
    name=SOURCE,
    label="TSE",
    tables=(PROJECTS, PARTNERS),
    location=lambda settings: settings.tse_location,
    pull=pull_tse,
)


@dg.definitions
def tse_assets() -> dg.Definitions:
    return dg.Definitions(assets=[build_raw_asset(TSE)])
