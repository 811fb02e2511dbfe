"""Reading a register's two sheets into records, noting every bad cell on its record.

The file's structure must hold (both sheets, the template's required columns, at least one
LC): otherwise the register fails, naming the sheet and column. A bad cell (an unreadable date,
an empty required cell, a type outside the list), a duplicated ``register_id``, a partner of an
unknown LC or an LC without exactly one penvoerder is a problem of that record: it is loaded
with the problem noted (``sources.problems``), and the quality step sets it aside in
quarantine with the sheet row, column and value, so that the office gets the full list at once
and the rest of the register is published meanwhile.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.problems import (
    CALL_PROGRAMME,
    DUPLICATE_ID,
    KNOWN_PARENT,
    ONE_PENVOERDER,
    PROBLEMS,
    REQUIRED_EMPTY,
    UNREADABLE,
    note,
)
from sources.registers.schema import (
    PARTNER_COLUMNS,
    PARTNER_SPEC,
    PROJECT_COLUMNS,
    PROJECT_SPEC,
    BadCell,
    Column,
)


@dataclass(frozen=True)
class UncachedFormula:
    """An xlsx cell holding a formula but no calculated value: the workbook was saved by a
    program that does not calculate (a script, some exports, Excel on manual calculation).
    Its value is unknown, not empty: the cell is a problem of its record."""

    cell: str  # "D5"
    formula: str  # "=SUM(B5:C5)"

    def __str__(self) -> str:
        return self.formula


@dataclass(frozen=True)
class Sheet:
    """A sheet as read from xlsx or csv: its header and its rows with their row numbers."""

    name: str
    file: str  # where it was read: the file or URL
    header: list[Any]
    rows: list[tuple[int, list[Any]]]  # (row number as the spreadsheet shows it, cells)
    encoding: str | None = None  # a csv sheet's text encoding ("utf-8", "windows-1252")


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
    sheet: Sheet, spec: tuple[Column, ...], positions: dict[str, int]
) -> list[dict[str, Any]]:
    records = []
    for row_number, cells in sheet.rows:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue  # spreadsheets end in (and sometimes contain) blank rows
        record: dict[str, Any] = {"source_row": row_number}
        for column in spec:
            index = positions.get(column.name)
            raw = cells[index] if index is not None and index < len(cells) else None
            if isinstance(raw, UncachedFormula):
                note(record, column.name, raw.formula,
                     f"sheet '{sheet.name}' cell {raw.cell}: a formula without a calculated "
                     "value (the workbook was saved without calculating; open it in Excel and "
                     "save it again)", UNREADABLE)  # fmt: skip
                record[column.name] = None
                continue
            try:
                value = column.convert(raw)
            except BadCell as exc:
                note(
                    record,
                    column.name,
                    raw,
                    f"sheet '{sheet.name}' row {row_number}: {exc}",
                    UNREADABLE,
                )
                value = None
            else:
                if value is None and column.required:
                    note(record, column.name, raw,
                         f"sheet '{sheet.name}' row {row_number}: required, but empty",
                         REQUIRED_EMPTY)  # fmt: skip
            record[column.name] = value
        records.append(record)
    return records


def _check_projects(sheet: Sheet, projects: list[dict[str, Any]]) -> None:
    """A register_id names one LC: every row of a repeated id is a problem (which is right
    cannot be told)."""
    rows_of: dict[str, list[int]] = {}
    for project in projects:
        if project["register_id"]:
            rows_of.setdefault(project["register_id"], []).append(project["source_row"])
    for project in projects:
        rid = project["register_id"]
        if rid and len(rows_of[rid]) > 1:
            rows = ", ".join(str(r) for r in rows_of[rid])
            note(project, "register_id", rid,
                 f"sheet '{sheet.name}': {rid!r} appears {len(rows_of[rid])} times "
                 f"(rows {rows}); it must be unique", DUPLICATE_ID)  # fmt: skip


def _check_partners(
    sheet: Sheet,
    partners: list[dict[str, Any]],
    projects_sheet: Sheet,
    projects: list[dict[str, Any]],
) -> None:
    """Every partner belongs to a known LC, and every LC has exactly one penvoerder: a partner
    of an unknown LC is its own problem, an LC with no or several penvoerders is the LC's."""
    project_ids = {p["register_id"] for p in projects if p["register_id"]}
    rows_of: dict[str, list[int]] = {}
    lead_rows: dict[str, list[int]] = {}
    for partner in partners:
        rid = partner["register_id"]
        if not rid:
            continue
        rows_of.setdefault(rid, []).append(partner["source_row"])
        if partner["role"] == "penvoerder":
            lead_rows.setdefault(rid, []).append(partner["source_row"])
        if rid not in project_ids:
            note(partner, "register_id", rid,
                 f"sheet '{sheet.name}' row {partner['source_row']}: {rid!r} is not a "
                 f"register_id of sheet '{projects_sheet.name}'", KNOWN_PARENT)  # fmt: skip
    for project in projects:
        rid = project["register_id"]
        if not rid:
            continue
        leads = lead_rows.get(rid, [])
        if len(leads) > 1:
            rows = ", ".join(map(str, leads))
            problem = f"{len(leads)} penvoerders on sheet '{sheet.name}' (rows {rows})"
            note(project, "penvoerder", rid, f"{problem}; exactly one is allowed", ONE_PENVOERDER)
        elif not leads:
            where = f"rows {', '.join(map(str, rows_of[rid]))}" if rid in rows_of else "no rows"
            note(project, "penvoerder", rid,
                 f"no penvoerder on sheet '{sheet.name}' ({where}); exactly one is required",
                 ONE_PENVOERDER)  # fmt: skip


def _assign_calls(
    sheet: Sheet, projects: list[dict[str, Any]], catalogue: CallCatalogue, source: str
) -> None:
    """Each LC's call from the catalogue (this register's calls, by round); an LC of another
    programme than the register's calls is a problem of that LC."""
    programmes = sorted({c.programme for c in catalogue.of(source)})
    for project in projects:
        call = catalogue.match_round(source, project["call_round"])
        project["call_id"] = call.call_id if call else None
        if programmes and project["programme"] and project["programme"] not in programmes:
            where = f"sheet '{sheet.name}' row {project['source_row']}"
            note(project, "programme", project["programme"],
                 f"{where}: this register lists {' and '.join(programmes)} Learning "
                 "Communities", CALL_PROGRAMME)  # fmt: skip


def _warnings(
    projects: list[dict[str, Any]], extra_columns: list[str], sheets: tuple[Sheet, ...] = ()
) -> list[str]:
    """What loads but deserves a look: nothing here stops the register."""
    warnings = [f"column '{c}' is not in the template; ignored" for c in extra_columns]
    warnings += [
        f"sheet '{s.name}' was read as {s.encoding} (Excel's plain CSV), not UTF-8; "
        "'CSV UTF-8' is safer"
        for s in sheets
        if s.encoding not in (None, "utf-8")
    ]
    warnings += [
        f"row {p['source_row']} ({p['register_id']}): subsidy_eur is 0; leave the cell empty "
        "when the amount is unknown"
        for p in projects
        if p["subsidy_eur"] == 0
    ]
    return warnings


def validate(
    projects_sheet: Sheet, partners_sheet: Sheet, source: str, catalogue: CallCatalogue
) -> Validated:
    """Records of both sheets, each with the problems found in it; a SourceError when the
    file's structure is wrong (a required column missing, no LC at all)."""
    project_positions, extra_p = _header_index(projects_sheet, PROJECT_SPEC, source)
    partner_positions, extra_q = _header_index(partners_sheet, PARTNER_SPEC, source)
    projects = _records(projects_sheet, PROJECT_SPEC, project_positions)
    partners = _records(partners_sheet, PARTNER_SPEC, partner_positions)
    files = list(dict.fromkeys([projects_sheet.file, partners_sheet.file]))
    if not projects:
        raise SourceError(source, " + ".join(files), f"sheet '{projects_sheet.name}' has no "
                          "rows: an empty register is not loaded")  # fmt: skip
    _check_projects(projects_sheet, projects)
    _check_partners(partners_sheet, partners, projects_sheet, projects)
    _assign_calls(projects_sheet, projects, catalogue, source)
    sequence: Counter[str] = Counter()
    for partner in partners:
        sequence[partner["register_id"]] += 1
        partner["partner_seq"] = sequence[partner["register_id"]]
    # Records in the output column order, so a printed record reads like the raw table.
    projects = [_ordered(p, PROJECT_COLUMNS) for p in projects]
    partners = [_ordered(p, PARTNER_COLUMNS) for p in partners]
    extra = extra_p + extra_q
    sheets = (projects_sheet, partners_sheet)
    return Validated(projects, partners, extra, _warnings(projects, extra, sheets))


def _ordered(record: dict[str, Any], columns: dict[str, str]) -> dict[str, Any]:
    ordered = {name: record.get(name) for name in columns}
    if record.get(PROBLEMS):
        ordered[PROBLEMS] = record[PROBLEMS]
    return ordered
