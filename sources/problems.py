"""Record problems: what a connector could not read in one record, kept with the record.

One unreadable cell must not stop a source: the connector loads the record with the cell left
empty and notes the problem under ``PROBLEMS``; the quality step sets such records aside in
quarantine, naming the column and the value as received (expectations/README.md). A field
that is missing or unreadable in *every* record is a changed source, not a bad record: the
connector raises ``SourceError`` for that (NWOpen: ``sources.nwopen.parse._Fields``, which
keeps the fields seen, not the records).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

PROBLEMS = "_problems"
MAX_VALUE_CHARS = 200

# The rule each kind of problem breaks: the quarantine names it (expectations/README.md).
UNREADABLE = "unreadable_value"  # a date, number or cell that cannot be read as its type
FIELD_MISSING = "field_present"  # a field the source always has is missing from this record
REQUIRED_EMPTY = "required_value"  # a required cell or label is empty
DUPLICATE_ID = "unique_id"  # the record's id occurs more than once
ONE_PENVOERDER = "one_penvoerder"  # a register LC without exactly one penvoerder
KNOWN_PARENT = "known_parent"  # a register partner of an LC the register does not list
CALL_PROGRAMME = "programme_of_call"  # a register row of another programme than its call


def note(record: dict[str, Any], column: str, value: Any, problem: str, rule: str) -> None:
    text = None if value is None else str(value)[:MAX_VALUE_CHARS]
    record.setdefault(PROBLEMS, []).append(
        {"rule": rule, "column": column, "value": text, "problem": problem}
    )


def to_json(record: Mapping[str, Any]) -> str | None:
    """A record's problems as stored in the raw tables' ``_problems`` column (None: none)."""
    problems = record.get(PROBLEMS)
    return json.dumps(problems, ensure_ascii=False) if problems else None


def from_json(text: str | None) -> list[dict[str, Any]]:
    """The problems stored by ``to_json`` (a value that is not such JSON: none)."""
    try:
        problems = json.loads(text) if isinstance(text, str) else []
    except json.JSONDecodeError:
        return []
    return problems if isinstance(problems, list) else []
