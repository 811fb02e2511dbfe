"""Programme-office registers of Learning Communities (xlsx or csv), plain Python.

The template (``TEMPLATE.md``, ``template.xlsx``) has a projects sheet and a partners sheet.
A pull: ``read_register`` (path or URL) returns the raw files for landing and the records,
each tagged with its call from the catalogue; a bad cell is noted on its record (sheet, row,
column, value) and set aside later, a broken file structure fails the register.
``parse_register`` does the same for files already in memory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sources.archives import DEFAULT_LIMITS, ArchiveLimits
from sources.calls import CallCatalogue
from sources.http import HttpPolicy
from sources.landing import RawFile, content_hash
from sources.problems import PROBLEMS
from sources.registers.parse import validate
from sources.registers.read import as_raw_files, fetch, sheets
from sources.registers.schema import (
    ORGANISATION_TYPES,
    PARTNER_COLUMNS,
    PROGRAMMES,
    PROJECT_COLUMNS,
    ROLES,
)

HERE = Path(__file__).resolve().parent
SAMPLE_DIR = HERE / "sample"
MOOI_SAMPLE = SAMPLE_DIR / "mooi_lc_register.xlsx"
GVNL_SAMPLE = SAMPLE_DIR / "gvnl_lc_register"
TEMPLATE = HERE / "template.xlsx"
TEMPLATE_DOC = HERE / "TEMPLATE.md"

__all__ = [
    "GVNL_SAMPLE",
    "MOOI_SAMPLE",
    "ORGANISATION_TYPES",
    "PARTNER_COLUMNS",
    "PROGRAMMES",
    "PROJECT_COLUMNS",
    "ROLES",
    "SAMPLE_DIR",
    "TEMPLATE",
    "RawFile",
    "RegisterExtract",
    "content_sha256",
    "parse_register",
    "raw_files",
    "read_register",
]


@dataclass
class RegisterExtract:
    """One register as read: raw files for immutable landing plus its validated records."""

    source: str
    location: str  # the path or URL it was read from
    file_format: str  # "xlsx" or "csv"
    raw_files: list[RawFile]
    projects: list[dict[str, Any]] = field(default_factory=list)  # PROJECT_COLUMNS
    partners: list[dict[str, Any]] = field(default_factory=list)  # PARTNER_COLUMNS
    extra_columns: list[str] = field(default_factory=list)  # "<sheet>.<column>", ignored
    warnings: list[str] = field(default_factory=list)  # loaded anyway, worth a look

    @property
    def counts(self) -> dict[str, int]:
        return {"projects": len(self.projects), "partners": len(self.partners)}

    @property
    def problems(self) -> list[str]:
        """Every problem noted on a record, as the office would read it."""
        return [
            f"{record.get('register_id') or 'row ' + str(record.get('source_row'))}: "
            f"{problem['column']}: {problem['problem']}"
            for record in (*self.projects, *self.partners)
            for problem in record.get(PROBLEMS, ())
        ]


def parse_register(
    files: Sequence[RawFile] | Mapping[str, bytes],
    *,
    source: str,
    catalogue: CallCatalogue,
    location: str | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> RegisterExtract:
    """Validate a register already in memory (no I/O).

    ``files`` is one ``.xlsx`` workbook or ``projects.csv`` plus ``partners.csv``, as
    :class:`RawFile` objects or as ``{file name: bytes}``. A file past ``limits`` (size,
    compression ratio, members: ``sources.archives``) is refused before it is parsed.
    """
    raw = as_raw_files(files)
    file_format, projects_sheet, partners_sheet = sheets(raw, source, limits)
    valid = validate(projects_sheet, partners_sheet, source, catalogue)
    where = location if location is not None else " + ".join(f.location for f in raw)
    return RegisterExtract(
        source=source,
        location=where,
        file_format=file_format,
        raw_files=raw,
        projects=valid.projects,
        partners=valid.partners,
        extra_columns=valid.extra_columns,
        warnings=valid.warnings,
    )


def read_register(
    location: str | Path,
    *,
    source: str,
    catalogue: CallCatalogue,
    policy: HttpPolicy | None = None,
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> RegisterExtract:
    """Read and validate the register at ``location``: an ``.xlsx`` file, a folder with
    ``projects.csv`` and ``partners.csv``, or an http(s) URL of either (a URL not ending in
    ``.xlsx`` is the base of the two csv files). A URL needs ``policy``.

    Raises :class:`~sources.errors.SourceError` naming ``source``, the file or URL and, for a
    broken structure, the sheet and column; bad cells are noted on their records. A file
    past ``limits`` is refused before it is parsed (a local one before it is read).
    """
    where = str(location)
    return parse_register(
        fetch(where, source, policy, limits),
        source=source,
        catalogue=catalogue,
        location=where,
        limits=limits,
    )


def raw_files(extract: RegisterExtract) -> list[RawFile]:
    """The files to land, exactly as received."""
    return list(extract.raw_files)


def content_sha256(extract: RegisterExtract) -> str:
    """Hash of the validated records: re-saving a workbook unchanged is not a change."""
    records = [extract.projects, extract.partners]
    return content_hash(json.loads(json.dumps(records, default=str)))
