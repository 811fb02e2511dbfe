"""The register connector on the bundled xlsx and csv registers, over HTTP, and on bad input.

A broken structure (a sheet or a required column missing, a column twice, no LC at all, a file
that is not a register, a server that fails) fails the register with a SourceError. A bad cell,
or a row that breaks the register's own integrity, is a problem of its record: the record is
returned with the cell empty and the problem noted under ``_problems``, next to the good ones.
"""

from __future__ import annotations

import csv
import io
import shutil
import socket
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from orchestration.settings import CALLS_SEED
from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.problems import PROBLEMS
from sources.registers import (
    GVNL_SAMPLE,
    MOOI_SAMPLE,
    ORGANISATION_TYPES,
    PARTNER_COLUMNS,
    PROJECT_COLUMNS,
    SAMPLE_DIR,
    TEMPLATE,
    content_sha256,
    parse_register,
    read_register,
    schema,
)
from sources.registers import sample_generator as generator
from sources.registers.schema import PARTNER_SPEC, PROJECT_SPEC

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES = "bedrijf, kennisinstelling, mbo, hbo, wo, overheid, overig"


@pytest.fixture
def catalogue() -> CallCatalogue:
    return CallCatalogue.from_csv(CALLS_SEED)


# --- reading the samples independently of the connector ------------------------------------


def xlsx_rows(path: Path, sheet: str) -> list[dict]:
    """A sheet's non-blank rows, read with openpyxl directly (not through the connector)."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    name = next(n for n in workbook.sheetnames if n.lower() == sheet)
    rows = list(workbook[name].iter_rows(values_only=True))
    header = [str(h).strip().lower() for h in rows[0]]
    return [dict(zip(header, r, strict=True)) for r in rows[1:] if any(c is not None for c in r)]


def csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def seed_calls(source_system: str) -> list[str]:
    """The call ids the seed lists for a source, read with csv (not through the catalogue)."""
    with CALLS_SEED.open(encoding="utf-8", newline="") as handle:
        return [r["call_id"] for r in csv.DictReader(handle) if r["source_system"] == source_system]


def workbook_bytes(sheets: dict[str, list[list]]) -> bytes:
    """An xlsx workbook in memory with the given sheets and rows."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_register(lcs: list[tuple[str, str, str]]) -> dict[str, bytes]:
    """A csv register in memory: (register_id, programme, call_round) per LC, each LC with
    one penvoerder and one partner."""
    projects = "register_id;programme;lc_name;call_round\n"
    projects += "".join(f"{rid};{programme};LC {rid};{year}\n" for rid, programme, year in lcs)
    partners = "register_id;organisation;organisation_type;role\n"
    for rid, _, _ in lcs:
        partners += f"{rid};School {rid};mbo;penvoerder\n{rid};Bedrijf {rid};bedrijf;partner\n"
    return {"projects.csv": projects.encode(), "partners.csv": partners.encode()}


def assert_one_penvoerder_each(projects: list[dict], partners: list[dict]) -> None:
    for project in projects:
        roles = [p["role"] for p in partners if p["register_id"] == project["register_id"]]
        assert roles.count("penvoerder") == 1, project["register_id"]


def problems_by_row(records: list[dict]) -> dict[int, list[tuple]]:
    """source_row -> (rule, column, value, problem) of every record that has problems."""
    return {
        record["source_row"]: [
            (p["rule"], p["column"], p["value"], p["problem"]) for p in record[PROBLEMS]
        ]
        for record in records
        if PROBLEMS in record
    }


def assert_no_problems(extract) -> None:
    assert extract.problems == []
    assert not any(PROBLEMS in r for r in (*extract.projects, *extract.partners))


# --- the bundled samples -------------------------------------------------------------------


def test_mooi_xlsx_sample(catalogue: CallCatalogue):
    extract = read_register(MOOI_SAMPLE, source="mooi_register", catalogue=catalogue)
    projects, partners = xlsx_rows(MOOI_SAMPLE, "projects"), xlsx_rows(MOOI_SAMPLE, "partners")
    assert extract.source == "mooi_register" and extract.file_format == "xlsx"
    assert extract.location == str(MOOI_SAMPLE)
    assert [f.content for f in extract.raw_files] == [MOOI_SAMPLE.read_bytes()]
    assert extract.counts == {"projects": len(projects), "partners": len(partners)}
    assert len(projects) == 6 and 4 * 6 <= len(partners) <= 8 * 6
    # No problems anywhere: every record has exactly the output columns, nothing more.
    assert all(list(p) == list(PROJECT_COLUMNS) for p in extract.projects)
    assert all(list(p) == list(PARTNER_COLUMNS) for p in extract.partners)
    assert_no_problems(extract)
    # "Register_ID", "LC_name " and "Subsidy_EUR" in the header; "opmerking" is extra.
    assert extract.extra_columns == ["Projects.opmerking"]
    assert any("opmerking" in w for w in extract.warnings)
    # Row numbers as Excel shows them: the header is row 1, the trailing blank row is skipped.
    assert [p["source_row"] for p in extract.projects] == list(range(2, 8))
    assert [p["source_row"] for p in extract.partners] == list(range(2, len(partners) + 2))

    # The register's one call, from the catalogue.
    assert seed_calls("mooi_register") == ["mooi_lc_2024"]
    assert [p["call_id"] for p in extract.projects] == ["mooi_lc_2024"] * 6

    by_id = {p["register_id"]: p for p in extract.projects}
    heatwise = by_id["MOOI-LC-2024-01"]  # numeric and date cells
    assert heatwise["subsidy_eur"] == 165_000 and heatwise["start_date"] == date(2024, 9, 1)
    assert (heatwise["students_reached"], heatwise["professionals_reached"]) == (120, 35)
    netflex = by_id["MOOI-LC-2024-02"]  # Dutch text in amount and date cells
    assert netflex["subsidy_eur"] == 170_000
    assert (netflex["start_date"], netflex["end_date"]) == (date(2024, 9, 1), date(2026, 8, 31))
    assert netflex["students_reached"] is None  # unknown stays unknown, never 0
    assert by_id["MOOI-LC-2024-03"]["start_date"] == date(2024, 10, 1)  # "01-10-2024"
    assert by_id["MOOI-LC-2024-06"]["end_date"] == date(2027, 12, 31)  # "31 december 2027"
    assert {p["related_grant"] for p in extract.projects} == {
        "MOOI52101",
        "MOOI52104",
        "MOOI52107",
        "MOOI52109",
        "MOOI52112",
        "MOOI52115",
    }
    assert all(p["programme"] == "MOOI" and p["call_round"] == 2024 for p in extract.projects)
    # the 2024 LC scheme was EUR 1M in total
    assert sum(p["subsidy_eur"] for p in extract.projects) <= 1_000_000

    assert_one_penvoerder_each(extract.projects, extract.partners)
    summa_raw = next(r for r in partners if r["organisation"] == "Summa College")
    assert (summa_raw["organisation_type"], summa_raw["role"]) == ("MBO", "Penvoerder")
    summa = next(p for p in extract.partners if p["organisation"] == "Summa College")
    assert (summa["organisation_type"], summa["role"]) == ("mbo", "penvoerder")
    assert {p["organisation_type"] for p in extract.partners} <= set(ORGANISATION_TYPES)
    fontys = next(p for p in extract.partners if p["organisation"] == "Fontys Hogescholen")
    assert fontys["postcode"] == "5612 AP"  # "5612AP" normalised
    assert (fontys["register_id"], fontys["partner_seq"]) == ("MOOI-LC-2024-01", 2)


def test_gvnl_csv_sample(catalogue: CallCatalogue):
    extract = read_register(GVNL_SAMPLE, source="gvnl_register", catalogue=catalogue)
    projects = csv_rows(GVNL_SAMPLE / "projects.csv")
    partners = csv_rows(GVNL_SAMPLE / "partners.csv")
    raw = (GVNL_SAMPLE / "projects.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]  # Excel's CSV UTF-8
    assert extract.file_format == "csv"
    assert [f.name for f in extract.raw_files] == ["projects.csv", "partners.csv"]
    assert [p["register_id"] for p in extract.projects] == [p["register_id"] for p in projects]
    assert len(extract.partners) == len(partners)
    assert_no_problems(extract)
    assert_one_penvoerder_each(extract.projects, extract.partners)
    types = {p["organisation_type"] for p in extract.partners}
    assert {"mbo", "hbo", "wo", "bedrijf", "overheid"} <= types <= set(ORGANISATION_TYPES)
    assert {p["programme"] for p in extract.projects} == {"GroenvermogenNL"}
    # The register's call has no round: it covers LCs with a round (2024) and without one.
    assert seed_calls("gvnl_register") == ["gvnl_lc_register"]
    assert {p["call_round"] for p in extract.projects} == {2024, None}
    assert {p["call_id"] for p in extract.projects} == {"gvnl_lc_register"}

    waterstof = next(p for p in extract.projects if p["lc_name"] == "Waterstof Werkt")
    assert (waterstof["start_date"].year, waterstof["end_date"].year) == (2022, 2027)
    lead = next(
        p
        for p in extract.partners
        if p["register_id"] == waterstof["register_id"] and p["role"] == "penvoerder"
    )
    assert lead["organisation"] == "New Energy Coalition"
    limburg = next(p for p in extract.projects if p["region"] == "Limburg")
    assert limburg["related_grant"] is None and limburg["subsidy_eur"] is None
    assert limburg["call_round"] is None and limburg["end_date"] is None
    oost = next(p for p in extract.projects if p["region"] == "Oost")
    assert oost["subsidy_eur"] == 3_700_000  # "EUR 3,7 miljoen"
    assert oost["start_date"] == date(2024, 4, 1)  # "1 april 2024"
    zeeland = next(p for p in extract.partners if p["organisation"] == "Hogeschool Zeeland")
    assert zeeland["postcode"] == "4382 NW"  # "4382NW" in the file


def test_samples_are_marked_as_sample_data():
    workbook = openpyxl.load_workbook(MOOI_SAMPLE, read_only=True)
    assert next(workbook["README"].iter_rows(values_only=True))[0].startswith("SAMPLE DATA")
    for readme in (GVNL_SAMPLE / "README.md", SAMPLE_DIR / "README.md"):
        assert "SAMPLE DATA" in readme.read_text(encoding="utf-8").splitlines()[0]


def test_generator_reproduces_the_bundled_files(tmp_path: Path):
    generator.write_template(tmp_path / "template.xlsx")
    generator.write_mooi(tmp_path / "mooi.xlsx")
    generator.write_gvnl(tmp_path / "gvnl")
    generator.write_sample_readme(tmp_path)
    assert (tmp_path / "template.xlsx").read_bytes() == TEMPLATE.read_bytes()
    assert (tmp_path / "mooi.xlsx").read_bytes() == MOOI_SAMPLE.read_bytes()
    for name in ("projects.csv", "partners.csv", "README.md"):
        assert (tmp_path / "gvnl" / name).read_bytes() == (GVNL_SAMPLE / name).read_bytes()
    assert (tmp_path / "README.md").read_bytes() == (SAMPLE_DIR / "README.md").read_bytes()


def test_template_has_the_offices_columns_only(catalogue: CallCatalogue):
    workbook = openpyxl.load_workbook(TEMPLATE, read_only=True)
    assert {"projects", "partners", "README"} <= set(workbook.sheetnames)
    projects_header = list(next(workbook["projects"].iter_rows(values_only=True)))
    partners_header = list(next(workbook["partners"].iter_rows(values_only=True)))
    readme = [row[0] for row in workbook["README"].iter_rows(values_only=True) if row[0]]
    # The office fills in the template's columns; call_id and source_row are the connector's.
    assert projects_header == [c.name for c in PROJECT_SPEC]
    assert list(PROJECT_COLUMNS) == [*projects_header, "call_id", "source_row"]
    assert "call_id" not in projects_header and not any("call_id" in line for line in readme)
    assert partners_header == [c.name for c in PARTNER_SPEC]
    assert set(partners_header) == set(PARTNER_COLUMNS) - {"partner_seq", "source_row"}
    documented = (TEMPLATE.parent / "TEMPLATE.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in documented for name in projects_header + partners_header)
    with pytest.raises(SourceError, match="sheet 'projects' has no rows"):
        read_register(TEMPLATE, source="template", catalogue=catalogue)


# --- parsing in memory ---------------------------------------------------------------------


def test_parse_register_from_bytes_comma_csv_without_bom(catalogue: CallCatalogue):
    projects = (
        "Register_ID , programme,lc_name,subsidy_eur,start_date,end_date,opmerking\r\n"
        'T-1,mooi,LC Een,"\u20ac 1,8 miljoen",1 juli 2022,30-06-2026,\r\n'
        "T-2,GROENVERMOGENNL,LC Twee,,2024-03-19,,nog geen bedrag\r\n"
        ",,,,,,\r\n"
    ).encode()
    partners = (
        b"register_id,organisation,organisation_type,role,postcode\n"
        b"T-1,Hogeschool A,HBO,penvoerder,1234ab\n"
        b"T-2,Bedrijf B,bedrijf,Penvoerder,\n"
        b"T-1,Gemeente C,overheid,partner,\n"
    )
    extract = parse_register(
        {"projects.csv": projects, "partners.csv": partners}, source="t", catalogue=catalogue
    )
    assert extract.file_format == "csv" and extract.location == "projects.csv + partners.csv"
    assert_no_problems(extract)
    one, two = extract.projects
    assert (one["programme"], one["subsidy_eur"]) == ("MOOI", 1_800_000)
    assert (one["start_date"], one["end_date"]) == (date(2022, 7, 1), date(2026, 6, 30))
    assert (two["programme"], two["subsidy_eur"], two["end_date"]) == (
        "GroenvermogenNL",
        None,
        None,
    )
    # A source the catalogue does not list has no calls: no call_id, and no programme to check.
    assert (one["call_id"], two["call_id"]) == (None, None)
    assert [(p["register_id"], p["partner_seq"], p["source_row"]) for p in extract.partners] == [
        ("T-1", 1, 2),
        ("T-2", 1, 3),
        ("T-1", 2, 4),
    ]
    assert extract.partners[0]["postcode"] == "1234 AB"
    assert extract.partners[0]["organisation_type"] == "hbo"
    assert extract.extra_columns == ["projects.opmerking"]


def test_parse_register_from_bytes_xlsx_with_dutch_sheet_names(catalogue: CallCatalogue):
    data = workbook_bytes(
        {
            "Projecten": [
                ["register_id", "programme", "lc_name", "start_date", "subsidy_eur", "call_round"],
                ["X-1", "MOOI", "LC X", date(2024, 9, 1), 150000, 2024.0],
                [None, None, None, None, None, None],
            ],
            "PARTNERS ": [
                ["register_id", "organisation", "organisation_type", "role"],
                ["X-1", "ROC X", "mbo", "penvoerder"],
            ],
        }
    )
    extract = parse_register({"register.xlsx": data}, source="mooi_register", catalogue=catalogue)
    assert extract.file_format == "xlsx"
    assert_no_problems(extract)
    (project,) = extract.projects
    assert (project["start_date"], project["subsidy_eur"]) == (date(2024, 9, 1), 150_000.0)
    assert project["call_round"] == 2024 and project["website"] is None
    assert project["call_id"] == "mooi_lc_2024"
    assert extract.partners[0]["partner_seq"] == 1


def test_parse_register_refuses_unknown_file_sets(catalogue: CallCatalogue):
    with pytest.raises(SourceError, match=r"expected one \.xlsx workbook or the files"):
        parse_register({"projects.csv": b"register_id\n"}, source="t", catalogue=catalogue)


# --- the call of each LC -------------------------------------------------------------------


def test_call_id_by_register_and_round(catalogue: CallCatalogue):
    mooi = parse_register(
        csv_register([("M-1", "MOOI", "2024"), ("M-2", "MOOI", ""), ("M-3", "MOOI", "2023")]),
        source="mooi_register",
        catalogue=catalogue,
    )
    # The MOOI register has one call (2024): a row without a round takes it; a round the
    # catalogue does not list has no call (the quality step flags that), and is no problem here.
    assert [p["call_id"] for p in mooi.projects] == ["mooi_lc_2024", "mooi_lc_2024", None]
    assert [p["call_round"] for p in mooi.projects] == [2024, None, 2023]
    assert_no_problems(mooi)

    gvnl = parse_register(
        csv_register(
            [
                ("G-1", "GroenvermogenNL", "2024"),
                ("G-2", "GroenvermogenNL", ""),
                ("G-3", "GroenvermogenNL", "2031"),
            ]
        ),
        source="gvnl_register",
        catalogue=catalogue,
    )
    # GroenvermogenNL's register call has no round in the catalogue: it covers every round.
    assert [p["call_id"] for p in gvnl.projects] == ["gvnl_lc_register"] * 3
    assert_no_problems(gvnl)

    other = parse_register(
        csv_register([("O-1", "MOOI", "2024")]), source="another_office", catalogue=catalogue
    )
    assert other.projects[0]["call_id"] is None
    assert_no_problems(other)


def test_row_of_another_programme_than_the_registers_call(catalogue: CallCatalogue):
    mooi = parse_register(
        csv_register(
            [
                ("M-1", "MOOI", "2024"),
                ("M-2", "GroenvermogenNL", "2024"),
                ("M-3", "MOOI", ""),
                ("M-4", "GroenvermogenNL", ""),
            ]
        ),
        source="mooi_register",
        catalogue=catalogue,
    )

    def problem(row: int) -> tuple[str, str, str, str]:
        text = f"sheet 'projects' row {row}: this register lists MOOI Learning Communities"
        return ("programme_of_call", "programme", "GroenvermogenNL", text)

    assert problems_by_row(mooi.projects) == {3: [problem(3)], 5: [problem(5)]}
    assert not any(PROBLEMS in p for p in mooi.partners)
    # The row is returned with its call and its programme as the office wrote it.
    m2 = mooi.projects[1]
    assert (m2["register_id"], m2["programme"], m2["call_id"]) == (
        "M-2",
        "GroenvermogenNL",
        "mooi_lc_2024",
    )
    assert mooi.problems == [
        f"M-2: programme: {problem(3)[3]}",
        f"M-4: programme: {problem(5)[3]}",
    ]

    gvnl = parse_register(
        csv_register([("G-1", "GroenvermogenNL", ""), ("G-2", "mooi", "2024")]),
        source="gvnl_register",
        catalogue=catalogue,
    )
    assert problems_by_row(gvnl.projects) == {
        3: [
            (
                "programme_of_call",
                "programme",
                "MOOI",
                "sheet 'projects' row 3: this register lists GroenvermogenNL Learning Communities",
            )
        ]
    }
    assert gvnl.projects[1]["call_id"] == "gvnl_lc_register"


# --- bad records among good ones -----------------------------------------------------------


def _gvnl_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "gvnl"
    shutil.copytree(GVNL_SAMPLE, folder)
    return folder


def _mooi_copy(tmp_path: Path, edit) -> Path:
    """The MOOI sample workbook with ``edit(workbook)`` applied, saved in ``tmp_path``."""
    workbook = openpyxl.load_workbook(MOOI_SAMPLE)
    edit(workbook)
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    return path


def _columns(sheet) -> dict[str, int]:
    """Column name (as the connector matches it) -> 1-based column number of an xlsx sheet."""
    return {str(c.value).strip().lower(): c.column for c in sheet[1] if c.value is not None}


def _edit_csv(path: Path, edit) -> None:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    edit(rows)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _rows_of(path: Path, register_id: str, role: str | None = None) -> list[int]:
    """Spreadsheet row numbers (header = 1) of a csv sheet's rows of one LC, read with csv."""
    return [
        number
        for number, row in enumerate(csv_rows(path), start=2)
        if row["register_id"] == register_id and (role is None or row["role"] == role)
    ]


def test_bad_cells_are_problems_of_their_rows(tmp_path: Path, catalogue: CallCatalogue):
    folder = _gvnl_copy(tmp_path)

    def break_projects(rows: list[list[str]]) -> None:
        col = {name: i for i, name in enumerate(rows[0])}
        rows[1][col["subsidy_eur"]] = "veel"  # row 2
        rows[2][col["start_date"]] = "binnenkort"  # row 3
        rows[4][col["lc_name"]] = ""  # row 5
        rows[7][col["students_reached"]] = "-3"  # row 8

    def break_partners(rows: list[list[str]]) -> None:
        col = {name: i for i, name in enumerate(rows[0])}
        rows[1][col["role"]] = "partner"  # row 2: Hydrogen Lab's penvoerder
        rows[2][col["organisation_type"]] = "multinational"  # row 3
        rows[3][col["postcode"]] = "43821"  # row 4
        rows[4][col["register_id"]] = "GVNL-LC-ONBEKEND"  # row 5
        rows[5][col["organisation"]] = ""  # row 6

    _edit_csv(folder / "projects.csv", break_projects)
    _edit_csv(folder / "partners.csv", break_partners)
    extract = read_register(folder, source="gvnl_register", catalogue=catalogue)

    # Every row is returned, the bad ones too.
    assert len(extract.projects) == len(csv_rows(GVNL_SAMPLE / "projects.csv"))
    assert len(extract.partners) == len(csv_rows(GVNL_SAMPLE / "partners.csv"))
    zw_rows = ", ".join(map(str, _rows_of(folder / "partners.csv", "GVNL-LC-ZW")))
    assert zw_rows.startswith("2, 3, 4, 6, 7, 8, ")  # row 5 now names another LC
    assert problems_by_row(extract.projects) == {
        2: [
            (
                "unreadable_value",
                "subsidy_eur",
                "veel",
                "sheet 'projects' row 2: not an amount: 'veel'",
            ),
            (
                "one_penvoerder",
                "penvoerder",
                "GVNL-LC-ZW",
                f"no penvoerder on sheet 'partners' (rows {zw_rows}); exactly one is required",
            ),
        ],
        3: [
            (
                "unreadable_value",
                "start_date",
                "binnenkort",
                "sheet 'projects' row 3: not a date: 'binnenkort'",
            ),
        ],
        5: [("required_value", "lc_name", None, "sheet 'projects' row 5: required, but empty")],
        8: [
            (
                "unreadable_value",
                "students_reached",
                "-3",
                "sheet 'projects' row 8: -3 is not at least 0",
            ),
        ],
    }
    assert problems_by_row(extract.partners) == {
        3: [
            (
                "unreadable_value",
                "organisation_type",
                "multinational",
                f"sheet 'partners' row 3: 'multinational' is not one of {TYPES}",
            ),
        ],
        4: [
            (
                "unreadable_value",
                "postcode",
                "43821",
                "sheet 'partners' row 4: not a Dutch postcode (1234 AB): '43821'",
            ),
        ],
        5: [
            (
                "known_parent",
                "register_id",
                "GVNL-LC-ONBEKEND",
                "sheet 'partners' row 5: 'GVNL-LC-ONBEKEND' is not a register_id of sheet "
                "'projects'",
            ),
        ],
        6: [
            ("required_value", "organisation", None, "sheet 'partners' row 6: required, but empty")
        ],
    }
    # The bad cell is empty; the rest of the record, and every other record, as read.
    projects = {p["source_row"]: p for p in extract.projects}
    assert projects[2]["subsidy_eur"] is None and projects[2]["start_date"] == date(2025, 4, 1)
    assert projects[3]["start_date"] is None and projects[3]["end_date"] == date(2028, 3, 31)
    assert projects[5]["lc_name"] is None and projects[5]["register_id"] == "GVNL-LC-NOORD-WW"
    assert projects[8]["students_reached"] is None
    assert {p["call_id"] for p in extract.projects} == {"gvnl_lc_register"}
    baseline = read_register(GVNL_SAMPLE, source="gvnl_register", catalogue=catalogue)
    assert [projects[n] for n in (4, 6, 7)] == [baseline.projects[n - 2] for n in (4, 6, 7)]
    assert [
        p for p in extract.partners if p["register_id"] != "GVNL-LC-ZW" and p["source_row"] != 5
    ] == [p for p in baseline.partners if p["register_id"] != "GVNL-LC-ZW"]
    partners = {p["source_row"]: p for p in extract.partners}
    assert partners[3]["organisation_type"] is None and partners[3]["organisation"] == "Scalda"
    assert partners[4]["postcode"] is None and partners[4]["municipality"] == "Terneuzen"
    assert (partners[5]["register_id"], partners[5]["partner_seq"]) == ("GVNL-LC-ONBEKEND", 1)
    assert partners[6]["organisation"] is None
    # A record with problems has its columns, then the problems.
    assert list(projects[2]) == [*PROJECT_COLUMNS, PROBLEMS]
    assert list(partners[3]) == [*PARTNER_COLUMNS, PROBLEMS]
    # The extract lists them as the office would read them: projects, then partners, by row.
    assert extract.problems == [
        "GVNL-LC-ZW: subsidy_eur: sheet 'projects' row 2: not an amount: 'veel'",
        f"GVNL-LC-ZW: penvoerder: no penvoerder on sheet 'partners' (rows {zw_rows}); exactly "
        "one is required",
        "GVNL-LC-OOST: start_date: sheet 'projects' row 3: not a date: 'binnenkort'",
        "GVNL-LC-NOORD-WW: lc_name: sheet 'projects' row 5: required, but empty",
        "GVNL-LC-LIMBURG: students_reached: sheet 'projects' row 8: -3 is not at least 0",
        "GVNL-LC-ZW: organisation_type: sheet 'partners' row 3: 'multinational' is not one of "
        f"{TYPES}",
        "GVNL-LC-ZW: postcode: sheet 'partners' row 4: not a Dutch postcode (1234 AB): '43821'",
        "GVNL-LC-ONBEKEND: register_id: sheet 'partners' row 5: 'GVNL-LC-ONBEKEND' is not a "
        "register_id of sheet 'projects'",
        "GVNL-LC-ZW: organisation: sheet 'partners' row 6: required, but empty",
    ]


def test_bad_xlsx_cells_of_every_kind_at_once(catalogue: CallCatalogue):
    data = workbook_bytes(
        {
            "projects": [
                [
                    "register_id",
                    "programme",
                    "lc_name",
                    "related_grant",
                    "call_round",
                    "start_date",
                    "end_date",
                    "subsidy_eur",
                    "students_reached",
                    "website",
                ],
                [
                    "X-1",
                    "MOOI",
                    "LC X",
                    "MOOI52101",
                    1999,
                    date(2024, 9, 1),
                    date(2026, 8, 31),
                    -5000,
                    True,
                    "www.lc-x.nl",
                ],
                ["X-2", "KIC", None, None, None, 45536, None, "\u20ac 1,5 ton", 1.5, None],
                ["X-3", "MOOI", "LC Z", None, None, None, None, None, None, None],
                [
                    "X-4",
                    "MOOI",
                    "LC Goed",
                    "MOOI52104",
                    2024,
                    date(2024, 9, 1),
                    None,
                    150000,
                    12,
                    "https://lc-goed.nl",
                ],
            ],
            "partners": [
                ["register_id", "organisation", "organisation_type", "role", "postcode"],
                ["X-1", "Bedrijf", "bedrijf", "penvoerder", "1234 A"],
                ["X-2", "School", "mbo", "partner", None],
                ["X-1", "Hogeschool", "hbo", "trekker", None],
                ["X-4", "ROC", "mbo", "penvoerder", "5611 AB"],
            ],
        }
    )
    extract = parse_register({"register.xlsx": data}, source="mooi_register", catalogue=catalogue)
    assert [p["register_id"] for p in extract.projects] == ["X-1", "X-2", "X-3", "X-4"]
    assert len(extract.partners) == 4
    assert problems_by_row(extract.projects) == {
        2: [
            (
                "unreadable_value",
                "call_round",
                "1999",
                "sheet 'projects' row 2: 1999 is not between 2015 and 2035",
            ),
            (
                "unreadable_value",
                "subsidy_eur",
                "-5000",
                "sheet 'projects' row 2: negative amount: -5000",
            ),
            (
                "unreadable_value",
                "students_reached",
                "True",
                "sheet 'projects' row 2: a TRUE/FALSE cell, not a number: True",
            ),
            (
                "unreadable_value",
                "website",
                "www.lc-x.nl",
                "sheet 'projects' row 2: not a web address (http:// or https://): 'www.lc-x.nl'",
            ),
        ],
        3: [
            (
                "unreadable_value",
                "programme",
                "KIC",
                "sheet 'projects' row 3: 'KIC' is not one of MOOI, GroenvermogenNL",
            ),
            ("required_value", "lc_name", None, "sheet 'projects' row 3: required, but empty"),
            (
                "unreadable_value",
                "start_date",
                "45536",
                "sheet 'projects' row 3: a number, not a date: 45536 (format the cell as a date)",
            ),
            (
                "unreadable_value",
                "subsidy_eur",
                "\u20ac 1,5 ton",
                "sheet 'projects' row 3: not an amount: '\u20ac 1,5 ton'",
            ),
            (
                "unreadable_value",
                "students_reached",
                "1.5",
                "sheet 'projects' row 3: not a whole number: '1.5'",
            ),
            (
                "one_penvoerder",
                "penvoerder",
                "X-2",
                "no penvoerder on sheet 'partners' (rows 3); exactly one is required",
            ),
        ],
        4: [
            (
                "one_penvoerder",
                "penvoerder",
                "X-3",
                "no penvoerder on sheet 'partners' (no rows); exactly one is required",
            ),
        ],
    }
    assert problems_by_row(extract.partners) == {
        2: [
            (
                "unreadable_value",
                "postcode",
                "1234 A",
                "sheet 'partners' row 2: not a Dutch postcode (1234 AB): '1234 A'",
            ),
        ],
        4: [
            (
                "unreadable_value",
                "role",
                "trekker",
                "sheet 'partners' row 4: 'trekker' is not one of penvoerder, partner",
            ),
        ],
    }
    x1, x2, _, x4 = extract.projects
    assert (x1["call_round"], x1["subsidy_eur"], x1["students_reached"], x1["website"]) == (
        None,
        None,
        None,
        None,
    )
    assert (x1["lc_name"], x1["start_date"], x1["related_grant"]) == (
        "LC X",
        date(2024, 9, 1),
        "MOOI52101",
    )
    assert (x2["programme"], x2["lc_name"], x2["start_date"], x2["subsidy_eur"]) == (
        None,
        None,
        None,
        None,
    )
    # Without a readable round, the register's single call; without a programme, no check.
    assert (x1["call_id"], x2["call_id"]) == ("mooi_lc_2024", "mooi_lc_2024")
    assert PROBLEMS not in x4 and x4["call_id"] == "mooi_lc_2024"
    assert extract.partners[2]["role"] is None  # "trekker": X-1 still has its one penvoerder


def test_duplicate_register_id_flags_every_row_with_it(tmp_path: Path, catalogue: CallCatalogue):
    folder = _gvnl_copy(tmp_path)

    def copies(rows: list[list[str]]) -> None:
        col = {name: i for i, name in enumerate(rows[0])}
        nw = next(r for r in rows if r[col["register_id"]] == "GVNL-LC-NW")
        assert rows.index(nw) == 5  # row 6
        for name in ("Kopie een", "Kopie twee"):  # rows 9 and 10
            rows.append([name if i == col["lc_name"] else cell for i, cell in enumerate(nw)])

    _edit_csv(folder / "projects.csv", copies)
    extract = read_register(folder, source="gvnl_register", catalogue=catalogue)
    problem = (
        "unique_id",
        "register_id",
        "GVNL-LC-NW",
        "sheet 'projects': 'GVNL-LC-NW' appears 3 times (rows 6, 9, 10); it must be unique",
    )
    assert problems_by_row(extract.projects) == {6: [problem], 9: [problem], 10: [problem]}
    assert not any(PROBLEMS in p for p in extract.partners)
    rows = {p["source_row"]: p for p in extract.projects}
    assert [rows[n]["lc_name"] for n in (6, 9, 10)] == [
        "Learning Community Waterstof Noordwest",
        "Kopie een",
        "Kopie twee",
    ]
    assert all(rows[n]["register_id"] == "GVNL-LC-NW" for n in (6, 9, 10))
    assert len(extract.projects) == 9


def test_lc_without_penvoerder_or_with_two_is_a_problem_of_its_project_row(
    tmp_path: Path, catalogue: CallCatalogue
):
    folder = _gvnl_copy(tmp_path)

    def roles(rows: list[list[str]]) -> None:
        col = {name: i for i, name in enumerate(rows[0])}
        for row in rows[1:]:
            if row[col["register_id"]] == "GVNL-LC-ZW":
                row[col["role"]] = "partner"
            if row[col["register_id"]] == "GVNL-LC-OOST":
                row[col["role"]] = "penvoerder"

    _edit_csv(folder / "partners.csv", roles)
    extract = read_register(folder, source="gvnl_register", catalogue=catalogue)
    partners_csv = folder / "partners.csv"
    zw_rows = _rows_of(partners_csv, "GVNL-LC-ZW")
    oost_rows = _rows_of(partners_csv, "GVNL-LC-OOST", role="penvoerder")
    assert len(zw_rows) > 1 and oost_rows == _rows_of(partners_csv, "GVNL-LC-OOST")
    projects = csv_rows(GVNL_SAMPLE / "projects.csv")
    row_of = {p["register_id"]: n for n, p in enumerate(projects, start=2)}
    assert problems_by_row(extract.projects) == {
        row_of["GVNL-LC-ZW"]: [
            (
                "one_penvoerder",
                "penvoerder",
                "GVNL-LC-ZW",
                f"no penvoerder on sheet 'partners' (rows {', '.join(map(str, zw_rows))}); "
                "exactly one is required",
            ),
        ],
        row_of["GVNL-LC-OOST"]: [
            (
                "one_penvoerder",
                "penvoerder",
                "GVNL-LC-OOST",
                f"{len(oost_rows)} penvoerders on sheet 'partners' (rows "
                f"{', '.join(map(str, oost_rows))}); exactly one is allowed",
            ),
        ],
    }
    # The LC's partner rows are fine in themselves: the problem is the LC's.
    assert not any(PROBLEMS in p for p in extract.partners)
    assert len(extract.partners) == len(csv_rows(GVNL_SAMPLE / "partners.csv"))


def test_partner_of_an_unknown_lc(tmp_path: Path, catalogue: CallCatalogue):
    partners = xlsx_rows(MOOI_SAMPLE, "partners")
    row = next(n for n, p in enumerate(partners, start=2) if p["organisation"] == "TU/e")

    def edit(workbook: openpyxl.Workbook) -> None:
        sheet = workbook["Partners"]
        sheet.cell(row, _columns(sheet)["register_id"]).value = "MOOI-LC-2024-99"

    path = _mooi_copy(tmp_path, edit)
    extract = read_register(path, source="mooi_register", catalogue=catalogue)
    assert problems_by_row(extract.partners) == {
        row: [
            (
                "known_parent",
                "register_id",
                "MOOI-LC-2024-99",
                f"sheet 'Partners' row {row}: 'MOOI-LC-2024-99' is not a register_id of sheet "
                "'Projects'",
            )
        ]
    }
    assert not any(PROBLEMS in p for p in extract.projects)
    orphan = next(p for p in extract.partners if p["source_row"] == row)
    assert (orphan["organisation"], orphan["register_id"], orphan["partner_seq"]) == (
        "TU/e",
        "MOOI-LC-2024-99",
        1,
    )
    assert len(extract.partners) == len(partners)


def test_grant_formats_and_date_order_are_left_to_the_quality_rules(
    tmp_path: Path, catalogue: CallCatalogue
):
    """The connector does not check related_grant formats nor that the end is not before the
    start: the raw suites do (expectations/), so the cells pass through as written."""
    assert not hasattr(schema, "GRANT_PATTERNS")

    def edit(workbook: openpyxl.Workbook) -> None:
        sheet = workbook["Projects"]
        col = _columns(sheet)
        sheet.cell(2, col["related_grant"]).value = "NGF.1623.24.001"  # an NWO file number
        sheet.cell(3, col["related_grant"]).value = "MOOI123"  # too few digits
        sheet.cell(4, col["related_grant"]).value = "zie consortium"
        sheet.cell(5, col["start_date"]).value = date(2026, 1, 1)
        sheet.cell(5, col["end_date"]).value = "1 januari 2025"  # a year before the start

    extract = read_register(_mooi_copy(tmp_path, edit), source="mooi_register", catalogue=catalogue)
    assert_no_problems(extract)
    grants = [p["related_grant"] for p in extract.projects]
    assert grants[:4] == ["NGF.1623.24.001", "MOOI123", "zie consortium", "MOOI52109"]
    fourth = extract.projects[3]
    assert (fourth["start_date"], fourth["end_date"]) == (date(2026, 1, 1), date(2025, 1, 1))

    folder = _gvnl_copy(tmp_path)

    def gvnl_edit(rows: list[list[str]]) -> None:
        col = {name: i for i, name in enumerate(rows[0])}
        rows[1][col["related_grant"]] = "MOOI52101"  # a MOOI number in the NWO register
        rows[2][col["end_date"]] = "2020-01-01"  # before "1 april 2024"

    _edit_csv(folder / "projects.csv", gvnl_edit)
    gvnl = read_register(folder, source="gvnl_register", catalogue=catalogue)
    assert_no_problems(gvnl)
    assert gvnl.projects[0]["related_grant"] == "MOOI52101"
    assert (gvnl.projects[1]["start_date"], gvnl.projects[1]["end_date"]) == (
        date(2024, 4, 1),
        date(2020, 1, 1),
    )


def test_many_bad_cells_are_all_on_their_records(catalogue: CallCatalogue):
    partners = "register_id;organisation;organisation_type;role\nR-1;Lead;wo;penvoerder\n"
    partners += "".join(f"R-1;Org {i};multinational;partner\n" for i in range(60))
    files = {
        "projects.csv": b"register_id;programme;lc_name\nR-1;MOOI;LC R\n",
        "partners.csv": partners.encode(),
    }
    extract = parse_register(files, source="mooi_register", catalogue=catalogue)
    assert len(extract.partners) == 61
    assert PROBLEMS not in extract.partners[0] and PROBLEMS not in extract.projects[0]
    expected = {
        row: [
            (
                "unreadable_value",
                "organisation_type",
                "multinational",
                f"sheet 'partners' row {row}: 'multinational' is not one of {TYPES}",
            )
        ]
        for row in range(3, 63)
    }
    assert problems_by_row(extract.partners) == expected  # no cap: every one of the 60
    assert len(extract.problems) == 60
    assert extract.problems[-1] == (
        f"R-1: organisation_type: sheet 'partners' row 62: 'multinational' is not one of {TYPES}"
    )
    assert [p["partner_seq"] for p in extract.partners] == list(range(1, 62))


# --- a broken structure fails the register -------------------------------------------------


def test_missing_required_column_names_it(tmp_path: Path, catalogue: CallCatalogue):
    path = _mooi_copy(tmp_path, lambda wb: wb["Partners"].delete_cols(3))  # organisation_type
    with pytest.raises(SourceError) as error:
        read_register(path, source="mooi_register", catalogue=catalogue)
    assert error.value.field == "organisation_type"
    assert (
        f"[mooi_register] {path}: field 'organisation_type': sheet 'Partners' has no "
        "column 'organisation_type'" in str(error.value)
    )

    folder = _gvnl_copy(tmp_path)
    _edit_csv(folder / "projects.csv", lambda rows: [row.pop(2) for row in rows])  # lc_name
    with pytest.raises(
        SourceError,
        match=rf"\[gvnl_register\] {folder / 'projects.csv'}: "
        r"field 'lc_name': sheet 'projects' has no column 'lc_name' \(header: "
        r"register_id, programme, region",
    ):
        read_register(folder, source="gvnl_register", catalogue=catalogue)


def test_template_column_twice_in_the_header(catalogue: CallCatalogue):
    projects = b"register_id;programme;lc_name;Programme \nR-1;MOOI;LC;MOOI\n"
    partners = b"register_id;organisation;organisation_type;role\nR-1;A;wo;penvoerder\n"
    with pytest.raises(SourceError, match="sheet 'projects': column 'programme' appears twice"):
        parse_register(
            {"projects.csv": projects, "partners.csv": partners}, source="t", catalogue=catalogue
        )


def test_missing_sheet_names_it(tmp_path: Path, catalogue: CallCatalogue):
    path = _mooi_copy(tmp_path, lambda wb: wb.remove(wb["Partners"]))
    with pytest.raises(SourceError) as error:
        read_register(path, source="mooi_register", catalogue=catalogue)
    assert error.value.field == "partners"
    assert (
        f"[mooi_register] {path}: field 'partners': no sheet named 'partners' (sheets: "
        "Projects, README)" in str(error.value)
    )


def test_register_without_any_lc_fails(tmp_path: Path, catalogue: CallCatalogue):
    folder = _gvnl_copy(tmp_path)
    header = (GVNL_SAMPLE / "projects.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    # The header and a blank row (as a spreadsheet exports it); the partners are still there.
    (folder / "projects.csv").write_text(f"{header}\n;;;;;;;;;;;\n", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        read_register(folder, source="gvnl_register", catalogue=catalogue)
    assert str(error.value) == (
        f"[gvnl_register] {folder / 'projects.csv'} + {folder / 'partners.csv'}: sheet "
        "'projects' has no rows: an empty register is not loaded"
    )


# --- files that are not registers ----------------------------------------------------------


def test_truncated_or_wrong_file_is_refused(
    tmp_path: Path, httpserver: HTTPServer, fast_policy, catalogue: CallCatalogue
):
    truncated = tmp_path / "register.xlsx"
    data = MOOI_SAMPLE.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        SourceError,
        match=rf"\[mooi_register\] {truncated}: not an xlsx workbook \(not a zip archive; "
        "truncated",
    ):
        read_register(truncated, source="mooi_register", catalogue=catalogue)

    # A sign-in page served with 200 where the workbook was expected.
    httpserver.expect_request("/login.xlsx").respond_with_data(
        "<html><body>Log in to SharePoint</body></html>", content_type="text/html"
    )
    url = httpserver.url_for("/login.xlsx")
    with pytest.raises(SourceError, match=rf"\[mooi_register\] {url}: not an xlsx workbook"):
        read_register(url, source="mooi_register", catalogue=catalogue, policy=fast_policy)

    for name in ("projects.csv", "partners.csv"):
        httpserver.expect_request(f"/sp/{name}").respond_with_data(
            "<!DOCTYPE html><html><body>Sign in</body></html>", content_type="text/html"
        )
    with pytest.raises(
        SourceError,
        match=r"/sp/projects\.csv: field 'projects': not a csv file: it looks like an HTML",
    ):
        read_register(
            httpserver.url_for("/sp"),
            source="gvnl_register",
            catalogue=catalogue,
            policy=fast_policy,
        )

    # A zip that is not a workbook.
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    with pytest.raises(SourceError, match=r"other\.xlsx: cannot open the workbook"):
        parse_register(
            {"other.xlsx": other.getvalue()}, source="mooi_register", catalogue=catalogue
        )


def test_workbook_xml_with_entities_is_refused(catalogue: CallCatalogue):
    """defusedxml is in force: an entity declaration in a sheet is refused, not expanded."""
    source = zipfile.ZipFile(io.BytesIO(MOOI_SAMPLE.read_bytes()))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = (
                    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                    + content.replace(b"Register_ID", b"&lol2;")
                )
            target.writestr(info, content)
    with pytest.raises(
        SourceError,
        match=r"bomb\.xlsx: cannot (open the workbook|read sheet "
        r"'Projects'): its XML declares entities or a DTD, refused as unsafe",
    ):
        parse_register({"bomb.xlsx": bomb.getvalue()}, source="mooi_register", catalogue=catalogue)


def test_missing_file_or_folder(tmp_path: Path, catalogue: CallCatalogue):
    missing = tmp_path / "nope.xlsx"
    with pytest.raises(
        SourceError, match=rf"\[mooi_register\] {missing}: cannot read the register: No such file"
    ):
        read_register(missing, source="mooi_register", catalogue=catalogue)
    (tmp_path / "half").mkdir()
    shutil.copy(GVNL_SAMPLE / "projects.csv", tmp_path / "half")
    with pytest.raises(
        SourceError,
        match=rf"\[gvnl_register\] {tmp_path}/half/partners\.csv: cannot read the register "
        "file: No such file",
    ):
        read_register(tmp_path / "half", source="gvnl_register", catalogue=catalogue)
    with pytest.raises(SourceError, match=r"projects\.csv: a csv register is a folder"):
        read_register(GVNL_SAMPLE / "projects.csv", source="gvnl_register", catalogue=catalogue)


# --- the same registers over HTTP ----------------------------------------------------------


def test_registers_by_url_match_the_files(
    httpserver: HTTPServer, patient_policy, catalogue: CallCatalogue
):
    httpserver.expect_request("/office/mooi.xlsx").respond_with_data(
        MOOI_SAMPLE.read_bytes(), content_type=XLSX
    )
    for name in ("projects.csv", "partners.csv"):
        # A share link's query (an access token) goes with each file.
        httpserver.expect_request(
            f"/office/gvnl/{name}", query_string="token=abc"
        ).respond_with_data((GVNL_SAMPLE / name).read_bytes(), content_type="text/csv")
    mooi_url = httpserver.url_for("/office/mooi.xlsx")
    mooi = read_register(
        mooi_url, source="mooi_register", catalogue=catalogue, policy=patient_policy
    )
    gvnl_url = httpserver.url_for("/office/gvnl/") + "?token=abc"
    gvnl = read_register(
        gvnl_url, source="gvnl_register", catalogue=catalogue, policy=patient_policy
    )
    mooi_disk = read_register(MOOI_SAMPLE, source="mooi_register", catalogue=catalogue)
    gvnl_disk = read_register(GVNL_SAMPLE, source="gvnl_register", catalogue=catalogue)
    assert (mooi.projects, mooi.partners) == (mooi_disk.projects, mooi_disk.partners)
    assert (gvnl.projects, gvnl.partners) == (gvnl_disk.projects, gvnl_disk.partners)
    assert {p["call_id"] for p in mooi.projects} == {"mooi_lc_2024"}
    assert {p["call_id"] for p in gvnl.projects} == {"gvnl_lc_register"}
    assert content_sha256(gvnl) == content_sha256(gvnl_disk)
    assert content_sha256(mooi) == content_sha256(mooi_disk)
    assert [(f.name, f.content) for f in mooi.raw_files] == [
        ("mooi.xlsx", MOOI_SAMPLE.read_bytes())
    ]
    assert mooi.raw_files[0].location == mooi_url
    assert [f.name for f in gvnl.raw_files] == ["projects.csv", "partners.csv"]
    assert "token" not in gvnl.raw_files[0].location  # raw file locations go to the manifest
    assert all(r.headers["User-Agent"] == patient_policy.user_agent for r, _ in httpserver.log)


def test_register_with_problems_over_http_equals_the_same_file(
    tmp_path: Path, httpserver: HTTPServer, patient_policy, catalogue: CallCatalogue
):
    def edit(workbook: openpyxl.Workbook) -> None:
        sheet = workbook["Projects"]
        sheet.cell(3, _columns(sheet)["subsidy_eur"]).value = "veel"

    path = _mooi_copy(tmp_path, edit)
    httpserver.expect_request("/office/mooi.xlsx").respond_with_data(
        path.read_bytes(), content_type=XLSX
    )
    url = httpserver.url_for("/office/mooi.xlsx")
    over_http = read_register(
        url, source="mooi_register", catalogue=catalogue, policy=patient_policy
    )
    from_file = read_register(path, source="mooi_register", catalogue=catalogue)
    assert over_http.projects == from_file.projects
    assert (
        over_http.problems
        == from_file.problems
        == ["MOOI-LC-2024-02: subsidy_eur: sheet 'Projects' row 3: not an amount: 'veel'"]
    )
    assert content_sha256(over_http) == content_sha256(from_file)
    # The problem is part of the content: a fixed cell is a new version of the register.
    assert content_sha256(from_file) != content_sha256(
        read_register(MOOI_SAMPLE, source="mooi_register", catalogue=catalogue)
    )


# --- servers that misbehave ----------------------------------------------------------------


def test_server_down_and_slow(httpserver: HTTPServer, fast_policy, catalogue: CallCatalogue):
    httpserver.expect_request("/down/projects.csv").respond_with_data("oops", status=500)
    url = httpserver.url_for("/down")
    with pytest.raises(
        SourceError,
        match=r"\[gvnl_register\] .*/down/projects\.csv: GET "
        r"\(register projects\) failed after 3 attempts; last: HTTP 500",
    ):
        read_register(url, source="gvnl_register", catalogue=catalogue, policy=fast_policy)
    assert len(httpserver.log) == 3  # retried, then gave up

    def slow(request: Request) -> Response:
        time.sleep(fast_policy.timeout_s + 0.5)
        return Response(MOOI_SAMPLE.read_bytes(), content_type=XLSX)

    httpserver.expect_request("/slow.xlsx").respond_with_handler(slow)
    with pytest.raises(
        SourceError,
        match=r"slow\.xlsx: GET \(register workbook\) failed .*timed out after 1 s",
    ):
        read_register(
            httpserver.url_for("/slow.xlsx"),
            source="mooi_register",
            catalogue=catalogue,
            policy=fast_policy,
        )


def test_missing_file_on_server_and_server_unreachable(
    httpserver: HTTPServer, fast_policy, catalogue: CallCatalogue
):
    httpserver.expect_request("/gvnl/projects.csv").respond_with_data(
        (GVNL_SAMPLE / "projects.csv").read_bytes(), content_type="text/csv"
    )
    httpserver.expect_request("/gvnl/partners.csv").respond_with_data("gone", status=404)
    partners_url = httpserver.url_for("/gvnl/partners.csv")
    with pytest.raises(
        SourceError,
        match=rf"\[gvnl_register\] {partners_url}: GET \(register partners\) failed: HTTP 404",
    ):
        read_register(
            httpserver.url_for("/gvnl/"),
            source="gvnl_register",
            catalogue=catalogue,
            policy=fast_policy,
        )

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/register.xlsx"
    with pytest.raises(
        SourceError,
        match=rf"\[mooi_register\] {url}: GET \(register workbook\) failed after 3 attempts; "
        "last: connection failed",
    ):
        read_register(url, source="mooi_register", catalogue=catalogue, policy=fast_policy)


def test_url_without_policy_is_a_programming_error(catalogue: CallCatalogue):
    with pytest.raises(ValueError, match="HTTP policy"):
        read_register(
            "https://example.invalid/register.xlsx", source="mooi_register", catalogue=catalogue
        )
