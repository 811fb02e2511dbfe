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
    SOURCE,
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


def read_pages(location: str, policy: HttpPolicy) -> list[RawPage]:
    """Read every page from ``location``: an http(s) URL, or a folder of ``page-NNN.json``."""
    if location.startswith(("http://", "https://")):
        reader = HttpPageReader(location, policy)
        try:
            return read_all_pages(reader)
        finally:
            reader.close()
    return read_all_pages(FilePageReader(Path(location)))


def raw_files(pages: list[RawPage]) -> list[RawFile]:
    return [
        RawFile(name=f"page-{p.number:04d}.json", content=p.content, location=p.location)
        for p in pages
    ]


def content_sha256(pages: list[RawPage]) -> str:
    """Hash of the projects alone: ``meta`` (request date, page numbers) changes every pull."""
    return content_hash([project for page in pages for project in page.projects])
