"""Suite files: GX's own suite JSON plus a ``meta`` block saying what the suite validates."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCOPES = ("latest_snapshot", "all_rows")
ROW_DROP_RULE = "row_count_not_dropped"


class SuiteFileError(ValueError):
    pass


@dataclass(frozen=True)
class SuiteFile:
    name: str
    path: Path
    asset_key: tuple[str, ...]
    table: str
    scope: str
    description: str
    body: dict[str, Any]  # what gx.ExpectationSuite(**body) takes
    # Row-count drop rule: fail (with row_drop_severity) when the rows validated fall below
    # (1 - max_row_drop) x the rows of the last validation that met every ERROR expectation.
    max_row_drop: float | None = None
    row_drop_severity: str = "warning"

    @property
    def expectation_count(self) -> int:
        """Expectations in the file, plus the row-count drop rule when there is one."""
        return len(self.body["expectations"]) + (self.max_row_drop is not None)

    def with_previous_rows(self, previous_rows: int | None) -> dict[str, Any]:
        """The suite body with the row-count drop rule made concrete for this validation."""
        if self.max_row_drop is None or not previous_rows:
            return self.body
        rule = {
            "type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": math.ceil(previous_rows * (1 - self.max_row_drop))},
            "severity": self.row_drop_severity,
            "meta": {"name": ROW_DROP_RULE, "previous_rows": previous_rows},
        }
        return {**self.body, "expectations": [*self.body["expectations"], rule]}

    def snapshot_query(self) -> str | None:
        """SQL giving the snapshot id this suite validates (None for all-rows suites)."""
        if self.scope == "latest_snapshot":
            return f"SELECT max(_snapshot_id) FROM {self.table}"
        return None

    def query(self) -> str:
        """SQL that reads the rows this suite validates."""
        if self.scope == "latest_snapshot":
            return (
                f"SELECT * FROM {self.table} "
                f"WHERE _snapshot_id = (SELECT max(_snapshot_id) FROM {self.table})"
            )
        return f"SELECT * FROM {self.table}"


def load_suite(path: Path) -> SuiteFile:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteFileError(f"{path}: not valid JSON: {exc}") from exc
    meta = body.get("meta") or {}
    for key in ("asset_key", "table"):
        if key not in meta:
            raise SuiteFileError(f"{path}: meta.{key} is required")
    scope = meta.get("scope", "all_rows")
    if scope not in SCOPES:
        raise SuiteFileError(f"{path}: meta.scope must be one of {SCOPES}, not {scope!r}")
    if not body.get("expectations"):
        raise SuiteFileError(f"{path}: no expectations")
    name = body.get("name") or path.stem
    max_row_drop = meta.get("max_row_drop")
    if max_row_drop is not None and not 0 < float(max_row_drop) < 1:
        raise SuiteFileError(f"{path}: meta.max_row_drop must be a share between 0 and 1")
    row_drop_severity = meta.get("row_drop_severity", "warning")
    if row_drop_severity not in ("critical", "warning"):
        raise SuiteFileError(f"{path}: meta.row_drop_severity must be critical or warning")
    return SuiteFile(
        name=name,
        path=path,
        asset_key=tuple(meta["asset_key"]),
        table=meta["table"],
        scope=scope,
        description=meta.get("description", ""),
        body={"name": name, "expectations": body["expectations"], "meta": meta},
        max_row_drop=None if max_row_drop is None else float(max_row_drop),
        row_drop_severity=row_drop_severity,
    )


def load_suites(folder: Path) -> list[SuiteFile]:
    return [load_suite(path) for path in sorted(folder.glob("*.json"))]
