"""Suite files: GX's own suite JSON plus a ``meta`` block saying what the suite validates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCOPES = ("latest_snapshot", "all_rows")


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

    @property
    def expectation_count(self) -> int:
        return len(self.body["expectations"])

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
    return SuiteFile(
        name=name,
        path=path,
        asset_key=tuple(meta["asset_key"]),
        table=meta["table"],
        scope=scope,
        description=meta.get("description", ""),
        body={"name": name, "expectations": body["expectations"], "meta": meta},
    )


def load_suites(folder: Path) -> list[SuiteFile]:
    return [load_suite(path) for path in sorted(folder.glob("*.json"))]
