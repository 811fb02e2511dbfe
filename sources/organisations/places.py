"""Places to municipalities to provinces, from the seeds `municipalities`, `places` and
`provinces`: where an organisation is, from a register's municipality cell or from a place
written in its name ("TNO Delft", "Bouwbedrijf Hendriks Emmen", "Zeeland Refinery")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sources.organisations.names import GENERIC_WORDS, fold

# Place names that are also ordinary words in Dutch or English organisation names ("Best
# Energy", "Born Solar", "Echt Groen", "De Groene Winkel", "Hoek Loos", "Heel Holland"): in a
# name they prove nothing. A register's municipality cell is still read as the place.
COMMON_WORD_PLACES = frozenset(
    [
        "best", "born", "echt", "made", "son", "goor", "elst", "stein", "sluis", "epe", "ede",
        "oss", "lith", "velp", "zelhem", "lopik", "urk", "mill", "grave", "boxtel", "beek", "bant",
        "ell", "elim", "ens", "erica", "horst", "hoek", "heel", "helden", "lent", "leek", "haren",
        "putten", "putte", "vries", "winkel", "vilt", "neer", "reek", "schijf", "waarde", "zegge",
        "kaag", "kats", "hank", "haps", "buren", "dieren", "huizen", "velden", "rijen", "rekken",
        "wedde", "balk", "blije", "doorn", "groet", "hoeven", "lieren", "tuk", "meers", "marken",
        "graft"
    ]
)  # fmt: skip
# A one-word place after these words is part of a surname ("De Vries", "Ter Horst"), not where
# the organisation is; so is a place after "van" ("Van den Bosch", "Van Kampen"), unless an
# institution word precedes it ("Hogeschool van Amsterdam", "ROC van Twente").
SURNAME_PREFIXES = frozenset(["de", "der", "den", "ter", "ten", "vd"])


@dataclass(frozen=True)
class Location:
    municipality: str | None
    province: str
    phrase: str  # the place as found, folded


class PlaceIndex:
    """Folded place, municipality and province names to the municipality and province."""

    def __init__(
        self,
        municipalities: Iterable[Mapping[str, str]],
        places: Iterable[Mapping[str, str]],
        provinces: Iterable[Mapping[str, str]],
    ) -> None:
        self.province_of: dict[str, str] = {}
        by_phrase: dict[str, set[tuple[str | None, str]]] = {}
        for row in municipalities:
            municipality, province = row["municipality"].strip(), row["province"].strip()
            self.province_of[municipality] = province
            for phrase in {fold(municipality), fold(re.sub(r"\(.*\)", "", municipality))}:
                by_phrase.setdefault(phrase, set()).add((municipality, province))
        for row in places:
            municipality = row["municipality"].strip()
            if municipality not in self.province_of:
                raise ValueError(
                    f"places seed: {row['place']!r} lies in {municipality!r}, "
                    "which is not in the municipalities seed"
                )
            by_phrase.setdefault(fold(row["place"]), set()).add(
                (municipality, self.province_of[municipality])
            )
        self.provinces: set[str] = set()
        for row in provinces:
            province = row["province"].strip()
            self.provinces.add(province)
            names = [province, *(row.get("other_names") or "").split("|")]
            for name in filter(None, (name.strip() for name in names)):
                # A province's own name, where it is not also a municipality's (Utrecht,
                # Groningen): then the municipality is meant.
                by_phrase.setdefault(fold(name), set()).add((None, province))
        # A phrase is usable when it points to one place (or, as a province, one province).
        self._phrases: dict[str, Location] = {}
        for phrase, targets in by_phrase.items():
            municipalities_of = {target for target in targets if target[0] is not None}
            chosen = municipalities_of or targets
            if len(chosen) == 1:
                municipality, province = next(iter(chosen))
                self._phrases[phrase] = Location(municipality, province, phrase)
        self._longest = max((len(phrase.split()) for phrase in self._phrases), default=1)

    def lookup(self, cell: str | None) -> Location | None:
        """A municipality or place cell as written ("Den Haag", "'s-Gravenhage", "DELFT")."""
        if not cell or not cell.strip():
            return None
        return self._phrases.get(fold(cell))

    def find_in_name(self, name: str) -> Location | None:
        """The one place a name mentions, or None when it mentions none or several in different
        provinces. Longer phrases first ("Bergen op Zoom" before "Bergen")."""
        tokens = fold(name).split()
        found: list[Location] = []
        index = 0
        while index < len(tokens):
            for length in range(min(self._longest, len(tokens) - index), 0, -1):
                phrase = " ".join(tokens[index : index + length])
                location = self._phrases.get(phrase)
                if location and not self._is_word(tokens, index, length):
                    found.append(location)
                    index += length
                    break
            else:
                index += 1
        provinces = {location.province for location in found}
        if len(provinces) != 1:
            return None
        municipalities = {location.municipality for location in found} - {None}
        if len(municipalities) == 1:
            return next(location for location in found if location.municipality)
        # Only a province, or two places in one province: the province is known, the place not.
        return Location(None, provinces.pop(), found[0].phrase)

    def place_phrases(self, name: str) -> set[str]:
        """Every place phrase in a name (folded), for telling apart "X Delft" and "X Breda"."""
        tokens = fold(name).split()
        found: set[str] = set()
        for length in range(1, self._longest + 1):
            for index in range(len(tokens) - length + 1):
                phrase = " ".join(tokens[index : index + length])
                if phrase in self._phrases and not self._is_word(tokens, index, length):
                    found.add(phrase)
        return found

    @staticmethod
    def _is_word(tokens: list[str], index: int, length: int) -> bool:
        """Whether the place at ``tokens[index:index + length]`` is an ordinary word or part of
        a surname rather than a place."""
        before = tokens[index - 1] if index > 0 else None
        if length == 1 and (tokens[index] in COMMON_WORD_PLACES or before in SURNAME_PREFIXES):
            return True
        if before in ("nieuw", "new"):  # Nieuw-Zeeland, New Holland: not the province
            return True
        if before == "van":
            institution = tokens[index - 2] if index > 1 else None
            return institution not in GENERIC_WORDS
        return False

    def is_municipal(self, phrase: str) -> bool:
        """Whether a place phrase is a municipality or a place in one (not only a province)."""
        return self._phrases[phrase].municipality is not None

    def location_key(self, phrase: str) -> str:
        """What a place phrase stands for, so that "den haag" and "s gravenhage" compare equal."""
        location = self._phrases[phrase]
        return location.municipality or location.province
