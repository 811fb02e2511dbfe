"""The register connector on the bundled xlsx and csv registers, over HTTP, and on bad input."""

from __future__ import annotations

import csv
import io
import shutil
import time
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
    TEMPLATE,
    content_sha256,
    read_register,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def test_mooi_xlsx_sample():
    extract = read_register(MOOI_SAMPLE, source="mooi_register")
    projects, partners = xlsx_rows(MOOI_SAMPLE, "projects"), xlsx_rows(MOOI_SAMPLE, "partners")
    assert extract.file_format == "xlsx"
    assert len(extract.projects) == len(projects) == 6
    assert len(extract.partners) == len(partners)
    assert extract.extra_columns == ["Projects.opmerking"]
    by_id = {p["register_id"]: p for p in extract.projects}
    netflex = by_id["MOOI-LC-2024-02"]  # Dutch text in amount and date cells
    assert netflex["subsidy_eur"] == 170_000
    assert (netflex["start_date"], netflex["end_date"]) == (date(2024, 9, 1), date(2026, 8, 31))
    assert netflex["students_reached"] is None  # unknown stays unknown, never 0
    assert by_id["MOOI-LC-2024-01"]["start_date"] == date(2024, 9, 1)  # a date cell
    assert all(p["programme"] == "MOOI" and p["related_grant"].startswith("MOOI")
               for p in extract.projects)  # fmt: skip
    # the 2024 LC scheme was €1M in total
    assert sum(p["subsidy_eur"] for p in extract.projects) <= 1_000_000
    leads = [p for p in extract.partners if p["role"] == "penvoerder"]
    assert sorted(p["register_id"] for p in leads) == sorted(by_id)
    fontys = next(p for p in extract.partners if p["organisation"] == "Fontys Hogescholen")
    assert fontys["postcode"] == "5612 AP"  # "5612AP" normalised
    assert fontys["partner_seq"] == 2


def test_gvnl_csv_sample():
    extract = read_register(GVNL_SAMPLE, source="gvnl_register")
    projects = csv_rows(GVNL_SAMPLE / "projects.csv")
    partners = csv_rows(GVNL_SAMPLE / "partners.csv")
    assert extract.file_format == "csv"
    assert [p["register_id"] for p in extract.projects] == [p["register_id"] for p in projects]
    assert len(extract.partners) == len(partners)
    types = {p["organisation_type"] for p in extract.partners}
    assert {"mbo", "hbo", "wo", "bedrijf", "overheid"} <= types
    waterstof = next(p for p in extract.projects if p["lc_name"] == "Waterstof Werkt")
    assert waterstof["start_date"].year == 2022 and waterstof["end_date"].year == 2027
    limburg = next(p for p in extract.projects if p["region"] == "Limburg")
    assert limburg["related_grant"] is None and limburg["subsidy_eur"] is None
    oost = next(p for p in extract.projects if p["region"] == "Oost")
    assert oost["subsidy_eur"] == 3_700_000  # "€ 3,7 miljoen"


def test_template_has_the_header_only():
    workbook = openpyxl.load_workbook(TEMPLATE, read_only=True)
    assert {"projects", "partners", "README"} <= set(workbook.sheetnames)
    header = next(workbook["projects"].iter_rows(values_only=True))
    assert header[0] == "register_id" and "students_reached" in header
    with pytest.raises(SourceError, match="sheet 'projects' has no rows"):
        read_register(TEMPLATE, source="template")


def test_registers_by_url_match_the_files(httpserver: HTTPServer, patient_policy):
    httpserver.expect_request("/office/mooi.xlsx").respond_with_data(
        MOOI_SAMPLE.read_bytes(), content_type=XLSX
    )
    for name in ("projects.csv", "partners.csv"):
        httpserver.expect_request(f"/office/gvnl/{name}").respond_with_data(
            (GVNL_SAMPLE / name).read_bytes(), content_type="text/csv"
        )
    mooi = read_register(httpserver.url_for("/office/mooi.xlsx"), source="mooi_register",
                         policy=patient_policy)  # fmt: skip
    gvnl = read_register(httpserver.url_for("/office/gvnl/"), source="gvnl_register",
                         policy=patient_policy)  # fmt: skip
    assert mooi.projects == read_register(MOOI_SAMPLE, source="m").projects
    assert content_sha256(gvnl) == content_sha256(read_register(GVNL_SAMPLE, source="g"))
    assert [f.name for f in gvnl.raw_files] == ["projects.csv", "partners.csv"]
    assert all(r.headers["User-Agent"] == patient_policy.user_agent
               for r, _ in httpserver.log)  # fmt: skip


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
        rows[2][col["organisation_type"]] = "multinational"  # row 3
        rows[3][col["postcode"]] = "43821"  # row 4
        rows[4][col["register_id"]] = "GVNL-LC-ONBEKEND"  # row 5
        rows[5][col["organisation"]] = ""  # row 6

    _edit_csv(folder / "projects.csv", break_projects)
    _edit_csv(folder / "partners.csv", break_partners)
    with pytest.raises(SourceError) as error:
        read_register(folder, source="gvnl_register")
    message = str(error.value)
    assert message.startswith("[gvnl_register]")
    assert str(folder / "projects.csv") in message and str(folder / "partners.csv") in message
    for expected in [
        "sheet 'projects' row 2 column 'subsidy_eur': not an amount: 'veel'",
        "sheet 'projects' row 3 column 'start_date': not a date: 'binnenkort'",
        "sheet 'projects' row 4 column 'end_date': 2020-01-01 is before start_date",
        "sheet 'projects' row 5 column 'register_id': 'GVNL-LC-NW' appears 2 times",
        "sheet 'projects' row 7 column 'related_grant': 'MOOI52101' is not a GroenvermogenNL",
        "sheet 'projects' row 8 column 'students_reached': -3 is not at least 0",
        "sheet 'partners' row 3 column 'organisation_type': 'multinational' is not one of",
        "sheet 'partners' row 4 column 'postcode': not a Dutch postcode (1234 AB): '43821'",
        "sheet 'partners' row 5 column 'register_id': 'GVNL-LC-ONBEKEND' is not a register_id",
        "sheet 'partners' row 6 column 'organisation': required, but empty",
    ]:
        assert expected in message, expected
    assert error.value.field == "subsidy_eur"


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
    assert "sheet 'projects' row 2 column 'register_id': 'GVNL-LC-ZW' has no partner with " \
        "role penvoerder" in message  # fmt: skip
    oost = sum(r["register_id"] == "GVNL-LC-OOST" for r in csv_rows(GVNL_SAMPLE / "partners.csv"))
    assert f"'GVNL-LC-OOST' has {oost} penvoerders; exactly one is allowed" in message


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


def test_missing_sheet_names_it(tmp_path: Path):
    workbook = openpyxl.load_workbook(MOOI_SAMPLE)
    del workbook["Partners"]
    path = tmp_path / "register.xlsx"
    workbook.save(path)
    with pytest.raises(SourceError, match=r"no sheet named 'partners' \(sheets: Projects, README"):
        read_register(path, source="mooi_register")


def test_truncated_or_wrong_file_is_refused(tmp_path: Path, httpserver: HTTPServer, fast_policy):
    truncated = tmp_path / "register.xlsx"
    data = MOOI_SAMPLE.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"register\.xlsx: not an xlsx workbook"):
        read_register(truncated, source="mooi_register")

    httpserver.expect_request("/login.xlsx").respond_with_data(
        "<html><body>Log in to SharePoint</body></html>", content_type="text/html"
    )
    url = httpserver.url_for("/login.xlsx")
    with pytest.raises(SourceError, match=rf"\[mooi_register\] {url}: not an xlsx workbook"):
        read_register(url, source="mooi_register", policy=fast_policy)


def test_missing_file_or_folder(tmp_path: Path):
    with pytest.raises(SourceError, match=r"nope\.xlsx: cannot read the register"):
        read_register(tmp_path / "nope.xlsx", source="mooi_register")
    (tmp_path / "half").mkdir()
    shutil.copy(GVNL_SAMPLE / "projects.csv", tmp_path / "half")
    with pytest.raises(SourceError, match=r"half/partners\.csv: cannot read"):
        read_register(tmp_path / "half", source="gvnl_register")


def test_server_down_and_slow(httpserver: HTTPServer, fast_policy):
    httpserver.expect_request("/down/projects.csv").respond_with_data("oops", status=500)
    url = httpserver.url_for("/down")
    with pytest.raises(
        SourceError,
        match=r"\[gvnl_register\] .*/down/projects\.csv: GET "
        r"\(register projects\) failed after 3 attempts; last: HTTP 500",
    ):
        read_register(url, source="gvnl_register", policy=fast_policy)

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
