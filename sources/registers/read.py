"""Reading a register from an xlsx workbook or a folder of two csv files, on disk or by URL.

Workbooks are untrusted input: openpyxl parses their XML through defusedxml (imported here so
that openpyxl picks it up), in read-only mode, and only cell values are taken (no formulas run).
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import defusedxml  # noqa: F401  (openpyxl uses defusedxml when it is importable)
import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from sources.errors import SourceError
from sources.http import HttpPolicy, PoliteClient
from sources.landing import RawFile
from sources.registers.parse import Sheet
from sources.registers.schema import PARTNER_SHEET, PROJECT_SHEET

CSV_FILES = {"projects": "projects.csv", "partners": "partners.csv"}


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def fetch(location: str, source: str, policy: HttpPolicy | None) -> tuple[str, list[RawFile]]:
    """The register's raw files and their format ("xlsx" or "csv"), exactly as received."""
    if is_url(location):
        if policy is None:
            raise ValueError("an HTTP policy is needed to read a register by URL")
        with PoliteClient(source, policy, accept="*/*") as client:
            if location.lower().split("?")[0].endswith(".xlsx"):
                response = client.get(location, what="register workbook")
                return "xlsx", [RawFile(_name(location), response.content, str(response.url))]
            base = location.rstrip("/") + "/"
            files = []
            for kind, name in CSV_FILES.items():
                response = client.get(base + name, what=f"register {kind}")
                files.append(RawFile(name, response.content, str(response.url)))
            return "csv", files
    path = Path(location)
    if path.is_dir():
        files = []
        for name in CSV_FILES.values():
            try:
                files.append(RawFile(name, (path / name).read_bytes(), str(path / name)))
            except OSError as exc:
                raise SourceError(source, str(path / name), f"cannot read: {exc.strerror}") \
                    from exc  # fmt: skip
        return "csv", files
    try:
        return "xlsx", [RawFile(path.name, path.read_bytes(), str(path))]
    except OSError as exc:
        raise SourceError(source, str(path), f"cannot read the register: {exc.strerror}") \
            from exc  # fmt: skip


def _name(url: str) -> str:
    return url.split("?")[0].rstrip("/").rsplit("/", 1)[-1] or "register.xlsx"


def _find_sheet(workbook: openpyxl.Workbook, names: tuple[str, ...]) -> str | None:
    by_name = {name.strip().casefold(): name for name in workbook.sheetnames}
    return next((by_name[n] for n in names if n in by_name), None)


def xlsx_sheets(file: RawFile, source: str) -> tuple[Sheet, Sheet]:
    if not zipfile.is_zipfile(io.BytesIO(file.content)):
        raise SourceError(source, file.location,
                          "not an xlsx workbook (not a zip archive; truncated or another "
                          "format?)")  # fmt: skip
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(file.content), read_only=True,
                                          data_only=True)  # fmt: skip
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SourceError(source, file.location, f"cannot open the workbook: {exc}") from exc
    try:
        sheets = []
        for names in (PROJECT_SHEET, PARTNER_SHEET):
            found = _find_sheet(workbook, names)
            if found is None:
                raise SourceError(
                    source, file.location,
                    f"no sheet named '{names[0]}' (sheets: {', '.join(workbook.sheetnames)})",
                    field=names[0],
                )  # fmt: skip
            rows = list(workbook[found].iter_rows(values_only=True))
            header = list(rows[0]) if rows else []
            body = [(number, list(cells)) for number, cells in enumerate(rows[1:], start=2)]
            sheets.append(Sheet(found, file.location, header, body))
    finally:
        workbook.close()
    return sheets[0], sheets[1]


def csv_sheet(file: RawFile, kind: str, source: str) -> Sheet:
    try:
        text = file.content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(source, file.location, f"not UTF-8 text: {exc}") from exc
    first_line = text.split("\n", 1)[0]
    # Dutch Excel exports separate with ';' (the comma is the decimal mark).
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows:
        raise SourceError(source, file.location, "empty file", field=kind)
    body = [(number, [c if c != "" else None for c in cells])
            for number, cells in enumerate(rows[1:], start=2)]  # fmt: skip
    return Sheet(kind, file.location, rows[0], body)


def sheets(file_format: str, files: list[RawFile], source: str) -> tuple[Sheet, Sheet]:
    if file_format == "xlsx":
        return xlsx_sheets(files[0], source)
    by_name = {f.name: f for f in files}
    return (
        csv_sheet(by_name[CSV_FILES["projects"]], "projects", source),
        csv_sheet(by_name[CSV_FILES["partners"]], "partners", source),
    )
