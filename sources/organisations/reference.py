"""The reference of known organisations, read from the reviewed seeds in dbt_project/seeds/:
`organisations` (one row per organisation), `organisation_aliases` (its other names), and
every municipality and province as "Gemeente X" / "Provincie X", made from `municipalities`,
`places` and `provinces` so that no municipality is typed twice.

The same rows come from the seed CSV files (``from_seed_dir``: the benchmark, the tests) or
from the seeded tables (``Reference(...)``: the dbt model).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sources.organisations.names import GENERIC_WORDS, display_key, match_key, order_key
from sources.organisations.places import PlaceIndex

SEED_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
SEEDS = ("organisations", "organisation_aliases", "municipalities", "places", "provinces")
ORGANISATION_TYPES = frozenset(
    {"bedrijf", "kennisinstelling", "mbo", "hbo", "wo", "overheid", "overig"}
)


@dataclass
class Entry:
    """One organisation of the reference."""

    key: str
    name: str
    organisation_type: str
    category: str
    place: str | None
    municipality: str | None
    province: str | None
    ror_id: str | None
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, kind)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text if text and text.lower() != "nan" else None


class Reference:
    def __init__(
        self,
        organisations: Iterable[Mapping[str, object]],
        aliases: Iterable[Mapping[str, object]],
        municipalities: Iterable[Mapping[str, object]],
        places: Iterable[Mapping[str, object]],
        provinces: Iterable[Mapping[str, object]],
    ) -> None:
        municipalities, places, provinces = list(municipalities), list(places), list(provinces)
        self.places = PlaceIndex(
            [{k: _text(v) or "" for k, v in row.items()} for row in municipalities],
            [{k: _text(v) or "" for k, v in row.items()} for row in places],
            [{k: _text(v) or "" for k, v in row.items()} for row in provinces],
        )
        self.entries: dict[str, Entry] = {}
        for row in organisations:
            name = _text(row["canonical_name"])
            organisation_type = _text(row["organisation_type"])
            if not name or organisation_type not in ORGANISATION_TYPES:
                raise ValueError(f"organisations seed: bad row {dict(row)!r}")
            place = _text(row.get("place"))
            location = self.places.lookup(place)
            if place and location is None:
                raise ValueError(f"organisations seed: place {place!r} of {name!r} is unknown")
            self._add(
                Entry(
                    key=display_key(name),
                    name=name,
                    organisation_type=organisation_type,
                    category=_text(row.get("category")) or organisation_type,
                    place=place,
                    municipality=location.municipality if location else None,
                    province=location.province if location else None,
                    ror_id=_text(row.get("ror_id")),
                    names=[(name, "official")],
                )
            )
        self._add_public_bodies(municipalities, places, provinces)
        by_name = {entry.name: entry for entry in self.entries.values()}
        for row in aliases:
            alias, canonical = _text(row["alias"]), _text(row["canonical_name"])
            if canonical not in by_name or not alias:
                raise ValueError(f"organisation_aliases seed: {canonical!r} is not an organisation")
            by_name[canonical].names.append((alias, _text(row.get("alias_kind")) or "alias"))
        self._index()

    @classmethod
    def from_seed_dir(cls, seed_dir: Path = SEED_DIR) -> Reference:
        def rows(seed: str) -> list[dict[str, str]]:
            with (seed_dir / f"{seed}.csv").open(encoding="utf-8", newline="") as handle:
                return list(csv.DictReader(handle))

        return cls(*(rows(seed) for seed in SEEDS))

    def _add(self, entry: Entry) -> None:
        if entry.key in self.entries:
            raise ValueError(f"reference: two organisations with the key {entry.key!r}")
        self.entries[entry.key] = entry

    def _add_public_bodies(self, municipalities, places, provinces) -> None:
        """Every municipality ("Gemeente X", also under its places' names: "Gemeente Den
        Haag", former municipalities) and every province ("Provincie X")."""
        for row in municipalities:
            municipality = _text(row["municipality"])
            names = [(f"Gemeente {municipality}", "official")]
            if " (" in municipality:  # Bergen (NH.): "Gemeente Bergen" is ambiguous
                names.append((f"Gemeente {municipality.replace('.', '')}", "spelling"))
            province = self.places.province_of[municipality]
            self._add_public_body("gemeente", municipality, municipality, municipality,
                                  province, names)  # fmt: skip
        for row in places:
            location = self.places.lookup(_text(row["place"]))
            if location and location.municipality:
                key = display_key(f"Gemeente {location.municipality}")
                self.entries[key].names.append((f"Gemeente {_text(row['place'])}", "place"))
        for row in provinces:
            province = _text(row["province"])
            names = [(f"Provincie {province}", "official")]
            for other in (_text(row.get("other_names")) or "").split("|"):
                if other.strip():
                    names.append((f"Provincie {other.strip()}", "other_name"))
            self._add_public_body("provincie", province, _text(row.get("capital")), None,
                                  province, names)  # fmt: skip

    def _add_public_body(
        self,
        category: str,
        what: str,
        place: str | None,
        municipality: str | None,
        province: str,
        names: list[tuple[str, str]],
    ) -> None:
        """A "Gemeente X" or "Provincie X" as a reference organisation of type overheid."""
        name = f"{category.capitalize()} {what}"
        self._add(
            Entry(
                key=display_key(name),
                name=name,
                organisation_type="overheid",
                category=category,
                place=place,
                municipality=municipality,
                province=province,
                ror_id=None,
                names=names,
            )
        )

    def _index(self) -> None:
        keys: dict[str, set[str]] = {}
        ordered: dict[str, set[str]] = {}
        self.generic: list[str] = []
        for entry in self.entries.values():
            for name, kind in entry.names:
                key = match_key(name)
                if kind != "official" and all(word in GENERIC_WORDS for word in key.split()):
                    # An alias such as "Academisch Medisch Centrum" reads as "umc": it would
                    # take every name made of generic words ("UMC", "Universitair Medisch
                    # Centrum"). An official name is kept: it is that organisation's own.
                    self.generic.append(name)
                    continue
                keys.setdefault(key, set()).add(entry.key)
                ordered.setdefault(order_key(name), set()).add(entry.key)
        # A name two organisations share (an abbreviation, a short form) identifies neither.
        self.by_match_key = {
            key: next(iter(found)) for key, found in keys.items() if len(found) == 1
        }
        # The same in the names' own word order: a name as written is trusted in its order.
        self.by_order_key = {
            key: next(iter(found))
            for key, found in ordered.items()
            if len(found) == 1 and match_key(key) in self.by_match_key
        }
        self.ambiguous = {key: sorted(found) for key, found in keys.items() if len(found) > 1}
        self.by_ror: dict[str, str] = {}
        for entry in self.entries.values():
            if entry.ror_id:
                if entry.ror_id in self.by_ror:
                    raise ValueError(f"reference: ROR id {entry.ror_id} is given twice")
                self.by_ror[entry.ror_id] = entry.key
