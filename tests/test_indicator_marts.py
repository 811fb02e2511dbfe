"""The evaluators' indicators (fct_project's columns from lc_region on, mart_reach,
mart_indicator_coverage) against answers worked out here, in Python, from the bundled sample
read with the connectors and the rules of docs/marts.md ("Indicators in fct_project"). One
real run builds the warehouse; the project list and rounds come from test_marts' oracle."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import duckdb
import pytest

from orchestration.settings import CALLS_SEED
from sources.calls import CallCatalogue
from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE, read_register
from sources.tse import SAMPLE_DIR as TSE_SAMPLE_DIR
from sources.tse import read_site
from sources.tse.parse import parse_documents

from .test_end_to_end import build_sample_warehouse
from .test_marts import nwopen_projects, register_projects, rows, seed, tse_projects

REACH = ("students_reached", "professionals_reached", "teachers_reached")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    path = build_sample_warehouse(tmp_path_factory.mktemp("indicators") / "data")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def fct(warehouse: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    return {r["project_key"]: r for r in rows(warehouse, "SELECT * FROM marts.fct_project")}


def _register_lcs(file_numbers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each register LC under the fct_project key it lands on (its own, or NWOpen's LC)."""
    catalogue = CallCatalogue.from_csv(CALLS_SEED)
    found: dict[str, dict[str, Any]] = {}
    for location, source in ((MOOI_SAMPLE, "mooi_register"), (GVNL_SAMPLE, "gvnl_register")):
        for raw in read_register(location, source=source, catalogue=catalogue).projects:
            key = file_numbers.get(raw["related_grant"] or "") or f"{source}:{raw['register_id']}"
            found[key] = {**raw, "source": source}
    return found


def _months(start: date | None, end: date | None) -> int | None:
    if start is None or end is None:
        return None
    after = end + timedelta(days=1)
    return (after.year - start.year) * 12 + after.month - start.month


def test_register_reach_and_place(fct: dict[str, dict[str, Any]]):
    _, _, file_numbers = nwopen_projects()
    province = {r["municipality"].casefold(): r for r in seed("municipalities")}
    lcs = _register_lcs(file_numbers)
    assert len(lcs) == 13
    for key, raw in lcs.items():
        row = fct[key]
        assert [row[c] for c in REACH] == [raw[c] for c in REACH], key
        listed = province.get((raw["lc_municipality"] or "").casefold())
        if raw["lc_municipality"]:
            assert row["lc_location_source"] == raw["source"]
            assert row["lc_municipality"] == listed["municipality"]
            assert row["lc_province"] == listed["province"]
        else:  # the penvoerder's location stands in, named as such
            assert row["lc_location_source"] in ("penvoerder", None)
        assert row["reach_source"] == (
            raw["source"] if any(raw[c] is not None for c in REACH) else None
        )
    others = [r for k, r in fct.items() if k not in lcs]
    assert all(r[c] is None for r in others for c in REACH)


def test_mart_reach_sums_the_lcs(warehouse: duckdb.DuckDBPyConnection):
    projects, _, file_numbers = nwopen_projects()
    mooi, _ = tse_projects()
    registers, _ = register_projects(projects, file_numbers)
    projects.update(mooi)
    projects.update(registers)
    lcs = _register_lcs(file_numbers)
    expected: dict[tuple, dict[str, int | None]] = defaultdict(
        lambda: {"lc_count": 0, **dict.fromkeys(REACH)}
    )
    for key, project in projects.items():
        if not project.is_lc:
            continue
        group = expected[(project.programme, project.call_round)]
        group["lc_count"] += 1
        for c in REACH:
            value = lcs.get(key, {}).get(c)
            if value is not None:
                group[c] = (group[c] or 0) + value
    got = {
        (r["programme"], r["call_round"]): {c: r[c] for c in ("lc_count", *REACH)}
        for r in rows(warehouse, "SELECT * FROM marts.mart_reach")
    }
    assert got == dict(expected)
    assert got[("GroenvermogenNL", 2024)]["students_reached"] == 795


def test_mooi_budget_tki_and_supplement_link(fct: dict[str, dict[str, Any]]):
    extract = parse_documents(
        read_site(str(TSE_SAMPLE_DIR), None), CallCatalogue.from_csv(CALLS_SEED)
    )
    pages = {raw["grant_number"]: raw for raw in extract.projects}
    for grant, raw in pages.items():
        row = fct[f"tse:{grant}"]
        budget, subsidy = raw["project_budget_eur"] or None, raw["subsidy_eur"] or None
        assert row["budget_eur"] == budget
        assert row["tki"] == raw["tki"]
        share = None
        if budget and subsidy and subsidy <= budget:
            share = round((budget - subsidy) / budget, 4)
        assert row["cofinancing_share"] == (pytest.approx(share) if share is not None else None)
    catalogue = CallCatalogue.from_csv(CALLS_SEED)
    for raw in read_register(MOOI_SAMPLE, source="mooi_register", catalogue=catalogue).projects:
        row = fct[f"mooi_register:{raw['register_id']}"]
        grant = raw["related_grant"]
        assert row["related_project_key"] == (f"tse:{grant}" if grant in pages else None)
        assert row["tki"] == (pages[grant]["tki"] if grant in pages else None)
    assert sum(r["budget_eur"] is not None for r in fct.values()) == 9


def test_duration_and_context(fct: dict[str, dict[str, Any]]):
    for key, row in fct.items():
        assert row["duration_months"] == _months(row["start_date"], row["end_date"]), key
        if row["programme"] == "KIC":
            assert row["kic_context_source"] in ("title", "title_summary", None)
        else:
            assert (row["kic_context"], row["kic_context_source"]) == ("energie", "programme")
    kic = {r["title"]: r["kic_context"] for r in fct.values() if r["programme"] == "KIC"}
    assert kic["Learning Community Digitale Netten"] == "onbekend"  # digital and grids tie
    assert kic["Learning Community Warmtetransitie in de Wijk"] == "energie"


def test_coverage_counts_fct_project(
    warehouse: duckdb.DuckDBPyConnection, fct: dict[str, dict[str, Any]]
):
    got = rows(warehouse, "SELECT * FROM marts.mart_indicator_coverage")
    assert len(got) == 13 * 3
    for r in got:
        of = [p for p in fct.values() if p["programme"] == r["programme"]]

        def filled(p: dict[str, Any], column: str = r["indicator"]) -> bool:
            value = p[column]
            return value is not None and not (column == "kic_context" and value == "onbekend")

        assert r["project_count"] == len(of)
        assert r["filled_project_count"] == sum(filled(p) for p in of)
        assert r["lc_count"] == sum(p["is_learning_community"] for p in of)
        assert r["filled_lc_count"] == sum(filled(p) for p in of if p["is_learning_community"])
