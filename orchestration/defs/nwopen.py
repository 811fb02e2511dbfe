"""Raw NWOpen ingestion: the API's pages, landed as an immutable snapshot, parsed into the
projects of the followed calls (KIC, GroenvermogenNL), their members and the unfollowed
schemes. Another NWOpen-based programme is a row in the call seed, not code here.

The pull is streamed: each page goes to disk as it arrives (``StagedFiles``, moved into the
snapshot when it is landed) and is parsed and dropped, so 150,000 projects are never in
memory at once."""

import logging

import dagster as dg

from orchestration.ingest import Pull, RawSource, RawTableSpec, build_raw_asset
from orchestration.settings import CALLS_SEED, Settings
from sources import nwopen
from sources.calls import CallCatalogue
from sources.landing import StagedFiles

NAME = "nwopen"  # the raw folder, group and step (nwopen_raw)

PROJECTS = RawTableSpec(
    "nwopen_projects",
    nwopen.PROJECT_COLUMNS,
    "Projects of the configured KIC and GroenvermogenNL calls from the NWOpen API (or its "
    "bundled sample), every snapshot kept.",
)
MEMBERS = RawTableSpec(
    "nwopen_project_members",
    nwopen.MEMBER_COLUMNS,
    "Members (applicants, leaders) of those projects, every snapshot kept.",
)
UNFOLLOWED = RawTableSpec(
    "nwopen_unfollowed_schemes",
    nwopen.UNFOLLOWED_SCHEME_COLUMNS,
    "Funding schemes of each pull that the call catalogue does not follow, with their record "
    "counts: where a new call shows up.",
)


def pull_nwopen(location: str, settings: Settings, log: logging.Logger) -> Pull:
    staged = StagedFiles(settings.raw_dir, NAME)
    try:
        streamed = nwopen.stream_pages(
            location, settings.http_for("nwopen"), CallCatalogue.from_csv(CALLS_SEED),
            staged.write, max_pages=settings.nwopen_max_pages,
            tolerance=settings.completeness_tolerance,
        )  # fmt: skip
    except BaseException:  # a failed walk lands nothing: its pages are not kept
        staged.discard()
        raise
    pull = Pull(
        files=[],
        staged=staged,
        content_sha256=streamed.content_sha256,
        counts={"pages": streamed.pages, "records": streamed.records},
    )
    extract = streamed.extract
    if extract is None:  # a page failed to decode or parse: the pages so far are landed
        pull.error = streamed.error
        return pull
    pull.rows = {
        PROJECTS.table: extract.projects,
        MEMBERS.table: extract.members,
        UNFOLLOWED.table: extract.unfollowed_schemes,
    }
    pull.record_count = extract.in_scope
    pull.metadata = {
        "pages": streamed.pages,
        "records_seen": extract.records_seen,
        "repeated_records_dropped": extract.repeated_records,
        "distinct_projects_in_source": extract.distinct_projects,
        "records_without_scheme": extract.records_without_scheme,
        "records_with_problems": extract.records_with_problems,
        "api_version": extract.api_version or "",
    }
    pull.table_metadata = {PROJECTS.table: {"projects_in_scope": extract.in_scope}}
    return pull


NWOPEN = RawSource(
    name=NAME,
    label="NWOpen",
    # Projects first, then the schemes: the order of the materializations in the UI.
    tables=(PROJECTS, UNFOLLOWED, MEMBERS),
    location=lambda settings: settings.nwopen_location,
    pull=pull_nwopen,
)


@dg.definitions
def nwopen_assets() -> dg.Definitions:
    return dg.Definitions(assets=[build_raw_asset(NWOPEN)])
