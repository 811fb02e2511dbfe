"""Crawling the Topsector Energie project database: listing pages, then each project page.

The crawler starts at the listing URL, follows its project links and its "next" link, and
returns every document's exact bytes for raw landing. Over HTTP it makes conditional requests
(If-None-Match / If-Modified-Since) with what the previous snapshot recorded, and reuses the
previous bytes on 304 Not Modified. The bundled sample is a folder that mirrors the site's
paths (see ``FileSite``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, urljoin, urlparse

from bs4 import BeautifulSoup

from sources.errors import SourceError
from sources.http import HttpPolicy, PoliteClient

SOURCE = "TSE"
PROJECT_PATH = re.compile(r"^/projecten/[^/?#]+-(\d+)/?$")
MAX_LISTING_PAGES = 500  # a "next" link that never ends is a site bug, not a reason to loop


@dataclass(frozen=True)
class CachedDocument:
    etag: str | None
    last_modified: str | None
    content: bytes


@dataclass(frozen=True)
class RawDocument:
    kind: str  # "listing" or "project"
    url: str  # the URL as the site names it
    location: str  # where it was read: the URL, or the sample file
    content: bytes
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # answered 304: content is the previous snapshot's


class Site(Protocol):
    def fetch(self, url: str, cached: CachedDocument | None) -> RawDocument: ...


class HttpSite:
    def __init__(self, policy: HttpPolicy):
        self._client = PoliteClient(SOURCE, policy, accept="text/html,application/xhtml+xml")

    def fetch(self, url: str, cached: CachedDocument | None) -> RawDocument:
        headers = {}
        if cached and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        response = self._client.get(url, headers=headers or None)
        if response.status_code == 304 and cached is not None:
            return RawDocument("", url, url, cached.content, cached.etag, cached.last_modified,
                               not_modified=True)  # fmt: skip
        if response.status_code == 304:
            raise SourceError(SOURCE, url, "304 Not Modified to an unconditional request")
        return RawDocument(
            "", url, str(response.url), response.content,
            response.headers.get("ETag"), response.headers.get("Last-Modified"),
        )  # fmt: skip

    def close(self) -> None:
        self._client.close()


class FileSite:
    """A folder mirroring the site: ``/projecten`` -> ``projecten.html``,
    ``/projecten?page=2`` -> ``projecten.page-2.html``, ``/projecten/x-12`` ->
    ``projecten/x-12.html``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, url: str) -> Path:
        parsed = urlparse(url)
        name = parsed.path.strip("/") or "index"
        for key, value in sorted(parse_qsl(parsed.query)):
            name += f".{key}-{value}"
        return self.root / f"{name}.html"

    def fetch(self, url: str, cached: CachedDocument | None) -> RawDocument:
        path = self.path_for(url)
        try:
            return RawDocument("", url, str(path), path.read_bytes())
        except OSError as exc:
            raise SourceError(SOURCE, str(path), f"cannot read {url}: {exc}") from exc


def _soup(doc: RawDocument) -> BeautifulSoup:
    # The stdlib parser: no entity or network resolution, tolerant of broken markup.
    return BeautifulSoup(doc.content.decode("utf-8", errors="replace"), "html.parser")


def listing_links(doc: RawDocument, base_url: str) -> tuple[list[str], str | None]:
    """Project page URLs on a listing page (in order, without repeats) and the next page.

    Only links on the listing's own host are followed: a crawler stays on the site it was
    pointed at (a test server, a mirror), even when a page links to the live host.
    """
    soup = _soup(doc)
    host = urlparse(base_url).netloc
    projects: list[str] = []
    for anchor in soup.find_all("a", href=True):
        absolute = urljoin(base_url, anchor["href"]).split("#")[0]
        parsed = urlparse(absolute)
        if parsed.netloc == host and PROJECT_PATH.match(parsed.path) and absolute not in projects:
            projects.append(absolute)
    nxt = soup.find(["a", "link"], rel="next", href=True)
    if nxt is None:
        nxt = next(
            (a for a in soup.find_all("a", href=True)
             if a.get_text(strip=True).lower() in ("volgende", "volgende pagina", "next")),
            None,
        )  # fmt: skip
    return projects, urljoin(base_url, nxt["href"]) if nxt else None


def crawl(
    site: Site, start_url: str, previous: dict[str, CachedDocument] | None = None
) -> list[RawDocument]:
    """All listing pages from ``start_url`` and every project page they link to."""
    previous = previous or {}
    documents: list[RawDocument] = []
    seen_projects: set[str] = set()
    url: str | None = start_url
    for number in range(1, MAX_LISTING_PAGES + 1):
        if url is None:
            break
        listing = site.fetch(url, previous.get(url))
        listing = RawDocument("listing", *_fields(listing))
        documents.append(listing)
        links, next_url = listing_links(listing, url)
        if number == 1 and not links:
            raise SourceError(
                SOURCE, listing.location,
                "the listing page links to no project pages (/projecten/<slug>-<id>): "
                "has the site's HTML changed?",
                field="project links",
            )  # fmt: skip
        for link in links:
            if link in seen_projects:
                continue
            seen_projects.add(link)
            page = site.fetch(link, previous.get(link))
            documents.append(RawDocument("project", *_fields(page)))
        url = next_url if next_url != url else None
    else:
        raise SourceError(SOURCE, start_url, f"more than {MAX_LISTING_PAGES} listing pages")
    return documents


def _fields(doc: RawDocument) -> tuple:
    return (doc.url, doc.location, doc.content, doc.etag, doc.last_modified, doc.not_modified)
