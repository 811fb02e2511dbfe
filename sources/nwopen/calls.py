"""Which NWO calls (funding schemes) the monitor follows, and tolerant matching against them.

The list itself lives in the dbt seed ``dbt_project/seeds/programme_calls.csv`` so that dbt and
the connector read the same configuration; this module only knows how to read and match it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sources.errors import SourceError

REQUIRED_COLUMNS = (
    "call_id",
    "programme",
    "call_round",
    "funding_scheme",
    "file_number_prefix",
    "is_learning_community",
    "source_system",
)


def call_key(name: str) -> str:
    """Normalise a call name so that case, accents' encoding and spacing do not matter.

    NWO's funding scheme names come with stray double spaces, trailing blanks and varying
    capitals; whitespace carries no meaning in them, so it is removed entirely.
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name).casefold())


@dataclass(frozen=True)
class Call:
    call_id: str
    programme: str
    call_round: int | None
    funding_scheme: str | None
    file_number_prefix: str | None
    is_learning_community: bool


class CallCatalogue:
    """Matches a project to a call by its scheme name, else by the prefix of its file number.

    Names win: GroenvermogenNL's LC call has ``NGF.`` file numbers like its R&D calls, which
    are recognised by that prefix alone.
    """

    def __init__(self, calls: list[Call]):
        self.calls = calls
        self._by_key: dict[str, Call] = {}
        for call in calls:
            if not call.funding_scheme:
                continue
            key = call_key(call.funding_scheme)
            if key in self._by_key:
                raise ValueError(f"two calls normalise to the same name: {call.funding_scheme!r}")
            self._by_key[key] = call
        self._by_prefix = sorted(
            (c for c in calls if c.file_number_prefix),
            key=lambda c: len(c.file_number_prefix or ""),
            reverse=True,
        )

    @classmethod
    def from_csv(cls, path: Path) -> CallCatalogue:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise SourceError("calls", str(path), "missing column", field=missing[0])
            calls = []
            for line, row in enumerate(reader, start=2):
                if row["source_system"].strip() != "nwopen":
                    continue  # MOOI rounds and register schemes share the seed
                try:
                    call = Call(
                        call_id=row["call_id"].strip(),
                        programme=row["programme"].strip(),
                        call_round=int(row["call_round"]) if row["call_round"].strip() else None,
                        funding_scheme=row["funding_scheme"].strip() or None,
                        file_number_prefix=row["file_number_prefix"].strip() or None,
                        is_learning_community=row["is_learning_community"].strip().lower()
                        in ("true", "1", "yes"),
                    )
                except (ValueError, AttributeError) as exc:
                    raise SourceError("calls", f"{path}:{line}", str(exc)) from exc
                if not (call.funding_scheme or call.file_number_prefix):
                    raise SourceError(
                        "calls", f"{path}:{line}", "needs a funding_scheme or a file_number_prefix"
                    )
                calls.append(call)
        return cls(calls)

    def match(self, funding_scheme: str | None, file_number: str | None = None) -> Call | None:
        call = self._by_key.get(call_key(funding_scheme)) if funding_scheme else None
        if call is None and file_number:
            call = next(
                (c for c in self._by_prefix if file_number.startswith(c.file_number_prefix or "")),
                None,
            )
        return call
