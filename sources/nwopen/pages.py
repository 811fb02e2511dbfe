"""Reading the NWOpen project list page by page, from the live API or a folder of saved pages.

Both readers return the page's exact bytes, so raw landing stores what the source sent; the
envelope (``meta`` + ``projects``) is decoded and checked here, before anything is parsed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sources.errors import SourceError
from sources.http import HttpPolicy, PoliteClient

log = logging.getLogger(__name__)

SOURCE = "NWOpen"
PER_PAGE = 100  # the largest page size clients of the API are known to use


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


class HttpPageReader:
    """Reads ``GET <url>?page=N&per_page=100`` with the polite client."""

    def __init__(self, url: str, policy: HttpPolicy, per_page: int = PER_PAGE):
        self.location = url
        self.per_page = per_page
        self._client = PoliteClient(SOURCE, policy)

    def read(self, page: int) -> tuple[str, bytes]:
        params = {"page": page, "per_page": self.per_page}
        response = self._client.get(self.location, params=params, what=f"page {page}")
        return str(response.url), response.content

    def close(self) -> None:
        self._client.close()


class FilePageReader:
    """Reads ``page-001.json``, ``page-002.json``, ... from a snapshot folder."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.location = str(self.folder)

    def read(self, page: int) -> tuple[str, bytes]:
        path = self.folder / f"page-{page:03d}.json"
        try:
            return str(path), path.read_bytes()
        except OSError as exc:
            raise SourceError(SOURCE, str(path), f"cannot read page {page}: {exc}") from exc


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


def read_all_pages(reader: PageReader) -> list[RawPage]:
    """Walk pages 1..meta.pages as page 1 announces them and check nothing went missing."""
    first = decode_page(1, *reader.read(1))
    total_pages = first.payload["meta"]["pages"]
    expected_records = first.payload["meta"]["count"]
    pages = [first]
    for number in range(2, total_pages + 1):
        page = decode_page(number, *reader.read(number))
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
        pages.append(page)
    seen = sum(len(p.projects) for p in pages)
    if seen < expected_records:
        raise SourceError(
            SOURCE,
            reader.location,
            f"incomplete list: meta.count announced {expected_records} projects but "
            f"{total_pages} pages held only {seen}",
        )
    return pages
