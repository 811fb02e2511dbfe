"""The monitoring report: built by a real run from the real serving file, opened in headless
Chromium (Debian's package, driven by Playwright), and every figure it shows compared with the
marts by this test's own SQL."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.report import build_report

from .test_end_to_end import build_sample_warehouse

CHROMIUM = shutil.which("chromium")
LATEST_RUN_DQ = "(SELECT run_id FROM marts.mart_data_quality ORDER BY validated_at DESC LIMIT 1)"
LATEST_CHANGES = "(SELECT max(run_number) FROM marts.mart_project_changes)"
# Each figure the report may show, as SQL on the marts; a page element's data-* attributes
# narrow it (see FILTERS). Written here independently of orchestration/report/marts.py.
METRICS: dict[str, str] = {
    "project_count": "SELECT sum(project_count) FROM marts.mart_lc_overview",
    "lc_count": "SELECT sum(lc_count) FROM marts.mart_lc_overview",
    "subsidy_eur": "SELECT sum(total_subsidy_eur) FROM marts.mart_lc_overview",
    "lc_subsidy_eur": "SELECT sum(lc_total_subsidy_eur) FROM marts.mart_lc_overview",
    "organisation_count": "SELECT count(*) FROM marts.dim_organisation",
    "mix_lc_count": "SELECT count(*) FROM marts.mart_partner_mix WHERE is_learning_community",
    "triple_helix_lc_count": "SELECT count(*) FROM marts.mart_partner_mix"
    " WHERE is_learning_community AND is_triple_helix",
    "partner_type_count": "SELECT sum({type}_count) FROM marts.mart_partner_mix"
    " WHERE is_learning_community",
    "province_lc_count": "SELECT lc_count FROM marts.mart_region",
    "province_organisation_count": "SELECT organisation_count FROM marts.mart_region",
    "org_project_count": "SELECT project_count FROM marts.mart_organisation_network",
    "org_collaborator_count": "SELECT collaborator_count FROM marts.mart_organisation_network",
    "org_top_shared": "SELECT top_collaborator_shared_projects"
    " FROM marts.mart_organisation_network",
    "project_subsidy_eur": "SELECT subsidy_eur FROM marts.fct_project",
    "project_partner_count": "SELECT partner_count FROM marts.fct_project",
    "lc_fact": "SELECT {column} FROM marts.fct_project",
    "lc_reach": "SELECT {column} FROM marts.fct_project",
    "reach": "SELECT {column} FROM marts.mart_reach",
    "change_count": "SELECT count(*) FROM marts.mart_project_changes"
    f" WHERE run_number = {LATEST_CHANGES}",
    "suite_count": f"SELECT count(*) FROM marts.mart_data_quality WHERE run_id = {LATEST_RUN_DQ}",
    "failed_suite_count": "SELECT count(*) FROM marts.mart_data_quality"
    f" WHERE NOT passed AND run_id = {LATEST_RUN_DQ}",
    "quarantine_count": "SELECT count(*) FROM marts.mart_quarantine",
}
FILTERS = {
    "programme": "programme",
    "round": "call_round",
    "province": "province",
    "organisation": "organisation_key",
    "project": "project_key",
    "change_type": "change_type",
    "source": "source_system",
    "disposition": "disposition",
}
# What the overview must show at least (issue 15, part 3).
OVERVIEW_METRICS = {
    "lc_count",
    "lc_subsidy_eur",
    "subsidy_eur",
    "partner_type_count",
    "triple_helix_lc_count",
    "province_lc_count",
    "province_organisation_count",
    "org_collaborator_count",
    "change_count",
    "failed_suite_count",
    "quarantine_count",
}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real refresh of the sample (which publishes and then builds the report)."""
    folder = tmp_path_factory.mktemp("report") / "data"
    with pytest.MonkeyPatch.context() as patch:
        for name in ("LCM_SERVING_PATH", "LCM_EXPORTS_DIR", "LCM_REPORT_DIR"):
            patch.delenv(name, raising=False)
        build_sample_warehouse(folder)
    return folder


@pytest.fixture(scope="module")
def serving(data: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(data / "serving" / "lc_monitor.duckdb"), read_only=True) as con:
        yield con


def shown_value(text: str) -> float | None:
    """A figure as the page shows it (Dutch notation) back to a number."""
    text = text.strip()
    if text == "onbekend":
        return None
    return float(text.removeprefix("€ ").replace(".", "").replace(",", "."))


def expected_value(con: duckdb.DuckDBPyConnection, name: str, attrs: dict[str, str]) -> Any:
    assert name in METRICS, f"the report shows a figure the test does not know: {name}"
    for key in ("type", "column"):  # names put into SQL: only identifiers
        assert re.fullmatch(r"[a-z_]*", attrs.get(key, "")), attrs
    sql = METRICS[name].format(type=attrs.get("type"), column=attrs.get("column"))
    where, params = [], []
    for attr, column in FILTERS.items():
        if attr not in attrs:
            continue
        if attrs[attr] == "":
            where.append(f"{column} IS NULL")
        else:
            where.append(f"{column} = ?")
            params.append(int(attrs[attr]) if attr == "round" else attrs[attr])
    if where:
        sql += (" AND " if " WHERE " in sql else " WHERE ") + " AND ".join(where)
    rows = con.execute(sql, params).fetchall()
    assert len(rows) == 1, (name, attrs, rows)
    return rows[0][0]


def lc_pages(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(
        "SELECT count(*) FROM marts.fct_project WHERE is_learning_community"
    ).fetchall()[0][0]


def test_the_run_builds_a_page_per_programme_and_per_lc(data, serving):
    report = data / "report"
    programmes = [
        p for (p,) in serving.execute("SELECT programme FROM marts.dim_programme").fetchall()
    ]
    pages = sorted(p.relative_to(report).as_posix() for p in report.rglob("*.html"))
    assert {"index.html", "kwaliteit.html", "wijzigingen.html"} <= set(pages)
    assert len([p for p in pages if p.startswith("programma/")]) == len(programmes) == 3
    assert len([p for p in pages if p.startswith("lc/")]) == lc_pages(serving) > 0
    assert (report / "style.css").exists()
    # Opens from disk without network: nothing is loaded from a server.
    for page in report.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(https?:)?//", html), page
        assert "<script" not in html, page
    # No half-built folders left beside the report.
    assert [p.name for p in data.iterdir() if p.name.startswith(".report")] == []


def test_a_failed_build_leaves_the_previous_report(data, tmp_path):
    target = tmp_path / "report"
    first = build_report(data / "serving" / "lc_monitor.duckdb", target)
    assert first.path.exists() and first.pages > 5 and first.charts > 0
    with pytest.raises(duckdb.Error):
        build_report(tmp_path / "missing.duckdb", target)
    assert first.path.read_text(encoding="utf-8").count('data-metric="lc_count"') > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (CI installs it: .ci/run)")
def test_every_page_renders_offline_and_shows_the_marts_figures(data, serving, capsys):
    from playwright.sync_api import sync_playwright

    report = data / "report"
    pages = sorted(report.rglob("*.html"))
    seen: set[str] = set()
    checked = 0
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        for path in pages:
            page.goto(path.as_uri())
            name = path.relative_to(report).as_posix()
            # Every chart rendered: an SVG with a size and marks drawn in it.
            for chart in page.query_selector_all("figure.chart"):
                box = chart.query_selector("svg").bounding_box()
                assert box and box["width"] > 50 and box["height"] > 50, name
                marks = chart.query_selector_all("svg .role-mark path, svg g.tile rect")
                assert marks, f"{name}: {chart.get_attribute('data-chart')} drew nothing"
            # Every figure equals the marts'.
            for element in page.query_selector_all("[data-metric]"):
                attrs = element.evaluate("e => Object.fromEntries(Object.entries(e.dataset))")
                metric = attrs.pop("metric")
                want = expected_value(serving, metric, attrs)
                got = shown_value(element.text_content() or "")
                if want is None:
                    assert got is None, (name, metric, attrs)
                else:
                    assert got == pytest.approx(float(want), abs=0.005), (name, metric, attrs)
                checked += 1
                if name == "index.html":
                    seen.add(metric)
            if name == "index.html":
                assert len(page.query_selector_all("figure.chart")) >= 4
                shots = Path(tempfile.mkdtemp(prefix="lc-monitor-report-"))
                screenshot = shots / "overzicht.png"
                page.screenshot(path=str(screenshot), full_page=True)
                assert screenshot.stat().st_size > 10_000
        browser.close()
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
    assert seen >= OVERVIEW_METRICS, OVERVIEW_METRICS - seen
    assert checked > 200
    with capsys.disabled():
        print(
            f"\nreport: {len(pages)} pages, {checked} figures checked in"
            f" {time.monotonic() - started:.1f} s; screenshot of the overview: {screenshot}"
        )


def test_reach_is_shown_or_said_to_be_missing(data, serving):
    """Reach comes from mart_reach; until that mart is published the page says so."""
    has_reach = serving.execute(
        "SELECT count(*) FROM information_schema.tables"
        " WHERE table_schema = 'marts' AND table_name = 'mart_reach'"
    ).fetchall()[0][0]
    html = (data / "report" / "index.html").read_text(encoding="utf-8")
    reach = html.split("<h2>Bereik</h2>")[1].split("</section>")[0]
    if has_reach:
        assert 'data-metric="reach"' in reach
    else:
        assert "nog niet in de marts" in reach
