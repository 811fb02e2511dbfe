"""NWOpen API connector (NWO's open project data): KIC and GroenvermogenNL calls.

Plain Python, no Dagster. A pull reads, checks and parses one page at a time
(``stream_pages``): each page's bytes go to ``keep`` (to disk) as they arrive, before they are
decoded, so raw pages are landed even when parsing fails on them, and only the in-scope records
and running counts are held across pages. For small pulls and tests the same steps exist whole:
``read_pages``, landing of ``raw_files`` with ``content_sha256``, then ``parse_pages``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.http import HttpPolicy
from sources.landing import ContentHasher, RawFile, content_hash, sha256
from sources.nwopen.pages import (
    MAX_PAGES,
    SOURCE,
    TOLERANCE,
    FilePageReader,
    HttpPageReader,
    PageReader,
    PageWalk,
    RawPage,
    read_all_pages,
)
from sources.nwopen.parse import (
    MEMBER_COLUMNS,
    PROJECT_COLUMNS,
    UNFOLLOWED_SCHEME_COLUMNS,
    NWOpenExtract,
    PageParser,
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
    "StreamedPull",
    "content_sha256",
    "page_file_name",
    "parse_pages",
    "raw_files",
    "read_pages",
    "stream_pages",
]

# (file name, bytes, where they came from): how a streamed pull hands over each page to land.
KeepFile = Callable[[str, bytes, str], None]


def page_file_name(number: int) -> str:
    return f"page-{number:04d}.json"


def open_reader(location: str, policy: HttpPolicy) -> PageReader:
    """An http(s) URL, or a folder of ``page-NNN.json``."""
    if is_http_url(location):
        return HttpPageReader(location, policy)
    return FilePageReader(Path(location), policy.max_bytes)


def read_pages(
    location: str,
    policy: HttpPolicy,
    *,
    max_pages: int = MAX_PAGES,
    tolerance: float = TOLERANCE,
) -> list[RawPage]:
    """Read every page from ``location`` into memory: an http(s) URL, or a folder of
    ``page-NNN.json``. Fails unless the pull is complete (``sources.nwopen.pages.PageWalk``)."""
    reader = open_reader(location, policy)
    try:
        return read_all_pages(reader, max_pages=max_pages, tolerance=tolerance)
    finally:
        reader.close()


def raw_files(pages: list[RawPage]) -> list[RawFile]:
    return [
        RawFile(name=page_file_name(p.number), content=p.content, location=p.location)
        for p in pages
    ]


def content_sha256(pages: list[RawPage]) -> str:
    """Hash of the projects alone: ``meta`` (request date, page numbers) changes every pull."""
    return content_hash([project for page in pages for project in page.projects])


@dataclass
class StreamedPull:
    """What a streamed pull leaves once its pages are gone (their bytes went to ``keep``)."""

    pages: int  # read and kept (a page that could not be decoded included)
    records: int  # on the pages decoded
    content_sha256: str  # of the projects, as ``content_sha256`` of all pages would give
    extract: NWOpenExtract | None = None  # None when ``error`` is set
    # A page that could not be decoded or parsed: the pull stopped there. The pages kept so
    # far, that one included, are for landing (for diagnosis) before this is raised.
    error: SourceError | None = None


def stream_pages(
    location: str,
    policy: HttpPolicy,
    catalogue: CallCatalogue,
    keep: KeepFile,
    *,
    max_pages: int = MAX_PAGES,
    tolerance: float = TOLERANCE,
) -> StreamedPull:
    """Read, check and parse each page as it arrives, then drop it. Raises ``SourceError``
    when the walk fails (unreachable, a page served twice, an incomplete list, ``meta.pages``
    out of bounds): nothing of it is to be landed. A page that cannot be decoded or parsed
    ends the pull with ``error`` set instead (``StreamedPull``)."""
    digests: dict[int, str] = {}  # page -> sha256 of its bytes (the last read of it)

    def keep_page(number: int, where: str, content: bytes) -> None:
        digests[number] = sha256(content)
        keep(page_file_name(number), content, where)

    hasher = ContentHasher()
    parser = PageParser(catalogue)
    records = 0
    stopped: SourceError | None = None
    reader = open_reader(location, policy)
    try:
        walk = PageWalk(reader, max_pages=max_pages, tolerance=tolerance, keep=keep_page)
        try:
            for page in walk:
                records += len(page.projects)
                for project in page.projects:
                    hasher.add(project)
                try:
                    parser.add(page)
                except SourceError as exc:
                    stopped = exc
                    break
        except SourceError as exc:
            if exc is not walk.unreadable:
                raise
            stopped = exc
    finally:
        reader.close()
    if stopped is not None:
        # Not every page was read: the bytes kept, not the projects, are what was pulled.
        kept = [digests[number] for number in sorted(digests)]
        return StreamedPull(len(digests), records, content_hash(kept), error=stopped)
    streamed = StreamedPull(len(digests), records, hasher.hexdigest())
    try:
        streamed.extract = parser.finish()
    except SourceError as exc:
        streamed.error = exc
    return streamed
