"""MOOI projects from the Topsector Energie project database (HTML), plain Python.

A pull: ``read_site`` (live site or the bundled sample folder; conditional requests with what
the previous snapshot recorded), landing of ``raw_files``, then ``parse_documents``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sources.http import HttpPolicy
from sources.landing import Manifest, RawFile, content_hash
from sources.redact import is_http_url
from sources.tse.parse import PARTNER_COLUMNS, PROJECT_COLUMNS, TseExtract, parse_documents
from sources.tse.site import (
    SOURCE,
    TOLERANCE,
    CachedDocument,
    FileSite,
    HttpSite,
    RawDocument,
    crawl,
)

LIVE_URL = "https://projecten.topsectorenergie.nl/projecten"
SAMPLE_DIR = Path(__file__).resolve().parent / "sample"
# The sample mirrors the live site's paths, so the same start URL is used against it.
SAMPLE_START_URL = LIVE_URL

__all__ = [
    "LIVE_URL",
    "PARTNER_COLUMNS",
    "PROJECT_COLUMNS",
    "SAMPLE_DIR",
    "SOURCE",
    "RawDocument",
    "TseExtract",
    "content_sha256",
    "document_index",
    "parse_documents",
    "previous_documents",
    "raw_files",
    "read_site",
]


def read_site(
    location: str,
    policy: HttpPolicy | None,
    previous: dict[str, CachedDocument] | None = None,
    *,
    tolerance: float = TOLERANCE,
) -> list[RawDocument]:
    """Crawl ``location``: the listing URL (http/https, needs ``policy``) or a sample folder.
    Fails unless the crawl is complete (``sources.tse.site.crawl``)."""
    if is_http_url(location):
        if policy is None:
            raise ValueError("an HTTP policy is needed to crawl a URL")
        site = HttpSite(policy)
        try:
            return crawl(site, location, previous, tolerance=tolerance)
        finally:
            site.close()
    folder = FileSite(Path(location), policy.max_bytes if policy else HttpPolicy.max_bytes)
    return crawl(folder, SAMPLE_START_URL, tolerance=tolerance)


def _file_name(index: int, doc: RawDocument) -> str:
    return f"{index:04d}-{doc.kind}.html"


def raw_files(documents: list[RawDocument]) -> list[RawFile]:
    return [
        RawFile(_file_name(i, d), d.content, d.location) for i, d in enumerate(documents, start=1)
    ]


def document_index(documents: list[RawDocument]) -> list[dict[str, Any]]:
    """What the manifest records per document, so the next pull can ask 'changed since?',
    and the charset its text was read in (the landed bytes are as the site sent them)."""
    return [
        {"file": _file_name(i, d), "url": d.url, "kind": d.kind, "etag": d.etag,
         "last_modified": d.last_modified, "not_modified": d.not_modified,
         "content_type": d.content_type, "encoding": d.decoded.encoding,
         "encoding_from": d.decoded.declared_by, "replaced_bytes": d.decoded.replaced_bytes}
        for i, d in enumerate(documents, start=1)
    ]  # fmt: skip


def previous_documents(manifest: Manifest | None, snapshot_dir: Path) -> dict[str, CachedDocument]:
    """Validators and bytes of the previous snapshot's documents, keyed by URL."""
    if manifest is None:
        return {}
    cached = {}
    for entry in manifest.extra.get("documents", []):
        if not (entry.get("etag") or entry.get("last_modified")):
            continue
        path = snapshot_dir / entry["file"]
        if path.is_file():
            cached[entry["url"]] = CachedDocument(
                entry.get("etag"), entry.get("last_modified"), path.read_bytes(),
                entry.get("content_type"),  # a 304 carries no charset: the first answer's
            )  # fmt: skip
    return cached


def content_sha256(extract: TseExtract) -> str:
    return content_hash(json.loads(json.dumps([extract.projects, extract.partners], default=str)))
