"""The evaluators' indicators (fct_project's columns from lc_region on, mart_reach,
mart_indicator_coverage) against answers worked out here: from the bundled sample read with
the connectors, and by hand (literals) for held-out register and project-page values. One real
run builds the warehouse from copies of the sample registers and Topsector Energie pages with
those held-out values written in; the project list and rounds come from test_marts' oracle."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import openpyxl
import pytest

from orchestration.settings import CALLS_SEED
from sources.calls import CallCatalogue
from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE, read_register
from sources.tse import SAMPLE_DIR as TSE_SAMPLE_DIR
from sources.tse import read_site
from sources.tse.parse import parse_documents

from .conftest import LOCATION_VARIABLES
from .test_end_to_end import failed_checks, run_refresh
from .test_marts import nwopen_projects, register_projects, rows, tse_projects

# Its module fixture runs a whole refresh.
pytestmark = pytest.mark.pipeline

ROOT = Path(__file__).resolve().parents[1]
REACH = ("students_reached", "professionals_reached", "teachers_reached")

# Held-out register cells, written over the sample registers (register_id -> column -> cell).
MOOI_CELLS = {
    "MOOI-LC-2024-01": {"lc_municipality": "Den Bosch"},
    "MOOI-LC-2024-02": {"related_grant": "mooi 52104"},  # spacing and case: read as MOOI52104
    "MOOI-LC-2024-03": {"lc_municipality": "Friesland"},  # a province, not a municipality
    "MOOI-LC-2024-04": {"related_grant": "zie MOOI 52109"},  # no grant number: flagged, kept
    "MOOI-LC-2024-05": {"start_date": "2024-01-15", "end_date": "2024-07-14"},
    "MOOI-LC-2024-06": {"start_date": "2024-01-31", "end_date": "2024-02-29"},
}
GVNL_CELLS = {
    "GVNL-LC-ZW": {"lc_municipality": "  VLISSINGEN "},
    "GVNL-LC-NOORD-HVC": {"lc_municipality": "Delfzijl"},  # now in municipality Eemsdelta
    "GVNL-LC-NW": {"lc_municipality": "Amsterdm", "related_grant": "ngf.1623.24.005"},
    "GVNL-LC-RM": {"lc_municipality": "Den Haag"},
    "GVNL-LC-LIMBURG": {"start_date": "2024-01-31", "end_date": "2024-02-01"},
}
# Where each register LC works, by hand from seeds places, municipalities and provinces:
# (lc_municipality, lc_province, lc_location_source).
LC_PLACES = {
    "MOOI-LC-2024-01": ("'s-Hertogenbosch", "Noord-Brabant", "mooi_register"),
    "MOOI-LC-2024-02": ("Arnhem", "Gelderland", "mooi_register"),
    "MOOI-LC-2024-03": (None, "Fryslân", "mooi_register"),
    "MOOI-LC-2024-04": ("Delft", "Zuid-Holland", "mooi_register"),
    "MOOI-LC-2024-05": ("Utrecht", "Utrecht", "mooi_register"),
    "MOOI-LC-2024-06": (None, "Zeeland", "mooi_register"),  # no municipality; region Zeeland
    "GVNL-LC-ZW": ("Vlissingen", "Zeeland", "gvnl_register"),
    "GVNL-LC-OOST": ("Enschede", "Overijssel", "gvnl_register"),
    "GVNL-LC-NOORD-HVC": ("Eemsdelta", "Groningen", "gvnl_register"),
    "GVNL-LC-NOORD-WW": ("Assen", "Drenthe", "gvnl_register"),
    "GVNL-LC-NW": ("Amsterdm", "onbekend", "gvnl_register"),
    "GVNL-LC-RM": ("'s-Gravenhage", "Zuid-Holland", "gvnl_register"),
    "GVNL-LC-LIMBURG": ("Sittard-Geleen", "Limburg", "gvnl_register"),
}
# A project page whose subsidy (EUR 2.0 million) exceeds the budget written over it.
OVER_BUDGET = ("MOOI32011", "€ 6.890.000", "€ 1.500.000")
# Whole calendar months of the inclusive period, counted by hand on a calendar.
DURATIONS = {
    "mooi_register:MOOI-LC-2024-05": 6,  # 15 Jan - 14 Jul 2024
    "mooi_register:MOOI-LC-2024-06": 1,  # 31 Jan - 29 Feb 2024
    "gvnl_register:GVNL-LC-LIMBURG": 0,  # 31 Jan - 1 Feb 2024
    "mooi_register:MOOI-LC-2024-01": 24,  # 1 Sep 2024 - 31 Aug 2026
    "tse:MOOI32011": 45,  # 1 Oct 2021 - 30 Jun 2025
    "nwopen:NGF.1623.24.004|7124": 48,  # 1 Sep 2024 - 1 Sep 2028: 48 months and a day
}
# (start, end, whole months of the inclusive period), for macro duration_months.
DURATION_CASES = [
    ("2024-01-15", "2024-07-14", 6),
    ("2024-01-15", "2024-07-13", 5),
    ("2024-01-15", "2024-07-15", 6),
    ("2024-01-01", "2024-01-31", 1),
    ("2024-01-01", "2024-12-31", 12),
    ("2024-01-31", "2024-01-31", 0),
    ("2024-01-31", "2024-02-01", 0),
    ("2024-01-31", "2024-02-27", 0),
    # A month after 31 January is the last day of February (29th in 2024, 28th in 2023).
    ("2024-01-31", "2024-02-28", 1),
    ("2024-01-31", "2024-02-29", 1),
    ("2023-01-31", "2023-02-27", 1),
    ("2023-03-31", "2023-04-29", 1),
    ("2024-02-29", "2025-02-27", 12),
    ("2024-09-01", "2026-08-31", 24),
    ("2024-03-01", "2024-02-29", None),  # end before start: no duration
    (None, "2024-02-29", None),
]


def _mooi_copy(folder: Path) -> Path:
    workbook = openpyxl.load_workbook(MOOI_SAMPLE)
    sheet = workbook["Projects"]
    col = {str(c.value).strip().lower(): c.column for c in sheet[1] if c.value is not None}
    for row in range(2, sheet.max_row + 1):
        for column, cell in MOOI_CELLS.get(sheet.cell(row, col["register_id"]).value, {}).items():
            sheet.cell(row, col[column]).value = cell
    path = folder / "mooi_register.xlsx"
    workbook.save(path)
    return path


def _gvnl_copy(folder: Path) -> Path:
    target = folder / "gvnl_register"
    shutil.copytree(GVNL_SAMPLE, target)
    path = target / "projects.csv"
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    col = {name: i for i, name in enumerate(table[0])}
    for line in table[1:]:
        for column, cell in GVNL_CELLS.get(line[col["register_id"]], {}).items():
            line[col[column]] = cell
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(table)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return target


def _tse_copy(folder: Path) -> Path:
    target = folder / "tse"
    shutil.copytree(TSE_SAMPLE_DIR, target)
    grant, budget, lower = OVER_BUDGET
    pages = [p for p in (target / "projecten").glob("*.html") if grant in p.read_text("utf-8")]
    assert len(pages) == 1
    text = pages[0].read_text("utf-8")
    assert text.count(budget) == 1
    pages[0].write_text(text.replace(budget, lower), "utf-8")
    return target


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("heldout_inputs")
    return {"mooi": _mooi_copy(folder), "gvnl": _gvnl_copy(folder), "tse": _tse_copy(folder)}


@pytest.fixture(scope="module")
def run(
    inputs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dg.ExecuteInProcessResult, Path]:
    data = tmp_path_factory.mktemp("indicators") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LCM_DATA_DIR", str(data))
        for name in LOCATION_VARIABLES:
            patch.delenv(name, raising=False)
        patch.setenv("LCM_MOOI_REGISTER", str(inputs["mooi"]))
        patch.setenv("LCM_GVNL_REGISTER", str(inputs["gvnl"]))
        patch.setenv("LCM_TSE_URL", str(inputs["tse"]))
        result = run_refresh()
    assert result.success
    return result, data / "warehouse" / "lc_monitor.duckdb"


@pytest.fixture(scope="module")
def warehouse(run: tuple[dg.ExecuteInProcessResult, Path]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(run[1]), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def fct(warehouse: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    return {r["project_key"]: r for r in rows(warehouse, "SELECT * FROM marts.fct_project")}


def _register_lcs(
    inputs: dict[str, Path], file_numbers: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """Each register LC under the fct_project key it lands on (its own, or NWOpen's LC)."""
    catalogue = CallCatalogue.from_csv(CALLS_SEED)
    found: dict[str, dict[str, Any]] = {}
    for location, source in ((inputs["mooi"], "mooi_register"), (inputs["gvnl"], "gvnl_register")):
        for raw in read_register(location, source=source, catalogue=catalogue).projects:
            key = file_numbers.get(raw["related_grant"] or "") or f"{source}:{raw['register_id']}"
            found[key] = {**raw, "source": source}
    return found


def test_only_the_held_out_values_are_flagged(
    run: tuple[dg.ExecuteInProcessResult, Path], warehouse: duckdb.DuckDBPyConnection
):
    """Den Haag, Den Bosch, Delfzijl and VLISSINGEN are known places; a typo and a province
    are not municipalities; the supplement without a grant number and the page with a subsidy
    above its budget are flagged and kept. Nothing is set aside."""
    got = rows(
        warehouse,
        "SELECT source_system, rule, value, disposition FROM marts.mart_quarantine ORDER BY ALL",
    )
    written, placed, rule = (
        "lc_municipality",
        "lc_municipality_listed",
        "subsidy_within_project_budget",
    )
    assert {(r["source_system"], r["rule"], r["value"], r["disposition"]) for r in got} == {
        ("gvnl_register", "lc_municipality_known", f"{written}=Amsterdm; {placed}=None", "flagged"),
        (
            "mooi_register",
            "lc_municipality_known",
            f"{written}=Friesland; {placed}=None",
            "flagged",
        ),
        ("mooi_register", "mooi_grant_number", "zie MOOI 52109", "flagged"),
        ("mooi_register", "register_grant_known", "zie MOOI 52109", "flagged"),
        ("tse", rule, "project_budget_eur=1500000.0; subsidy_eur=2000000.0", "flagged"),
    }
    assert sorted(failed_checks(run[0])) == [
        "assert_register_grants_are_known",
        "gx_raw_gvnl_register_projects",
        "gx_raw_mooi_register_projects",
        "gx_raw_tse_projects",
    ]


def test_lc_location_is_the_registers_only(inputs: dict[str, Path], fct: dict[str, dict[str, Any]]):
    _, _, file_numbers = nwopen_projects()
    lcs = _register_lcs(inputs, file_numbers)
    assert len(lcs) == 13
    place = {
        raw["register_id"]: tuple(fct[key][c] for c in ("lc_municipality", "lc_province",
                                                         "lc_location_source"))
        for key, raw in lcs.items()
    }  # fmt: skip
    assert place == LC_PLACES
    for key, raw in lcs.items():
        row = fct[key]
        assert [row[c] for c in REACH] == [raw[c] for c in REACH], key
        assert row["reach_source"] == (
            raw["source"] if any(raw[c] is not None for c in REACH) else None
        )
    # No other project has an LC location: its penvoerder's place is not the LC's.
    others = [r for k, r in fct.items() if k not in lcs]
    assert len(others) == 97 - 13
    assert {(r["lc_municipality"], r["lc_province"], r["lc_location_source"]) for r in others} == {
        (None, "onbekend", None)
    }
    assert all(r[c] is None for r in others for c in REACH)


def test_lead_location_is_the_penvoerders_head_office(
    warehouse: duckdb.DuckDBPyConnection, fct: dict[str, dict[str, Any]]
):
    organisations = {
        r["organisation_key"]: r for r in rows(warehouse, "SELECT * FROM marts.dim_organisation")
    }
    placed = 0
    for key, row in fct.items():
        lead = organisations.get(row["lead_organisation_key"])
        expected = (lead["municipality"], lead["province"]) if lead else (None, "onbekend")
        assert (row["lead_municipality"], row["lead_province"]) == expected, key
        placed += row["lead_province"] != "onbekend"
    assert placed >= 80  # most penvoerders are placed (78 stood in for the LC before)


def test_mart_reach_sums_the_lcs(inputs: dict[str, Path], warehouse: duckdb.DuckDBPyConnection):
    projects, _, file_numbers = nwopen_projects()
    mooi, _ = tse_projects()
    registers, _ = register_projects(projects, file_numbers)
    projects.update(mooi)
    projects.update(registers)
    lcs = _register_lcs(inputs, file_numbers)
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


def test_mooi_budget_tki_and_supplement_link(
    inputs: dict[str, Path], fct: dict[str, dict[str, Any]]
):
    extract = parse_documents(
        read_site(str(inputs["tse"]), None), CallCatalogue.from_csv(CALLS_SEED)
    )
    pages = {raw["grant_number"]: raw for raw in extract.projects}
    for grant, raw in pages.items():
        row = fct[f"tse:{grant}"]
        budget, subsidy = raw["project_budget_eur"] or None, raw["subsidy_eur"] or None
        assert row["budget_eur"] == budget
        assert row["tki"] == (raw["tki"] or "onbekend")  # MOOI has TKIs: unknown is onbekend
        share = None
        if budget and subsidy and subsidy <= budget:
            share = round((budget - subsidy) / budget, 4)
        assert row["cofinancing_share"] == (pytest.approx(share) if share is not None else None)
    # Subsidy above the budget: no share (and the page is flagged, above).
    over = fct[f"tse:{OVER_BUDGET[0]}"]
    assert (over["budget_eur"], over["subsidy_eur"], over["cofinancing_share"]) == (
        1500000,
        2000000,
        None,
    )
    assert fct["tse:MOOI52104"]["cofinancing_share"] == pytest.approx(0.7388)
    catalogue = CallCatalogue.from_csv(CALLS_SEED)
    supplements = {
        raw["register_id"]: fct[f"mooi_register:{raw['register_id']}"]
        for raw in read_register(
            inputs["mooi"], source="mooi_register", catalogue=catalogue
        ).projects
    }
    links = {rid: row["related_project_key"] for rid, row in supplements.items()}
    assert links == {
        "MOOI-LC-2024-01": "tse:MOOI52101",
        "MOOI-LC-2024-02": "tse:MOOI52104",  # written "mooi 52104"
        "MOOI-LC-2024-03": "tse:MOOI52107",
        "MOOI-LC-2024-04": None,  # "zie MOOI 52109": kept, not linked
        "MOOI-LC-2024-05": "tse:MOOI52112",
        "MOOI-LC-2024-06": "tse:MOOI52115",
    }
    # A supplement works under its consortium's TKI and mission; without a link they are
    # unknown (`onbekend`: MOOI has TKIs and missions), never null.
    for rid, row in supplements.items():
        linked = links[rid] and pages[links[rid].removeprefix("tse:")]
        assert row["tki"] == ((linked["tki"] or "onbekend") if linked else "onbekend"), rid
        consortium = fct[links[rid]] if links[rid] else None
        assert row["mission"] == (consortium["mission"] if consortium else "onbekend"), rid
    assert sum(r["budget_eur"] is not None for r in fct.values()) == 9


def test_duration_in_whole_months_of_the_inclusive_period(fct: dict[str, dict[str, Any]]):
    assert {key: fct[key]["duration_months"] for key in DURATIONS} == DURATIONS
    for key, row in fct.items():
        known = row["start_date"] is not None and row["end_date"] is not None
        assert (row["duration_months"] is not None) == known, key


def test_context(fct: dict[str, dict[str, Any]]):
    for row in fct.values():
        if row["programme"] == "KIC":
            assert row["kic_context_source"] in ("title", "title_summary", None)
        else:
            assert (row["kic_context"], row["kic_context_source"]) == ("energie", "programme")
    kic = {r["title"]: r["kic_context"] for r in fct.values() if r["programme"] == "KIC"}
    assert kic["Learning Community Digitale Netten"] == "onbekend"  # digital and grids tie
    assert kic["Learning Community Warmtetransitie in de Wijk"] == "energie"


def test_indicator_types(warehouse: duckdb.DuckDBPyConnection):
    types = dict(
        warehouse.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'marts' AND table_name = 'fct_project'"
        ).fetchall()
    )
    assert {
        c: types[c] for c in ("budget_eur", "cofinancing_share", "duration_months", *REACH)
    } == {
        "budget_eur": "DECIMAL(18,2)",
        "cofinancing_share": "DOUBLE",
        "duration_months": "INTEGER",
        **dict.fromkeys(REACH, "INTEGER"),
    }
    assert (types["lead_municipality"], types["lead_province"]) == ("VARCHAR", "VARCHAR")


def test_coverage_counts_fct_project(
    warehouse: duckdb.DuckDBPyConnection, fct: dict[str, dict[str, Any]]
):
    got = rows(warehouse, "SELECT * FROM marts.mart_indicator_coverage")
    # 13 indicators for 3 programmes, less what does not apply: mission and TKI outside MOOI,
    # the context of the one-context programmes (GroenvermogenNL and MOOI are energie).
    absent = {
        ("mission", "KIC"),
        ("mission", "GroenvermogenNL"),
        ("tki", "KIC"),
        ("tki", "GroenvermogenNL"),
        ("kic_context", "MOOI"),
        ("kic_context", "GroenvermogenNL"),
    }
    assert len(got) == 13 * 3 - len(absent)
    assert not absent & {(r["indicator"], r["programme"]) for r in got}
    for r in got:
        of = [p for p in fct.values() if p["programme"] == r["programme"]]

        def filled(p: dict[str, Any], column: str = r["indicator"]) -> bool:
            value = p[column]
            if column.startswith("lc_") and p["lc_location_source"] is None:
                return False  # the LC's location counts from a register only
            return value is not None and value != "onbekend"

        assert r["project_count"] == len(of)
        assert r["filled_project_count"] == sum(filled(p) for p in of)
        assert r["lc_count"] == sum(p["is_learning_community"] for p in of)
        assert r["filled_lc_count"] == sum(filled(p) for p in of if p["is_learning_community"])
    by_key = {(r["indicator"], r["programme"]): r for r in got}
    # On these inputs 12 of the 13 register LCs give a province (LC_PLACES: all but
    # GVNL-LC-NW's misspelt "Amsterdm"), and no other project counts: no penvoerder stands in.
    place = [
        by_key[("lc_province", p)]["filled_project_count"] for p in ("MOOI", "GroenvermogenNL")
    ]
    assert place == [6, 6] and by_key[("lc_province", "KIC")]["filled_project_count"] == 0


@pytest.fixture(scope="module")
def durations(tmp_path_factory: pytest.TempPathFactory) -> dict[int, int | None]:
    """Macro duration_months on DURATION_CASES, evaluated by real dbt (`dbt show --inline`)."""
    values = ", ".join(
        f"({n}, {f'date {s!r}' if s else 'null::date'}, date {e!r})"
        for n, (s, e, _) in enumerate(DURATION_CASES)
    )
    inline = (
        f"select n, {{{{ duration_months('start_date', 'end_date') }}}} as months"
        f" from (values {values}) as t(n, start_date, end_date)"
    )
    env = {
        **os.environ,
        "LCM_WAREHOUSE": str(tmp_path_factory.mktemp("months") / "months.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "show", "--inline", inline, "--limit",
         "100", "--output", "json", "--log-format", "json", "--profiles-dir", "."],
        cwd=ROOT / "dbt_project", env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    for line in completed.stdout.splitlines():
        event = json.loads(line)
        if event["info"]["name"] == "ShowNode":
            return {r["n"]: r["months"] for r in json.loads(event["data"]["preview"])}
    raise AssertionError("dbt show printed no result")


@pytest.mark.parametrize("case", DURATION_CASES, ids=lambda c: f"{c[0]}..{c[1]}")
def test_duration_months_macro(durations: dict[int, int | None], case: tuple):
    assert durations[DURATION_CASES.index(case)] == case[2]
