"""The Topsector Energie (MOOI) connector against the bundled sample and a local HTTP server."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from sources.errors import SourceError
from sources.landing import land_snapshot, latest_manifest
from sources.tse import (
    SAMPLE_DIR,
    content_sha256,
    document_index,
    parse_documents,
    previous_documents,
    raw_files,
    read_site,
)
from sources.tse.site import CachedDocument, FileSite

LISTING = "/projecten"
HTML = "text/html; charset=utf-8"


def sample_file(path: str, query: str = "") -> Path:
    site = FileSite(SAMPLE_DIR)
    return site.path_for(f"https://example.invalid{path}" + (f"?{query}" if query else ""))


def mooi_pages_independently() -> dict[str, str]:
    """Grant number per MOOI project page, read with a regex rather than the parser."""
    found = {}
    for path in sorted((SAMPLE_DIR / "projecten").glob("*.html")):
        html = path.read_text(encoding="utf-8")
        scheme = re.search(r"Regeling:?</(?:dt|th)>\s*<(?:dd|td)>([^<]+)<", html)
        assert scheme, path
        if re.search(r"\bMOOI\b", scheme.group(1)):
            number = re.search(r"Projectnummer:?</(?:dt|th)>\s*<(?:dd|td)>([^<]+)<", html)
            assert number, path
            found[path.stem] = number.group(1).strip()
    return found


class SampleSite:
    """Serves the sample folder like the live site, with optional ETag and faults."""

    def __init__(self, etag: bool = False):
        self.etag = etag
        self.overrides: dict[str, bytes] = {}
        self.requests: list[Request] = []
        self.conditional_hits = 0

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        key = request.full_path.rstrip("?")
        if key in self.overrides:
            return Response(self.overrides[key], content_type=HTML)
        path = sample_file(request.path, request.query_string.decode())
        if not path.is_file():
            return Response("not found", status=404)
        body = path.read_bytes()
        tag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if self.etag and request.headers.get("If-None-Match") == tag:
            self.conditional_hits += 1
            return Response(status=304, headers={"ETag": tag})
        headers = {"ETag": tag} if self.etag else {}
        return Response(body, content_type=HTML, headers=headers)


def serve(httpserver: HTTPServer, site: SampleSite) -> str:
    httpserver.expect_request(re.compile(r"^/projecten.*")).respond_with_handler(site)
    return httpserver.url_for(LISTING)


def test_sample_folder_gives_every_mooi_project_and_skips_other_schemes():
    documents = read_site(str(SAMPLE_DIR), policy=None)
    extract = parse_documents(documents)
    expected = mooi_pages_independently()
    assert len(expected) >= 30
    assert sorted(p["grant_number"] for p in extract.projects) == sorted(expected.values())
    all_pages = len(list((SAMPLE_DIR / "projecten").glob("*.html")))
    assert extract.pages_read == all_pages
    assert sum(extract.other_schemes.values()) == all_pages - len(expected)
    assert all(re.fullmatch(r"MOOI\d{5,6}", p["grant_number"]) for p in extract.projects)
    # every round and every mission of the programme is present
    assert {p["call_round"] for p in extract.projects} == {2020, 2021, 2022, 2024}
    missions = {p["mission"] for p in extract.projects}
    assert {"Wind op zee", "Industrie", "A Elektriciteit", "B Gebouwde omgeving",
            "C Industrie", "SIGOHE"} <= missions  # fmt: skip


def test_real_projects_parsed_by_label_in_both_layouts():
    extract = parse_documents(read_site(str(SAMPLE_DIR), policy=None))  # type: ignore[arg-type]
    by_grant = {p["grant_number"]: p for p in extract.projects}
    partners: dict[str, list[str]] = {}
    for row in extract.partners:
        partners.setdefault(row["tse_id"], []).append(row["organisation"])

    smooth = by_grant["MOOI32005"]
    assert smooth["title"] == "SmoothEMS met GridShield"
    assert partners[smooth["tse_id"]] == ["Universiteit Twente", "ElaadNL", "AmperaPark"]

    eco = by_grant["MOOI322009"]  # table layout, "€ 1,8 miljoen"
    assert eco["subsidy_eur"] == 1_800_000
    assert eco["lead_applicant"] == "Parkmanagement Coöperatie Ecofactorij"
    assert eco["call_round"] == 2022
    assert eco["partner_count"] == 6

    local = by_grant["MOOI322014"]  # €4.6M is the budget, above the €4M subsidy cap
    assert local["subsidy_eur"] is None
    assert local["project_budget_eur"] == 4_600_000

    orkest = by_grant["MOOI32031"]  # partners as comma-separated text in a table
    assert partners[orkest["tse_id"]][1:] == [
        "DNV", "Netbeheer Nederland", "Phase to Phase", "Technolution", "TU Eindhoven"
    ]  # fmt: skip
    troef = by_grant["MOOI32025"]  # "Aanvrager" instead of "Penvoerder"
    assert troef["lead_applicant"] == "TNO"
    for project in extract.projects:
        assert project["subsidy_eur"] is None or 0 < project["subsidy_eur"] <= 4_000_000
        if project["start_date"] and project["end_date"]:
            assert project["end_date"] > project["start_date"]


def test_crawl_over_http_follows_pagination_dedupes_links_and_is_polite(
    httpserver: HTTPServer, patient_policy
):
    site = SampleSite()
    url = serve(httpserver, site)
    documents = read_site(url, patient_policy)
    listings = [d for d in documents if d.kind == "listing"]
    projects = [d for d in documents if d.kind == "project"]
    listing_files = len(list(SAMPLE_DIR.glob("projecten*.html")))
    # the last "Volgende" link has no rel="next": found by its text
    assert len(listings) == listing_files
    # the featured box repeats a link: each project page is fetched once
    assert len(projects) == len(list((SAMPLE_DIR / "projecten").glob("*.html")))
    assert len(site.requests) == len(documents)
    assert all(r.headers["User-Agent"] == patient_policy.user_agent for r in site.requests)
    over_http = parse_documents(documents)
    from_files = parse_documents(read_site(str(SAMPLE_DIR), patient_policy))
    strip = [{k: v for k, v in p.items() if k != "page_url"} for p in from_files.projects]
    assert [{k: v for k, v in p.items() if k != "page_url"} for p in over_http.projects] == strip
    assert content_sha256(over_http) != ""


def test_conditional_requests_reuse_the_previous_snapshot(
    httpserver: HTTPServer, patient_policy, tmp_path: Path
):
    site = SampleSite(etag=True)
    url = serve(httpserver, site)
    first = read_site(url, patient_policy)
    raw_dir = tmp_path / "raw"
    extract = parse_documents(first)
    land_snapshot(
        raw_dir, "tse", url, raw_files(first), content_sha256=content_sha256(extract),
        counts={"projects": len(extract.projects)}, extra={"documents": document_index(first)},
    )  # fmt: skip
    manifest = latest_manifest(raw_dir / "tse")
    assert manifest is not None
    cached = previous_documents(manifest, raw_dir / "tse" / manifest.snapshot_id)
    assert len(cached) == len(first)

    second = read_site(url, patient_policy, cached)
    assert site.conditional_hits == len(first)
    assert all(d.not_modified for d in second)
    assert [d.content for d in second] == [d.content for d in first]
    assert content_sha256(parse_documents(second)) == content_sha256(extract)


def test_a_changed_page_is_fetched_again_despite_the_cache(httpserver: HTTPServer, patient_policy):
    site = SampleSite(etag=True)
    url = serve(httpserver, site)
    first = read_site(url, patient_policy)
    cached = {d.url: CachedDocument(d.etag, d.last_modified, d.content) for d in first}
    page = next(d for d in first if d.kind == "project")
    changed = page.content.replace(b"</h1>", b" (herzien)</h1>", 1)
    site.overrides[urlparse(page.url).path] = changed
    second = read_site(url, patient_policy, cached)
    refreshed = next(d for d in second if d.url == page.url)
    assert not refreshed.not_modified and refreshed.content == changed


def test_site_down_fails_naming_the_source_and_url(httpserver: HTTPServer, fast_policy):
    httpserver.expect_request(LISTING).respond_with_data("unavailable", status=503)
    with pytest.raises(SourceError) as error:
        read_site(httpserver.url_for(LISTING), fast_policy)
    message = str(error.value)
    assert message.startswith("[TSE]")
    assert httpserver.url_for(LISTING) in message
    assert f"after {fast_policy.max_retries + 1} attempts" in message and "503" in message


def test_slow_site_times_out_with_a_clear_message(httpserver: HTTPServer, fast_policy):
    def slow(request: Request) -> Response:
        time.sleep(fast_policy.timeout_s + 0.5)
        return Response("<html></html>", content_type=HTML)

    httpserver.expect_request(LISTING).respond_with_handler(slow)
    with pytest.raises(SourceError, match=r"\[TSE\] .*/projecten.*timed out after 1 s"):
        read_site(httpserver.url_for(LISTING), fast_policy)


def test_changed_listing_html_without_project_links_fails(httpserver: HTTPServer, fast_policy):
    httpserver.expect_request(LISTING).respond_with_data(
        "<html><body><div id='app'></div><script src='/app.js'></script></body></html>",
        content_type=HTML,
    )
    with pytest.raises(SourceError) as error:
        read_site(httpserver.url_for(LISTING), fast_policy)
    message = str(error.value)
    assert httpserver.url_for(LISTING) in message
    assert "field 'project links'" in message and "has the site's HTML changed?" in message


def _one_mooi_page_served(httpserver: HTTPServer, body: bytes) -> str:
    listing = b'<html><body><a href="/projecten/proef-project-1">Proef</a></body></html>'
    httpserver.expect_request(LISTING).respond_with_data(listing, content_type=HTML)
    httpserver.expect_request("/projecten/proef-project-1").respond_with_data(
        body, content_type=HTML
    )
    return httpserver.url_for(LISTING)


def _a_sample_mooi_page() -> bytes:
    smooth = next((SAMPLE_DIR / "projecten").glob("smoothems-met-gridshield-*.html"))
    return smooth.read_bytes()


def test_missing_required_label_names_page_and_label(httpserver: HTTPServer, fast_policy):
    body = re.sub(rb"<dt>Projectnummer:</dt>\s*<dd>[^<]*</dd>", b"", _a_sample_mooi_page())
    url = _one_mooi_page_served(httpserver, body)
    with pytest.raises(SourceError) as error:
        parse_documents(read_site(url, fast_policy))
    message = str(error.value)
    assert httpserver.url_for("/projecten/proef-project-1") in message
    assert "field 'projectnummer'" in message and "required label missing" in message
    assert "penvoerder" in message  # it lists the labels it did find


def test_truncated_page_fails_instead_of_loading_half_a_project(
    httpserver: HTTPServer, fast_policy
):
    page = _a_sample_mooi_page()
    body = page[: page.index(b"Penvoerder")]  # the connection dropped mid-page
    url = _one_mooi_page_served(httpserver, body)
    with pytest.raises(SourceError, match=r"proef-project-1: field 'penvoerder': required label"):
        parse_documents(read_site(url, fast_policy))


def test_unreadable_amount_names_the_field(httpserver: HTTPServer, fast_policy):
    body = re.sub(
        rb"(<dt>Regeling:</dt>)",
        b"<dt>Subsidie:</dt><dd>zie besluit</dd>\\1",
        _a_sample_mooi_page(),
    )
    url = _one_mooi_page_served(httpserver, body)
    with pytest.raises(SourceError, match=r"field 'subsidie': not an amount: 'zie besluit'"):
        parse_documents(read_site(url, fast_policy))


def test_missing_sample_file_names_the_path(tmp_path: Path):
    (tmp_path / "projecten.html").write_text('<a href="/projecten/weg-1">weg</a>', encoding="utf-8")
    with pytest.raises(SourceError, match=r"\[TSE\] .*projecten/weg-1\.html: cannot read"):
        read_site(str(tmp_path), policy=None)
