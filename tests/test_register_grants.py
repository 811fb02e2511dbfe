"""A register's related grant: the connector reads away blanks and case in a grant number
(sources/registers/schema.py), and what is still not one is flagged, not set aside, by the
MOOI register suite (raw_mooi_register_projects, expectations/suites/raw_register_projects.json); a
project page whose
subsidy exceeds its budget is flagged by the Topsector Energie suite. Held-out cells, read by
the real connector and checked by the real suites."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from orchestration.quality.suites import load_suites
from orchestration.quality.validation import validate_frame
from orchestration.settings import CALLS_SEED, EXPECTATIONS_DIR
from sources.calls import CallCatalogue
from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE, read_register

# Cell as an office might type it -> as the connector reads it.
MOOI_GRANTS = {
    "MOOI-LC-2024-01": ("MOOI 52101", "MOOI52101"),
    "MOOI-LC-2024-02": ("mooi52104", "MOOI52104"),
    "MOOI-LC-2024-03": ("Mooi 52 107 ", "MOOI52107"),
    "MOOI-LC-2024-04": ("zie MOOI 52109", "zie MOOI 52109"),  # words: not a grant, as written
    "MOOI-LC-2024-05": ("MOOI 5211", "MOOI5211"),  # read, but too few digits
    "MOOI-LC-2024-06": ("onbekend", "onbekend"),
}
GVNL_GRANTS = {
    "GVNL-LC-ZW": ("ngf.1623.24.001", "NGF.1623.24.001"),
    "GVNL-LC-OOST": ("NGF. 1623 .24.002", "NGF.1623.24.002"),
    "GVNL-LC-NOORD-HVC": ("NGF.1623.24.003", "NGF.1623.24.003"),
}


def _suite(name: str, rule: str):
    suite = next(s for s in load_suites(EXPECTATIONS_DIR) if s.name == name)
    return suite.__class__(**{**suite.__dict__, "rules": (suite.rule(rule),)})


@pytest.fixture(scope="module")
def catalogue() -> CallCatalogue:
    return CallCatalogue.from_csv(CALLS_SEED)


def test_mooi_register_grants_lose_blanks_and_case(tmp_path: Path, catalogue: CallCatalogue):
    workbook = openpyxl.load_workbook(MOOI_SAMPLE)
    sheet = workbook["Projects"]
    col = {str(c.value).strip().lower(): c.column for c in sheet[1] if c.value is not None}
    for row in range(2, sheet.max_row + 1):
        rid = sheet.cell(row, col["register_id"]).value
        sheet.cell(row, col["related_grant"]).value = MOOI_GRANTS[rid][0]
    workbook.save(tmp_path / "mooi.xlsx")
    extract = read_register(tmp_path / "mooi.xlsx", source="mooi_register", catalogue=catalogue)
    assert not extract.problems  # a malformed grant is no reading problem
    assert {p["register_id"]: p["related_grant"] for p in extract.projects} == {
        rid: read for rid, (_, read) in MOOI_GRANTS.items()
    }


def test_gvnl_register_file_numbers_lose_blanks_and_case(tmp_path: Path, catalogue: CallCatalogue):
    folder = tmp_path / "gvnl"
    shutil.copytree(GVNL_SAMPLE, folder)
    path = folder / "projects.csv"
    table = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    col = {name: i for i, name in enumerate(table[0])}
    for line in table[1:]:
        if line[col["register_id"]] in GVNL_GRANTS:
            line[col["related_grant"]] = GVNL_GRANTS[line[col["register_id"]]][0]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(table)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    extract = read_register(folder, source="gvnl_register", catalogue=catalogue)
    got = {p["register_id"]: p["related_grant"] for p in extract.projects}
    assert {rid: got[rid] for rid in GVNL_GRANTS} == {
        rid: read for rid, (_, read) in GVNL_GRANTS.items()
    }


def test_a_supplement_without_a_grant_number_is_flagged_and_kept():
    suite = _suite("raw_mooi_register_projects", "mooi_grant_number")
    assert suite.rules[0].action == "flag"
    frame = pd.DataFrame(
        {
            "_record_no": [1, 2, 3, 4, 5],
            "related_grant": ["MOOI52101", "MOOI322009", "zie MOOI 52109", "MOOI5211", None],
        }
    )
    outcome = validate_frame(suite, frame)
    (failed,) = outcome.failed
    assert [r.record_no for r in failed.failing_records] == [3, 4]
    # The project pages' own grant numbers stay a reason to set a page aside.
    tse = _suite("raw_tse_projects", "mooi_grant_number")
    assert tse.rules[0].action == "quarantine"


def test_a_subsidy_above_the_budget_is_flagged():
    suite = _suite("raw_tse_projects", "subsidy_within_project_budget")
    assert suite.rules[0].action == "flag"
    frame = pd.DataFrame(
        {
            "_record_no": [1, 2, 3, 4, 5],
            "project_budget_eur": [6890000.0, 1500000.0, 2000000.0, None, 4600000.0],
            "subsidy_eur": [2000000.0, 2000000.0, 2000000.0, 2000000.0, None],
        }
    )
    outcome = validate_frame(suite, frame)
    (failed,) = outcome.failed
    assert [r.record_no for r in failed.failing_records] == [2]
    assert not outcome.errors
