"""Reading a register from an xlsx workbook or a folder of two csv files, on disk or by URL.

Workbooks are untrusted input: their size, compression ratio and member count are checked
from the zip's central directory before anything is inflated (``sources.archives``; csv files
by their size), openpyxl parses their XML through defusedxml (imported here so that a missing
install fails loudly rather than silently falling back to the stdlib parser), in read-only
mode, and only cell values are taken (no formulas are evaluated). A formula cell without a
cached value (a workbook saved by a program that does not calculate) would read as empty: such
cells are found in a second, formula-reading pass (only in a workbook with formulas) and
passed on as ``UncachedFormula``, so the record carries the problem, with sheet, cell and
formula, and is set aside instead of loading with the value silently null.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.etree.ElementTree import ParseError

import httpx
import openpyxl
from defusedxml import DefusedXmlException  # openpyxl parses with defusedxml when importable
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.xml import DEFUSEDXML

from sources.archives import DEFAULT_LIMITS, ArchiveLimits, check_files, check_size, check_zip
from sources.encodings import TRIED_FOR_CSV, UndecidedEncoding, decode_csv, sniff_delimiter
from sources.errors import SourceError
from sources.http import HttpPolicy, PoliteClient
from sources.landing import RawFile
from sources.redact import is_http_url
from sources.registers.parse import Sheet, UncachedFormula
from sources.registers.schema import PARTNER_SHEET, PARTNER_SPEC, PROJECT_SHEET, PROJECT_SPEC

CSV_FILES = {"projects": "projects.csv", "partners": "partners.csv"}
XLSX = "xlsx"
CSV = "csv"
CSV_COLUMNS = {
    "projects": [c.name for c in PROJECT_SPEC],
    "partners": [c.name for c in PARTNER_SPEC],
}
UTF8_EXPORT = "Opslaan als → CSV UTF-8 (door komma's gescheiden) (*.csv)"


def _is_xlsx_url(url: str) -> bool:
    return url.split("?", 1)[0].split("#", 1)[0].lower().endswith(".xlsx")


def _safe_name(name: str, default: str) -> str:
    """A file name from a URL that is safe to land as-is."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned or default


def _without_query(response: httpx.Response) -> str:
    """Where a file came from, for the landing manifest: without a query that may hold a token."""
    return str(response.url.copy_with(query=None))


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it fails next, with the reason


def fetch(
    location: str,
    source: str,
    policy: HttpPolicy | None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> list[RawFile]:
    """The register's raw files, exactly as received: one ``.xlsx`` or the two csv files.
    A local file larger than ``limits`` allows is refused before it is read."""
    if is_http_url(location):
        if policy is None:
            raise ValueError("an HTTP policy is needed to read a register by URL")
        with PoliteClient(source, policy, accept="*/*") as client:
            if _is_xlsx_url(location):
                response = client.get(location, what="register workbook")
                name = location.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
                return [RawFile(_safe_name(name, "register.xlsx"), response.content,
                                _without_query(response))]  # fmt: skip
            # Anything else is a folder-like base URL holding the two csv files; a query goes
            # with each file (credentials, such as a share link's token, the client adds).
            base, _, query = location.partition("?")
            files = []
            for kind, name in CSV_FILES.items():
                url = f"{base.rstrip('/')}/{name}" + (f"?{query}" if query else "")
                response = client.get(url, what=f"register {kind}")
                files.append(RawFile(name, response.content, _without_query(response)))
            return files
    path = Path(location)
    if path.is_dir():
        check_files([_file_size(path / n) for n in CSV_FILES.values()], source,
                    str(path), limits)  # fmt: skip
        files = []
        for name in CSV_FILES.values():
            try:
                files.append(RawFile(name, (path / name).read_bytes(), str(path / name)))
            except OSError as exc:
                raise SourceError(
                    source,
                    str(path / name),
                    f"cannot read the register file: {exc.strerror or exc}",
                ) from exc
        return files
    if path.suffix.lower() == ".csv":
        raise SourceError(
            source,
            str(path),
            "a csv register is a folder holding "
            f"{' and '.join(CSV_FILES.values())}: give the folder, not one file",
        )
    check_size(_file_size(path), source, str(path), limits)
    try:
        return [RawFile(path.name, path.read_bytes(), str(path))]
    except OSError as exc:
        raise SourceError(source, str(path), f"cannot read the register: {exc.strerror or exc}") \
            from exc  # fmt: skip


def as_raw_files(files: Sequence[RawFile] | Mapping[str, bytes]) -> list[RawFile]:
    """RawFiles, also from ``{name: bytes}`` (the name then doubles as the location)."""
    if isinstance(files, Mapping):
        return [RawFile(name, content, name) for name, content in files.items()]
    return list(files)


def file_format(files: Sequence[RawFile], source: str) -> str:
    """The format: "xlsx" for one workbook, "csv" for projects.csv plus partners.csv."""
    names = sorted(f.name for f in files)
    if names == sorted(CSV_FILES.values()):
        return CSV
    if len(files) == 1 and not files[0].name.lower().endswith(".csv"):
        return XLSX
    where = " + ".join(f.location for f in files) or "(no files)"
    raise SourceError(
        source,
        where,
        f"expected one .xlsx workbook or the files "
        f"{' and '.join(CSV_FILES.values())}; got {', '.join(names) or 'none'}",
    )


def _reason(exc: BaseException) -> str:
    """The root cause: openpyxl wraps XML errors in a vague multi-line message."""
    inner = exc
    while (inner.__cause__ or inner.__context__) is not None:
        inner = inner.__cause__ or inner.__context__  # type: ignore[assignment]
    if isinstance(inner, DefusedXmlException):
        return f"its XML declares entities or a DTD, refused as unsafe ({type(inner).__name__})"
    if inner is exc:
        return str(exc)
    return f"{type(inner).__name__}: {inner}"


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(content: bytes) -> bool:
    """Whether a worksheet part holds a formula. Read in chunks: ``ZipFile.read`` would
    inflate a whole member at once, whatever its directory declares."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            with archive.open(name) as part:
                tail = b""
                while chunk := part.read(1 << 16):
                    if _FORMULA.search(tail + chunk):
                        return True
                    tail = chunk[-16:]  # a tag split between two chunks
    return False


def _mark_uncached(content: bytes, sheet: str, rows: list[tuple]) -> list[list]:
    """``rows`` (cached values) with each empty cell that holds a formula marked."""
    formulas = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    try:
        marked = []
        for number, (cached, written) in enumerate(
            zip(rows, formulas[sheet].iter_rows(values_only=True), strict=False), start=1
        ):
            cells = list(cached)
            for index, value in enumerate(cells):
                formula = written[index] if index < len(written) else None
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    cells[index] = UncachedFormula(f"{get_column_letter(index + 1)}{number}",
                                                   formula)  # fmt: skip
            marked.append(cells)
        return marked
    finally:
        formulas.close()


def _find_sheet(workbook: openpyxl.Workbook, names: tuple[str, ...]) -> str | None:
    by_name = {name.strip().casefold(): name for name in workbook.sheetnames}
    return next((by_name[n] for n in names if n in by_name), None)


def xlsx_sheets(
    file: RawFile, source: str, limits: ArchiveLimits = DEFAULT_LIMITS
) -> tuple[Sheet, Sheet]:
    if not DEFUSEDXML:
        # OPENPYXL_DEFUSEDXML=False turns the guard off; not for files from outside.
        raise SourceError(
            source,
            file.location,
            "openpyxl is not using defusedxml "
            "(OPENPYXL_DEFUSEDXML=False?); refusing to parse the workbook",
        )
    if not zipfile.is_zipfile(io.BytesIO(file.content)):
        raise SourceError(source, file.location,
                          "not an xlsx workbook (not a zip archive; truncated, or a web page "
                          "or another format?)")  # fmt: skip
    # Before openpyxl inflates anything: a zip bomb is refused from its directory.
    check_zip(file.content, source, file.location, limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(file.content), read_only=True,
                                          data_only=True)  # fmt: skip
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError,
            ParseError, zlib.error) as exc:  # fmt: skip
        raise SourceError(
            source, file.location, f"cannot open the workbook: {_reason(exc)}"
        ) from exc
    formulas = _has_formulas(file.content)
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
            # Read-only mode parses a sheet's XML only now, so a damaged sheet fails here.
            try:
                rows: list = list(workbook[found].iter_rows(values_only=True))
                if formulas:
                    rows = _mark_uncached(file.content, found, rows)
            except (zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError,
                    zlib.error) as exc:  # fmt: skip
                raise SourceError(
                    source, file.location, f"cannot read sheet '{found}': {_reason(exc)}"
                ) from exc
            header = list(rows[0]) if rows else []
            body = [(number, list(cells)) for number, cells in enumerate(rows[1:], start=2)]
            sheets.append(Sheet(found, file.location, header, body))
    finally:
        workbook.close()
    return sheets[0], sheets[1]


def csv_sheet(file: RawFile, kind: str, source: str) -> Sheet:
    """A csv sheet in UTF-8 (with or without BOM) or, as Dutch Excel's plain "CSV" writes
    it, windows-1252; separated by ';' or ',' (whichever splits the header into the
    template's column names). Bytes that are neither encoding with confidence are refused."""
    try:
        decoded = decode_csv(file.content)
    except UndecidedEncoding as exc:
        raise SourceError(
            source, file.location,
            f"cannot tell the text encoding of {file.name}: tried {' and '.join(TRIED_FOR_CSV)}; "
            f"{exc}. Export it as UTF-8; in Excel: {UTF8_EXPORT}",
            field=kind,
        ) from exc  # fmt: skip
    text = decoded.text
    if text.lstrip()[:1] == "<":
        # Typically a sign-in or error page served with status 200 instead of the file.
        raise SourceError(source, file.location, "not a csv file: it looks like an HTML or "
                          "XML page", field=kind)  # fmt: skip
    # Dutch Excel exports separate with ';' (the comma is the decimal mark), others with ','.
    delimiter = sniff_delimiter(text, CSV_COLUMNS.get(kind, ()))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise SourceError(source, file.location, f"not a readable csv file: {exc}",
                          field=kind) from exc  # fmt: skip
    if not rows:
        raise SourceError(source, file.location, "empty file", field=kind)
    body = [(number, [c if c != "" else None for c in cells])
            for number, cells in enumerate(rows[1:], start=2)]  # fmt: skip
    return Sheet(kind, file.location, rows[0], body, encoding=decoded.encoding)


def sheets(
    files: Sequence[RawFile], source: str, limits: ArchiveLimits = DEFAULT_LIMITS
) -> tuple[str, Sheet, Sheet]:
    """The format and the projects and partners sheets of the register's raw files."""
    found_format = file_format(files, source)
    if found_format == XLSX:
        return (XLSX, *xlsx_sheets(files[0], source, limits))
    check_files([len(f.content) for f in files], source,
                " + ".join(f.location for f in files), limits)  # fmt: skip
    by_name = {f.name: f for f in files}
    return (
        CSV,
        csv_sheet(by_name[CSV_FILES["projects"]], "projects", source),
        csv_sheet(by_name[CSV_FILES["partners"]], "partners", source),
    )
