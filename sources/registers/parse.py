"""Validating a register's two sheets into records, reporting every bad cell at once.

A programme office fixes its spreadsheet in one go when it gets the full list of what is wrong
(sheet, row and column of each cell), so nothing stops at the first problem.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sources.errors import SourceError
from sources.registers.schema import (
    GRANT_PATTERNS,
    PARTNER_COLUMNS,
    PARTNER_SPEC,
    PROJECT_COLUMNS,
    PROJECT_SPEC,
    BadCell,
    Column,
)

MAX_REPORTED = 50


@dataclass(frozen=True)
class Sheet:
    """A sheet as read from xlsx or csv: its header and its rows with their row numbers."""

    name: str
    file: str  # where it was read: the file or URL
    header: list[Any]
    rows: list[tuple[int, list[Any]]]  # (row number as the spreadsheet shows it, cells)


@dataclass(frozen=True)
class BadCellReport:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"sheet '{self.sheet}' row {self.row} column '{self.column}': {self.message}"


@dataclass
class Problems:
    """Bad cells found so far; listed projects sheet first, then by row, as an office reads."""

    sheet_order: list[str]
    found: list[BadCellReport] = field(default_factory=list)

    def add(self, sheet: Sheet, row: int, column: str, message: str) -> None:
        self.found.append(BadCellReport(sheet.name, row, column, message))

    def in_reading_order(self) -> list[BadCellReport]:
        # A stable sort: within a row, cell checks keep the template's column order.
        return sorted(self.found, key=lambda p: (self.sheet_order.index(p.sheet), p.row))


@dataclass
class Validated:
    projects: list[dict[str, Any]]
    partners: list[dict[str, Any]]
    extra_columns: list[str]  # "<sheet>.<column>" present in the file, not in the template
    warnings: list[str]


def _header_index(
    sheet: Sheet, spec: tuple[Column, ...], source: str
) -> tuple[dict[str, int], list[str]]:
    """Column name -> position; names compared without case and surrounding blanks."""
    known = {c.name for c in spec}
    positions: dict[str, int] = {}
    extra: list[str] = []
    for index, cell in enumerate(sheet.header):
        name = str(cell).strip().casefold() if cell is not None else ""
        if not name:
            continue
        if name not in known:
            extra.append(f"{sheet.name}.{name}")  # informational columns are allowed
            continue
        if name in positions:
            raise SourceError(source, sheet.file, f"sheet '{sheet.name}': column '{name}' "
                              "appears twice in the header", field=name)  # fmt: skip
        positions[name] = index
    for column in spec:
        if column.required and column.name not in positions:
            raise SourceError(
                source, sheet.file,
                f"sheet '{sheet.name}' has no column '{column.name}' (header: "
                f"{', '.join(str(c) for c in sheet.header if c is not None) or 'empty'})",
                field=column.name,
            )  # fmt: skip
    return positions, extra


def _records(
    sheet: Sheet, spec: tuple[Column, ...], positions: dict[str, int], problems: Problems
) -> list[dict[str, Any]]:
    records = []
    for row_number, cells in sheet.rows:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue  # spreadsheets end in (and sometimes contain) blank rows
        record: dict[str, Any] = {"source_row": row_number}
        for column in spec:
            index = positions.get(column.name)
            raw = cells[index] if index is not None and index < len(cells) else None
            try:
                value = column.convert(raw)
            except BadCell as exc:
                problems.add(sheet, row_number, column.name, str(exc))
                value = None
            else:
                if value is None and column.required:
                    problems.add(sheet, row_number, column.name, "required, but empty")
            record[column.name] = value
        records.append(record)
    return records


def _check_projects(sheet: Sheet, projects: list[dict[str, Any]], problems: Problems) -> None:
    rows_of: dict[str, list[int]] = {}
    for project in projects:
        if project["register_id"]:
            rows_of.setdefault(project["register_id"], []).append(project["source_row"])
    for project in projects:
        rid, row = project["register_id"], project["source_row"]
        if rid and len(rows_of[rid]) > 1:
            rows = ", ".join(str(r) for r in rows_of[rid])
            problems.add(sheet, row, "register_id",
                         f"{rid!r} appears {len(rows_of[rid])} times (rows {rows}); "
                         "it must be unique")  # fmt: skip
        grant, programme = project["related_grant"], project["programme"]
        if grant and programme and not GRANT_PATTERNS[programme].match(grant):
            problems.add(sheet, row, "related_grant",
                         f"{grant!r} is not a {programme} grant number "
                         f"({GRANT_PATTERNS[programme].pattern})")  # fmt: skip
        start, end = project["start_date"], project["end_date"]
        if start and end and end < start:
            problems.add(sheet, row, "end_date", f"{end} is before start_date {start}")


def _check_partners(
    sheet: Sheet,
    partners: list[dict[str, Any]],
    projects_sheet: Sheet,
    projects: list[dict[str, Any]],
    problems: Problems,
) -> None:
    """Every partner belongs to a known LC, and every LC has exactly one penvoerder.

    A penvoerder problem is reported on the partners sheet, where it is fixed: on each of the
    LC's penvoerder rows when there are several, on its first partner row when there is none.
    Only an LC without any partner row is reported on the projects sheet: there is no partner
    row to point at.
    """
    project_ids = {p["register_id"] for p in projects if p["register_id"]}
    rows_of: dict[str, list[int]] = {}
    for partner in partners:
        if partner["register_id"]:
            rows_of.setdefault(partner["register_id"], []).append(partner["source_row"])
    leads = Counter(p["register_id"] for p in partners if p["role"] == "penvoerder")
    for partner in partners:
        rid, row = partner["register_id"], partner["source_row"]
        if rid and rid not in project_ids:
            problems.add(
                sheet,
                row,
                "register_id",
                f"{rid!r} is not a register_id of sheet '{projects_sheet.name}'",
            )
        if rid and partner["role"] == "penvoerder" and leads[rid] > 1:
            problems.add(
                sheet, row, "role", f"{rid!r} has {leads[rid]} penvoerders; exactly one is allowed"
            )
    for project in projects:
        rid = project["register_id"]
        if not rid or leads[rid]:
            continue
        if rid in rows_of:
            rows = ", ".join(str(r) for r in rows_of[rid])
            label = "rows" if len(rows_of[rid]) > 1 else "row"
            problems.add(
                sheet,
                rows_of[rid][0],
                "role",
                f"{rid!r} has no penvoerder ({label} {rows}); exactly one is required",
            )
        else:
            problems.add(projects_sheet, project["source_row"], "register_id",
                         f"{rid!r} has no rows on sheet '{sheet.name}'; a penvoerder is "
                         "required")  # fmt: skip


def _warnings(projects: list[dict[str, Any]], extra_columns: list[str]) -> list[str]:
    """What loads but deserves a look: nothing here stops the register."""
    warnings = [f"column '{c}' is not in the template; ignored" for c in extra_columns]
    warnings += [
        f"row {p['source_row']} ({p['register_id']}): subsidy_eur is 0; leave the cell empty "
        "when the amount is unknown"
        for p in projects
        if p["subsidy_eur"] == 0
    ]
    return warnings


def _raise_bad_cells(problems: Problems, files: list[str], source: str) -> None:
    found = problems.in_reading_order()
    shown = found[:MAX_REPORTED]
    detail = f"{len(found)} bad cell(s):\n" + "\n".join(str(p) for p in shown)
    if len(found) > len(shown):
        detail += f"\nand {len(found) - len(shown)} more"
    raise SourceError(source, " + ".join(files), detail, field=shown[0].column)


def validate(projects_sheet: Sheet, partners_sheet: Sheet, source: str) -> Validated:
    """Records of both sheets, or one SourceError listing every bad cell."""
    project_positions, extra_p = _header_index(projects_sheet, PROJECT_SPEC, source)
    partner_positions, extra_q = _header_index(partners_sheet, PARTNER_SPEC, source)
    problems = Problems([projects_sheet.name, partners_sheet.name])
    projects = _records(projects_sheet, PROJECT_SPEC, project_positions, problems)
    partners = _records(partners_sheet, PARTNER_SPEC, partner_positions, problems)
    _check_projects(projects_sheet, projects, problems)
    _check_partners(partners_sheet, partners, projects_sheet, projects, problems)
    files = list(dict.fromkeys([projects_sheet.file, partners_sheet.file]))
    if problems.found:
        _raise_bad_cells(problems, files, source)
    if not projects:
        raise SourceError(source, " + ".join(files), f"sheet '{projects_sheet.name}' has no "
                          "rows: an empty register is not loaded")  # fmt: skip
    sequence: Counter[str] = Counter()
    for partner in partners:
        sequence[partner["register_id"]] += 1
        partner["partner_seq"] = sequence[partner["register_id"]]
    # Records in the output column order, so a printed record reads like the raw table.
    projects = [{name: p[name] for name in PROJECT_COLUMNS} for p in projects]
    partners = [{name: p[name] for name in PARTNER_COLUMNS} for p in partners]
    extra = extra_p + extra_q
    return Validated(projects, partners, extra, _warnings(projects, extra))
