"""NWOpen API connector (NWO's open project data): KIC and GroenvermogenNL calls.

Plain Python, no Dagster. A pull is three steps so that raw pages are landed before parsing
can fail on them: ``read_pages`` (live URL or bundled sample folder), landing of ``raw_files``
with ``content_sha256``, then ``parse_pages`` with the call catalogue.
"""

from __future__ import annotations

from pathlib import Path

from sources.calls import CallCatalogue
from sources.http import HttpPolicy
from sources.landing import RawFile, content_hash
from sources.nwopen.pages import (
    MAX_PAGES,
    SOURCE,
    TOLERANCE,
    FilePageReader,
    HttpPageReader,
    RawPage,
    read_all_pages,
)
from sources.nwopen.parse import (
    MEMBER_COLUMNS,
    PROJECT_COLUMNS,
    UNFOLLOWED_SCHEME_COLUMNS,
    NWOpenExtract,
    parse_pages,
)
from sources.redact import is_http_url

LIVE_URL = "https://nwopen-api.nwo.nl/NWOpen-API/api/Projects"
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"

__all__ = [
    "LIVE_URL",
    "MEMBER_COLUMNS",
    "PROJECT_COLUMNS",
    "SAMPLE_DIR",
    "SOURCE",
    "UNFOLLOWED_SCHEME_COLUMNS",
    "CallCatalogue",
    "NWOpenExtract",
    "RawPage",
    "content_sha256",
    "parse_pages",
    "raw_files",
    "read_pages",
]


def read_pages(
    location: str,
    policy: HttpPolicy,
    *,
    max_pages: int = MAX_PAGES,
    tolerance: float = TOLERANCE,
) -> list[RawPage]:
    """Read every page from ``location``: an http(s) URL, or a folder of ``page-NNN.json``.
    Fails unless the pull is complete (``sources.nwopen.pages.read_all_pages``)."""
    if is_http_url(location):
        reader = HttpPageReader(location, policy)
        try:
            return read_all_pages(reader, max_pages=max_pages, tolerance=tolerance)
        finally:
            reader.close()
    folder = FilePageReader(Path(location), policy.max_bytes)
    return read_all_pages(folder, max_pages=max_pages, tolerance=tolerance)


def raw_files(pages: list[RawPage]) -> list[RawFile]:
    return [
        RawFile(name=f"page-{p.number:04d}.json", content=p.content, location=p.location)
        for p in pages
    ]


def content_sha256(pages: list[RawPage]) -> str:
    """Hash of the projects alone: ``meta`` (request date, page numbers) changes every pull."""
    return content_hash([project for page in pages for project in page.projects])
