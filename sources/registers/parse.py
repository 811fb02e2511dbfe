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
    PARTNER_SPEC,
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


@dataclass
class Problems:
    cells: list[str] = field(default_factory=list)

    def add(self, sheet: Sheet, row: int, column: str, message: str) -> None:
        self.cells.append(f"sheet '{sheet.name}' row {row} column '{column}': {message}")


def _header_index(sheet: Sheet, spec: tuple[Column, ...], source: str) -> tuple[dict, list]:
    """Column name -> position; names compared without case and surrounding blanks."""
    positions: dict[str, int] = {}
    extra = []
    for index, cell in enumerate(sheet.header):
        name = str(cell).strip().casefold() if cell is not None else ""
        if not name:
            continue
        if name in positions:
            raise SourceError(source, sheet.file, f"sheet '{sheet.name}': column '{name}' "
                              "appears twice in the header", field=name)  # fmt: skip
        positions[name] = index
        if name not in {c.name for c in spec}:
            extra.append(f"{sheet.name}.{name}")
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
    sheet: Sheet, spec: tuple[Column, ...], source: str, problems: Problems
) -> tuple[list[dict[str, Any]], list[str]]:
    positions, extra = _header_index(sheet, spec, source)
    records = []
    for row_number, cells in sheet.rows:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue  # spreadsheets end in blank rows
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
    return records, extra


def _check_projects(sheet: Sheet, projects: list[dict[str, Any]], problems: Problems) -> None:
    counts = Counter(p["register_id"] for p in projects if p["register_id"])
    for project in projects:
        row = project["source_row"]
        if project["register_id"] and counts[project["register_id"]] > 1:
            problems.add(sheet, row, "register_id",
                         f"{project['register_id']!r} appears {counts[project['register_id']]} "
                         "times")  # fmt: skip
        grant, programme = project["related_grant"], project["programme"]
        if grant and programme and not GRANT_PATTERNS[programme].match(grant):
            problems.add(sheet, row, "related_grant",
                         f"{grant!r} is not a {programme} grant number "
                         f"({GRANT_PATTERNS[programme].pattern})")  # fmt: skip
        start, end = project["start_date"], project["end_date"]
        if start and end and end < start:
            problems.add(sheet, row, "end_date", f"{end} is before start_date {start}")


def _check_partners(
    sheet: Sheet, partners: list[dict[str, Any]], project_ids: set[str], problems: Problems,
    projects_sheet: Sheet, projects: list[dict[str, Any]],
) -> None:  # fmt: skip
    leads = Counter(p["register_id"] for p in partners if p["role"] == "penvoerder")
    for partner in partners:
        rid = partner["register_id"]
        if rid and rid not in project_ids:
            problems.add(
                sheet,
                partner["source_row"],
                "register_id",
                f"{rid!r} is not a register_id of sheet '{projects_sheet.name}'",
            )
        if partner["role"] == "penvoerder" and leads[rid] > 1:
            problems.add(
                sheet,
                partner["source_row"],
                "role",
                f"{rid!r} has {leads[rid]} penvoerders; exactly one is allowed",
            )
    for project in projects:
        rid = project["register_id"]
        if rid and leads[rid] == 0:
            problems.add(projects_sheet, project["source_row"], "register_id",
                         f"{rid!r} has no partner with role penvoerder on sheet "
                         f"'{sheet.name}'")  # fmt: skip


def validate(
    projects_sheet: Sheet, partners_sheet: Sheet, source: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Records of both sheets, or one SourceError listing every bad cell."""
    problems = Problems()
    projects, extra_p = _records(projects_sheet, PROJECT_SPEC, source, problems)
    partners, extra_q = _records(partners_sheet, PARTNER_SPEC, source, problems)
    _check_projects(projects_sheet, projects, problems)
    ids = {p["register_id"] for p in projects if p["register_id"]}
    _check_partners(partners_sheet, partners, ids, problems, projects_sheet, projects)
    if not projects and not problems.cells:
        problems.cells.append(f"sheet '{projects_sheet.name}' has no rows")
    if problems.cells:
        shown = problems.cells[:MAX_REPORTED]
        more = len(problems.cells) - len(shown)
        detail = f"{len(problems.cells)} bad cell(s):\n" + "\n".join(shown)
        if more:
            detail += f"\nand {more} more"
        first_column = shown[0].split("column '")[1].split("'")[0] if "column '" in shown[0] \
            else None  # fmt: skip
        files = sorted({projects_sheet.file, partners_sheet.file})
        raise SourceError(source, " + ".join(files), detail, field=first_column)
    sequence: Counter[str] = Counter()
    for partner in partners:
        sequence[partner["register_id"]] += 1
        partner["partner_seq"] = sequence[partner["register_id"]]
    return projects, partners, extra_p + extra_q
