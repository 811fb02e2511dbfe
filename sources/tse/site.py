"""Crawling the Topsector Energie project database: listing pages, then each project page.

The crawler starts at the listing URL, follows its project links and its "next" link, and
returns every document's exact bytes for raw landing. Over HTTP it makes conditional requests
(If-None-Match / If-Modified-Since) with what the previous snapshot recorded, and reuses the
previous bytes on 304 Not Modified. The bundled sample is a folder that mirrors the site's
paths (see ``FileSite``).

A crawl is complete or it fails (``crawl``): every listing page up to the last one the pager
announces ("Pagina 2 van 4") must link to project pages none of the earlier pages linked to
(a page without them names its URL), the crawl must reach that last page, and where a listing
states its number of projects ("34 projecten") the crawl must find that many but for a small
share (``tolerance``, setting ``LCM_COMPLETENESS_TOLERANCE``). Where the site states neither,
the project count is compared with the last accepted pull by the raw suites' volume rules
(``row_drop`` in expectations/suites/raw_tse_*.json).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, unquote_plus, urljoin, urlparse

from bs4 import BeautifulSoup

from sources.encodings import Decoded, decode_html
from sources.errors import SourceError
from sources.http import HttpPolicy, PoliteClient
from sources.redact import is_secret_param

SOURCE = "TSE"
PROJECT_PATH = re.compile(r"^/projecten/[^/?#]+-(\d+)/?$")
MAX_LISTING_PAGES = 500  # a "next" link that never ends is a site bug, not a reason to loop
PAGE_OF = re.compile(r"\bpagina\s+(\d+)\s+(?:van|/)\s+(\d+)\b", re.IGNORECASE)
PROJECT_TOTAL = re.compile(r"^\s*(\d[\d.]*)\s+(?:projecten|resultaten)(?:\s+gevonden)?\s*$",
                           re.IGNORECASE)  # fmt: skip
TOLERANCE = 0.005  # the share of a stated total that may be missing; one at least (unless 0)


@dataclass(frozen=True)
class CachedDocument:
    etag: str | None
    last_modified: str | None
    content: bytes
    content_type: str | None = None  # the header of the answer that sent these bytes


@dataclass(frozen=True)
class RawDocument:
    kind: str  # "listing" or "project"
    url: str  # the URL as the site names it
    location: str  # where it was read: the URL, or the sample file
    content: bytes
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # answered 304: content is the previous snapshot's
    content_type: str | None = None  # the Content-Type header, whose charset decodes content

    @cached_property
    def decoded(self) -> Decoded:
        """The page's text, in the charset its header or its <meta> declares (the bytes
        themselves are landed unchanged)."""
        return decode_html(self.content, self.content_type)


class Site(Protocol):
    # Query parameters the site's client adds itself (its credentials): never in a link.
    private_params: frozenset[str]

    def fetch(self, url: str, cached: CachedDocument | None) -> RawDocument: ...


class HttpSite:
    def __init__(self, policy: HttpPolicy):
        self._client = PoliteClient(SOURCE, policy, accept="text/html,application/xhtml+xml")
        self.private_params = frozenset(name for name, _ in policy.credentials.params)

    def fetch(self, url: str, cached: CachedDocument | None) -> RawDocument:
        headers = {}
        if cached and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        response = self._client.get(url, headers=headers or None)
        if response.status_code == 304 and cached is not None:
            return RawDocument("", url, url, cached.content, cached.etag, cached.last_modified,
                               not_modified=True, content_type=cached.content_type)  # fmt: skip
        if response.status_code == 304:
            raise SourceError(SOURCE, url, "304 Not Modified to an unconditional request")
        return RawDocument(
            "", url, self._client.recorded_url(response), response.content,
            response.headers.get("ETag"), response.headers.get("Last-Modified"),
            content_type=response.headers.get("Content-Type"),
        )  # fmt: skip

    def close(self) -> None:
        self._client.close()


class FileSite:
    """A folder mirroring the site: ``/projecten`` -> ``projecten.html``,
    ``/projecten?page=2`` -> ``projecten.page-2.html``, ``/projecten/x-12`` ->
    ``projecten/x-12.html``."""

    private_params: frozenset[str] = frozenset()

    def __init__(self, root: Path, max_bytes: int = HttpPolicy.max_bytes):
        self.root = Path(root)
        self.max_bytes = max_bytes  # a page file is held to the bound of an answer

    def path_for(self, url: str) -> Path:
        parsed = urlparse(url)
        name = parsed.path.strip("/") or "index"
        for key, value in sorted(parse_qsl(parsed.query)):
            name += f".{key}-{value}"
        return self.root / f"{name}.html"

    def fetch(self, url: str, cached: CachedDocument | None) -> RawDocument:
        path = self.path_for(url)
        try:
            if (size := path.stat().st_size) > self.max_bytes:
                raise SourceError(SOURCE, str(path), f"{size:,} bytes, above the bound of "
                                  f"{self.max_bytes:,} (LCM_HTTP_MAX_MB)")  # fmt: skip
            return RawDocument("", url, str(path), path.read_bytes())
        except OSError as exc:
            raise SourceError(SOURCE, str(path), f"cannot read {url}: {exc}") from exc


def page_soup(doc: RawDocument) -> BeautifulSoup:
    # The stdlib parser: no entity or network resolution, tolerant of broken markup. Given
    # text, not bytes, so BeautifulSoup does not guess the encoding a second time.
    return BeautifulSoup(doc.decoded.text, "html.parser")


def public_link(url: str, private: frozenset[str] = frozenset()) -> str:
    """``url`` without its fragment and without the query parameters that carry a secret
    (``sources.redact``'s names, and ``private``): a link is recorded (page_url, the marts),
    and a token in it would go wherever the link goes."""
    parsed = urlparse(url.split("#")[0])
    kept = [  # each pair as written: the same link stays the same cache key
        part
        for part in parsed.query.split("&")
        if part
        and unquote_plus(name := part.partition("=")[0]) not in private
        and not is_secret_param(name)
    ]
    return parsed._replace(query="&".join(kept)).geturl()


def listing_links(
    doc: RawDocument, base_url: str, private: frozenset[str] = frozenset()
) -> tuple[list[str], str | None]:
    """Project page URLs on a listing page (in order, without repeats) and the next page,
    each without secrets in its query (``public_link``).

    Only links on the listing's own host are followed: a crawler stays on the site it was
    pointed at (a test server, a mirror), even when a page links to the live host.
    """
    soup = page_soup(doc)
    host = urlparse(base_url).netloc
    projects: list[str] = []
    for anchor in soup.find_all("a", href=True):
        absolute = public_link(urljoin(base_url, anchor["href"]), private)
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
    return projects, public_link(urljoin(base_url, nxt["href"]), private) if nxt else None


@dataclass(frozen=True)
class ListingFacts:
    """What a listing page says about the whole list, where it says it."""

    page: int | None = None  # "Pagina 2 van 4": 2
    last_page: int | None = None  # ... and 4
    projects: int | None = None  # "34 projecten"


def listing_facts(doc: RawDocument) -> ListingFacts:
    soup = page_soup(doc)
    pager = PAGE_OF.search(soup.get_text(" "))
    total = None
    for line in soup.find_all(string=PROJECT_TOTAL):
        total = int(PROJECT_TOTAL.match(line).group(1).replace(".", ""))  # type: ignore[union-attr]
        break
    if pager is None:
        return ListingFacts(projects=total)
    return ListingFacts(int(pager.group(1)), int(pager.group(2)), total)


def _incomplete(location: str, detail: str) -> SourceError:
    return SourceError(SOURCE, location, detail, field="project links")


def crawl(
    site: Site,
    start_url: str,
    previous: dict[str, CachedDocument] | None = None,
    *,
    tolerance: float = TOLERANCE,
) -> list[RawDocument]:
    """All listing pages from ``start_url`` and every project page they link to; fails when
    the crawl is incomplete (see the module's docstring)."""
    previous = previous or {}
    documents: list[RawDocument] = []
    seen_projects: set[str] = set()
    first = ListingFacts()
    last_listing: RawDocument | None = None
    url: str | None = start_url
    for number in range(1, MAX_LISTING_PAGES + 1):
        if url is None:
            break
        listing = site.fetch(url, previous.get(url))
        listing = RawDocument("listing", *_fields(listing))
        documents.append(listing)
        last_listing = listing
        links, next_url = listing_links(listing, url, site.private_params)
        facts = listing_facts(listing)
        if number == 1:
            first = facts
        new_links = [link for link in links if link not in seen_projects]
        last_page = facts.last_page or first.last_page
        past_the_end = last_page is not None and number > last_page
        if not links and number == 1:
            raise _incomplete(
                listing.location,
                "the listing page links to no project pages (/projecten/<slug>-<id>): "
                "has the site's HTML changed?",
            )
        if not new_links and not past_the_end:
            of = f" of {last_page}" if last_page else ""
            found = (
                "links to no project pages"
                if not links
                else f"links only to the {len(links)} project pages earlier listing pages "
                "linked to (a page served twice?)"
            )
            raise _incomplete(
                listing.location,
                f"listing page {number}{of} {found}: the projects it should list are missing "
                "from the crawl",
            )
        for link in new_links:
            seen_projects.add(link)
            page = site.fetch(link, previous.get(link))
            documents.append(RawDocument("project", *_fields(page)))
        url = next_url if next_url != url else None
    else:
        raise SourceError(SOURCE, start_url, f"more than {MAX_LISTING_PAGES} listing pages")
    assert last_listing is not None
    listed = sum(d.kind == "listing" for d in documents)
    if first.last_page is not None and listed < first.last_page:
        raise _incomplete(
            last_listing.location,
            f"the crawl ended at listing page {listed} (no link to a next page) but page 1 "
            f"announced {first.last_page} pages: the projects of pages {listed + 1} to "
            f"{first.last_page} are missing",
        )
    if first.projects is not None:
        allowed = max(1, math.floor(first.projects * tolerance)) if tolerance > 0 else 0
        if first.projects - len(seen_projects) > allowed:
            raise _incomplete(
                start_url,
                f"the listing states {first.projects} projects but its pages link to "
                f"{len(seen_projects)}: {first.projects - len(seen_projects)} missing, at most "
                f"{allowed} may be (LCM_COMPLETENESS_TOLERANCE)",
            )
    return documents


def _fields(doc: RawDocument) -> tuple:
    return (doc.url, doc.location, doc.content, doc.etag, doc.last_modified, doc.not_modified,
            doc.content_type)  # fmt: skip
