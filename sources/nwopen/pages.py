"""Reading the NWOpen project list page by page, from the live API or a folder of saved pages.

Both readers return the page's exact bytes, so raw landing stores what the source sent; the
envelope (``meta`` + ``projects``) is decoded and checked here, before anything is parsed.

A pull is complete or it fails (``PageWalk``): ``meta.pages`` must agree with
``meta.count`` and ``meta.per_page`` and stay below a bound (``max_pages``, setting
``LCM_NWOPEN_MAX_PAGES``); a page whose projects all came on earlier pages (the API served a
page twice) is read once more and then fails the pull, naming its URL; and the distinct
projects, not the records, must reach ``meta.count`` but for a small share (``tolerance``,
setting ``LCM_COMPLETENESS_TOLERANCE``: one record may legitimately go missing when the list
shifts during a crawl, which is also when one shows up on two pages).

The walk hands out one page at a time and keeps only the index of project keys across pages,
so a pull of 150,000 projects is never held in memory whole.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sources.errors import SourceError
from sources.http import HttpPolicy, PoliteClient

log = logging.getLogger(__name__)

SOURCE = "NWOpen"
PER_PAGE = 100  # the largest page size clients of the API are known to use
# NWO's whole list is some 15,000 projects (150 pages of 100): a meta.pages far beyond that is
# a broken answer, not a reason to send thousands of requests.
MAX_PAGES = 2000
# The share of meta.count that may be missing from a crawl; at least one record (unless 0).
TOLERANCE = 0.005


@dataclass(frozen=True)
class RawPage:
    number: int
    location: str  # the URL with its query, or the file path
    content: bytes
    payload: dict[str, Any]

    @property
    def projects(self) -> list[dict[str, Any]]:
        return self.payload["projects"]


class PageReader(Protocol):
    location: str

    def read(self, page: int) -> tuple[str, bytes]:
        """Return (where this page came from, its bytes)."""
        ...

    def close(self) -> None: ...


class HttpPageReader:
    """Reads ``GET <url>?page=N&per_page=100`` with the polite client."""

    def __init__(self, url: str, policy: HttpPolicy, per_page: int = PER_PAGE):
        self.location = url
        self.per_page = per_page
        self._client = PoliteClient(SOURCE, policy)

    def read(self, page: int) -> tuple[str, bytes]:
        params = {"page": page, "per_page": self.per_page}
        response = self._client.get(self.location, params=params, what=f"page {page}")
        return self._client.recorded_url(response), response.content

    def close(self) -> None:
        self._client.close()


class FilePageReader:
    """Reads ``page-001.json``, ``page-002.json``, ... from a snapshot folder."""

    def __init__(self, folder: Path, max_bytes: int = HttpPolicy.max_bytes):
        self.folder = Path(folder)
        self.location = str(self.folder)
        self.max_bytes = max_bytes  # a page file is held to the bound of an answer

    def read(self, page: int) -> tuple[str, bytes]:
        path = self.folder / f"page-{page:03d}.json"
        try:
            if (size := path.stat().st_size) > self.max_bytes:
                raise SourceError(SOURCE, str(path), f"page {page} is {size:,} bytes, above "
                                  f"the bound of {self.max_bytes:,} (LCM_HTTP_MAX_MB)")  # fmt: skip
            return str(path), path.read_bytes()
        except OSError as exc:
            raise SourceError(SOURCE, str(path), f"cannot read page {page}: {exc}") from exc

    def close(self) -> None:
        """Nothing held open between pages."""


def decode_page(number: int, location: str, content: bytes) -> RawPage:
    try:
        payload = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(
            SOURCE,
            location,
            f"page {number} is not valid JSON (truncated or not JSON?): {exc}; "
            f"{len(content)} bytes received",
        ) from exc
    if not isinstance(payload, dict):
        raise SourceError(SOURCE, location, f"page {number}: expected a JSON object")
    meta = payload.get("meta")
    if not isinstance(meta, dict):
        raise SourceError(SOURCE, location, f"page {number}: envelope lacks 'meta'", field="meta")
    if not isinstance(payload.get("projects"), list):
        raise SourceError(
            SOURCE, location, f"page {number}: envelope lacks a 'projects' list", field="projects"
        )
    for name in ("pages", "count"):
        if not isinstance(meta.get(name), int) or meta[name] < 0:
            raise SourceError(
                SOURCE,
                location,
                f"page {number}: meta.{name} missing or not a non-negative whole number "
                f"(got {meta.get(name)!r})",
                field=f"meta.{name}",
            )
    return RawPage(number=number, location=location, content=content, payload=payload)


def project_key(raw: Any) -> tuple[str, str] | None:
    """A record's identity in the list: the same project_id under two funding schemes is two
    rows of meta.count (a known quirk), so the scheme is part of it."""
    if not isinstance(raw, dict) or not str(raw.get("project_id") or "").strip():
        return None
    return str(raw["project_id"]).strip(), str(raw.get("funding_scheme_id") or "").strip()


def _keys(page: RawPage) -> set[tuple[str, str]]:
    return {key for raw in page.projects if (key := project_key(raw)) is not None}


def _check_page_count(first: RawPage, max_pages: int) -> None:
    """meta.pages as page 1 states it: within the bound and what count and per_page imply."""
    meta = first.payload["meta"]
    pages, count = meta["pages"], meta["count"]
    per_page = meta.get("per_page")
    if not isinstance(per_page, int) or per_page < 1:
        per_page = max(len(first.projects), 1)
    if pages > max_pages:
        raise SourceError(
            SOURCE,
            first.location,
            f"meta.pages is {pages:,}, above the bound of {max_pages:,} pages "
            "(LCM_NWOPEN_MAX_PAGES); not walked",
            field="meta.pages",
        )
    needed = math.ceil(count / per_page)
    if not needed <= pages <= max(needed, 1):
        raise SourceError(
            SOURCE,
            first.location,
            f"meta.pages is {pages} but meta.count {count} at {per_page} per page needs "
            f"{needed}: the envelope contradicts itself",
            field="meta.pages",
        )


# Each project key -> the numbers of the pages it came on so far (a pull's index, so that a
# page is checked against the earlier ones in time linear in its size, not in the pull's).
SeenOn = dict[tuple[str, str], list[int]]


def _repeated(page: RawPage, seen_on: SeenOn) -> list[int] | None:
    """The earlier pages a page repeats when every project on it came on them; else None."""
    keys = _keys(page)
    if not keys or any(key not in seen_on for key in keys):
        return None
    return sorted({number for key in keys for number in seen_on[key]})


def _index(page: RawPage, seen_on: SeenOn) -> None:
    for key in _keys(page):
        seen_on.setdefault(key, []).append(page.number)


# Called with (page number, where it came from, its bytes) for every page as read, before it is
# decoded: a page that cannot be decoded is still kept for diagnosis.
KeepPage = Callable[[int, str, bytes], None]


class PageWalk:
    """Pages 1..meta.pages as page 1 announces them, one at a time, each checked as it comes
    (a page repeating earlier ones is read again, then fails the walk); after the last page,
    the completeness check. Iterate it once.

    A ``SourceError`` raised for a page that cannot be decoded is also kept as ``unreadable``,
    so the caller can tell it (bad content, landed for diagnosis) from a failed walk."""

    def __init__(
        self,
        reader: PageReader,
        *,
        max_pages: int = MAX_PAGES,
        tolerance: float = TOLERANCE,
        keep: KeepPage | None = None,
    ):
        self.reader = reader
        self.max_pages = max_pages
        self.tolerance = tolerance
        self.keep = keep
        self.unreadable: SourceError | None = None

    def _read(self, number: int) -> RawPage:
        location, content = self.reader.read(number)
        if self.keep is not None:
            self.keep(number, location, content)
        try:
            return decode_page(number, location, content)
        except SourceError as exc:
            self.unreadable = exc
            raise

    def __iter__(self) -> Iterator[RawPage]:
        page = self._read(1)  # only the page at hand is held, never the earlier ones
        _check_page_count(page, self.max_pages)
        total_pages = page.payload["meta"]["pages"]
        expected_records = page.payload["meta"]["count"]
        seen_on: SeenOn = {}
        records = keyless = 0
        for number in range(1, total_pages + 1):
            if number > 1:
                page = self._next(number, total_pages, seen_on)
            _index(page, seen_on)
            records += len(page.projects)
            keyless += sum(project_key(raw) is None for raw in page.projects)
            yield page
        distinct = len(seen_on) + keyless
        _check_complete(
            self.reader.location, expected_records, total_pages, distinct, records, self.tolerance
        )

    def _next(self, number: int, total_pages: int, seen_on: SeenOn) -> RawPage:
        page = self._read(number)
        if _repeated(page, seen_on) is not None:
            # Read once more: a cache or load balancer may have served a stale page.
            log.warning("%s: page %d repeats earlier pages; reading it again", SOURCE, number)
            page = self._read(number)
            if (repeats := _repeated(page, seen_on)) is not None:
                raise SourceError(
                    SOURCE,
                    page.location,
                    f"page {number} repeats page {', '.join(map(str, repeats))}: all its "
                    f"{len(_keys(page))} projects came on earlier pages, also when read again; "
                    f"the projects of page {number} are missing from the answer",
                    field="projects",
                )
        if page.payload["meta"]["pages"] != total_pages:
            # The list changed during the crawl; keep walking the announced pages and let the
            # record count below decide whether anything was lost.
            log.warning(
                "%s: page %d announces %s pages, page 1 announced %d",
                SOURCE,
                number,
                page.payload["meta"]["pages"],
                total_pages,
            )
        return page


def _check_complete(
    location: str, expected: int, pages: int, distinct: int, records: int, tolerance: float
) -> None:
    """The distinct projects, not the records, must reach meta.count but for the tolerance."""
    allowed = max(1, math.floor(expected * tolerance)) if tolerance > 0 else 0
    if expected - distinct > allowed:
        raise SourceError(
            SOURCE,
            location,
            f"incomplete list: meta.count announced {expected} projects but "
            f"{pages} pages held only {distinct} distinct ones ({records} records); "
            f"{expected - distinct} missing, at most {allowed} may be "
            "(LCM_COMPLETENESS_TOLERANCE)",
            field="meta.count",
        )


def read_all_pages(
    reader: PageReader, *, max_pages: int = MAX_PAGES, tolerance: float = TOLERANCE
) -> list[RawPage]:
    """Every page of a complete walk, held in memory (small pulls and tests)."""
    return list(PageWalk(reader, max_pages=max_pages, tolerance=tolerance))
