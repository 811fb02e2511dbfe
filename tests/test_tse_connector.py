"""The Topsector Energie (MOOI) connector against the bundled sample and a local HTTP server.

A required label missing on every MOOI page means the site changed: the crawl fails naming it.
Missing on one page, or an unreadable amount or date there, is a problem of that project: it
is returned with the problem noted (``_problems``) next to the other projects.
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from orchestration.settings import CALLS_SEED
from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.landing import land_snapshot, latest_manifest
from sources.problems import PROBLEMS
from sources.tse import (
    PROJECT_COLUMNS,
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


@pytest.fixture
def catalogue() -> CallCatalogue:
    return CallCatalogue.from_csv(CALLS_SEED)


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


def project_pages() -> list[Path]:
    return sorted((SAMPLE_DIR / "projecten").glob("*.html"))


def tse_calls_by_round() -> dict[int, str]:
    """The seed's MOOI rounds and their call ids, read with csv (not through the catalogue)."""
    with CALLS_SEED.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["source_system"] == "tse"]
    return {int(r["call_round"]): r["call_id"] for r in rows}


def test_sample_folder_gives_every_mooi_project_and_skips_other_schemes(catalogue):
    documents = read_site(str(SAMPLE_DIR), policy=None)
    extract = parse_documents(documents, catalogue)
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
    assert {
        "Wind op zee",
        "Industrie",
        "A Elektriciteit",
        "B Gebouwde omgeving",
        "C Industrie",
        "SIGOHE",
    } <= missions
    # each project has the call of its round; the sample has no problems at all
    calls = tse_calls_by_round()
    assert all(p["call_id"] == calls[p["call_round"]] for p in extract.projects)
    assert {p["call_id"] for p in extract.projects} == {
        "mooi_2020",
        "mooi_2021_sigohe",
        "mooi_2022",
        "mooi_2024",
    }
    assert all(list(p) == list(PROJECT_COLUMNS) for p in extract.projects)
    assert not any(PROBLEMS in p for p in extract.projects)


def test_real_projects_parsed_by_label_in_both_layouts(catalogue):
    extract = parse_documents(read_site(str(SAMPLE_DIR), policy=None), catalogue)
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
        "DNV",
        "Netbeheer Nederland",
        "Phase to Phase",
        "Technolution",
        "TU Eindhoven",
    ]
    troef = by_grant["MOOI32025"]  # "Aanvrager" instead of "Penvoerder"
    assert troef["lead_applicant"] == "TNO"
    for project in extract.projects:
        assert project["subsidy_eur"] is None or 0 < project["subsidy_eur"] <= 4_000_000
        if project["start_date"] and project["end_date"]:
            assert project["end_date"] > project["start_date"]


def test_crawl_over_http_follows_pagination_dedupes_links_and_is_polite(
    httpserver: HTTPServer, patient_policy, catalogue
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
    over_http = parse_documents(documents, catalogue)
    from_files = parse_documents(read_site(str(SAMPLE_DIR), patient_policy), catalogue)
    strip = [{k: v for k, v in p.items() if k != "page_url"} for p in from_files.projects]
    assert [{k: v for k, v in p.items() if k != "page_url"} for p in over_http.projects] == strip
    assert content_sha256(over_http) != ""


def test_conditional_requests_reuse_the_previous_snapshot(
    httpserver: HTTPServer, patient_policy, tmp_path: Path, catalogue
):
    site = SampleSite(etag=True)
    url = serve(httpserver, site)
    first = read_site(url, patient_policy)
    raw_dir = tmp_path / "raw"
    extract = parse_documents(first, catalogue)
    land_snapshot(
        raw_dir,
        "tse",
        url,
        raw_files(first),
        content_sha256=content_sha256(extract),
        counts={"projects": len(extract.projects)},
        extra={"documents": document_index(first)},
    )
    manifest = latest_manifest(raw_dir / "tse")
    assert manifest is not None
    cached = previous_documents(manifest, raw_dir / "tse" / manifest.snapshot_id)
    assert len(cached) == len(first)

    second = read_site(url, patient_policy, cached)
    assert site.conditional_hits == len(first)
    assert all(d.not_modified for d in second)
    assert [d.content for d in second] == [d.content for d in first]
    assert content_sha256(parse_documents(second, catalogue)) == content_sha256(extract)


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


# --- labels and values a page lacks or that cannot be read ---------------------------------

# The spellings each required field is read from (parse.LABELS), as the sample pages write them.
GRANT_LABELS = ("Projectnummer", "MOOI-nummer", "Dossiernummer", "Subsidienummer")
SCHEME_LABELS = ("Regeling", "Subsidieregeling", "Programma")
LEAD_LABELS = ("Penvoerder", "Aanvrager", "Co\u00f6rdinator", "Coordinator")
SMOOTH = "smoothems-met-gridshield-35676"  # a MOOI 2020 page in the dl layout
ECO = "ecofactorij-36744"  # a MOOI 2022 page in the table layout


def without_label(html: bytes, labels: tuple[str, ...]) -> bytes:
    """The page without its label/value pairs (dt/dd or th/td) for any of ``labels``."""
    names = b"|".join(re.escape(label.encode()) for label in labels)
    pair = rb"<(dt|th)\b[^>]*>\s*(?:" + names + rb")\s*:?\s*</\1>\s*<(dd|td)\b[^>]*>.*?</\2>"
    return re.sub(pair, b"", html, flags=re.IGNORECASE | re.DOTALL)


def without_title(html: bytes) -> bytes:
    return re.sub(rb"<h1>.*?</h1>", b"", html, flags=re.DOTALL)


def with_value(html: bytes, label: str, value: str) -> bytes:
    """The page with the value of ``label`` (dd or td) replaced."""
    pattern = (
        rb"(<(dt|th)\b[^>]*>\s*" + label.encode() + rb":?\s*</\2>\s*<(dd|td)\b[^>]*>).*?(</\3>)"
    )
    changed, count = re.subn(pattern, rb"\g<1>" + value.encode() + rb"\g<4>", html, flags=re.DOTALL)
    assert count == 1, label
    return changed


EDITS = {
    "grant_number": lambda html: without_label(html, GRANT_LABELS),
    "scheme": lambda html: without_label(html, SCHEME_LABELS),
    "lead_applicant": lambda html: without_label(html, LEAD_LABELS),
    "title": without_title,
}
LABEL_PROBLEMS = {
    "grant_number": "required label missing: one of 'projectnummer', 'mooi-nummer', "
    "'dossiernummer', 'subsidienummer'",
    "scheme": "required label missing: one of 'regeling', 'subsidieregeling', 'programma'",
    "lead_applicant": "required label missing: one of 'penvoerder', 'aanvrager', "
    "'co\u00f6rdinator', 'coordinator'",
    "title": "no <h1> title on the project page",
}


def _without_page_url(project: dict) -> dict:
    return {k: v for k, v in project.items() if k != "page_url"}


def _sample_by_id(catalogue: CallCatalogue) -> dict[str, dict]:
    extract = parse_documents(read_site(str(SAMPLE_DIR), policy=None), catalogue)
    return {p["tse_id"]: _without_page_url(p) for p in extract.projects}


@pytest.mark.parametrize("column", list(EDITS))
def test_required_label_missing_on_every_mooi_page_fails_naming_it(
    httpserver: HTTPServer, patient_policy, catalogue, column: str
):
    mooi = mooi_pages_independently()
    site = SampleSite()
    for path in project_pages():
        page = path.read_bytes()
        edited = EDITS[column](page)
        assert edited != page or path.stem not in mooi, path.stem
        site.overrides[f"/projecten/{path.stem}"] = edited
    documents = read_site(serve(httpserver, site), patient_policy)
    with pytest.raises(SourceError) as error:
        parse_documents(documents, catalogue)
    # Without a scheme, no page can be told apart from a MOOI page: all of them count.
    pages = len(project_pages()) if column == "scheme" else len(mooi)
    first = next(
        d.url
        for d in documents
        if d.kind == "project" and (column == "scheme" or urlparse(d.url).path[11:] in mooi)
    )
    message = str(error.value)
    assert error.value.field == column and error.value.source == "TSE"
    assert error.value.location == first and first.startswith(httpserver.url_for("/projecten/"))
    assert message.startswith(f"[TSE] {first}: field '{column}': ")
    assert (
        f"on every one of the {pages} project pages that are not of another scheme: has the "
        "site's HTML changed?"
    ) in message
    what = LABEL_PROBLEMS[column].removeprefix("required label missing: ")
    what = "no <h1> title" if column == "title" else f"required label missing ({what})"
    assert what in message


@pytest.mark.parametrize("column", list(EDITS))
def test_required_label_missing_on_one_page_is_that_projects_problem(
    httpserver: HTTPServer, patient_policy, catalogue, column: str
):
    site = SampleSite()
    page = (SAMPLE_DIR / "projecten" / f"{SMOOTH}.html").read_bytes()
    site.overrides[f"/projecten/{SMOOTH}"] = EDITS[column](page)
    extract = parse_documents(read_site(serve(httpserver, site), patient_policy), catalogue)
    sample = _sample_by_id(catalogue)
    assert len(extract.projects) == len(sample)
    broken = [p for p in extract.projects if PROBLEMS in p]
    assert [p["tse_id"] for p in broken] == ["35676"]
    (smooth,) = broken
    assert smooth[PROBLEMS] == [
        {
            "rule": "required_value",
            "column": column,
            "value": None,
            "problem": LABEL_PROBLEMS[column],
        }
    ]
    assert smooth[column] is None
    # The rest of the project is read as usual, and so is every other project.
    expected = {**sample["35676"], column: None}
    if column == "lead_applicant":
        expected["partner_count"] = 2  # the partners without their lead
    assert {k: v for k, v in _without_page_url(smooth).items() if k != PROBLEMS} == expected
    assert smooth["call_id"] == "mooi_2020" and smooth["page_url"].endswith(f"/projecten/{SMOOTH}")
    others = {p["tse_id"]: _without_page_url(p) for p in extract.projects if p is not smooth}
    assert others == {k: v for k, v in sample.items() if k != "35676"}
    partners = [
        (p["organisation"], p["partner_seq"], p["is_lead"])
        for p in extract.partners
        if p["tse_id"] == "35676"
    ]
    if column == "lead_applicant":
        assert partners == [("ElaadNL", 1, False), ("AmperaPark", 2, False)]
    else:
        assert partners == [
            ("Universiteit Twente", 1, True),
            ("ElaadNL", 2, False),
            ("AmperaPark", 3, False),
        ]


def test_unreadable_amount_or_date_is_that_projects_problem(
    httpserver: HTTPServer, patient_policy, catalogue
):
    site = SampleSite()
    smooth = (SAMPLE_DIR / "projecten" / f"{SMOOTH}.html").read_bytes()
    site.overrides[f"/projecten/{SMOOTH}"] = re.sub(
        rb"(<dt>Regeling:</dt>)", b"<dt>Subsidie:</dt><dd>zie besluit</dd>\\1", smooth
    )
    eco = (SAMPLE_DIR / "projecten" / f"{ECO}.html").read_bytes()
    site.overrides[f"/projecten/{ECO}"] = with_value(eco, "Einddatum", "medio 2027")
    extract = parse_documents(read_site(serve(httpserver, site), patient_policy), catalogue)
    sample = _sample_by_id(catalogue)
    by_id = {p["tse_id"]: p for p in extract.projects}
    assert by_id["35676"][PROBLEMS] == [
        {
            "rule": "unreadable_value",
            "column": "subsidy_eur",
            "value": "zie besluit",
            "problem": "not an amount: 'zie besluit'",
        }
    ]
    assert by_id["36744"][PROBLEMS] == [
        {
            "rule": "unreadable_value",
            "column": "end_date",
            "value": "medio 2027",
            "problem": "not a date: 'medio 2027'",
        }
    ]
    # The unreadable value is empty; everything else on the page is read.
    assert by_id["35676"]["subsidy_eur"] is None
    assert {k: v for k, v in _without_page_url(by_id["36744"]).items() if k != PROBLEMS} == {
        **sample["36744"],
        "end_date": None,
    }
    assert by_id["36744"]["start_date"] == sample["36744"]["start_date"] is not None
    assert by_id["36744"]["subsidy_eur"] == 1_800_000
    assert [t for t, p in by_id.items() if PROBLEMS in p] == [
        t for t in by_id if t in ("35676", "36744")
    ]
    assert len(extract.projects) == len(sample)


def test_unreadable_period_is_noted_under_both_dates(
    httpserver: HTTPServer, patient_policy, catalogue
):
    site = SampleSite()
    smooth = (SAMPLE_DIR / "projecten" / f"{SMOOTH}.html").read_bytes()
    site.overrides[f"/projecten/{SMOOTH}"] = with_value(smooth, "Looptijd", "vanaf 2021")
    extract = parse_documents(read_site(serve(httpserver, site), patient_policy), catalogue)
    (project,) = [p for p in extract.projects if p["tse_id"] == "35676"]
    assert project[PROBLEMS] == [
        {
            "rule": "unreadable_value",
            "column": "start_date, end_date",
            "value": "vanaf 2021",
            "problem": "not a period 'start - end': 'vanaf 2021'",
        }
    ]
    assert (project["start_date"], project["end_date"]) == (None, None)
    assert project["grant_number"] == "MOOI32005"


def test_round_the_catalogue_does_not_list_has_no_call(
    httpserver: HTTPServer, patient_policy, catalogue
):
    assert 2023 not in tse_calls_by_round()
    site = SampleSite()
    smooth = (SAMPLE_DIR / "projecten" / f"{SMOOTH}.html").read_bytes()
    site.overrides[f"/projecten/{SMOOTH}"] = with_value(smooth, "Ronde", "2023")
    extract = parse_documents(read_site(serve(httpserver, site), patient_policy), catalogue)
    by_id = {p["tse_id"]: p for p in extract.projects}
    # Kept without a call (the quality step flags it: known_call); not a problem of the page.
    assert (by_id["35676"]["call_round"], by_id["35676"]["call_id"]) == (2023, None)
    assert PROBLEMS not in by_id["35676"]
    assert all(p["call_id"] is not None for t, p in by_id.items() if t != "35676")


# --- a crawl of one page: what is missing there is missing everywhere ----------------------


def _one_mooi_page_served(httpserver: HTTPServer, body: bytes) -> str:
    listing = b'<html><body><a href="/projecten/proef-project-1">Proef</a></body></html>'
    httpserver.expect_request(LISTING).respond_with_data(listing, content_type=HTML)
    httpserver.expect_request("/projecten/proef-project-1").respond_with_data(
        body, content_type=HTML
    )
    return httpserver.url_for(LISTING)


def _a_sample_mooi_page() -> bytes:
    return (SAMPLE_DIR / "projecten" / f"{SMOOTH}.html").read_bytes()


def test_missing_required_label_names_page_and_label(
    httpserver: HTTPServer, fast_policy, catalogue
):
    body = re.sub(rb"<dt>Projectnummer:</dt>\s*<dd>[^<]*</dd>", b"", _a_sample_mooi_page())
    url = _one_mooi_page_served(httpserver, body)
    with pytest.raises(SourceError) as error:
        parse_documents(read_site(url, fast_policy), catalogue)
    message = str(error.value)
    page = httpserver.url_for("/projecten/proef-project-1")
    assert error.value.location == page and page in message
    assert error.value.field == "grant_number"
    assert "field 'grant_number': required label missing (one of 'projectnummer'" in message
    assert "on every one of the 1 project pages" in message


def test_truncated_page_is_set_aside_not_loaded_as_half_a_project(
    httpserver: HTTPServer, fast_policy, patient_policy, catalogue
):
    page = _a_sample_mooi_page()
    body = page[: page.index(b"Penvoerder")]  # the connection dropped mid-page
    # Alone, it fails the crawl: the label is missing from every MOOI page there is.
    url = _one_mooi_page_served(httpserver, body)
    with pytest.raises(SourceError, match=r"proef-project-1: field 'lead_applicant': required"):
        parse_documents(read_site(url, fast_policy), catalogue)

    # Among the other pages, it is that project's problem.
    httpserver.clear()
    site = SampleSite()
    site.overrides[f"/projecten/{SMOOTH}"] = body
    extract = parse_documents(read_site(serve(httpserver, site), patient_policy), catalogue)
    (broken,) = [p for p in extract.projects if PROBLEMS in p]
    assert broken["tse_id"] == "35676" and broken["grant_number"] == "MOOI32005"
    assert broken[PROBLEMS] == [
        {
            "rule": "required_value",
            "column": "lead_applicant",
            "value": None,
            "problem": LABEL_PROBLEMS["lead_applicant"],
        }
    ]
    assert (broken["lead_applicant"], broken["partner_count"], broken["start_date"]) == (
        None,
        0,
        None,
    )
    assert not [p for p in extract.partners if p["tse_id"] == "35676"]


def test_missing_sample_file_names_the_path(tmp_path: Path):
    (tmp_path / "projecten.html").write_text('<a href="/projecten/weg-1">weg</a>', encoding="utf-8")
    with pytest.raises(SourceError, match=r"\[TSE\] .*projecten/weg-1\.html: cannot read"):
        read_site(str(tmp_path), policy=None)
