"""NWOpen connector against a local HTTP server and files: pagination, failures, quirks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestration.settings import CALLS_SEED
from sources import nwopen
from sources.calls import CallCatalogue, call_key
from sources.errors import SourceError
from sources.landing import content_hash
from sources.problems import PROBLEMS

from .conftest import NWOPEN_PATH, envelope, member, project, sample_pages, serve_pages

LC_2021 = "Human Capital: Learning communities als innovatieversneller"


@pytest.fixture
def catalogue() -> CallCatalogue:
    return CallCatalogue.from_csv(CALLS_SEED)


def test_walks_every_page_with_per_page_100(httpserver, fast_policy, catalogue):
    pages = sample_pages()
    url = serve_pages(httpserver, pages)
    read = nwopen.read_pages(url, fast_policy)
    assert [p.number for p in read] == list(range(1, len(pages) + 1))
    assert [p.payload for p in read] == pages
    requests = [request for request, _ in httpserver.log if request.path == NWOPEN_PATH]
    assert sorted(int(r.args["page"]) for r in requests) == list(range(1, len(pages) + 1))
    assert {r.args["per_page"] for r in requests} == {"100"}


def test_sample_over_http_equals_sample_from_files(httpserver, fast_policy, catalogue):
    url = serve_pages(httpserver, sample_pages())
    over_http = nwopen.parse_pages(nwopen.read_pages(url, fast_policy), catalogue)
    from_files = nwopen.parse_pages(
        nwopen.read_pages(str(nwopen.SAMPLE_DIR), fast_policy), catalogue
    )
    assert over_http.projects == from_files.projects
    assert over_http.members == from_files.members


def test_429_then_success(httpserver, fast_policy, catalogue):
    pages = sample_pages()[:1]
    pages[0]["meta"].update(pages=1, count=len(pages[0]["projects"]))
    httpserver.expect_oneshot_request(NWOPEN_PATH).respond_with_data(
        "", status=429, headers={"Retry-After": "0"}
    )
    url = serve_pages(httpserver, pages)
    read = nwopen.read_pages(url, fast_policy)
    assert len(read) == 1 and len(httpserver.log) == 2


def test_500_until_retries_run_out_names_url_and_page(httpserver, fast_policy):
    pages = sample_pages()
    httpserver.expect_request(
        NWOPEN_PATH, query_string={"page": "1", "per_page": "100"}
    ).respond_with_json(pages[0])
    httpserver.expect_request(NWOPEN_PATH).respond_with_data("oops", status=500)
    url = httpserver.url_for(NWOPEN_PATH)
    with pytest.raises(SourceError) as err:
        nwopen.read_pages(url, fast_policy)
    message = str(err.value)
    assert message.startswith("[NWOpen]")
    assert f"{url}?page=2&per_page=100" in message
    assert "page 2" in message and "HTTP 500" in message


def test_truncated_json_names_url_and_page(httpserver, fast_policy):
    pages = sample_pages()
    text = json.dumps(pages[1])
    httpserver.expect_request(
        NWOPEN_PATH, query_string={"page": "1", "per_page": "100"}
    ).respond_with_json(pages[0])
    httpserver.expect_request(
        NWOPEN_PATH, query_string={"page": "2", "per_page": "100"}
    ).respond_with_data(text[: len(text) // 2], content_type="application/json")
    with pytest.raises(SourceError) as err:
        nwopen.read_pages(httpserver.url_for(NWOPEN_PATH), fast_policy)
    assert "page=2" in str(err.value)
    assert "page 2 is not valid JSON" in str(err.value)


def test_missing_envelope_field_is_named(httpserver, fast_policy):
    body = envelope([])
    del body["meta"]["pages"]
    url = serve_pages(httpserver, [body])
    with pytest.raises(SourceError) as err:
        nwopen.read_pages(url, fast_policy)
    assert err.value.field == "meta.pages"
    assert "meta.pages" in str(err.value)


def test_fewer_records_than_announced_fails(httpserver, fast_policy):
    url = serve_pages(httpserver, [envelope([project("A.B.22.001", 1, LC_2021, [])], count=5)])
    with pytest.raises(SourceError, match="announced 5 projects but 1 pages held only 1"):
        nwopen.read_pages(url, fast_policy)


def test_renamed_project_field_fails_naming_it(httpserver, fast_policy, catalogue):
    record = project("A.B.22.001", 1, LC_2021, [])
    record["fundingScheme"] = record.pop("funding_scheme")
    url = serve_pages(httpserver, [envelope([record])])
    pages = nwopen.read_pages(url, fast_policy)
    with pytest.raises(SourceError) as err:
        nwopen.parse_pages(pages, catalogue)
    assert err.value.field == "funding_scheme"
    assert url in str(err.value) and "'funding_scheme'" in str(err.value)


def test_unreadable_date_in_one_record_is_noted_on_that_record(fast_policy, catalogue, tmp_path):
    """One bad record among good ones: loaded with the problem noted, never a reason to stop."""
    good = project("A.B.22.001", 1, LC_2021, [member("Main Applicant", "A", "TNO", 1)])
    bad = project("A.B.22.002", 1, LC_2021, [], start_date="1 september 2022")
    (tmp_path / "page-001.json").write_text(json.dumps(envelope([good, bad])))
    extract = nwopen.parse_pages(nwopen.read_pages(str(tmp_path), fast_policy), catalogue)
    assert [p["project_id"] for p in extract.projects] == ["A.B.22.001", "A.B.22.002"]
    assert PROBLEMS not in extract.projects[0]
    assert extract.projects[1]["start_date"] is None
    assert extract.projects[1][PROBLEMS] == [
        {"rule": "unreadable_value", "column": "start_date", "value": "1 september 2022",
         "problem": "unreadable date"}
    ]  # fmt: skip


def test_dates_unreadable_everywhere_fail_naming_field(fast_policy, catalogue, tmp_path: Path):
    """Every date in another format: the API changed, not one record."""
    records = [
        project(f"A.B.22.00{i}", 1, LC_2021, [], start_date="01-09-2022", end_date=None)
        for i in range(3)
    ]
    (tmp_path / "page-001.json").write_text(json.dumps(envelope(records)))
    pages = nwopen.read_pages(str(tmp_path), fast_policy)
    with pytest.raises(SourceError) as err:
        nwopen.parse_pages(pages, catalogue)
    assert err.value.field == "start_date"
    assert str(tmp_path / "page-001.json") in str(err.value)
    assert "date format" in str(err.value)


def test_field_missing_from_one_record_is_its_problem(catalogue):
    good = project("A.B.22.001", 1, LC_2021, [])
    bad = project("A.B.22.002", 1, LC_2021, [])
    del bad["title"]
    extract = _parse([good, bad], catalogue)
    assert extract.projects[1][PROBLEMS][0]["rule"] == "field_present"
    assert extract.projects[1][PROBLEMS][0]["column"] == "title"


def test_projects_without_members_are_kept(catalogue):
    """Empty list, null and absent: a project without members (flagged later), not an error."""
    empty = project("A.B.22.001", 1, LC_2021, [])
    null = project("A.B.22.002", 1, LC_2021, [])
    null["project_members"] = None
    absent = project("A.B.22.003", 1, LC_2021, [])
    del absent["project_members"]
    with_members = project("A.B.22.004", 1, LC_2021, [member("Main Applicant", "A", "TNO", 1)])
    extract = _parse([empty, null, absent, with_members], catalogue)
    assert [p["member_count"] for p in extract.projects] == [0, 0, 0, 1]
    assert not any(PROBLEMS in p for p in extract.projects)


def test_members_field_absent_everywhere_fails(catalogue):
    records = [project(f"A.B.22.00{i}", 1, LC_2021, []) for i in range(2)]
    for record in records:
        del record["project_members"]
    with pytest.raises(SourceError) as err:
        _parse(records, catalogue)
    assert err.value.field == "project_members"


def test_missing_page_file_is_named(fast_policy, tmp_path: Path):
    (tmp_path / "page-001.json").write_text(json.dumps(envelope([], pages=2, count=150)))
    with pytest.raises(SourceError, match=r"page-002\.json"):
        nwopen.read_pages(str(tmp_path), fast_policy)


# --- the known quirks of the real API -------------------------------------------------------


def _parse(projects, catalogue, pages_split=None):
    bodies = (
        [envelope(projects)]
        if pages_split is None
        else [
            envelope(
                chunk, page=i + 1, pages=len(pages_split), count=sum(len(c) for c in pages_split)
            )
            for i, chunk in enumerate(pages_split)
        ]
    )
    pages = [
        nwopen.pages.decode_page(i + 1, f"mem://{i + 1}", json.dumps(b).encode())
        for i, b in enumerate(bodies)
    ]
    return nwopen.parse_pages(pages, catalogue)


def test_quirk_same_project_id_under_two_schemes_is_two_projects(catalogue):
    a = project("KICH4.LC.21.003", 7021, LC_2021, [member("Main Applicant", "A", "TNO", 1)])
    b = project(
        "KICH4.LC.21.003", 7022, LC_2021.lower(), [member("Main Applicant", "B", "Saxion", 2)]
    )
    extract = _parse([a, b], catalogue)
    assert {(p["project_id"], p["funding_scheme_id"]) for p in extract.projects} == {
        ("KICH4.LC.21.003", "7021"),
        ("KICH4.LC.21.003", "7022"),
    }
    leads = {m["funding_scheme_id"]: m["organisation_top"] for m in extract.members if m["is_lead"]}
    assert leads == {"7021": "TNO", "7022": "Saxion"}


def test_quirk_several_project_leaders_lead_is_deterministic(catalogue):
    members = [
        member("Project leader", "Zwart", "Saxion", 300),
        member("Project leader", "Aalders", "TNO", 120),
        member("Co-applicant", "Bos", "Fontys", 5),
    ]
    first = _parse([project("X.Y.22.001", 1, LC_2021, members)], catalogue)
    again = _parse([project("X.Y.22.001", 1, LC_2021, list(reversed(members)))], catalogue)
    for extract in (first, again):
        leads = [m for m in extract.members if m["is_lead"]]
        assert len(leads) == 1
        assert leads[0]["last_name"] == "Aalders"  # lowest member id among the leaders


def test_quirk_main_applicant_leads_over_project_leader(catalogue):
    members = [member("Project leader", "P", "TNO", 1), member("hoofdaanvrager", "H", "HZ", 9)]
    extract = _parse([project("X.Y.22.001", 1, LC_2021, members)], catalogue)
    assert [m["last_name"] for m in extract.members if m["is_lead"]] == ["H"]
    assert [m["role_normalised"] for m in extract.members] == ["project_leader", "main_applicant"]


def test_quirk_placeholder_orcid_becomes_null(catalogue):
    members = [
        member("Main Applicant", "A", "TNO", 1, orcid="https://orcid.org/-"),
        member("Co-applicant", "B", "TNO", 2, orcid="https://orcid.org/0000-0000-1234-5678"),
    ]
    extract = _parse([project("X.Y.22.001", 1, LC_2021, members)], catalogue)
    assert [m["orcid"] for m in extract.members] == [None, "https://orcid.org/0000-0000-1234-5678"]


def test_quirk_organisation_hierarchy_top_level(catalogue):
    path = "Universiteit Twente||Faculty of Engineering Technology||Thermal Engineering"
    extract = _parse(
        [project("X.Y.22.001", 1, LC_2021, [member("Main Applicant", "A", path, 1)])], catalogue
    )
    assert extract.members[0]["organisation"] == path
    assert extract.members[0]["organisation_top"] == "Universiteit Twente"


def test_quirk_same_project_on_two_pages_is_kept_once(catalogue):
    a = project("X.Y.22.001", 1, LC_2021, [member("Main Applicant", "A", "TNO", 1)])
    b = project("X.Y.22.002", 1, LC_2021, [member("Main Applicant", "B", "TNO", 2)])
    extract = _parse([], catalogue, pages_split=[[a, b], [b]])
    assert [p["project_id"] for p in extract.projects] == ["X.Y.22.001", "X.Y.22.002"]
    assert extract.repeated_records == 1 and extract.records_seen == 3
    assert len(extract.members) == 2


def test_quirk_call_names_match_regardless_of_case_and_spacing(catalogue):
    variants = [
        "  human capital:   LEARNING communities als innovatieversneller ",
        "Human Capital:Learning communities als innovatieversneller",
    ]
    projects = [project(f"X.Y.22.00{i}", i, name, []) for i, name in enumerate(variants)]
    projects.append(project("X.Y.22.009", 9, "NWO Talentprogramma Veni ENW", []))
    extract = _parse(projects, catalogue)
    assert [p["call_id"] for p in extract.projects] == ["kic_lc_2021", "kic_lc_2021"]
    assert extract.distinct_projects == 3


def test_quirk_dates_and_datetimes(catalogue):
    extract = _parse(
        [project("X.Y.22.001", 1, LC_2021, [], start_date="2022-09-01T00:00:00", end_date=None)],
        catalogue,
    )
    assert str(extract.projects[0]["start_date"]) == "2022-09-01"
    assert extract.projects[0]["end_date"] is None


def test_sample_snapshot_holds_every_quirk(catalogue, fast_policy):
    """The bundled sample must exercise what the connector handles (sources.md)."""
    pages = nwopen.read_pages(str(nwopen.SAMPLE_DIR), fast_policy)
    raw = [p for page in pages for p in page.projects]
    extract = nwopen.parse_pages(pages, catalogue)
    ids = [p["project_id"] for p in raw]
    keys = [(p["project_id"], p["funding_scheme_id"]) for p in raw]
    assert len(set(keys)) < len(keys), "a project repeated on two pages"
    assert len({i for i in ids if ids.count(i) > 1}) > len({k for k in keys if keys.count(k) > 1})
    members = [m for p in raw for m in p["project_members"]]
    assert any(m["orcid"] == "https://orcid.org/-" for m in members)
    assert any("||" in m["organisation"] for m in members)
    assert any(sum(m["role"] == "Project leader" for m in p["project_members"]) > 1 for p in raw)
    assert any("T00:00:00" in (p["start_date"] or "") for p in raw)
    assert {m["role"] for m in members} >= {"hoofdaanvrager", "projectleider"}
    lc_calls = {c.call_id for c in catalogue.calls if c.is_learning_community}
    lc = [p for p in extract.projects if p["call_id"] in lc_calls]
    assert len(lc) >= 20
    assert len(raw) - len(lc) >= 300, "many other NWO projects among the LC ones"
    assert any(p["call_id"] == "gvnl_rd_2022" for p in extract.projects), "NGF R&D projects"
    assert extract.unfollowed_schemes, "other NWO schemes are summarised"


def test_programmes_only_from_the_call_catalogue_never_from_the_id(catalogue):
    """NGF. file numbers belong to every growth-fund programme: only the scheme name counts."""
    gvnl_lc = "Learning communities als aanjagers van de groene waterstofeconomie"
    rd = "NGF: Transport en opslag van waterstof Groenvermogen NL - Werkpakket 2"  # hyphen
    projects = [
        project("NGF.1623.24.001", 7124, gvnl_lc, []),
        project("NGF.1582.22.035", 310, rd, []),
        project("NGF.1582.22.036", 310, "GroenvermogenNL onderzoeksprogramma", []),
        project("NGF.1700.23.001.B", 400, "NGF: Quantum Delta NL \u2013 Kwantumtechnologie", []),
        project("KICH1.LWV02.20.006", 500, "KIC Missiegedreven onderzoek", []),
        project("VI.Veni.21.001", 301, "NWO Talentprogramma Veni ENW", []),
    ]
    extract = _parse(projects, catalogue)
    assert [(p["project_id"], p["call_id"]) for p in extract.projects] == [
        ("NGF.1623.24.001", "gvnl_lc_2024"),
        ("NGF.1582.22.035", "gvnl_rd_2022"),
    ]
    assert {s["funding_scheme"] for s in extract.unfollowed_schemes} == {
        "GroenvermogenNL onderzoeksprogramma",
        "NGF: Quantum Delta NL \u2013 Kwantumtechnologie",
        "KIC Missiegedreven onderzoek",
        "NWO Talentprogramma Veni ENW",
    }


def test_call_key_ignores_case_whitespace_and_dash_kind():
    name = "NGF: Transport en opslag van waterstof Groenvermogen NL \u2013 Werkpakket 2"
    for variant in (
        name.upper(),
        name.replace(" ", "\u00a0"),
        name.replace("\u2013", "-"),
        name.replace("\u2013", "\u2011"),  # NFKC turns it into U+2010
        "  " + name.replace(" NL", "NL") + "	",
    ):
        assert call_key(variant) == call_key(name)
    assert call_key(name.replace("2", "3")) != call_key(name)
    assert call_key("KIC " + name) != call_key(name)


# --- the streamed pull: one page at a time --------------------------------------------------


class Kept:
    """Where a streamed pull puts each page's bytes (a dict here; files when landing)."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}

    def __call__(self, name: str, content: bytes, location: str) -> None:
        self.files[name] = (content, location)


def test_a_streamed_pull_gives_what_the_whole_pull_gives(httpserver, fast_policy, catalogue):
    url = serve_pages(httpserver, sample_pages())
    kept = Kept()
    streamed = nwopen.stream_pages(url, fast_policy, catalogue, kept)
    pages = nwopen.read_pages(str(nwopen.SAMPLE_DIR), fast_policy)
    whole = nwopen.parse_pages(pages, catalogue)
    assert streamed.error is None and streamed.extract is not None
    assert streamed.extract == whole
    assert streamed.content_sha256 == nwopen.content_sha256(pages)  # earlier manifests compare
    assert (streamed.pages, streamed.records) == (4, sum(len(p.projects) for p in pages))
    assert list(kept.files) == [f.name for f in nwopen.raw_files(pages)]
    assert [json.loads(c) for c, _ in kept.files.values()] == [p.payload for p in pages]
    assert kept.files["page-0002.json"][1] == f"{url}?page=2&per_page=100"


def test_a_page_that_fails_to_parse_stops_the_pull_there_with_its_pages_kept(
    httpserver, fast_policy, catalogue
):
    pages = sample_pages()
    pages[1]["projects"][4] = "not an object"
    url = serve_pages(httpserver, pages)
    kept = Kept()
    streamed = nwopen.stream_pages(url, fast_policy, catalogue, kept)
    assert streamed.extract is None and streamed.error is not None
    assert str(streamed.error) == f"[NWOpen] {url}?page=2&per_page=100: project 5 is not an object"
    assert list(kept.files) == ["page-0001.json", "page-0002.json"]
    assert sorted(r.args["page"] for r, _ in httpserver.log) == ["1", "2"]  # stopped there
    assert streamed.pages == 2
    # Not every page was read: the hash is of the bytes kept, never a whole pull's.
    assert streamed.content_sha256 not in {nwopen.content_sha256([]), ""}


def test_a_failed_walk_raises_whatever_was_kept(httpserver, fast_policy, catalogue):
    url = serve_pages(httpserver, [envelope([project("A.B.22.001", 1, LC_2021, [])], count=5)])
    with pytest.raises(SourceError, match="announced 5 projects but 1 pages held only 1"):
        nwopen.stream_pages(url, fast_policy, catalogue, Kept())


def test_fields_and_dates_are_checked_across_the_streamed_pages(fast_policy, catalogue, tmp_path):
    """The checks across the pull keep running sums, not the records: a field present on
    one page only is present; dates unreadable on every page fail after the last."""
    records = [project(f"A.B.22.00{i}", 1, LC_2021, [], start_date="01-09-2022",
                       end_date=None) for i in range(4)]  # fmt: skip
    del records[0]["title"]
    for record in records[1:]:
        del record["start_date"]
    records[3]["start_date"] = "02-09-2022"
    for number, chunk in enumerate((records[:2], records[2:]), start=1):
        body = envelope(chunk, page=number, pages=2, count=4)
        body["meta"]["per_page"] = 2
        (tmp_path / f"page-{number:03d}.json").write_text(json.dumps(body))
    streamed = nwopen.stream_pages(str(tmp_path), fast_policy, catalogue, Kept())
    assert streamed.error is not None and streamed.error.field == "start_date"
    assert str(streamed.error).startswith(f"[NWOpen] {tmp_path / 'page-001.json'}: ")
    assert "no date in the pull could be read (2 values, e.g. '01-09-2022')" in str(streamed.error)
    assert streamed.content_sha256 == content_hash(records)  # every page read: the projects
