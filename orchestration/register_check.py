"""``lc-monitor validate-register FILE``: a register checked as a run would, nothing written.

For programme offices before they send a register, and for whoever receives one. The same code
as the register's raw asset and its validation step: the connector reads the file
(``sources.registers``, with the size bounds of ``sources.archives``), its records become
record files through ``sources.raw_tables.write_snapshot`` in a temporary folder, read by an
in-memory DuckDB, and the source's raw suites (``expectations/suites/``) run on them through
``validate_source``. So the report
names what a run would set aside (sheet row, key, column, value, rule) and what would refuse
the whole register, in the pipeline's own messages. Nothing is landed, no warehouse is written
and no Dagster instance is used. When the project's warehouse exists, the row counts of the
last accepted register are read from it (read-only), so the volume rules apply as in a run;
without it they are skipped, and the report says so.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import TextIO

import duckdb

from orchestration.defs.registers import REGISTERS, Register
from orchestration.quality.acceptance import (
    ACCEPTED,
    FLAGGED,
    SET_ASIDE,
    QuarantineEntry,
    SourceValidation,
    validate_source,
)
from orchestration.quality.reference import Reference
from orchestration.quality.results import TABLE as RESULTS_TABLE
from orchestration.quality.results import ensure_results_table, previous_row_count
from orchestration.quality.suites import SuiteFile, load_suites, suites_by_source
from orchestration.settings import CALLS_SEED, EXPECTATIONS_DIR, SEEDS_DIR, Settings
from sources.calls import CallCatalogue
from sources.errors import SourceError
from sources.landing import Manifest, new_snapshot_id
from sources.raw_tables import attach_raw_views, write_snapshot
from sources.redact import is_http_url
from sources.registers import PARTNER_COLUMNS, PROJECT_COLUMNS, content_sha256, read_register

# --programme: the register whose rules apply (mooi, gvnl: the source without "_register").
PROGRAMMES = {r.source.removesuffix("_register"): r.source for r in REGISTERS}
RUN_ID = "validate-register"
OK, REFUSED, USAGE = 0, 1, 2


class UsageError(ValueError):
    """The command cannot check this file as asked (exit code 2)."""


@dataclass
class RegisterCheck:
    path: Path
    register: Register | None  # None: refused before the programme was known
    inferred: bool = False  # the programme was read from the file, not given
    refusal: str | None = None  # a file-wide problem found while reading
    file_format: str = ""
    projects: list[dict] = field(default_factory=list)
    partners: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    validation: SourceValidation | None = None
    compared_with: str = ""  # what the volume rules compared with, in words

    @property
    def accepted(self) -> bool:
        return self.validation is not None and self.validation.status == ACCEPTED


def _register(source: str) -> Register:
    return next(r for r in REGISTERS if r.source == source)


def infer_source(path: Path, settings: Settings, catalogue: CallCatalogue) -> str:
    """The register whose calls' programmes are the only ones in the file's ``programme``
    column. SourceError when the file fails whatever its programme (its structure is
    checked the same for every register); UsageError when the programme is unclear."""
    extract = read_register(
        path, source="register", catalogue=catalogue, limits=settings.archive_limits
    )
    found = {p["programme"] for p in extract.projects if p["programme"]}
    by_programme = {
        call.programme: register.source
        for register in REGISTERS
        for call in catalogue.of(register.source)
    }
    candidates = {by_programme.get(p) for p in found}
    if len(candidates) == 1 and None not in candidates:
        return candidates.pop()
    held = ", ".join(sorted(found)) or "nothing readable"
    raise UsageError(
        f"cannot tell which register {path} is (its programme column holds {held}): "
        f"give --programme {' or '.join(PROGRAMMES)}"
    )


def _copy_volume_history(
    con: duckdb.DuckDBPyConnection, warehouse: Path, suites: list[SuiteFile]
) -> str:
    """The warehouse's validation results of these suites, copied into the in-memory database
    (the warehouse is attached read-only), so the volume rules see the last accepted rows.
    Returns what the register is compared with, in words."""
    if not warehouse.is_file():
        return f"not compared with an earlier register: no warehouse at {warehouse}"
    try:
        con.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(warehouse)])
    except duckdb.Error as exc:  # e.g. a run writing it right now
        return f"not compared with an earlier register: cannot read {warehouse} ({exc})"
    try:
        schema, table = RESULTS_TABLE.split(".")
        present = con.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE database_name = 'warehouse' AND schema_name = ? AND table_name = ?",
            [schema, table],
        ).fetchone()
        if present and present[0]:
            ensure_results_table(con)
            con.execute(
                f"INSERT INTO {RESULTS_TABLE} BY NAME "
                f"SELECT * FROM warehouse.{RESULTS_TABLE} WHERE suite IN $suites",
                {"suites": [s.name for s in suites]},
            )
    finally:
        con.execute("DETACH warehouse")
    previous = {_sheet(s.table): previous_row_count(con, s.name) for s in suites}
    if not any(previous.values()):
        return f"not compared with an earlier register: none accepted in {warehouse}"
    counts = ", ".join(
        f"{previous[k]} {k} rows" for k in ("projects", "partners") if previous.get(k)
    )
    return f"compared with the last accepted register ({counts}) in {warehouse}"


def check_register(path: Path, settings: Settings, programme: str | None = None) -> RegisterCheck:
    """Read and validate the register at ``path`` as its raw asset and validation step would;
    nothing is written. UsageError when the file is missing or its programme unclear."""
    if not path.exists():
        raise UsageError(f"no such file or folder: {path} (give a local .xlsx file or csv folder)")
    catalogue = CallCatalogue.from_csv(CALLS_SEED)
    try:
        source = PROGRAMMES[programme] if programme else infer_source(path, settings, catalogue)
    except SourceError as exc:  # the file cannot be read whatever its programme
        return RegisterCheck(path, None, refusal=str(exc))
    register = _register(source)
    check = RegisterCheck(path, register, inferred=programme is None)
    try:
        extract = read_register(
            path, source=source, catalogue=catalogue, limits=settings.archive_limits
        )
    except SourceError as exc:
        check.refusal = str(exc)
        return check
    check.file_format, check.projects, check.partners = (
        extract.file_format, extract.projects, extract.partners,
    )  # fmt: skip
    check.notes = list(extract.warnings)
    suites = suites_by_source(load_suites(EXPECTATIONS_DIR))[source]
    fetched = datetime.now(UTC)
    manifest = Manifest(
        source=source,
        snapshot_id=new_snapshot_id(fetched),
        location=str(path),
        fetched_at=fetched.isoformat(),
        content_sha256=content_sha256(extract),
        changed=True,
        previous_snapshot_id=None,
        counts=extract.counts,
    )
    with duckdb.connect(":memory:") as con, TemporaryDirectory() as records:
        check.compared_with = _copy_volume_history(con, settings.warehouse_path, suites)
        write_snapshot(
            Path(records), manifest, "(not landed: validate-register)",
            {register.projects_table: (PROJECT_COLUMNS, extract.projects),
             register.partners_table: (PARTNER_COLUMNS, extract.partners)},
            record_count=len(extract.projects),
        )  # fmt: skip
        attach_raw_views(con, Path(records))
        check.validation = validate_source(
            con, source, suites, Reference.from_seeds(SEEDS_DIR), RUN_ID
        )
    return check


# --- the report ---------------------------------------------------------------------------


def _sheet(table: str) -> str:
    return "partners" if table.endswith("_partners") else "projects"


def _entry_lines(entry: QuarantineEntry, check: RegisterCheck) -> list[str]:
    """Where the record is in the spreadsheet, and which rule it broke with what value."""
    sheet = _sheet(entry.table_name)
    records = check.partners if sheet == "partners" else check.projects
    record = records[entry.record_no - 1] if 0 < entry.record_no <= len(records) else {}
    row = record.get("source_row", "?")
    key = record.get("register_id") or json.loads(entry.record_key or "{}").get("register_id")
    value = "empty" if entry.value is None else repr(entry.value)
    column = entry.column_name or "(the row)"
    why = entry.problem or entry.rule_description
    return [
        f"  {sheet} row {row} ({key or 'no register_id'}): column {column}, value {value}",
        f"      rule {entry.rule}: {why}",
    ]


def _records(check: RegisterCheck, disposition: str, sheet: str) -> int:
    assert check.validation is not None
    return len(
        {
            e.record_no
            for e in check.validation.entries
            if e.disposition == disposition and _sheet(e.table_name) == sheet
        }
    )


def report(check: RegisterCheck) -> list[str]:
    """The readable report: header, rows set aside and flagged, notes, file-wide problems and
    a verdict line."""
    lines = [f"Register: {check.path}"]
    if check.register is not None:
        register = check.register
        programme = next(k for k, v in PROGRAMMES.items() if v == register.source)
        how = "inferred from its programme column" if check.inferred else "as given"
        lines.append(f"Rules: {register.source}, {register.what} (--programme {programme}, {how})")
    if check.refusal is not None:
        lines += ["", "Problems of the whole register (each refuses it):", f"  {check.refusal}"]
        lines += ["", "Verdict: REFUSED: a run would not load this register (the previous "
                  "version stays in use). Nothing was written."]  # fmt: skip
        return lines
    validation = check.validation
    assert validation is not None
    lines.append(
        f"Read ({check.file_format}): {len(check.projects)} Learning Communities, "
        f"{len(check.partners)} partners"
    )
    lines.append(f"Row counts: {check.compared_with}")
    for disposition, title in (
        (SET_ASIDE, "Rows set aside (a run leaves them out and loads the rest):"),
        (FLAGGED, "Rows flagged (loaded, but worth a look):"),
    ):
        entries = [e for e in validation.entries if e.disposition == disposition]
        if entries:
            lines += ["", title]
            for entry in sorted(entries, key=lambda e: (_sheet(e.table_name) != "projects",
                                                         e.record_no, e.rule)):  # fmt: skip
                lines += _entry_lines(entry, check)
    if check.notes:
        lines += ["", "Notes (loaded as they are):", *(f"  {n}" for n in check.notes)]
    problems = []
    for run in validation.runs:
        if run.error:
            problems.append(f"  {run.suite.name}: could not run: {run.error}")
        elif run.outcome is not None:
            problems += [
                f"  {run.suite.name}: {o.label}: {o.why()}\n      {o.rule.description}"
                for o in run.outcome.errors
            ]
    warnings = [
        f"  {run.suite.name}: {o.label}: {o.why()}"
        for run in validation.runs
        if run.outcome is not None
        for o in run.outcome.warnings
        if not o.rule.is_record_level
    ]
    if warnings:
        lines += ["", "Warnings about the whole register (loaded anyway):", *warnings]
    if problems:
        lines += ["", "Problems of the whole register (each refuses it):", *problems]
    counts = (
        f"{_records(check, SET_ASIDE, 'projects')} of {len(check.projects)} Learning "
        f"Communities and {_records(check, SET_ASIDE, 'partners')} of {len(check.partners)} "
        "partners set aside"
    )
    if check.accepted:
        verdict = f"Verdict: ACCEPTED, {counts}. Nothing was written."
    else:
        verdict = (f"Verdict: REFUSED ({counts}): a run would not load this register (the "
                   "previous version stays in use). Nothing was written.")  # fmt: skip
    return [*lines, "", verdict]


def validate_register(
    file: str,
    programme: str | None,
    settings: Settings,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print the report (to ``out``, default stdout); 0 when a run would accept the register,
    1 when it would refuse it, 2 when it cannot be checked as asked (to ``err``)."""
    try:
        if is_http_url(file):  # a Path would mangle it; registers by URL are read by runs only
            raise UsageError(f"{file} is a URL: download the register and give the local file")
        check = check_register(Path(file).expanduser(), settings, programme)
    except UsageError as exc:
        print(f"error: {exc}", file=err or sys.stderr)
        return USAGE
    for line in report(check):
        print(line, file=out or sys.stdout)
    return OK if check.accepted else REFUSED
