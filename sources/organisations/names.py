"""What an organisation's name says, read the same way for every source and for the reference.

Three readings of one name:
- ``fold``: case, accents and punctuation removed ("Coöperatie Ecofactorij U.A." ->
  "cooperatie ecofactorij u a");
- ``match_key``: the words that tell organisations apart, in a canonical form: legal forms
  (B.V., N.V., Stichting, Koninklijke, Groep, Holding ...) and small words (van, de, of ...)
  dropped, English institution words in Dutch ("University of Applied Sciences" ->
  "hogeschool", "Province of" -> "provincie");
- ``variants``: the ways to read one cell: as a whole, without a part in brackets, each part
  between commas, dashes or slashes (a faculty after a comma), without a unit
  ("Faculteit ..."), the part in brackets (an abbreviation).

And what a name proves about the organisation's kind (``type_from_name``): only patterns that do
not guess - an official prefix (Gemeente, Provincie, Waterschap ...), the words of a school or
university in Dutch or English, a legal form written by the organisation itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Phrases written the same way in the key, longest first so that "university of applied
# sciences" is read before "university". Applied to folded text (words separated by spaces).
_SYNONYMS: tuple[tuple[str, str], ...] = (
    ("universities of applied sciences", "hogeschool"),
    ("university of applied sciences", "hogeschool"),
    ("universitair medisch centrum", "umc"),
    ("university medical centre", "umc"),
    ("university medical center", "umc"),
    ("academisch medisch centrum", "umc"),
    ("university of technology", "technische universiteit"),
    ("tu", "technische universiteit"),
    ("technical university", "technische universiteit"),
    ("medical centre", "medisch centrum"),
    ("medical center", "medisch centrum"),
    ("municipality of", "gemeente"),
    ("city of", "gemeente"),
    ("gemeinte", "gemeente"),
    ("municipality", "gemeente"),
    ("province of", "provincie"),
    ("province", "provincie"),
    ("provinsje", "provincie"),
    ("prov", "provincie"),
    ("ministry of", "ministerie"),
    ("water authority", "waterschap"),
    ("water board", "waterschap"),
    ("waterboard", "waterschap"),
    ("wetterskip", "waterschap"),
    ("hogescholen", "hogeschool"),
    ("universiteiten", "universiteit"),
    ("university", "universiteit"),
    ("the netherlands", "nederland"),
    ("netherlands", "nederland"),
    # The province's Frisian and Dutch names ("Wetterskip Fryslân" = "Waterschap Friesland").
    ("friesland", "fryslan"),
)
_SYNONYM_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(phrase) for phrase, _ in _SYNONYMS) + r")\b"
)
_SYNONYM_OF = dict(_SYNONYMS)

# Legal forms and words that say how an organisation is constituted, not which one it is.
LEGAL_FORM_WORDS = frozenset(
    [
        "bv", "nv", "vof", "cv", "ua", "ba", "wa", "gmbh", "ltd", "limited", "inc", "incorporated",
        "plc", "llc", "sa", "ag", "se", "spa", "srl", "as", "aps", "ab", "oy", "kg", "co", "corp",
        "corporation", "stichting", "foundation", "koninklijke", "koninklijk", "royal", "groep",
        "group", "holding", "holdings", "vereniging", "association", "cooperatie", "cooperative"
    ]
)  # fmt: skip
# Multi-letter legal forms written with dots fold to single letters ("B.V." -> "b v").
_DOTTED_LEGAL_FORMS = re.compile(r"(?:^| )(b v|n v|v o f|c v|u a|b a|w a|s a|s p a)(?= |$)")

# Small words that do not tell names apart ("Hogeschool van Amsterdam" = "Amsterdam Hogeschool").
STOP_WORDS = frozenset(
    [
        "van", "de", "het", "der", "des", "the", "of", "en", "and", "voor", "for", "in", "te", "op",
        "aan", "a", "an"
    ]
)  # fmt: skip

# Countries and their codes, written after a name ("RWTH Aachen (Germany)", "Siemens AG (DE)"):
# they say where, not which; "(NL)" after two different companies does not make them one.
COUNTRY_WORDS = frozenset(
    [
        "nl", "be", "dk", "fr", "uk", "gb", "us", "usa", "eu", "ch", "at", "lu", "germany",
        "deutschland", "belgium", "belgie", "belgique", "france", "denmark", "danmark", "norway",
        "norge", "sweden", "sverige", "spain", "espana", "italy", "italia", "austria",
        "switzerland", "schweiz", "luxembourg", "finland", "ireland", "poland", "portugal",
        "china", "japan", "india", "canada", "australia", "united", "kingdom", "states",
        "america", "europa", "duitsland", "belgie", "frankrijk", "denemarken", "noorwegen",
        "zweden", "spanje", "engeland"
    ]
)  # fmt: skip


# Words that place an organisation abroad: a foreign country, or a foreign legal form. Such a
# name is not the Dutch organisation of the same name ("TenneT TSO GmbH", "Provincie Limburg
# (België)", "Arcadis Belgium").
FOREIGN_WORDS = (COUNTRY_WORDS - {"nl", "eu", "europa", "united", "kingdom", "states"}) | frozenset(
    ["gmbh", "ag", "sa", "ltd", "limited", "plc", "inc", "llc", "aps", "ab", "oy", "bvba",
     "spa", "srl", "sarl", "kg", "asa", "belgian", "german", "danish", "british"]
)  # fmt: skip


def is_foreign(name: str) -> bool:
    """Whether the name says the organisation is seated abroad."""
    return bool(set(fold(name).split()) & FOREIGN_WORDS)


# Words naming the kind of institution or its country: shared by many organisations, so a
# match needs more than these in common.
GENERIC_WORDS = frozenset(
    [
        "universiteit", "rijksuniversiteit", "hogeschool", "technische", "college", "roc", "aoc",
        "mbo", "opleidingen", "opleidingscentrum", "regionaal", "agrarisch", "instituut",
        "institute", "centrum", "centre", "center", "academie", "academy", "school", "scholen",
        "nederland", "nederlandse", "dutch", "europe", "benelux", "international", "internationaal",
        "research", "onderzoek", "gemeente", "provincie", "ministerie", "waterschap",
        "hoogheemraadschap", "umc", "medisch", "rijksdienst"
    ]
) | COUNTRY_WORDS  # fmt: skip

# Generic words that name a kind of institution: two names with different ones are two
# institutions ("Da Vinci College" is not "Da Vinci Instituut").
INSTITUTION_WORDS = frozenset(
    ["universiteit", "hogeschool", "college", "roc", "aoc", "instituut", "institute", "academie",
     "academy", "school", "umc"]
)  # fmt: skip

# A unit inside an organisation, written after its name without punctuation
# ("TU Delft Faculteit 3mE"); everything from the unit word on is the unit.
_UNIT_WORDS = re.compile(
    r" (faculteit|faculty|afdeling|department|dept|vakgroep|lectoraat|kenniscentrum|"
    r"onderzoeksgroep|research group|chair group|leerstoelgroep|school of|graduate school|"
    r"instituut voor|institute for|institute of|laboratory|laboratorium|campus|locatie|"
    r"location) .+$"
)
# A comma, semicolon, NWOpen's "||", a spaced dash, or a slash between words (not "TU/e").
_SPLIT = re.compile(r"\s*(?:,|;|\|\||\||\s[-\u2013\u2014]\s|\s/|/\s|(?<=\w{2})/(?=\w{2}))\s*")
_BRACKETS = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")


@lru_cache(maxsize=200_000)
def fold(name: str) -> str:
    """Lower case, accents removed, apostrophes dropped ("Aa's" = "Aas"), every other run of
    non-alphanumerics one space."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    bare = re.sub(r"['\u2019`\u00b4]", "", bare.lower().replace("\u00df", "ss"))
    return re.sub(r"[^0-9a-z]+", " ", bare).strip()


# Institution words as they are often mistyped ("Univeristy", "Colege", "Hogescool"): a word
# this close to one of them, and not itself a known word of another meaning, is read as it.
_INSTITUTION_WORDS = ("university", "universiteit", "rijksuniversiteit", "hogeschool", "college",
                      "institute",
                      "instituut", "academie", "academy", "gemeente", "provincie", "waterschap",
                      "ministerie")  # fmt: skip


@lru_cache(maxsize=200_000)
def _spelled(word: str) -> str:
    if len(word) < 6 or word in _INSTITUTION_WORDS:
        return word
    from rapidfuzz import fuzz, process  # a fast C library; imported where it is used

    found = process.extractOne(word, _INSTITUTION_WORDS, scorer=fuzz.ratio, score_cutoff=87)
    return found[0] if found else word


@lru_cache(maxsize=200_000)
def canonical_words(folded: str) -> tuple[str, ...]:
    """The folded name with English institution words in Dutch and dotted legal forms joined."""
    folded = " ".join(_spelled(word) for word in folded.split())
    text = _SYNONYM_PATTERN.sub(lambda match: _SYNONYM_OF[match.group(1)], folded)
    text = _DOTTED_LEGAL_FORMS.sub(lambda match: " " + match.group(1).replace(" ", ""), text)
    return tuple(text.split())


@lru_cache(maxsize=200_000)
def order_key(name: str) -> str:
    """``match_key`` in the name's own word order: "Energie Samen" is not "Samen Energie"."""
    folded = fold(name)
    if not folded:
        return " ".join(name.lower().split())
    words = canonical_words(folded)
    kept = [word for word in words if word not in LEGAL_FORM_WORDS and word not in STOP_WORDS]
    if all(word in GENERIC_WORDS for word in kept):
        kept = [word for word in words if word not in STOP_WORDS]
    return " ".join(kept or words)


@lru_cache(maxsize=200_000)
def match_key(name: str) -> str:
    """The words of a name that identify the organisation, in a canonical form and sorted, so
    that word order does not matter ("Delft University of Technology" = "Technische
    Universiteit Delft").

    A name made only of legal-form and small words keeps them ("Stichting" stays "stichting"),
    so that no name has an empty key.
    """
    # Only generic words left ("Vereniging Hogescholen"): the legal form is what tells the
    # association from any hogeschool, so it stays (order_key). No Latin letters or digits
    # ("北京大学"): the name itself.
    return " ".join(sorted(order_key(name).split()))


def display_key(name: str) -> str:
    """A readable, stable organisation key: the folded name as written, without legal forms,
    with dashes ("Yara Sluiskil B.V." -> "yara-sluiskil")."""
    folded = fold(name)
    if not folded:  # no Latin letters or digits: keep the name itself
        return "-".join(name.strip().lower().split()) or "unnamed"
    words = _DOTTED_LEGAL_FORMS.sub(lambda m: " " + m.group(1).replace(" ", ""), folded).split()
    kept = [word for word in words if word not in LEGAL_FORM_WORDS] or words
    return "-".join(kept)


@dataclass(frozen=True)
class Variant:
    """One way of reading a name cell, and how it was obtained (for the evidence)."""

    text: str
    how: str


def variants(name: str) -> list[Variant]:
    """The readings of a name cell to try, most literal first."""
    found: list[Variant] = [Variant(name, "as_written")]
    unbracketed = _BRACKETS.sub(" ", name)
    if unbracketed.strip() and unbracketed.strip() != name.strip():
        found.append(Variant(unbracketed, "without_brackets"))
    for part in _SPLIT.split(unbracketed):
        if part.strip() and part.strip() != unbracketed.strip():
            found.append(Variant(part, "part"))
    for variant in list(found):
        folded = " " + fold(variant.text)
        without_unit = _UNIT_WORDS.sub("", folded).strip()
        if without_unit and without_unit != folded.strip():
            found.append(Variant(without_unit, "without_unit"))
    for match in _BRACKETS.finditer(name):
        inner = (match.group(1) or match.group(2) or "").strip()
        if inner:
            found.append(Variant(inner, "in_brackets"))
    unique: dict[str, Variant] = {}
    for variant in found:
        unique.setdefault(match_key(variant.text), variant)
    return [variant for key, variant in unique.items() if key]


def is_unit(text: str) -> bool:
    """Whether a part of a name is a unit of an organisation ("Faculteit Geowetenschappen")."""
    return bool(_UNIT_WORDS.match(" " + fold(text) + " x"))


# --- what a name proves about the organisation's type -------------------------------------

_TYPE_RULES: tuple[tuple[str | None, str, re.Pattern[str]], ...] = (
    # (type, kind, pattern on the canonical words joined by spaces)
    # A company's legal form written by the organisation itself comes first: "Universiteit
    # Twente Holding B.V." and "Gemeente Ede Installatie B.V." are companies. The unmistakable
    # forms anywhere ("X B.V. (Winterswijk)"), the short ones that are also initials only at
    # the end; "& Zn." (and sons).
    ("bedrijf", "rechtsvorm", re.compile(
        r"(^| )(bv|nv|vof|bvba|gmbh|ltd|plc|llc|zn|zonen)( |$)"
        r"|(^| )(cv|limited|inc|sa|ag|se|aps|ab|oy|corp)$")),
    # An association of universities or schools is no school ("Vereniging Hogescholen").
    ("overig", "vereniging", re.compile(r"^(vereniging|association|tki) ")),
    # A cooperative can be a company too (Avebe, FrieslandCampina): overig, but no guard.
    ("overig", "cooperatie", re.compile(r"^\w*(cooperatie|cooperatieve) |(^| )(u a|ua)$")),
    ("overheid", "gemeente", re.compile(r"^gemeente ")),
    ("overheid", "provincie", re.compile(r"^provincie ")),
    ("overheid", "waterschap", re.compile(r"^(waterschap|hoogheemraadschap) ")),
    ("overheid", "ministerie", re.compile(r"^ministerie ")),
    ("overheid", "rijksdienst", re.compile(r"^(rijksdienst|rijkswaterstaat$)")),
    ("kennisinstelling", "umc", re.compile(r"(^| )\w*umc( |$)")),
    # A hospital proves no type (a UMC is a kennisinstelling, a general hospital is not), but
    # keeps a medical centre apart from a university of the same name ("Erasmus Medical Center").
    (None, "zorg", re.compile(r"(^| )(medisch centrum|ziekenhuis|hospital|mc)( |$)")),
    ("hbo", "hogeschool", re.compile(r"(^| )(hogeschool|pabo)( |$)|hogeschool$")),
    ("wo", "universiteit", re.compile(r"(^| )universiteit( |$)")),
    ("mbo", "mbo_instelling", re.compile(
        r"(^| )(roc|aoc|mbo|regionaal opleidingscentrum|agrarisch opleidingscentrum|"
        r"vakschool|vakcollege)( |$)")),
    # A foundation that is not a school: many schools are legally "Stichting ...".
    ("overig", "stichting", re.compile(
        r"^(stichting|foundation) |(^| )(stichting|foundation|fonds|fund|woningcorporatie|"
        r"woonstichting)$")),
    ("bedrijf", "bedrijf", re.compile(
        r"(^| )\w*(bedrijf|bedrijven|bureau|fabriek|fabrieken|installatietechniek)( |$)"
        r"|(^| )(groep|group|holding|holdings)$")),
)  # fmt: skip


@lru_cache(maxsize=200_000)
def type_from_name(name: str) -> tuple[str | None, str] | None:
    """``(type, kind)`` that the name proves, or None; the type is None when the name proves
    only a kind (a hospital). A university medical centre is not a university; "College" alone
    does not prove an MBO school (secondary schools use it)."""
    folded = fold(name)
    text = " ".join(canonical_words(folded))
    if not text:
        return None
    for organisation_type, kind, pattern in _TYPE_RULES:
        if pattern.search(text):
            return organisation_type, kind
    return None
