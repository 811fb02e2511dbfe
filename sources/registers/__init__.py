"""Programme-office registers of Learning Communities (xlsx or csv), plain Python.

The template (``TEMPLATE.md``, ``template.xlsx``) has a projects sheet and a partners sheet.
A pull: ``read_register`` (path or URL) returns the raw files for landing and the validated
records; any bad cell fails the whole register with the sheet, row and column of each one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sources.http import HttpPolicy
from sources.landing import RawFile, content_hash
from sources.registers.parse import validate
from sources.registers.read import fetch, sheets
from sources.registers.schema import PARTNER_COLUMNS, PROJECT_COLUMNS

HERE = Path(__file__).resolve().parent
SAMPLE_DIR = HERE / "sample"
MOOI_SAMPLE = SAMPLE_DIR / "mooi_lc_register.xlsx"
GVNL_SAMPLE = SAMPLE_DIR / "gvnl_lc_register"
TEMPLATE = HERE / "template.xlsx"

__all__ = [
    "GVNL_SAMPLE",
    "MOOI_SAMPLE",
    "PARTNER_COLUMNS",
    "PROJECT_COLUMNS",
    "RegisterExtract",
    "content_sha256",
    "parse_register",
    "read_register",
]


@dataclass
class RegisterExtract:
    location: str
    file_format: str  # "xlsx" or "csv"
    raw_files: list[RawFile]
    projects: list[dict[str, Any]] = field(default_factory=list)
    partners: list[dict[str, Any]] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)  # present, not in the template


def parse_register(
    location: str, file_format: str, files: list[RawFile], *, source: str
) -> RegisterExtract:
    """Validate already-read files (no I/O)."""
    projects_sheet, partners_sheet = sheets(file_format, files, source)
    projects, partners, extra = validate(projects_sheet, partners_sheet, source)
    return RegisterExtract(location, file_format, files, projects, partners, extra)


def read_register(
    location: str | Path, *, source: str, policy: HttpPolicy | None = None
) -> RegisterExtract:
    """Read and validate the register at ``location``: an ``.xlsx`` file, a folder with
    ``projects.csv`` and ``partners.csv``, or an http(s) URL of either."""
    where = str(location)
    file_format, files = fetch(where, source, policy)
    return parse_register(where, file_format, files, source=source)


def content_sha256(extract: RegisterExtract) -> str:
    """Hash of the validated records: re-saving a workbook unchanged is not a change."""
    records = [extract.projects, extract.partners]
    return content_hash(json.loads(json.dumps(records, default=str)))
