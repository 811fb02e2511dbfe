"""The register connector on the bundled xlsx and csv registers, over HTTP, and on bad input."""

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

from sources.errors import SourceError
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
)
from sources.registers import sample_generator as generator

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def assert_one_penvoerder_each(projects: list[dict], partners: list[dict]) -> None:
    for project in projects:
        roles = [p["role"] for p in partners if p["register_id"] == project["register_id"]]
        assert roles.count("penvoerder") == 1, project["register_id"]


# --- the bundled samples -------------------------------------------------------------------


def test_mooi_xlsx_sample():
    extract = read_register(MOOI_SAMPLE, source="mooi_register")
    projects, partners = xlsx_rows(MOOI_SAMPLE, "projects"), xlsx_rows(MOOI_SAMPLE, "partners")
    assert extract.source == "mooi_register" and extract.file_format == "xlsx"
    assert extract.location == str(MOOI_SAMPLE)
    assert [f.content for f in extract.raw_files] == [MOOI_SAMPLE.read_bytes()]
    assert extract.counts == {"projects": len(projects), "partners": len(partners)}
    assert len(projects) == 6 and 4 * 6 <= len(partners) <= 8 * 6
    assert all(list(p) == list(PROJECT_COLUMNS) for p in extract.projects)
    assert all(list(p) == list(PARTNER_COLUMNS) for p in extract.partners)
    # "Register_ID", "LC_name " and "Subsidy_EUR" in the header; "opmerking" is extra.
    assert extract.extra_columns == ["Projects.opmerking"]
    assert any("opmerking" in w for w in extract.warnings)
    # Row numbers as Excel shows them: the header is row 1, the trailing blank row is skipped.
    assert [p["source_row"] for p in extract.projects] == list(range(2, 8))
    assert [p["source_row"] for p in extract.partners] == list(range(2, len(partners) + 2))

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
        "MOOI52101", "MOOI52104", "MOOI52107", "MOOI52109", "MOOI52112", "MOOI52115"
    }  # fmt: skip
    assert all(p["programme"] == "MOOI" and p["call_round"] == 2024 for p in extract.projects)
    # the 2024 LC scheme was €1M in total
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


def test_gvnl_csv_sample():
    extract = read_register(GVNL_SAMPLE, source="gvnl_register")
    projects = csv_rows(GVNL_SAMPLE / "projects.csv")
    partners = csv_rows(GVNL_SAMPLE / "partners.csv")
    raw = (GVNL_SAMPLE / "projects.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]  # Excel's CSV UTF-8
    assert extract.file_format == "csv"
    assert [f.name for f in extract.raw_files] == ["projects.csv", "partners.csv"]
    assert [p["register_id"] for p in extract.projects] == [p["register_id"] for p in projects]
    assert len(extract.partners) == len(partners)
    assert_one_penvoerder_each(extract.projects, extract.partners)
    types = {p["organisation_type"] for p in extract.partners}
    assert {"mbo", "hbo", "wo", "bedrijf", "overheid"} <= types <= set(ORGANISATION_TYPES)
    assert {p["programme"] for p in extract.projects} == {"GroenvermogenNL"}

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
    assert oost["subsidy_eur"] == 3_700_000  # "€ 3,7 miljoen"
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


def test_template_has_the_header_only():
    workbook = openpyxl.load_workbook(TEMPLATE, read_only=True)
    assert {"projects", "partners", "README"} <= set(workbook.sheetnames)
    projects_header = next(workbook["projects"].iter_rows(values_only=True))
    partners_header = next(workbook["partners"].iter_rows(values_only=True))
    assert list(projects_header) == [c for c in PROJECT_COLUMNS if c != "source_row"]
    assert set(partners_header) == set(PARTNER_COLUMNS) - {"partner_seq", "source_row"}
    documented = (TEMPLATE.parent / "TEMPLATE.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in documented for name in projects_header + partners_header)
    with pytest.raises(SourceError, match="sheet 'projects' has no rows"):
        read_register(TEMPLATE, source="template")


# --- parsing in memory ---------------------------------------------------------------------


def test_parse_register_from_bytes_comma_csv_without_bom():
    projects = (
        "Register_ID , programme,lc_name,subsidy_eur,start_date,end_date,opmerking\r\n"
        'T-1,mooi,LC Een,"€ 1,8 miljoen",1 juli 2022,30-06-2026,\r\n'
        "T-2,GROENVERMOGENNL,LC Twee,,2024-03-19,,nog geen bedrag\r\n"
        ",,,,,,\r\n"
    ).encode()
    partners = (
        b"register_id,organisation,organisation_type,role,postcode\n"
        b"T-1,Hogeschool A,HBO,penvoerder,1234ab\n"
        b"T-2,Bedrijf B,bedrijf,Penvoerder,\n"
        b"T-1,Gemeente C,overheid,partner,\n"
    )
    extract = parse_register({"projects.csv": projects, "partners.csv": partners}, source="t")
    assert extract.file_format == "csv" and extract.location == "projects.csv + partners.csv"
    one, two = extract.projects
    assert (one["programme"], one["subsidy_eur"]) == ("MOOI", 1_800_000)
    assert (one["start_date"], one["end_date"]) == (date(2022, 7, 1), date(2026, 6, 30))
    assert (two["programme"], two["subsidy_eur"], two["end_date"]) == ("GroenvermogenNL", None,
                                                                        None)  # fmt: skip
    assert [(p["register_id"], p["partner_seq"], p["source_row"]) for p in extract.partners] == [
        ("T-1", 1, 2), ("T-2", 1, 3), ("T-1", 2, 4)
    ]  # fmt: skip
    assert extract.partners[0]["postcode"] == "1234 AB"
    assert extract.partners[0]["organisation_type"] == "hbo"
    assert extract.extra_columns == ["projects.opmerking"]


def test_parse_register_from_bytes_xlsx_with_dutch_sheet_names():
    data = workbook_bytes({
        "Projecten": [
            ["register_id", "programme", "lc_name", "start_date", "subsidy_eur", "call_round"],
            ["X-1", "MOOI", "LC X", date(2024, 9, 1), 150000, 2024.0],
            [None, None, None, None, None, None],
        ],
        "PARTNERS ": [
            ["register_id", "organisation", "organisation_type", "role"],
            ["X-1", "ROC X", "mbo", "penvoerder"],
        ],
    })  # fmt: skip
    extract = parse_register({"register.xlsx": data}, source="t")
    assert extract.file_format == "xlsx"
    (project,) = extract.projects
    assert (project["start_date"], project["subsidy_eur"]) == (date(2024, 9, 1), 150_000.0)
    assert project["call_round"] == 2024 and project["website"] is None
    assert extract.partners[0]["partner_seq"] == 1


def test_parse_register_refuses_unknown_file_sets():
    with pytest.raises(SourceError, match=r"expected one \.xlsx workbook or the files"):
        parse_register({"projects.csv": b"register_id\n"}, source="t")


# --- the same registers over HTTP ----------------------------------------------------------


def test_registers_by_url_match_the_files(httpserver: HTTPServer, patient_policy):
    httpserver.expect_request("/office/mooi.xlsx").respond_with_data(
        MOOI_SAMPLE.read_bytes(), content_type=XLSX
    )
    for name in ("projects.csv", "partners.csv"):
        # A share link's query (an access token) goes with each file.
        httpserver.expect_request(
            f"/office/gvnl/{name}", query_string="token=abc"
        ).respond_with_data((GVNL_SAMPLE / name).read_bytes(), content_type="text/csv")
    mooi_url = httpserver.url_for("/office/mooi.xlsx")
    mooi = read_register(mooi_url, source="mooi_register", policy=patient_policy)
    gvnl_url = httpserver.url_for("/office/gvnl/") + "?token=abc"
    gvnl = read_register(gvnl_url, source="gvnl_register", policy=patient_policy)
    mooi_disk = read_register(MOOI_SAMPLE, source="mooi_register")
    gvnl_disk = read_register(GVNL_SAMPLE, source="gvnl_register")
    assert (mooi.projects, mooi.partners) == (mooi_disk.projects, mooi_disk.partners)
    assert (gvnl.projects, gvnl.partners) == (gvnl_disk.projects, gvnl_disk.partners)
    assert content_sha256(gvnl) == content_sha256(gvnl_disk)
    assert content_sha256(mooi) == content_sha256(mooi_disk)
    assert [(f.name, f.content) for f in mooi.raw_files] == [
        ("mooi.xlsx", MOOI_SAMPLE.read_bytes())
    ]
    assert mooi.raw_files[0].location == mooi_url
    assert [f.name for f in gvnl.raw_files] == ["projects.csv", "partners.csv"]
    assert "token" not in gvnl.raw_files[0].location  # raw file locations go to the manifest
    assert all(r.headers["User-Agent"] == patient_policy.user_agent
               for r, _ in httpserver.log)  # fmt: skip


# --- bad content ---------------------------------------------------------------------------


def _gvnl_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "gvnl"
    shutil.copytree(GVNL_SAMPLE, folder)
    return folder


def _edit_csv(path: Path, edit) -> None:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    edit(rows)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_every_bad_cell_is_reported_with_sheet_row_and_column(tmp_path: Path):
    folder = _gvnl_copy(tmp_path)

    def break_projects(rows: list[list[str]]) -> None:
        col = {name: i for i, name in enumerate(rows[0])}
        rows[1][col["subsidy_eur"]] = "veel"  # row 2
        rows[2][col["start_date"]] = "binnenkort"  # row 3
        rows[3][col["end_date"]] = "2020-01-01"  # row 4: before its start
        rows[4][col["register_id"]] = rows[5][col["register_id"]]  # rows 5 and 6 share an id
        rows[6][col["related_grant"]] = "MOOI52101"  # row 7: not an NWO file number
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
    with pytest.raises(SourceError) as error:
        read_register(folder, source="gvnl_register")
    message = str(error.value)
    assert message.startswith(f"[gvnl_register] {folder / 'projects.csv'} + "
                              f"{folder / 'partners.csv'}:")  # fmt: skip
    expected = [
        "sheet 'projects' row 2 column 'subsidy_eur': not an amount: 'veel'",
        "sheet 'projects' row 3 column 'start_date': not a date: 'binnenkort'",
        "sheet 'projects' row 4 column 'end_date': 2020-01-01 is before start_date",
        "sheet 'projects' row 5 column 'register_id': 'GVNL-LC-NW' appears 2 times (rows 5, 6)",
        "sheet 'projects' row 6 column 'register_id': 'GVNL-LC-NW' appears 2 times (rows 5, 6)",
        "sheet 'projects' row 7 column 'related_grant': 'MOOI52101' is not a GroenvermogenNL",
        "sheet 'projects' row 8 column 'students_reached': -3 is not at least 0",
        "sheet 'partners' row 2 column 'role': 'GVNL-LC-ZW' has no penvoerder (rows 2, 3, 4, 6",
        "sheet 'partners' row 3 column 'organisation_type': 'multinational' is not one of",
        "sheet 'partners' row 4 column 'postcode': not a Dutch postcode (1234 AB): '43821'",
        "sheet 'partners' row 5 column 'register_id': 'GVNL-LC-ONBEKEND' is not a register_id",
        "sheet 'partners' row 6 column 'organisation': required, but empty",
    ]
    for line in expected:
        assert line in message, line
    # One line per bad cell, in reading order: projects first, then partners, by row.
    positions = [message.index(line) for line in expected]
    assert positions == sorted(positions)
    assert error.value.field == "subsidy_eur"
    assert error.value.location == f"{folder / 'projects.csv'} + {folder / 'partners.csv'}"


def test_bad_xlsx_cells_of_every_kind_at_once():
    data = workbook_bytes({
        "projects": [
            ["register_id", "programme", "lc_name", "related_grant", "call_round", "start_date",
             "end_date", "subsidy_eur", "students_reached", "website"],
            ["X-1", "MOOI", "LC X", "MOOI123", 1999, date(2024, 9, 1), date(2024, 1, 1), -5000,
             True, "www.lc-x.nl"],
            ["X-2", "KIC", None, None, None, 45536, None, "€ 1,5 ton", 1.5, None],
            ["X-3", "MOOI", "LC Z", None, None, None, None, None, None, None],
        ],
        "partners": [
            ["register_id", "organisation", "organisation_type", "role", "postcode"],
            ["X-1", "Bedrijf", "bedrijf", "penvoerder", "1234 A"],
            ["X-2", "School", "mbo", "partner", None],
            ["X-1", "Hogeschool", "hbo", "trekker", None],
        ],
    })  # fmt: skip
    with pytest.raises(SourceError) as error:
        parse_register({"register.xlsx": data}, source="mooi_register")
    assert error.value.field == "call_round"
    assert str(error.value).split("\n") == [
        "[mooi_register] register.xlsx: field 'call_round': 15 bad cell(s):",
        "sheet 'projects' row 2 column 'call_round': 1999 is not between 2015 and 2035",
        "sheet 'projects' row 2 column 'subsidy_eur': negative amount: -5000",
        "sheet 'projects' row 2 column 'students_reached': a TRUE/FALSE cell, not a number: True",
        "sheet 'projects' row 2 column 'website': not a web address (http:// or https://): "
        "'www.lc-x.nl'",
        "sheet 'projects' row 2 column 'related_grant': 'MOOI123' is not a MOOI grant number "
        r"(^MOOI\d{5,6}$)",
        "sheet 'projects' row 2 column 'end_date': 2024-01-01 is before start_date 2024-09-01",
        "sheet 'projects' row 3 column 'programme': 'KIC' is not one of MOOI, GroenvermogenNL",
        "sheet 'projects' row 3 column 'lc_name': required, but empty",
        "sheet 'projects' row 3 column 'start_date': a number, not a date: 45536 (format the "
        "cell as a date)",
        "sheet 'projects' row 3 column 'subsidy_eur': not an amount: '€ 1,5 ton'",
        "sheet 'projects' row 3 column 'students_reached': not a whole number: '1.5'",
        "sheet 'projects' row 4 column 'register_id': 'X-3' has no rows on sheet 'partners'; "
        "a penvoerder is required",
        "sheet 'partners' row 2 column 'postcode': not a Dutch postcode (1234 AB): '1234 A'",
        "sheet 'partners' row 3 column 'role': 'X-2' has no penvoerder (row 3); exactly one is "
        "required",
        "sheet 'partners' row 4 column 'role': 'trekker' is not one of penvoerder, partner",
    ]


def test_lc_without_penvoerder_or_with_two(tmp_path: Path):
    folder = _gvnl_copy(tmp_path)

    def roles(rows: list[list[str]]) -> None:
        col = {name: i for i, name in enumerate(rows[0])}
        for row in rows[1:]:
            if row[col["register_id"]] == "GVNL-LC-ZW":
                row[col["role"]] = "partner"
            if row[col["register_id"]] == "GVNL-LC-OOST":
                row[col["role"]] = "penvoerder"

    _edit_csv(folder / "partners.csv", roles)
    with pytest.raises(SourceError) as error:
        read_register(folder, source="gvnl_register")
    message = str(error.value)
    partners = csv_rows(GVNL_SAMPLE / "partners.csv")
    zw_rows = [n for n, r in enumerate(partners, start=2) if r["register_id"] == "GVNL-LC-ZW"]
    oost_rows = [n for n, r in enumerate(partners, start=2) if r["register_id"] == "GVNL-LC-OOST"]
    rows = ", ".join(map(str, zw_rows))
    assert f"sheet 'partners' row {zw_rows[0]} column 'role': 'GVNL-LC-ZW' has no penvoerder " \
        f"(rows {rows}); exactly one is required" in message  # fmt: skip
    for row in oost_rows:
        assert f"sheet 'partners' row {row} column 'role': 'GVNL-LC-OOST' has " \
            f"{len(oost_rows)} penvoerders; exactly one is allowed" in message  # fmt: skip


def test_many_bad_cells_are_capped(tmp_path: Path):
    partners = "register_id;organisation;organisation_type;role\nR-1;Lead;wo;penvoerder\n"
    partners += "".join(f"R-1;Org {i};multinational;partner\n" for i in range(60))
    extract_files = {
        "projects.csv": b"register_id;programme;lc_name\nR-1;MOOI;LC R\n",
        "partners.csv": partners.encode(),
    }
    with pytest.raises(SourceError) as error:
        parse_register(extract_files, source="t")
    message = str(error.value)
    assert "60 bad cell(s):" in message
    assert message.count("column 'organisation_type': 'multinational'") == 50
    assert message.endswith("sheet 'partners' row 52 column 'organisation_type': "
                            "'multinational' is not one of bedrijf, kennisinstelling, mbo, hbo, "
                            "wo, overheid, overig\nand 10 more")  # fmt: skip


def test_missing_required_column_names_it(tmp_path: Path):
    workbook = openpyxl.load_workbook(MOOI_SAMPLE)
    workbook["Partners"].delete_cols(3)  # organisation_type
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    with pytest.raises(SourceError) as error:
        read_register(path, source="mooi_register")
    assert error.value.field == "organisation_type"
    assert f"[mooi_register] {path}: field 'organisation_type': sheet 'Partners' has no " \
        "column 'organisation_type'" in str(error.value)  # fmt: skip

    folder = _gvnl_copy(tmp_path)
    _edit_csv(folder / "projects.csv", lambda rows: [row.pop(2) for row in rows])  # lc_name
    with pytest.raises(SourceError, match=rf"\[gvnl_register\] {folder / 'projects.csv'}: "
                       r"field 'lc_name': sheet 'projects' has no column 'lc_name' \(header: "
                       r"register_id, programme, region"):  # fmt: skip
        read_register(folder, source="gvnl_register")


def test_template_column_twice_in_the_header():
    projects = b"register_id;programme;lc_name;Programme \nR-1;MOOI;LC;MOOI\n"
    partners = b"register_id;organisation;organisation_type;role\nR-1;A;wo;penvoerder\n"
    with pytest.raises(SourceError, match="sheet 'projects': column 'programme' appears twice"):
        parse_register({"projects.csv": projects, "partners.csv": partners}, source="t")


def test_missing_sheet_names_it(tmp_path: Path):
    workbook = openpyxl.load_workbook(MOOI_SAMPLE)
    del workbook["Partners"]
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    with pytest.raises(SourceError) as error:
        read_register(path, source="mooi_register")
    assert error.value.field == "partners"
    assert f"[mooi_register] {path}: field 'partners': no sheet named 'partners' (sheets: " \
        "Projects, README)" in str(error.value)  # fmt: skip


# --- files that are not registers ----------------------------------------------------------


def test_truncated_or_wrong_file_is_refused(tmp_path: Path, httpserver: HTTPServer, fast_policy):
    truncated = tmp_path / "register.xlsx"
    data = MOOI_SAMPLE.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=rf"\[mooi_register\] {truncated}: not an xlsx "
                       r"workbook \(not a zip archive; truncated"):  # fmt: skip
        read_register(truncated, source="mooi_register")

    # A sign-in page served with 200 where the workbook was expected.
    httpserver.expect_request("/login.xlsx").respond_with_data(
        "<html><body>Log in to SharePoint</body></html>", content_type="text/html"
    )
    url = httpserver.url_for("/login.xlsx")
    with pytest.raises(SourceError, match=rf"\[mooi_register\] {url}: not an xlsx workbook"):
        read_register(url, source="mooi_register", policy=fast_policy)

    for name in ("projects.csv", "partners.csv"):
        httpserver.expect_request(f"/sp/{name}").respond_with_data(
            "<!DOCTYPE html><html><body>Sign in</body></html>", content_type="text/html"
        )
    with pytest.raises(SourceError, match=r"/sp/projects\.csv: field 'projects': not a csv "
                       "file: it looks like an HTML"):  # fmt: skip
        read_register(httpserver.url_for("/sp"), source="gvnl_register", policy=fast_policy)

    # A zip that is not a workbook.
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    with pytest.raises(SourceError, match=r"other\.xlsx: cannot open the workbook"):
        parse_register({"other.xlsx": other.getvalue()}, source="mooi_register")


def test_workbook_xml_with_entities_is_refused():
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
        parse_register({"bomb.xlsx": bomb.getvalue()}, source="mooi_register")


def test_missing_file_or_folder(tmp_path: Path):
    missing = tmp_path / "nope.xlsx"
    with pytest.raises(SourceError, match=rf"\[mooi_register\] {missing}: cannot read the "
                       "register: No such file"):  # fmt: skip
        read_register(missing, source="mooi_register")
    (tmp_path / "half").mkdir()
    shutil.copy(GVNL_SAMPLE / "projects.csv", tmp_path / "half")
    with pytest.raises(SourceError, match=rf"\[gvnl_register\] {tmp_path}/half/partners\.csv: "
                       "cannot read the register file: No such file"):  # fmt: skip
        read_register(tmp_path / "half", source="gvnl_register")
    with pytest.raises(SourceError, match=r"projects\.csv: a csv register is a folder"):
        read_register(GVNL_SAMPLE / "projects.csv", source="gvnl_register")


# --- servers that misbehave ----------------------------------------------------------------


def test_server_down_and_slow(httpserver: HTTPServer, fast_policy):
    httpserver.expect_request("/down/projects.csv").respond_with_data("oops", status=500)
    url = httpserver.url_for("/down")
    with pytest.raises(
        SourceError,
        match=r"\[gvnl_register\] .*/down/projects\.csv: GET "
        r"\(register projects\) failed after 3 attempts; last: HTTP 500",
    ):
        read_register(url, source="gvnl_register", policy=fast_policy)
    assert len(httpserver.log) == 3  # retried, then gave up

    def slow(request: Request) -> Response:
        time.sleep(fast_policy.timeout_s + 0.5)
        return Response(MOOI_SAMPLE.read_bytes(), content_type=XLSX)

    httpserver.expect_request("/slow.xlsx").respond_with_handler(slow)
    with pytest.raises(
        SourceError,
        match=r"slow\.xlsx: GET \(register workbook\) failed .*"
        r"timed out after 1 s",
    ):
        read_register(httpserver.url_for("/slow.xlsx"), source="mooi_register",
                      policy=fast_policy)  # fmt: skip


def test_missing_file_on_server_and_server_unreachable(httpserver: HTTPServer, fast_policy):
    httpserver.expect_request("/gvnl/projects.csv").respond_with_data(
        (GVNL_SAMPLE / "projects.csv").read_bytes(), content_type="text/csv"
    )
    httpserver.expect_request("/gvnl/partners.csv").respond_with_data("gone", status=404)
    partners_url = httpserver.url_for("/gvnl/partners.csv")
    with pytest.raises(SourceError, match=rf"\[gvnl_register\] {partners_url}: GET \(register "
                       r"partners\) failed: HTTP 404"):  # fmt: skip
        read_register(httpserver.url_for("/gvnl/"), source="gvnl_register", policy=fast_policy)

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/register.xlsx"
    with pytest.raises(SourceError, match=rf"\[mooi_register\] {url}: GET \(register "
                       r"workbook\) failed after 3 attempts; last: connection failed"):  # fmt: skip
        read_register(url, source="mooi_register", policy=fast_policy)


def test_url_without_policy_is_a_programming_error():
    with pytest.raises(ValueError, match="HTTP policy"):
        read_register("https://example.invalid/register.xlsx", source="mooi_register")
