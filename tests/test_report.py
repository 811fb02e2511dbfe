"""The monitoring report: built by a real run from the real serving file, opened in headless
Chromium (Debian's package, driven by Playwright), and every figure, fact and chart value it
shows compared with the marts by this test's own SQL (not the report's queries)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from html import unescape
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.report import Report, build_report
from orchestration.report.build import euro, number, page_names, percent
from orchestration.report.labels import UnknownCode, label
from orchestration.report.marts import MissingColumns

CHROMIUM = shutil.which("chromium")
# CI must not pass with the browser test skipped (.ci/run installs chromium and sets this).
REQUIRE_BROWSER = any(
    os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
    for name in ("CI", "LCM_REQUIRE_BROWSER")
)


LATEST_DQ = "(SELECT run_id FROM marts.mart_data_quality ORDER BY validated_at DESC LIMIT 1)"
LATEST_RUN = "(SELECT max(run_number) FROM marts.mart_project_changes)"
# Each figure the report may show is a column of ONE mart row, selected here by the page
# element's data-* attributes (FILTERS) and data-column: the test aggregates nothing in SQL.
ROWS: dict[str, str] = {
    "summary": "SELECT * FROM marts.mart_programme_summary",
    "round": "SELECT * FROM marts.mart_lc_rounds",
    "region": "SELECT * FROM marts.mart_region",
    "org": "SELECT * FROM marts.mart_organisation_network",
    "project": "SELECT * FROM marts.fct_project",
    "partner": "SELECT * FROM marts.fct_participation"
    " JOIN marts.dim_organisation USING (organisation_key)",
    "reach": "SELECT * FROM marts.mart_reach",
    "change": "SELECT * FROM marts.mart_project_changes",
    "quality": "SELECT * FROM marts.mart_data_quality",
}
# ... or the number of rows of a record-level mart (counted here, in Python).
COUNTED: dict[str, str] = {
    "organisation_count": "SELECT * FROM marts.dim_organisation",
    "change_count": f"SELECT * FROM marts.mart_project_changes WHERE run_number = {LATEST_RUN}",
    "suite_count": f"SELECT * FROM marts.mart_data_quality WHERE run_id = {LATEST_DQ}",
    "failed_suite_count": "SELECT * FROM marts.mart_data_quality"
    f" WHERE NOT passed AND run_id = {LATEST_DQ}",
    "quarantine_count": "SELECT * FROM marts.mart_quarantine",
}
FILTERS = {
    "programme": "programme",
    "round": "call_round",
    "province": "province",
    "organisation": "organisation_key",
    "project": "project_key",
    "change_type": "change_type",
    "run": "run_number",
    "validation": "validation_id",
    "source": "source_system",
    "disposition": "disposition",
}
# How a column reads on the page (anything else is a number, or money with a €).
DATES = {"start_date", "end_date"}
LISTS = {"top_collaborators", "changed_fields"}
TEXTS = {
    "mission", "tki", "lc_region", "lc_municipality", "lead_organisation_name",
    "lead_municipality", "suite",
}  # fmt: skip
SOURCES = {"nwopen": "NWOpen", "tse": "Topsector Energie", "mooi_register": "MOOI-register",
           "gvnl_register": "GroenvermogenNL-register",
           "warehouse": "Datawarehouse (eigen modellen)", None: "onbekend"}  # fmt: skip
PROVINCES = {p: p for p in (
    "Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
    "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
)} | {"onbekend": "Onbekend"}  # fmt: skip
SHOWN_AS = {  # Dutch codes of the marts and their labels, as the evaluators read them
    "status": {"gepland": "Gepland", "lopend": "Lopend", "afgelopen": "Afgelopen",
               "onbekend": "Onbekend"},
    "change_type": {"nieuw": "Nieuw", "gewijzigd": "Gewijzigd", "verdwenen": "Verdwenen"},
    "organisation_type": {"bedrijf": "Bedrijf", "kennisinstelling": "Kennisinstelling",
                          "mbo": "MBO", "hbo": "HBO", "wo": "WO", "overheid": "Overheid",
                          "overig": "Overig", "onbekend": "Onbekend"},
    "passed": {True: "goed", False: "afgekeurd"},
    "kic_context": {"energie": "Energie", "gezondheid_zorg": "Gezondheid en zorg", "ict": "ICT",
                    "landbouw_voedsel": "Landbouw, water en voedsel", "onbekend": "Onbekend"},
    "source_system": SOURCES, "lc_location_source": SOURCES, "reach_source": SOURCES,
    "role": {"penvoerder": "Penvoerder", "partner": "Partner"},
    "disposition": {"set_aside": "Apart gezet", "flagged": "Gemarkeerd"},
    "province": PROVINCES, "lc_province": PROVINCES, "lead_province": PROVINCES,
}  # fmt: skip
TYPE_COLUMNS = {
    "Bedrijf": "company_count", "Kennisinstelling": "knowledge_institution_count",
    "MBO": "mbo_count", "HBO": "hbo_count", "WO": "wo_count", "Overheid": "government_count",
    "Overig": "other_count", "Onbekend": "unknown_type_count",
}  # fmt: skip
# What the overview and every LC page must show at least (issue 15, parts 3 and 2).
OVERVIEW_METRICS = {
    "total", "summary", "round", "region", "org", "reach", "change_count",
    "failed_suite_count", "quarantine_count", "organisation_count", "energy_lc_count",
    "triple_helix_share", "lc_company_share", "lc_located_count", "lc_total_subsidy_eur",
}  # fmt: skip
LC_FACTS = {
    "status", "start_date", "end_date", "lc_municipality", "lc_province", "lead_municipality",
    "lead_province", "subsidy_eur", "budget_eur", "students_reached",
}  # fmt: skip


@pytest.fixture(scope="module")
def data(sample_run: Path) -> Path:
    """One real refresh of the sample (which publishes and then builds the report), shared by
    the session: the tests below read it and change only copies."""
    return sample_run


@pytest.fixture(scope="module")
def serving(data: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(data / "serving" / "lc_monitor.duckdb"), read_only=True) as con:
        yield con


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Rows as dicts; money (DECIMAL) as float, as JSON carries it."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [
        {n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, r, strict=True)}
        for r in cursor.fetchall()
    ]


def number_shown(text: str) -> float | None:
    """A figure as the page shows it (Dutch notation, € or %) back to a number."""
    text = text.strip()
    if text == "onbekend":
        return None
    text = text.removeprefix("€ ").removesuffix(" %")
    return float(text.replace(".", "").replace(",", "."))


def expected_value(con: duckdb.DuckDBPyConnection, name: str, attrs: dict[str, str]) -> Any:
    """The mart value a page element shows: a column of the one row its attributes select, the
    number of rows they select (COUNTED), or a column of the programmes' rows added up."""
    column = attrs.get("column")
    if name == "total":  # the overview's cards: the programmes' rows added up
        values = [r[column] for r in rows(con, "SELECT * FROM marts.mart_programme_summary")]
        known = [v for v in values if v is not None]
        return sum(known) if known else None
    assert name in ROWS or name in COUNTED, f"the report shows a figure the test lacks: {name}"
    found = [
        r
        for r in rows(con, ROWS.get(name) or COUNTED[name])
        if all(
            ("" if r[c] is None else str(r[c])) == attrs[a]
            for a, c in FILTERS.items()
            if a in attrs
        )
    ]
    if name in COUNTED:
        return len(found)
    assert len(found) == 1, (name, attrs, found)
    return found[0][column]


def check_shown(shown: str, want: Any, column: str, where: Any) -> None:
    """The page's text of one mart value, read the way an evaluator reads it."""
    if column in SHOWN_AS:
        assert shown == SHOWN_AS[column][want], (where, shown, want)
    elif column in DATES:
        got = None if shown == "onbekend" else datetime.strptime(shown, "%d-%m-%Y").date()
        assert got == want, (where, shown, want)
    elif column in LISTS:
        assert want and shown == ", ".join(want), (where, shown, want)
    elif column in TEXTS:
        assert shown == ("onbekend" if want is None else want), (where, shown, want)
    elif column.endswith("_share"):
        got = number_shown(shown)
        assert (got is None) == (want is None), (where, shown, want)
        if want is not None:
            assert got == pytest.approx(float(want) * 100, abs=0.051), (where, shown, want)
    else:
        got = number_shown(shown)
        assert (got is None) == (want is None), (where, shown, want)
        if want is not None:
            assert got == pytest.approx(float(want), abs=0.005), (where, shown, want)


def lc_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(
        "SELECT count(*) FROM marts.fct_project WHERE is_learning_community"
    ).fetchall()[0][0]


def page_html(data: Path, name: str) -> str:
    return (data / "report" / name).read_text(encoding="utf-8")


def chart_rows(html: str, chart: str) -> list[list[dict]]:
    """The JSON each chart of a page embeds beside its SVG."""
    pattern = (
        rf'<figure class="chart" data-chart="{chart}">.*?'
        r'<script type="application/json" class="chart-data">(.*?)</script>'
    )
    return [json.loads(m.replace("<\\/", "</")) for m in re.findall(pattern, html, re.S)]


def test_the_run_builds_a_page_per_programme_and_per_lc(data, serving):
    report = data / "report"
    programmes = [
        p for (p,) in serving.execute("SELECT programme FROM marts.dim_programme").fetchall()
    ]
    pages = sorted(p.relative_to(report).as_posix() for p in report.rglob("*.html"))
    assert {"index.html", "kwaliteit.html", "wijzigingen.html"} <= set(pages)
    assert len([p for p in pages if p.startswith("programma/")]) == len(programmes) == 3
    assert len([p for p in pages if p.startswith("lc/")]) == lc_count(serving) > 0
    assert (report / "style.css").exists()
    # Opens from disk without network and runs no script: the only <script> elements are
    # the charts' data, which a browser does not execute.
    for page in report.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", html), page
        scripts = re.findall(r"<script[^>]*>", html)
        assert set(scripts) <= {'<script type="application/json" class="chart-data">'}, page
    # No half-built folders left beside the report.
    assert [p.name for p in data.iterdir() if p.name.startswith(".report")] == []


@pytest.fixture(scope="module")
def altered(data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Report]:
    """A copy of the serving file with what the sample lacks, reported once: records in
    quarantine, and a second run that changes one LC (a LIST of fields) and removes another
    project."""
    folder = tmp_path_factory.mktemp("altered")
    copy = folder / "serving" / "lc_monitor.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(data / "serving" / "lc_monitor.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "INSERT INTO marts.mart_quarantine (source_system, table_name, record_key,"
            " disposition, rule) SELECT s, 'raw.' || s || '_projects', '{\"id\": ' || i || '}',"
            " d, 'test_rule' FROM (VALUES ('nwopen', 'set_aside', 3), ('nwopen', 'flagged', 1),"
            " ('tse', 'set_aside', 2)) v(s, d, n), range(n) r(i)"
        )
        lc, other = con.execute(
            "(SELECT project_key FROM marts.fct_project WHERE is_learning_community"
            " ORDER BY 1 LIMIT 1) UNION ALL (SELECT project_key FROM marts.fct_project"
            " WHERE NOT is_learning_community ORDER BY 1 LIMIT 1)"
        ).fetchall()
        con.execute(
            "INSERT INTO marts.mart_project_changes SELECT * REPLACE ("
            " run_started_at + INTERVAL 1 DAY AS run_started_at, 2 AS run_number,"
            " CASE project_key WHEN ? THEN 'gewijzigd' ELSE 'verdwenen' END AS change_type,"
            " CASE project_key WHEN ? THEN ['partners', 'subsidy_eur'] END AS changed_fields,"
            " CASE project_key WHEN ? THEN 2 ELSE 0 END AS partners_joined)"
            " FROM marts.mart_project_changes WHERE project_key IN (?, ?)",
            [lc[0], lc[0], lc[0], lc[0], other[0]],
        )
    return copy, build_report(copy, folder / "report")


def test_a_failed_build_leaves_the_previous_report(altered):
    _, first = altered
    assert first.path.exists() and first.pages > 5 and first.charts > 0
    before = first.path.read_text(encoding="utf-8")
    with pytest.raises(duckdb.Error):
        build_report(first.path.parent.parent / "missing.duckdb", first.path.parent)
    assert first.path.read_text(encoding="utf-8") == before
    assert before.count('data-metric="total"') > 0
    assert sorted(p.name for p in first.path.parent.parent.iterdir()) == ["report", "serving"]


def test_a_mart_without_a_needed_column_stops_the_build_naming_it(data, tmp_path):
    copy = tmp_path / "serving" / "lc_monitor.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(data / "serving" / "lc_monitor.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("ALTER TABLE marts.fct_project DROP COLUMN lead_province")
        con.execute("DROP TABLE marts.mart_programme_summary")
        con.execute(
            "ALTER TABLE marts.mart_organisation_network"
            " ALTER COLUMN top_collaborators TYPE VARCHAR"
        )
    with pytest.raises(MissingColumns) as failure:
        build_report(copy, tmp_path / "report")
    assert "marts.fct_project.lead_province" in str(failure.value)
    assert "marts.mart_programme_summary" in str(failure.value)
    assert "marts.mart_organisation_network.top_collaborators as a LIST" in str(failure.value)
    assert not (tmp_path / "report").exists()


def test_the_quality_page_counts_the_quarantine_by_source(altered):
    """The table lists each source and disposition, by their labels, with its records; set
    aside and flagged records are counted apart on the quality page and the overview."""
    copy, report = altered
    with duckdb.connect(str(copy), read_only=True) as con:
        records = rows(con, "SELECT source_system, disposition FROM marts.mart_quarantine")
    want = Counter(
        (SHOWN_AS["source_system"][r["source_system"]], SHOWN_AS["disposition"][r["disposition"]])
        for r in records
    )
    assert want == {("NWOpen", "Apart gezet"): 3, ("NWOpen", "Gemarkeerd"): 1,
                    ("Topsector Energie", "Apart gezet"): 2}  # fmt: skip
    html = (report.path.parent / "kwaliteit.html").read_text(encoding="utf-8")
    table = html.split('<table class="quarantine">')[1].split("</table>")[0]
    shown = {
        (s, d): int(n)
        for s, d, n in re.findall(
            r"<tr><td>([^<]+)</td><td>([^<]+)</td>\s*<td[^>]*><span[^>]*>(\d+)</span>", table
        )
    }
    assert shown == want
    for page in ("kwaliteit.html", "index.html"):
        text = re.sub(r"<[^>]+>", "", (report.path.parent / page).read_text(encoding="utf-8"))
        assert "Apart gezet: 5 records" in text and "Gemarkeerd: 1 records" in text, page
        assert not re.search(r"\b(set_aside|flagged|nwopen|mooi_register)\b", text), page


def html_metrics(html: str) -> list[tuple[dict[str, str], str]]:
    """The data-metric elements of a page read without a browser: (data-* attributes, text)."""
    found = []
    for attrs, text in re.findall(r'<t?span class="metric" ([^>]*)>([^<]*)</t?span>', html):
        data = dict(re.findall(r'data-([a-z_]+)="([^"]*)"', attrs))
        found.append(({k: unescape(v) for k, v in data.items()}, unescape(text)))
    return found


def test_a_later_run_shows_its_changes_with_their_fields(altered):
    """Its changes, their Dutch labels and their fields (a LIST) equal the mart's."""
    copy, report = altered
    checked: set[str] = set()
    with duckdb.connect(str(copy), read_only=True) as con:
        (lc,) = con.execute(
            "SELECT project_key FROM marts.mart_project_changes WHERE change_type = 'gewijzigd'"
        ).fetchone()
        for page in ("wijzigingen.html", "index.html", f"lc/{page_names([lc])[lc]}"):
            html = (report.path.parent / page).read_text(encoding="utf-8")
            for attrs, text in html_metrics(html):
                if attrs["metric"] not in ("change", "change_count"):
                    continue
                metric = attrs.pop("metric")
                want = expected_value(con, metric, attrs)
                check_shown(text.strip(), want, attrs.get("column", metric), (page, attrs))
                checked.add(text.strip())
    assert {"Gewijzigd", "Verdwenen", "partners, subsidy_eur"} <= checked


def test_a_category_code_without_a_label_stops_the_build(data, tmp_path):
    assert label("status", "lopend") == "Lopend"
    with pytest.raises(UnknownCode, match="status = 'active'"):
        label("status", "active")
    copy = tmp_path / "serving" / "lc_monitor.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(data / "serving" / "lc_monitor.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "INSERT INTO marts.mart_quarantine (source_system, table_name, record_key,"
            " disposition, rule) VALUES ('ckan', 'raw.ckan_projects', '{}', 'set_aside', 'x')"
        )
    with pytest.raises(UnknownCode, match="source = 'ckan'"):
        build_report(copy, tmp_path / "report")
    assert not (tmp_path / "report").exists()


def test_reach_sums_are_shown_with_the_lcs_that_report_them(data, serving):
    """Each sum reads "795 (4 van 7 LC's)": its own lc_reporting_*_count and the LCs."""
    html = page_html(data, "index.html")
    cells = re.findall(
        r'<td class="n">(<span class="metric" data-metric="(?:reach|summary)".*?)</td>', html
    )
    sums = 0
    for cell in cells:
        spans = re.findall(r'data-column="([a-z_]+)"[^>]*>([^<]*)</span>', cell)
        if not spans or not spans[0][0].endswith("_reached"):
            continue
        (column, total), (reporting, k), (lcs, n) = spans
        what = column.removesuffix("_reached")
        assert (reporting, lcs) == (f"lc_reporting_{what}_count", "lc_count"), cell
        assert re.sub(r"<[^>]+>", "", cell) == f"{total} ({k} van {n} LC's)", cell
        sums += 1
    programmes, reach = (
        serving.execute(f"SELECT count(*) FROM marts.{t}").fetchall()[0][0]
        for t in ("mart_programme_summary", "mart_reach")
    )
    assert sums == 3 * (programmes + reach)
    # The sample's GroenvermogenNL LCs: 795 students reported by 4 of them.
    gvnl = rows(serving, "SELECT * FROM marts.mart_programme_summary WHERE programme = ?",
                ["GroenvermogenNL"])[0]  # fmt: skip
    assert (gvnl["students_reached"], gvnl["lc_reporting_students_count"]) == (795, 4)
    assert f"795 (4 van {gvnl['lc_count']} LC's)" in re.sub(r"<[^>]+>", "", html)


def test_unknown_lc_subsidy_is_drawn_as_onbekend_never_as_zero(data, serving):
    """The rounds chart draws the LCs' subsidy (not all projects'); a round whose LCs have no
    known subsidy reads "onbekend", a round without LCs "geen LC's", and neither has a bar."""
    html = page_html(data, "index.html")
    [drawn] = chart_rows(html, "rondes")
    want = rows(serving, "SELECT * FROM marts.mart_lc_rounds")
    unknown = {(r["programme"], r["call_round"]) for r in want
               if r["lc_total_subsidy_eur"] is None and r["lc_count"] > 0}  # fmt: skip
    without = {(r["programme"], r["call_round"]) for r in want if r["lc_count"] == 0}
    assert unknown and without, "the sample has rounds of both kinds"
    nulls = {(r["programme"], r["call_round"]) for r in drawn if r["lc_total_subsidy_eur"] is None}
    assert nulls == unknown | without
    svg = html.split('data-chart="rondes">')[1].split("</svg>")[0]
    assert len(re.findall(r"<text[^>]*>onbekend</text>", svg)) >= len(unknown)
    assert len(re.findall(r"<text[^>]*>geen LC&#39;s</text>|<text[^>]*>geen LC's</text>", svg)) >= (
        len(without)
    )
    bars = re.findall(r'aria-label="(ronde: [^"]*; bekende subsidie aan LC[^"]*)"', svg)
    assert len(bars) == len(want) - len(unknown) - len(without)
    assert all("onbekend" not in b for b in bars)


def test_money_numbers_and_shares_are_written_the_dutch_way():
    """The one formatting the pages and the charts' tooltips share, on literal examples."""
    assert euro(1234567.5) == "€ 1.234.567,50"
    assert euro(Decimal("1234567.50")) == "€ 1.234.567,50"
    assert euro(Decimal("22800000.00")) == "€ 22.800.000"
    assert euro(0.5) == "€ 0,50"
    assert euro(None) == "onbekend"
    assert number(1234567) == "1.234.567" and number(12.5) == "12,5"
    assert percent(0.125) == "12,5 %" and percent(1) == "100 %" and percent(None) == "onbekend"


def test_lc_pages_get_unique_file_names_when_keys_differ_only_in_punctuation():
    names = page_names(["nwopen:19.123", "nwopen:19-123", "tse:ABC 1", "mooi_register:R-7"])
    assert len(set(names.values())) == 4
    assert names["tse:ABC 1"] == "tse-abc-1.html"  # no collision: the plain slug
    assert names["mooi_register:R-7"] == "mooi-register-r-7.html"
    for key in ("nwopen:19.123", "nwopen:19-123"):
        assert re.fullmatch(r"nwopen-19-123-[0-9a-f]{8}\.html", names[key]), names
    assert page_names(["nwopen:19-123", "nwopen:19.123"]) == {
        k: v for k, v in names.items() if k.startswith("nwopen")
    }  # the same names whatever the order


def test_codes_are_shown_by_their_labels(data, serving):
    """KIC context, roles, sources and provinces read as labels on the pages, never as codes."""
    report = data / "report"
    kic = page_html(data, "programma/kic.html")
    contexts = rows(serving, "SELECT kic_context FROM marts.fct_project"
                    " WHERE programme = 'KIC' AND is_learning_community")  # fmt: skip
    shown = re.findall(r'data-column="kic_context"[^>]*>([^<]*)<', kic)
    assert sorted(shown) == sorted(SHOWN_AS["kic_context"][r["kic_context"]] for r in contexts)
    assert "Energie" in shown
    pages = {p.relative_to(report).as_posix(): p.read_text(encoding="utf-8")
             for p in report.rglob("*.html")}  # fmt: skip
    labelled: dict[str, set[str]] = {}
    for name, html in pages.items():
        for attrs, shown_text in html_metrics(html):
            column = attrs.get("column", "")
            if column in SHOWN_AS and column != "passed":
                assert shown_text in SHOWN_AS[column].values(), (name, column, shown_text)
                labelled.setdefault(column, set()).add(shown_text)
    assert {"Penvoerder", "Partner"} <= labelled["role"]
    assert {"GroenvermogenNL-register", "MOOI-register"} <= labelled["lc_location_source"]
    assert "Onbekend" in labelled["lc_province"] and "Onbekend" in labelled["province"]
    assert "NWOpen" in labelled["source_system"]
    visible = re.sub(r"<script.*?</script>", " ", " ".join(pages.values()), flags=re.S)
    text = re.sub(r"<[^>]+>", " ", visible)  # what a reader sees (not the charts' JSON)
    for code in ("gvnl_register", "mooi_register", "gezondheid_zorg", "landbouw_voedsel",
                 "set_aside"):  # fmt: skip
        assert not re.search(rf"(?<!\w){code}(?!\w)", text), code  # suite names may hold one


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        reason = "no chromium on PATH (.ci/run installs Debian's chromium package)"
        if REQUIRE_BROWSER:
            pytest.fail(f"{reason}; CI / LCM_REQUIRE_BROWSER demands the browser test")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


READ_PAGE = """() => ({
  metrics: [...document.querySelectorAll('[data-metric]')].map(e => ({
    attrs: Object.fromEntries(Object.entries(e.dataset)), text: e.textContent})),
  charts: [...document.querySelectorAll('figure.chart')].map(f => {
    const svg = f.querySelector('svg'); const box = svg.getBoundingClientRect();
    return {name: f.dataset.chart, width: box.width, height: box.height,
      data: JSON.parse(f.querySelector('script.chart-data').textContent),
      marks: svg.querySelectorAll('.role-mark path, g.tile rect').length,
      aria: [...svg.querySelectorAll('[aria-label]')].map(m => m.getAttribute('aria-label'))};
  }),
  suites: [...document.querySelectorAll('table.suites tr[data-validation]')]
    .map(r => r.dataset.validation),
  changes: document.querySelectorAll('table.changes tbody tr').length,
  quarantine: [...document.querySelectorAll('table.quarantine tbody tr')]
    .map(r => [...r.querySelectorAll('td')].map(c => c.textContent.trim())),
})"""


def aria(labels: list[str]) -> list[dict[str, str]]:
    """Vega's aria-labels of marks ("ronde: 2024; aantal LC's: 6; ...") as dicts."""
    return [
        dict(part.split(": ", 1) for part in text.split("; ") if ": " in part) for text in labels
    ]


def check_chart(con: duckdb.DuckDBPyConnection, page: str, chart: dict) -> None:
    """The data a chart embeds equals the marts', and its marks show those values."""
    name, data, marks = chart["name"], chart["data"], aria(chart["aria"])
    programme = re.fullmatch(r"programma/(.*)\.html", page)
    if name == "rondes":
        want = rows(
            con,
            "SELECT programme, call_round, lc_count, lc_total_subsidy_eur"
            " FROM marts.mart_lc_rounds",
        )
        if programme:
            want = [r for r in want if r["programme"].lower() == programme[1]]
        key = lambda r: (r["programme"], r["call_round"] or 0)  # noqa: E731
        assert sorted(data, key=key) == sorted(want, key=key), page
        for r in want:
            ronde = "onbekend" if r["call_round"] is None else str(r["call_round"])
            mine = [m for m in marks if m.get("programme") == r["programme"]
                    and m.get("ronde") == ronde]  # fmt: skip
            assert any(m.get("aantal LC's") == str(r["lc_count"]) for m in mine), (page, r)
            money = [m for m in mine if "bekende subsidie aan LC's (mln €)" in m]
            if r["lc_total_subsidy_eur"] is None:
                assert money == [] and any(m.get("subsidie LC's") == "onbekend" for m in mine)
            else:  # the tooltip writes the euros with the page's own (unit-tested) function
                assert [m["subsidie LC's"] for m in money] == [euro(r["lc_total_subsidy_eur"])]
    elif name == "partnermix":
        shares = [f"lc_{c.removesuffix('_count')}_share" for c in TYPE_COLUMNS.values()]
        want = rows(
            con,
            f"SELECT programme, {', '.join(shares)} FROM marts.mart_programme_summary"
            " WHERE lc_count > 0",
        )
        if programme:
            want = [r for r in want if r["programme"].lower() == programme[1]]
        assert sorted(data, key=lambda r: r["programme"]) == sorted(
            want, key=lambda r: r["programme"]
        ), page
        for r in want:
            for type_label, column in TYPE_COLUMNS.items():
                share = r[f"lc_{column.removesuffix('_count')}_share"]
                drawn = [
                    m["aandeel"]
                    for m in marks
                    if m.get("type") == type_label and m.get("programme") == r["programme"]
                ]
                assert drawn == ([percent(share)] if share else []), (page, type_label)
    elif name == "partnertypes":
        [r] = data
        want = rows(
            con,
            f"SELECT project_key, {', '.join(TYPE_COLUMNS.values())}"
            " FROM marts.mart_partner_mix WHERE project_key = ?",
            [r["project_key"]],
        )
        assert data == want, page
        for type_label, column in TYPE_COLUMNS.items():
            drawn = [int(m["n"]) for m in marks if m.get("type") == type_label]
            assert drawn == ([r[column]] if r[column] else []), (page, type_label)
    elif name == "netwerk":
        want = rows(
            con,
            "SELECT organisation_key, organisation_name, collaborator_count"
            " FROM marts.mart_organisation_network",
        )
        by_key = {r["organisation_key"]: r for r in want}
        assert len(data) == min(15, len(want))
        for r in data:
            assert r["collaborator_count"] == by_key[r["organisation_key"]]["collaborator_count"]
        # The most connected: no organisation left out has more partners.
        shown = {r["organisation_key"] for r in data}
        fewest = min(r["collaborator_count"] for r in data)
        assert all(r["collaborator_count"] <= fewest for r in want if r["organisation_key"]
                   not in shown)  # fmt: skip
        drawn = {(m.get("organisation_name"), m.get("collaborator_count")) for m in marks}
        for r in data:
            assert (by_key[r["organisation_key"]]["organisation_name"],
                    str(r["collaborator_count"])) in drawn  # fmt: skip
    elif name == "tegelkaart":
        want = rows(
            con,
            "SELECT province, lc_located_count, lc_count, organisation_count"
            " FROM marts.mart_region WHERE province_code IS NOT NULL",
        )
        assert sorted(data, key=lambda r: r["province"]) == sorted(
            want, key=lambda r: r["province"]
        )
    else:
        pytest.fail(f"{page}: a chart the test does not know: {name}")


def test_every_page_renders_offline_and_shows_the_marts_figures(browser, data, serving, capsys):
    report = data / "report"
    pages = sorted(report.rglob("*.html"))
    seen: dict[str, set[str]] = {}
    checked = charts_checked = 0
    started = time.monotonic()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    screenshot = Path(tempfile.mkdtemp(prefix="lc-monitor-report-")) / "overzicht.png"
    for path in pages:
        page.goto(path.as_uri())
        name = path.relative_to(report).as_posix()
        found = page.evaluate(READ_PAGE)
        # Every chart rendered (an SVG with a size and marks) from the marts' values.
        for chart in found["charts"]:
            assert chart["width"] > 50 and chart["height"] > 50, (name, chart["name"])
            assert chart["marks"] > 0, f"{name}: {chart['name']} drew nothing"
            check_chart(serving, name, chart)
            charts_checked += 1
        # Every figure and fact equals the marts'.
        for item in found["metrics"]:
            attrs = dict(item["attrs"])
            metric = attrs.pop("metric")
            want = expected_value(serving, metric, attrs)
            check_shown(item["text"].strip(), want, attrs.get("column", metric), (name, attrs))
            seen.setdefault(name, set()).add(attrs.get("column", metric))
            seen.setdefault(name, set()).add(metric)
            checked += 1
        if name == "index.html":
            assert {c["name"] for c in found["charts"]} == {
                "rondes", "partnermix", "tegelkaart", "netwerk"
            }  # fmt: skip
            page.screenshot(path=str(screenshot), full_page=True)
            assert screenshot.stat().st_size > 10_000
        if name.startswith("lc/"):
            assert seen[name] >= LC_FACTS, (name, LC_FACTS - seen[name])
        if name == "kwaliteit.html":
            check_quality_page(serving, found)
        if name in ("index.html", "wijzigingen.html"):  # every change type of the last run
            shown = {m["attrs"]["change_type"] for m in found["metrics"]
                     if m["attrs"]["metric"] == "change_count"}  # fmt: skip
            assert shown == {t for (t,) in serving.execute(
                "SELECT DISTINCT change_type FROM marts.mart_project_changes"
                f" WHERE run_number = {LATEST_RUN}").fetchall()}, name  # fmt: skip
        if name == "wijzigingen.html":
            latest = (
                f"SELECT count(*) FROM marts.mart_project_changes WHERE run_number = {LATEST_RUN}"
            )
            assert found["changes"] == serving.execute(latest).fetchall()[0][0]
    page.close()
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
    assert seen["index.html"] >= OVERVIEW_METRICS, OVERVIEW_METRICS - seen["index.html"]
    check_every_programme_row_shown(serving, data)
    assert checked > 500 and charts_checked >= 4 + lc_count(serving)
    with capsys.disabled():
        print(
            f"\nreport: {len(pages)} pages, {checked} figures and {charts_checked} charts checked"
            f" in {time.monotonic() - started:.1f} s; screenshot of the overview: {screenshot}"
        )


def check_quality_page(con: duckdb.DuckDBPyConnection, found: dict) -> None:
    """The table lists exactly the latest run's validations; the quarantine table its
    records by source and disposition."""
    latest = {
        v for (v,) in con.execute(
            f"SELECT validation_id FROM marts.mart_data_quality WHERE run_id = {LATEST_DQ}"
        ).fetchall()
    }  # fmt: skip
    assert latest and sorted(found["suites"]) == sorted(latest)
    quarantine = Counter(
        (SHOWN_AS["source_system"][r["source_system"]], SHOWN_AS["disposition"][r["disposition"]])
        for r in rows(con, "SELECT source_system, disposition FROM marts.mart_quarantine")
    )
    shown = {(s, d): int(n.replace(".", "")) for s, d, n in found["quarantine"]}
    assert shown == quarantine


def check_every_programme_row_shown(con: duckdb.DuckDBPyConnection, data: Path) -> None:
    """Every column of every mart_programme_summary row is on the overview."""
    html = page_html(data, "index.html")
    for r in rows(con, "SELECT * FROM marts.mart_programme_summary"):
        for column in r:
            if column == "programme":
                continue
            assert (
                f'data-metric="summary" data-column="{column}" data-programme="{r["programme"]}"'
                in html
            ), (r["programme"], column)


def test_status_and_changes_use_the_dutch_codes(data, serving):
    """The marts carry Dutch codes; the pages show their labels (never the old English)."""
    statuses = {r["status"] for r in rows(serving, "SELECT DISTINCT status FROM marts.fct_project")}
    changes = {
        r["change_type"]
        for r in rows(serving, "SELECT DISTINCT change_type FROM marts.mart_project_changes")
    }
    assert statuses <= set(SHOWN_AS["status"]) and changes <= set(SHOWN_AS["change_type"])
    text = " ".join(p.read_text(encoding="utf-8") for p in (data / "report").rglob("*.html"))
    for old in (">active<", ">ended<", ">planned<", ">added<", ">removed<", ">changed<"):
        assert old not in text
