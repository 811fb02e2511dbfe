"""Reference figures the raw rules compare records with, read from the dbt seeds.

The seeds are the one place for them: ``programme_calls.csv`` (the calls and their budgets),
``subsidy_caps.csv`` (the maximum subsidy per project by call and mission, with the source of
each figure) and ``mooi_missions.csv`` (MOOI's missions under one name across rounds). dbt
loads the same files into the ``reference`` schema for the marts.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sources.calls import CallCatalogue
from sources.organisations.places import PlaceIndex

CAP_COLUMN = "subsidy_cap_eur"
BUDGET_COLUMN = "call_budget_eur"
CALL_TOTAL_COLUMN = "call_subsidy_total_eur"
# A register LC's municipality, and beside it (for lc_municipality_known) the same value when
# it names a municipality or a place in one (seeds municipalities and places), else null.
MUNICIPALITY_COLUMN = "lc_municipality"
KNOWN_MUNICIPALITY_COLUMN = "lc_municipality_listed"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _key(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


@dataclass(frozen=True)
class Reference:
    catalogue: CallCatalogue
    caps: dict[tuple[str, str], float]  # (call_id, mission key or "") -> max subsidy per project
    missions: dict[str, str]  # mission as written (key) -> mission under its one name
    # The rule that places organisations, so that "Den Haag" is known as it is in the marts.
    places: PlaceIndex | None = None

    @classmethod
    def from_seeds(cls, seeds: Path) -> Reference:
        caps = {
            (row["call_id"].strip(), _key(row["mission"])): float(row["max_subsidy_eur"])
            for row in _rows(seeds / "subsidy_caps.csv")
        }
        missions = {
            _key(row["mission_as_written"]): row["mission"].strip()
            for row in _rows(seeds / "mooi_missions.csv")
        }
        places = PlaceIndex(
            *(_rows(seeds / f"{seed}.csv") for seed in ("municipalities", "places", "provinces"))
        )
        return cls(CallCatalogue.from_csv(seeds / "programme_calls.csv"), caps, missions, places)

    def cap(self, call_id: str | None, mission: str | None = None) -> float | None:
        """The maximum subsidy per project: the call's figure for the mission, else the call's."""
        if not call_id:
            return None
        harmonised = self.missions.get(_key(mission), mission)
        return self.caps.get((call_id, _key(harmonised)), self.caps.get((call_id, "")))

    def _municipality_of(self, cell: str) -> str | None:
        location = self.places.lookup(cell) if self.places else None
        return location.municipality if location else None

    def budget(self, call_id: str | None) -> float | None:
        call = self.catalogue.get(call_id)
        return call.budget_eur if call else None

    def enrich(self, frame: pd.DataFrame, subsidy_column: str | None) -> pd.DataFrame:
        """Add each record's cap, its call's budget and the call's subsidy total in this
        snapshot, for the rules subsidy_within_cap and call_within_budget; and a register LC's
        municipality when the seeds place it, for lc_municipality_known."""
        if MUNICIPALITY_COLUMN in frame.columns:
            frame = frame.copy()
            # The value as written when known (so the pair rule compares equal), else null.
            frame[KNOWN_MUNICIPALITY_COLUMN] = [
                m if isinstance(m, str) and self._municipality_of(m) else None
                for m in frame[MUNICIPALITY_COLUMN]
            ]
        if "call_id" not in frame.columns or subsidy_column is None:
            return frame
        frame = frame.copy()
        missions = frame["mission"] if "mission" in frame.columns else [None] * len(frame)
        # float64 with NaN for "no figure": GX's pair rules skip missing values.
        frame[CAP_COLUMN] = pd.Series(
            [self.cap(c, m) for c, m in zip(frame["call_id"], missions, strict=True)],
            index=frame.index,
            dtype="float64",
        )
        frame[BUDGET_COLUMN] = pd.Series(
            [self.budget(c) for c in frame["call_id"]], index=frame.index, dtype="float64"
        )
        amounts = pd.to_numeric(frame[subsidy_column], errors="coerce")
        total = amounts.groupby(frame["call_id"].fillna("")).transform("sum")
        # On one row per call only, so that a call over its budget counts once.
        frame[CALL_TOTAL_COLUMN] = total.where(~frame["call_id"].duplicated())
        return frame
