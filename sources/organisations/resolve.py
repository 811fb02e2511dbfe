"""Which organisation each name written in the sources is, in clear steps.

For every name (most mentioned first):
1. **reference**: one of its readings (``names.variants``, and without a place at its start or
   end: "TNO Delft") has the match key of a reference organisation's name or alias;
2. **ror_id**: NWOpen gives it the ROR id of a reference organisation;
3. **fuzzy_reference**: it is close enough to a reference name (score >= ``accept_score``) and
   passes the guards below;
4. **known_name** / **fuzzy_known**: the same for the organisations already found in this run
   that are not in the reference (and names sharing a ROR id);
5. otherwise a **new** organisation.

Guards that keep organisations apart whatever the score: the kind a name proves (a
hogeschool is no university, a UMC no university, a Gemeente no Provincie, a foundation no
company; only a name that says Gemeente is a municipality's); the words that identify it
(every identifying word on either side needs a counterpart on the other: "Siemens Energy" is
not "Siemens Gamesa"; "vrije" keeps the VU from the UvA); the institution words ("Da Vinci
Instituut" is not "Da Vinci College"); the places named ("Hogeschool Rotterdam" is not
"Hogeschool Utrecht"); and uniqueness (a name whose words fit several organisations, like
"Siemens" or "Erasmus", is merged with none). Ties are broken by name, never by set order.

Merges to confirm (fuzzy, a name without its place, a cell naming several organisations), near
misses and new organisations are listed for review (``Resolution.review_status``); an analyst
settles one with one seed row. docs/organisations.md has the whole story.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from sources.organisations.names import (
    GENERIC_WORDS,
    INSTITUTION_WORDS,
    display_key,
    fold,
    is_foreign,
    is_unit,
    match_key,
    order_key,
    type_from_name,
    variants,
)
from sources.organisations.reference import Entry, Reference

# Measured with `make bench-organisations --sweep` (docs/organisations.md): from 85 on, no false
# merge on the held-out spellings, with or without alias rows; below it, false merges appear;
# above it, fewer typos are caught. A near miss from 70 on is listed for review.
ACCEPT_SCORE = 85.0
REVIEW_SCORE = 70.0
# Two identifying words are the same word written with a typo from this ratio on (80: one
# letter wrong in a five-letter word).
WORD_SCORE = 80.0
# A name "fits" an organisation when its words are among the organisation's (one typo in ten
# letters allowed); fitting several (Siemens: Energy, Gamesa, Nederland) means merging none.
FIT_SCORE = 90.0
# Between two names of organisations outside the reference nothing reviewed anchors a match,
# and short invented company names differ by a letter ("Velzon", "Verzon"): their words must
# be alike to one typo in ten letters.
KNOWN_WORD_SCORE = 90.0
# Kinds of organisation that never merge with another kind: a Gemeente is no Provincie, a
# hogeschool no university, a hospital no university (a UMC is a hospital).
EXCLUSIVE_KINDS = frozenset({"gemeente", "provincie", "waterschap", "ministerie", "universiteit",
                             "hogeschool", "mbo_instelling", "umc", "zorg"})  # fmt: skip
_SAME_KIND = {("zorg", "umc"), ("umc", "zorg")}
FOUNDATION_KINDS = frozenset({"stichting", "vereniging"})
# A company's legal form (kind "rechtsvorm") is never a school's, a public body's or a research
# institute's ("Universiteit Utrecht Holding B.V.", "HAN B.V."), nor a foundation's,
# association's or cooperative's ("Coöperatie Zon op Dak U.A." and "Zon op Dak B.V." are two).
NOT_A_COMPANY_TYPES = frozenset({"wo", "hbo", "mbo", "overheid", "kennisinstelling"})
NOT_A_COMPANY_KINDS = FOUNDATION_KINDS | {"cooperatie"}
# Words around which English and Dutch put the same name in another order ("Delft University
# of Technology" = "Technische Universiteit Delft"): only then does word order not matter.
REORDER_WORDS = INSTITUTION_WORDS | {"technische", "gemeente", "provincie", "waterschap",
                                     "ministerie", "hoogheemraadschap"}  # fmt: skip
PUBLIC_BODY_KINDS = frozenset({"gemeente", "provincie", "waterschap", "ministerie"})


@dataclass(frozen=True)
class Mention:
    """A name as written in the sources, with what the sources say beside it."""

    name: str
    mentions: int = 1
    ror_id: str | None = None
    declared_type: str | None = None  # a register's type column
    municipality: str | None = None  # a register's municipality column (the address)


@dataclass
class Organisation:
    key: str
    name: str
    entry: Entry | None = None
    spellings: list[str] = field(default_factory=list)
    ror_id: str | None = None
    organisation_type: str = "onbekend"
    type_source: str = "none"
    category: str | None = None
    municipality: str | None = None
    province: str | None = None
    location_source: str | None = None


@dataclass
class Resolution:
    name: str
    organisation_key: str
    rule: str
    reading: str  # which reading of the name matched (as_written, part, without_place, ...)
    score: float | None = None
    matched_name: str | None = None
    candidate_key: str | None = None  # best match not merged, or a merge below certainty
    candidate_name: str | None = None
    candidate_score: float | None = None
    evidence: str | None = None
    candidate_in_reference: bool = False
    uncertain: bool = False  # merged, but by a reading an analyst should confirm

    @property
    def review_status(self) -> str | None:
        if self.rule in ("fuzzy_reference", "fuzzy_known") or self.uncertain:
            return "check_merge"
        if self.rule == "new":
            return "possible_match" if self.candidate_key else "new_organisation"
        return None


@dataclass
class _Candidate:
    """A reference entry or a known organisation as the fuzzy step sees it."""

    key: str
    name: str
    match_key: str
    identifying: frozenset[str]
    places: frozenset[str]
    organisation_type: str | None
    kind: str | None
    # Institution words of the organisation's own name ("college" for the alias "Da Vinci").
    institutions: frozenset[str] = frozenset()
    order_key: str = ""
    dutch: bool = False  # a reference organisation seated in the Netherlands
    in_reference: bool = False
    foreign: bool = False  # a name that says it is seated abroad

    @property
    def all_words(self) -> frozenset[str]:
        """Identifying words and the words of the places named."""
        return self.identifying | {word for place in self.places for word in fold(place).split()}


class _Pool:
    """Candidates to match against, indexed for rapidfuzz: their keys and identifying words.
    The reference's pool is built once; the known organisations' grows during a run."""

    def __init__(self, candidates: Iterable[_Candidate] = ()) -> None:
        self.candidates: list[_Candidate] = []
        self.keys: list[str] = []
        self.word_index: dict[str, list[int]] = {}
        self.words: list[str] = []
        for candidate in candidates:
            self.add(candidate)

    def add(self, candidate: _Candidate) -> None:
        position = len(self.candidates)
        self.candidates.append(candidate)
        self.keys.append(candidate.match_key)
        for word in candidate.all_words:
            if word not in self.word_index:
                self.word_index[word] = []
                self.words.append(word)
            self.word_index[word].append(position)


@dataclass
class _Known:
    """The organisations found in this run that are not in the reference."""

    pool: _Pool = field(default_factory=_Pool)
    exact: dict[str, str] = field(default_factory=dict)  # match key -> organisation key
    by_ror: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    proven: dict[str, tuple[str | None, str] | None] = field(default_factory=dict)
    candidates: dict[str, _Candidate] = field(default_factory=dict)


class Resolver:
    def __init__(
        self,
        reference: Reference,
        accept_score: float = ACCEPT_SCORE,
        review_score: float = REVIEW_SCORE,
    ) -> None:
        self.reference = reference
        self.places = reference.places
        self.accept_score = accept_score
        self.review_score = review_score
        self._reference_candidates: list[_Candidate] = []
        generic = set(reference.generic)
        for entry in reference.entries.values():
            own = frozenset(match_key(entry.name).split()) & INSTITUTION_WORDS
            for name, _kind in entry.names:
                if name in generic:
                    continue  # an alias of generic words only: it names no one
                candidate = self._candidate(entry.key, name, entry.organisation_type,
                                            entry.category)  # fmt: skip
                candidate.institutions = own | (
                    set(candidate.match_key.split()) & INSTITUTION_WORDS
                )
                candidate.dutch = entry.province is not None
                candidate.in_reference = True
                self._reference_candidates.append(candidate)
        self._exact = dict(reference.by_match_key)
        self._ordered = dict(reference.by_order_key)
        # The places named in each exact name: a reading without its place may only match a
        # name of the same place or of none ("TNO Groningen" is TNO; "Rijksuniversiteit
        # Leiden" is not "Rijksuniversiteit Groningen" without "Groningen").
        self._exact_places: dict[str, frozenset[str]] = {}
        for candidate in self._reference_candidates:
            self._exact_places.setdefault(candidate.match_key, candidate.places)
        self._derived: dict[str, str] = {}
        self._add_names_without_place()
        self._reference_pool = _Pool(self._reference_candidates)

    # --- readings of a name ------------------------------------------------------------

    def _identifying(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        """(identifying words, places) of a name: its key's words that are neither generic
        nor part of a place name, and the places it names (as municipality or province)."""
        phrases = self.places.place_phrases(name)
        place_words = {word for phrase in phrases for word in phrase.split()}
        words = set(match_key(name).split())
        identifying = frozenset(words - GENERIC_WORDS - place_words)
        return identifying, frozenset(self.places.location_key(phrase) for phrase in phrases)

    def _candidate(self, key: str, name: str, organisation_type: str | None, kind: str | None):
        identifying, places = self._identifying(name)
        return _Candidate(key, name, match_key(name), identifying, places, organisation_type, kind,
                          order_key=order_key(name))  # fmt: skip

    def _without_place(self, text: str) -> str | None:
        """The name without a place at its start or end ("TNO Delft" -> "TNO"), if what is
        left still identifies something (not only "Hogeschool"). A province is not stripped:
        "Brabant Water" without "Brabant" is any "Water"."""
        tokens = fold(text).split()
        phrases = [p for p in self.places.place_phrases(text) if self.places.is_municipal(p)]
        for phrase in sorted(phrases, key=lambda p: (-len(p), p)):
            size = len(phrase.split())
            if tokens[-size:] == phrase.split() and len(tokens) > size:
                rest = " ".join(tokens[:-size])
            elif tokens[:size] == phrase.split() and len(tokens) > size:
                rest = " ".join(tokens[size:])
            else:
                continue
            if set(match_key(rest).split()) - GENERIC_WORDS:
                return rest
        return None

    def _readings(self, name: str) -> list[tuple[str, str]]:
        readings = [(variant.text, variant.how) for variant in variants(name)]
        for text, how in list(readings):
            if how != "in_brackets" and (rest := self._without_place(text)):
                readings.append((rest, "without_place"))
        return readings

    def _add_names_without_place(self) -> None:
        """A reference name without its place is one more exact name when it still identifies
        one organisation ("Hanzehogeschool Groningen" -> "Hanzehogeschool")."""
        derived: dict[str, set[str]] = {}
        places: dict[str, frozenset[str]] = {}
        for candidate in list(self._reference_candidates):
            rest = self._without_place(candidate.name)
            if not rest or match_key(rest) in self._exact:
                continue
            # One short common word left ("Westland Infra" -> "Infra") names nothing.
            identifying = set(match_key(rest).split()) - GENERIC_WORDS
            if len(identifying) < 2 and max(map(len, identifying)) < 6:
                continue
            derived.setdefault(match_key(rest), set()).add(candidate.key)
            places[match_key(rest)] = candidate.places
        for key, entries in derived.items():
            if len(entries) == 1 and key not in self.reference.ambiguous:
                self._derived[key] = next(iter(entries))
                self._exact_places[key] = places[key]

    # --- guards --------------------------------------------------------------------------

    @staticmethod
    def _legal_forms_agree(proven, organisation_type, kind) -> bool:
        """Whether the legal form a name proves fits the other side: a company's (B.V., N.V.)
        is no school's, public body's, institute's, foundation's or cooperative's, and a
        foundation or association is never a company ("Philips Foundation", "Stichting
        Eneco")."""
        if proven is None:
            return True
        _proven_type, proven_kind = proven
        if proven_kind == "rechtsvorm":
            return organisation_type not in NOT_A_COMPANY_TYPES and kind not in NOT_A_COMPANY_KINDS
        if proven_kind in NOT_A_COMPANY_KINDS and kind == "rechtsvorm":
            return False
        return not (proven_kind in FOUNDATION_KINDS and organisation_type == "bedrijf")

    @classmethod
    def _types_agree(cls, proven, organisation_type, kind) -> bool:
        """Whether what a name proves (type, kind) fits an organisation of ``organisation_type``
        and ``kind`` (a reference category, or the kind another name proves)."""
        if proven is None:
            return True
        if not cls._legal_forms_agree(proven, organisation_type, kind):
            return False
        proven_type, proven_kind = proven
        if kind in EXCLUSIVE_KINDS and proven_kind in EXCLUSIVE_KINDS and proven_kind != kind:
            return (proven_kind, kind) in _SAME_KIND
        if proven_type is None or organisation_type is None or proven_type == organisation_type:
            return (
                proven_kind not in EXCLUSIVE_KINDS
                or kind is None
                or proven_kind == kind
                or ((proven_kind, kind) in _SAME_KIND)
            )
        # A company's legal form is carried by organisations of other types too (Brainport
        # Development N.V. is overig), and so is a foundation's (Stichting Deltares).
        return proven_type in ("bedrijf", "overig")

    @staticmethod
    def _covered(words: frozenset[str], other: frozenset[str], score: float = WORD_SCORE) -> bool:
        """Every word has a counterpart; a typo only in words of five letters or more ("HAN"
        is not "Hank")."""
        return all(
            word in other
            or (len(word) > 4 and any(fuzz.ratio(word, theirs) >= score for theirs in other))
            for word in words
        )

    def _guard(
        self, proven, query: _Candidate, candidate: _Candidate, word_score: float = WORD_SCORE
    ) -> str | None:
        """Why a name (proving ``proven``, read as ``query``) may not be merged with the
        candidate, or None."""
        if candidate.dutch and query.foreign:
            return "the name places it abroad"
        if candidate.kind in PUBLIC_BODY_KINDS and (proven is None or proven[1] != candidate.kind):
            # Only a name that says Gemeente (Provincie, ...) is a municipality's: "Amsterdam",
            # "HAN" or "Rijnland" alone are not.
            return f"not named as a {candidate.kind}"
        theirs_proven = (candidate.organisation_type, candidate.kind) if candidate.kind else None
        if not candidate.in_reference and not self._known_kinds_agree(proven, theirs_proven):
            return "a foundation or association, and a name without it"
        if not self._types_agree(proven, candidate.organisation_type, candidate.kind):
            return f"kind: the name says {proven[1]}, {candidate.name} is " + str(
                candidate.kind or candidate.organisation_type
            )
        if query.places and candidate.places and query.places != candidate.places:
            return "places differ: " + ", ".join(sorted(query.places ^ candidate.places))
        ours_kind = set(query.match_key.split()) & INSTITUTION_WORDS
        theirs_kind = candidate.institutions or set(candidate.match_key.split()) & INSTITUTION_WORDS
        if ours_kind and theirs_kind and not ours_kind & theirs_kind:
            return "institutions differ: " + ", ".join(sorted(ours_kind ^ theirs_kind))
        reorderable = set((query.order_key + " " + candidate.order_key).split()) & REORDER_WORDS
        ours_order = [w for w in query.order_key.split() if w in query.identifying]
        theirs_order = [w for w in candidate.order_key.split() if w in candidate.identifying]
        if (
            not reorderable
            and set(ours_order) == set(theirs_order) != set()
            and (ours_order != theirs_order)
        ):
            return "word order differs"  # "Samen Energie" is not "Energie Samen"
        if len(candidate.identifying) == 1 and not query.identifying & candidate.identifying:
            (word,) = candidate.identifying
            if len(word) < 8:  # "Arcadia" is not "Arcadis", "Swecon" not "Sweco"
                return f"a short name differs: {word}"
        if candidate.kind in PUBLIC_BODY_KINDS:  # "Binnenlandse" is not "Buitenlandse" Zaken
            word_score = max(word_score, FIT_SCORE)
        theirs, ours = candidate.all_words, query.all_words
        # The candidate's own words first: "words not in the candidate" then means the name is
        # the candidate plus more ("Kiwa Technology"), a unit or subsidiary to review.
        if not self._covered(candidate.identifying, ours, word_score):
            return "candidate's words missing: " + " ".join(sorted(candidate.identifying - ours))
        if not self._covered(query.identifying, theirs, word_score):
            return "words not in the candidate: " + " ".join(sorted(query.identifying - theirs))
        if (
            not query.identifying
            and not candidate.identifying
            and query.match_key != (candidate.match_key)
        ):
            return "no identifying words, and the names differ"
        return None

    def _score(self, query: _Candidate, candidate: _Candidate) -> float:
        full = fuzz.token_sort_ratio(query.match_key, candidate.match_key)
        if query.identifying and candidate.identifying:
            core = fuzz.token_sort_ratio(
                " ".join(sorted(query.identifying)), " ".join(sorted(candidate.identifying))
            )
            return max(full, core)
        return full

    # --- matching ------------------------------------------------------------------------

    def _fuzzy(
        self,
        name: str,
        pool: _Pool,
        word_score: float = WORD_SCORE,
        address: frozenset[str] = frozenset(),
    ) -> tuple[_Candidate | None, float, _Candidate | None, float, str | None]:
        """(accepted candidate, score, best other candidate, its score, evidence).
        ``word_score``: how alike two identifying words must be to count as one."""
        best: tuple[float, _Candidate, str] | None = None
        accepted: list[tuple[float, _Candidate]] = []
        fitting: list[_Candidate] = []
        proven = type_from_name(name)
        # The places of the whole name hold for every reading: "Port of Rotterdam" read
        # without its place is still in Rotterdam.
        places = self._identifying(name)[1] | address
        for text, _how in self._readings(name):
            reading = self._candidate("", text, None, None)
            query = _Candidate("", text, reading.match_key, reading.identifying,
                               reading.places | places, None, None,
                               order_key=reading.order_key, foreign=is_foreign(name))  # fmt: skip
            # Blocking on the rarest word of the name (identifying or place): a merge needs
            # every identifying word covered, so a candidate shares it (or a typo of it);
            # common words ("Energie", "Techniek") would pull in half the pool. A word no
            # candidate has rules out a merge, but the others still find candidates to review.
            blocks: list[tuple[int, str, set[int]]] = []
            for word in sorted(query.all_words):
                found: set[int] = set()
                for similar, _score, _ in process.extract(
                    word, pool.words, scorer=fuzz.ratio, limit=20, score_cutoff=WORD_SCORE
                ):
                    found.update(pool.word_index[similar])
                if found:
                    blocks.append((len(found), word, found))
            if blocks:
                positions = min(blocks, key=lambda block: block[:2])[2]
            else:  # only generic words ("Hogeschool"): compare whole keys
                positions = {
                    position
                    for _choice, _score, position in process.extract(
                        query.match_key, pool.keys, scorer=fuzz.token_sort_ratio, limit=10,
                        score_cutoff=self.review_score,
                    )
                }  # fmt: skip
            for position in sorted(positions):
                candidate = pool.candidates[position]
                score = self._score(query, candidate)
                # For review, a name that contains another ("Kiwa Technology", "Kiwa") is
                # close: token set ratio scores a subset 100.
                shown = max(score, fuzz.token_set_ratio(query.match_key, candidate.match_key))
                if score < self.accept_score and shown < self.review_score:
                    continue  # neither a merge nor worth reviewing
                if query.identifying and self._covered(
                    query.identifying, candidate.all_words, FIT_SCORE
                ):
                    fitting.append(candidate)
                why_not = self._guard(proven, query, candidate, word_score)
                if why_not is None and score >= self.accept_score:
                    accepted.append((score, candidate))
                elif best is None or shown > best[0]:
                    best = (shown, candidate, why_not or f"score {score:.0f} below accept")
        # A name whose identifying words fit several organisations ("Siemens": Siemens Energy
        # and Siemens Nederland) is merged with none of them.
        if len({candidate.key for candidate in fitting}) > 1 and accepted:
            names = " / ".join(sorted({candidate.name for candidate in fitting})[:3])
            score, candidate = max(accepted, key=lambda pair: pair[0])
            return None, 0.0, candidate, score, f"fits several organisations: {names}"
        by_key: dict[str, tuple[float, _Candidate]] = {}
        for score, candidate in accepted:
            if candidate.key not in by_key or score > by_key[candidate.key][0]:
                by_key[candidate.key] = (score, candidate)
        ranked = sorted(by_key.values(), key=lambda pair: -pair[0])
        if len(ranked) == 1 or (len(ranked) > 1 and ranked[0][0] > ranked[1][0]):
            score, candidate = ranked[0]
            return candidate, score, None, 0.0, None
        if len(ranked) > 1:
            names = " / ".join(candidate.name for _, candidate in ranked[:3])
            score, candidate = ranked[0]
            return None, 0.0, candidate, score, f"fits several organisations: {names}"
        if best and best[0] >= self.review_score:
            return None, 0.0, best[1], best[0], best[2]
        return None, 0.0, None, 0.0, None

    def resolve(self, mentions: Iterable[Mention]) -> tuple[list[Resolution], list[Organisation]]:
        """Resolve every distinct name; returns one resolution per name and the organisations."""
        mentions = list(mentions)
        totals: Counter[str] = Counter()
        first: dict[str, Mention] = {}
        for mention in mentions:  # a name given twice counts its mentions together
            totals[mention.name] += mention.mentions
            first.setdefault(mention.name, mention)
        ordered = sorted(first.values(), key=lambda m: (-totals[m.name], m.name))

        organisations: dict[str, Organisation] = {}
        resolutions: list[Resolution] = []
        known = _Known()

        for mention in ordered:
            resolution = self._resolve_one(mention, known)
            if resolution.rule == "new":
                key = self._unique_key(display_key(mention.name), organisations)
                if resolution.candidate_key in self.reference.entries:
                    resolution.candidate_name = self.reference.entries[
                        resolution.candidate_key
                    ].name
                    resolution.candidate_in_reference = True
                resolution.organisation_key = key
                organisations[key] = Organisation(key=key, name=mention.name)
                proven = type_from_name(mention.name) or (None, None)
                candidate = self._candidate(key, mention.name, *proven)
                known.pool.add(candidate)
                known.candidates[key] = candidate
                known.names[key] = mention.name
                known.proven[key] = type_from_name(mention.name)
                # Under its whole name only: not a part, an abbreviation in brackets or without
                # its place ("X, Utrecht" and "Y, Utrecht", "A (NL)" and "B (NL)" are two).
                for text, how in self._readings(mention.name):
                    if how in ("as_written", "without_brackets"):
                        known.exact.setdefault(order_key(text), key)
                if mention.ror_id:
                    known.by_ror.setdefault(mention.ror_id, key)
            elif resolution.organisation_key not in organisations:
                entry = self.reference.entries[resolution.organisation_key]
                organisations[entry.key] = Organisation(
                    key=entry.key, name=entry.name, entry=entry, ror_id=entry.ror_id
                )
            organisation = organisations[resolution.organisation_key]
            organisation.spellings.append(mention.name)
            if organisation.entry is None:  # the places its spellings name, for step 4
                candidate = known.candidates[organisation.key]
                candidate.places = candidate.places | self._places_of(mention)
            if organisation.entry is None and mention.ror_id and not organisation.ror_id:
                organisation.ror_id = mention.ror_id
            resolutions.append(resolution)

        by_key = {mention.name: mention for mention in ordered}
        for organisation in organisations.values():
            self._describe(organisation, [by_key[name] for name in organisation.spellings])
        return resolutions, list(organisations.values())

    def _unique_key(self, key: str, taken: dict[str, Organisation]) -> str:
        candidate, number = key, 1
        while candidate in taken or candidate in self.reference.entries:
            number += 1
            candidate = f"{key}-{number}"
        return candidate

    def _exact_reference(self, name: str) -> tuple[Entry, str, str | None] | None:
        """(reference entry, reading, why to check it) when a reading of the name is a
        reference name. A reading in the reference name's own word order is trusted; in
        another order only around institution words ("Delft University of Technology"). Merged
        but to be checked: a name without its place ("Hanzehogeschool"), a cell whose parts
        name two organisations ("Universiteit Utrecht / UMC Utrecht"), and a reading that
        leaves another organisation's words out ("Delft Hyperloop (TU Delft)")."""
        proven = type_from_name(name)
        places = self._identifying(name)[1]
        foreign = is_foreign(name)
        found: list[tuple[Entry, str, bool, str]] = []
        parts: dict[str, str] = {}
        for text, how in self._readings(name):
            key = match_key(text)
            ordered = self._ordered.get(order_key(text))
            reordered = self._exact.get(key) if set(key.split()) & REORDER_WORDS else None
            entry_key = ordered or reordered or self._derived.get(key)
            if not entry_key:
                continue
            entry = self.reference.entries[entry_key]
            derived = not (ordered or reordered)
            if foreign and entry.province:
                continue  # "TenneT TSO GmbH", "Provincie Limburg (België)" are not Dutch
            if how == "part" and not derived:
                parts[entry.key] = entry.name
            if how == "as_written" and ordered:
                # A reviewed name or alias as written: only its legal form can tell it apart
                # ("Philips Foundation", "Universiteit Utrecht Holding B.V.").
                if self._legal_forms_agree(proven, entry.organisation_type, entry.category):
                    found.append((entry, how, derived, text))
                continue
            theirs = self._exact_places.get(key, frozenset())
            if places and theirs and places != theirs:
                continue
            if self._types_agree(proven, entry.organisation_type, entry.category):
                found.append((entry, how, derived, text))
        if not found:
            return None
        entry, how, derived, _text = found[0]
        if len(parts) > 1:
            return (
                entry,
                how,
                "the name holds several organisations: " + " / ".join(sorted(parts.values())),
            )
        if derived:
            return entry, how, f"matched {entry.name} without its place"
        if how in ("part", "in_brackets") and (rest := self._rest(name, how, entry)):
            return entry, how, f"the name holds more than {entry.name}: {rest}"
        return entry, how, None

    def _rest(self, name: str, how: str, entry: Entry) -> str:
        """Identifying words of a name that the organisation's names do not hold, outside the
        reading that matched and leaving out units ("Faculteit ..."): another organisation
        in the cell, as in "Bouwbedrijf Van Wijnen, Gemeente Zwolle"."""
        own: set[str] = set()
        for other, _kind in entry.names:
            own |= self._identifying(other)[0]
        rest: set[str] = set()
        for variant in variants(name):
            if (how == "in_brackets" and variant.how == "without_brackets") or (
                how == "part" and variant.how == "part" and not is_unit(variant.text)
            ):
                rest |= self._identifying(variant.text)[0] - own
        return " ".join(sorted(rest))

    def _known_kinds_agree(self, proven, theirs) -> bool:
        """Two names of organisations outside the reference: their kinds agree, and a
        foundation or association is not the organisation named without it ("Rabobank
        Foundation" is not "Rabobank"; "Groen Licht B.V." is "Groen Licht")."""
        ours_kind = proven[1] if proven else None
        theirs_kind = theirs[1] if theirs else None
        if (ours_kind in FOUNDATION_KINDS) != (theirs_kind in FOUNDATION_KINDS):
            return False
        return theirs is None or self._types_agree(proven, *theirs)

    def _places_of(self, mention: Mention) -> frozenset[str]:
        """The places a mention names: in its name, and the register's municipality cell (two
        "Jansen Installatie B.V." in Delft and in Groningen are two companies)."""
        places = self._identifying(mention.name)[1]
        address = self.places.lookup(mention.municipality)
        if address:
            places = places | {address.municipality or address.province}
        return places

    def reference_match(self, name: str) -> str | None:
        """The reference organisation a name is by its exact names only (step 1), or None."""
        found = self._exact_reference(name)
        return found[0].key if found else None

    def _resolve_one(self, mention: Mention, known: _Known) -> Resolution:
        name = mention.name
        proven = type_from_name(name)
        # 1. a reading is a reference name
        if found := self._exact_reference(name):
            entry, how, check = found
            rule = "reference" if how == "as_written" and not check else "reference_part"
            return Resolution(
                name, entry.key, rule, how, 100.0, entry.name, evidence=check,
                uncertain=check is not None,
            )  # fmt: skip
        # 2. NWOpen's ROR id of a reference organisation
        if mention.ror_id and mention.ror_id in self.reference.by_ror:
            entry = self.reference.entries[self.reference.by_ror[mention.ror_id]]
            if self._types_agree(proven, entry.organisation_type, entry.category):
                return Resolution(name, entry.key, "ror_id", "ror_id", None, entry.name)
        # 3. close to a reference name
        accepted, score, other, other_score, evidence = self._fuzzy(name, self._reference_pool)
        if accepted:
            entry = self.reference.entries[accepted.key]
            return Resolution(
                name, accepted.key, "fuzzy_reference", "fuzzy", score, accepted.name,
                accepted.key, entry.name, score, "identifying words and type agree", True,
            )  # fmt: skip
        # 4. an organisation already found in this run, in the same place or with none
        places = self._places_of(mention)
        for text, how in self._readings(name):
            key = known.exact.get(order_key(text))
            if not key or how == "in_brackets":
                continue
            theirs = known.candidates[key].places
            if places and theirs and places != theirs:
                continue
            if how != "as_written" and not set(match_key(text).split()) - GENERIC_WORDS:
                continue  # a part made of generic words only ("Faculteit Techniek")
            if not self._known_kinds_agree(proven, known.proven.get(key)):
                continue  # "Stichting Groen Licht" is not "Groen Licht B.V."
            return Resolution(name, key, "known_name", how, 100.0, known.names[key],
                              uncertain=how != "as_written")  # fmt: skip
        if mention.ror_id and mention.ror_id in known.by_ror:
            key = known.by_ror[mention.ror_id]
            return Resolution(name, key, "ror_id", "ror_id", None, known.names[key])
        if known.pool.candidates:
            found, known_score, known_other, known_other_score, known_evidence = self._fuzzy(
                name, known.pool, KNOWN_WORD_SCORE, places
            )
            if found:
                return Resolution(
                    name, found.key, "fuzzy_known", "fuzzy", known_score, found.name,
                    found.key, found.name, known_score, "identifying words and type agree",
                )  # fmt: skip
            if known_other and known_other_score > other_score:
                other, other_score, evidence = known_other, known_other_score, known_evidence
        # 5. a new organisation
        return Resolution(
            name, "", "new", "as_written", None, None,
            other.key if other else None, other.name if other else None,
            other_score if other else None, evidence,
        )  # fmt: skip

    # --- type and place of an organisation -----------------------------------------------

    def _describe(self, organisation: Organisation, mentions: list[Mention]) -> None:
        """Type: reference, else the registers' declared type, else what a name proves.
        Place: reference, else a register's municipality, else a place in a name."""
        entry = organisation.entry
        declared = Counter(m.declared_type for m in mentions for _ in range(m.mentions)
                           if m.declared_type)  # fmt: skip
        named = Counter(
            proven for m in mentions
            if (proven := type_from_name(m.name)) is not None and proven[0] is not None
        )  # fmt: skip
        if entry:
            organisation.organisation_type, organisation.type_source = (
                entry.organisation_type,
                "reference_seed",
            )
            organisation.category = entry.category
        elif declared:
            organisation.organisation_type = _most_common(declared)
            organisation.type_source = "register"
        elif named:
            organisation.organisation_type, organisation.category = _most_common(named)
            organisation.type_source = "name_rule"
        if entry and entry.province:
            organisation.municipality, organisation.province = entry.municipality, entry.province
            organisation.location_source = "reference_seed"
            return
        addresses = Counter(
            (location.municipality, location.province)
            for m in mentions for _ in range(m.mentions)
            if (location := self.places.lookup(m.municipality)) is not None
        )  # fmt: skip
        if addresses:
            organisation.municipality, organisation.province = _most_common(addresses)
            organisation.location_source = "register"
            return
        for m in mentions:
            location = self.places.find_in_name(m.name)
            if location:
                organisation.municipality, organisation.province = (
                    location.municipality,
                    location.province,
                )
                organisation.location_source = "name_rule"
                return


def _most_common(counter: Counter):
    """The most frequent value; ties go to the smallest (None first), so that runs agree."""
    top = max(counter.values())
    return min((value for value, count in counter.items() if count == top), key=_sort_key)


def _sort_key(value: object) -> object:
    if isinstance(value, tuple):
        return tuple("" if part is None else part for part in value)
    return "" if value is None else value
