"""The call catalogue: which calls (funding schemes, rounds, register schemes) the monitor follows.

A record belongs to a programme only because its call is in the catalogue, never because of
how its id looks. The list itself is the dbt seed ``dbt_project/seeds/programme_calls.csv``:
dbt joins it for programme, round and the Learning Community flag, and every connector reads
the same file through this module to tag its records with a ``call_id``.

- NWOpen records match a call by the funding scheme's *name* (``match_name``): the seed's
  ``funding_scheme``, or one of its ``other_names`` (separated by ``|``; a renamed scheme).
- MOOI project pages and register rows match by their source and round (``match_round``).
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
    "is_learning_community",
    "source_system",
)
NAME_SEPARATOR = "|"
# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus: NWO writes its call names
# with whichever the editor produced.
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212]")


def call_key(name: str) -> str:
    """A call name reduced to what identifies it: case, Unicode form, whitespace (all of it,
    non-breaking spaces included) and the kind of dash carry no meaning in NWO's scheme names."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"\s+", "", _DASHES.sub("-", text))


@dataclass(frozen=True)
class Call:
    call_id: str
    programme: str
    call_round: int | None
    names: tuple[str, ...]  # the scheme's names as published; the first is the current one
    is_learning_community: bool
    source_system: str
    budget_eur: float | None = None

    @property
    def name(self) -> str | None:
        return self.names[0] if self.names else None


class CallCatalogue:
    def __init__(self, calls: list[Call]):
        self.calls = calls
        self._by_name: dict[tuple[str, str], Call] = {}
        for call in calls:
            for name in call.names:
                key = (call.source_system, call_key(name))
                other = self._by_name.get(key)
                if other is not None and other.call_id != call.call_id:
                    raise ValueError(
                        f"calls {other.call_id} and {call.call_id} share the name {name!r}"
                    )
                self._by_name[key] = call

    @classmethod
    def from_csv(cls, path: Path) -> CallCatalogue:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise SourceError("calls", str(path), "missing column", field=missing[0])
            calls = []
            for line, row in enumerate(reader, start=2):
                try:
                    names = tuple(
                        n.strip()
                        for n in [
                            row["funding_scheme"] or "",
                            *(row.get("other_names") or "").split(NAME_SEPARATOR),
                        ]
                        if n.strip()
                    )
                    budget = (row.get("budget_eur") or "").strip()
                    call_round = row["call_round"].strip()
                    calls.append(
                        Call(
                            call_id=row["call_id"].strip(),
                            programme=row["programme"].strip(),
                            call_round=int(call_round) if call_round else None,
                            names=names,
                            is_learning_community=row["is_learning_community"].strip().lower()
                            in ("true", "1", "yes"),
                            source_system=row["source_system"].strip(),
                            budget_eur=float(budget) if budget else None,
                        )
                    )
                except (ValueError, AttributeError) as exc:
                    raise SourceError("calls", f"{path}:{line}", str(exc)) from exc
        return cls(calls)

    def of(self, source_system: str) -> list[Call]:
        return [c for c in self.calls if c.source_system == source_system]

    def get(self, call_id: str | None) -> Call | None:
        return next((c for c in self.calls if c.call_id == call_id), None)

    def match_name(self, source_system: str, funding_scheme: str | None) -> Call | None:
        """The call whose name the scheme carries (see ``call_key``), or None: not followed."""
        if not funding_scheme:
            return None
        return self._by_name.get((source_system, call_key(funding_scheme)))

    def match_round(self, source_system: str, call_round: int | None) -> Call | None:
        """The call of ``source_system`` for ``call_round``. Without a round, a source with a
        single call takes it; a call without a round in the catalogue covers every round."""
        calls = self.of(source_system)
        if call_round is None and len(calls) == 1:
            return calls[0]
        exact = [c for c in calls if c.call_round is not None and c.call_round == call_round]
        if exact:
            return exact[0]
        undated = [c for c in calls if c.call_round is None]
        return undated[0] if len(undated) == 1 else None
