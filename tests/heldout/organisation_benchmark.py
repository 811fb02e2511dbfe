"""Benchmark of organisation resolution on spellings that are not in the seeds.

``organisation_spellings.csv`` (written before the reference seeds were extended, by a
session that did not see them) gives ~180 spellings as Dutch project data writes them, each
with the organisation meant, its type and province; ``organisation_must_stay_apart.csv`` gives
pairs of names that must never become one organisation. All spellings are resolved together,
as one run would, against the seeds in dbt_project/seeds/.

Figures:
- merge recall: of the spellings whose organisation is in the reference, the share that
  resolved to it;
- false merges: spellings that resolved to another organisation than the one meant (to the
  wrong reference organisation, or together with a spelling of another organisation), and
  must-stay-apart pairs that became one;
- typed / type correct: the share with a type other than onbekend, and with the right type;
- province / province correct: of the spellings whose organisation is in a Dutch province,
  the share placed in one, and in the right one.

Run: ``make bench-organisations`` (add ``--sweep`` for the accept threshold's trade-off).
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from sources.organisations.names import match_key
from sources.organisations.reference import SEED_DIR, SEEDS, Reference
from sources.organisations.resolve import ACCEPT_SCORE, Mention, Resolver

HERE = Path(__file__).resolve().parent
SPELLINGS = HERE / "organisation_spellings.csv"
MUST_STAY_APART = HERE / "organisation_must_stay_apart.csv"
TARGETS = {"recall": 0.90, "typed": 0.90, "province": 0.80}


@dataclass
class Figures:
    accept_score: float
    spellings: int
    in_reference: int
    merged_right: int
    false_merges: list[str]
    apart_pairs: int
    apart_merged: list[str]
    typed: int
    type_right: int
    with_province: int
    placed: int
    province_right: int
    misses: list[str]
    wrong_types: list[str]
    unplaced: list[str]

    @property
    def recall(self) -> float:
        return self.merged_right / self.in_reference if self.in_reference else 1.0

    @property
    def typed_share(self) -> float:
        return self.typed / self.spellings

    @property
    def province_share(self) -> float:
        return self.placed / self.with_province if self.with_province else 1.0

    def meets_targets(self) -> bool:
        return (
            self.recall >= TARGETS["recall"]
            and not self.false_merges
            and not self.apart_merged
            and self.typed_share >= TARGETS["typed"]
            and self.province_share >= TARGETS["province"]
        )


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def measure(
    reference: Reference, accept_score: float = ACCEPT_SCORE, judge: Reference | None = None
) -> Figures:
    """Resolve the spellings with ``reference``; the organisation meant by each expected name
    is looked up in ``judge`` (default: the same reference)."""
    rows = read(SPELLINGS)
    pairs = read(MUST_STAY_APART)
    resolver = Resolver(reference, accept_score=accept_score)
    judging = Resolver(judge, accept_score=accept_score) if judge else resolver
    names = {row["spelling"] for row in rows} | {
        pair[side] for pair in pairs for side in ("name_a", "name_b")
    }
    resolutions, organisations = resolver.resolve([Mention(name) for name in sorted(names)])
    key_of = {resolution.name: resolution.organisation_key for resolution in resolutions}
    organisation_of = {organisation.key: organisation for organisation in organisations}

    def meant(name: str) -> str:
        """The organisation meant: its reference entry by an exact name, else its own key."""
        return judging.reference_match(name) or "new:" + match_key(name)

    meant_by_key: dict[str, set[str]] = {}
    for row in rows:
        meant_by_key.setdefault(key_of[row["spelling"]], set()).add(
            meant(row["expected_organisation"])
        )
    figures = Figures(accept_score, len(rows), 0, 0, [], len(pairs), [], 0, 0, 0, 0, 0,
                      [], [], [])  # fmt: skip
    for row in rows:
        spelling, meant = row["spelling"], row["expected_organisation"]
        key = key_of[spelling]
        organisation = organisation_of[key]
        expected_key = judging.reference_match(meant)
        if expected_key:
            figures.in_reference += 1
            if key == expected_key:
                figures.merged_right += 1
            elif organisation.entry is None:
                figures.misses.append(f"{spelling} -> new ({meant})")
        wrong_reference = organisation.entry is not None and key != expected_key
        shared = len(meant_by_key[key]) > 1
        if wrong_reference or shared:
            figures.false_merges.append(f"{spelling} -> {organisation.name} (meant: {meant})")
        if organisation.organisation_type != "onbekend":
            figures.typed += 1
        if organisation.organisation_type == row["expected_type"]:
            figures.type_right += 1
        else:
            figures.wrong_types.append(
                f"{spelling}: {organisation.organisation_type} (meant {row['expected_type']})"
            )
        if row["expected_province"]:
            figures.with_province += 1
            if organisation.province:
                figures.placed += 1
                if organisation.province == row["expected_province"]:
                    figures.province_right += 1
            else:
                figures.unplaced.append(f"{spelling} ({row['expected_province']})")
    for pair in pairs:
        if key_of[pair["name_a"]] == key_of[pair["name_b"]]:
            figures.apart_merged.append(f"{pair['name_a']} = {pair['name_b']}")
    return figures


def typo_figures(reference: Reference, accept_score: float) -> tuple[float, int]:
    """Every official name of the reference's organisations (not municipalities) with one
    letter changed, deterministically: (share resolved to its organisation, wrong merges).
    A stress test of the fuzzy step alone, since no typo is an alias."""
    resolver = Resolver(reference, accept_score=accept_score)
    typos: dict[str, str] = {}
    for entry in reference.entries.values():
        if entry.category in ("gemeente", "provincie") or len(entry.name) < 8:
            continue
        letters = [i for i, char in enumerate(entry.name) if char.isalpha()]
        at = letters[len(letters) * 2 // 3]
        swapped = "e" if entry.name[at].lower() != "e" else "a"
        typos[entry.name[:at] + swapped + entry.name[at + 1 :]] = entry.key
    right = wrong = 0
    for name, meant in typos.items():
        resolutions, _ = resolver.resolve([Mention(name)])
        key = resolutions[0].organisation_key
        if key == meant:
            right += 1
        elif key in reference.entries:
            wrong += 1
    return right / len(typos), wrong


def report(figures: Figures, verbose: bool) -> str:
    lines = [
        f"organisation resolution benchmark (accept score {figures.accept_score:g}): "
        f"{figures.spellings} spellings, {figures.apart_pairs} must-stay-apart pairs",
        f"  merge recall     {figures.recall:6.1%}  ({figures.merged_right}/"
        f"{figures.in_reference} spellings of reference organisations; target >= 90%)",
        f"  false merges     {len(figures.false_merges):6d}  spellings; must-stay-apart pairs "
        f"merged: {len(figures.apart_merged)} (target 0)",
        f"  typed            {figures.typed_share:6.1%}  ({figures.typed}/{figures.spellings};"
        f" type correct {figures.type_right / figures.spellings:.1%}; target >= 90%)",
        f"  province         {figures.province_share:6.1%}  ({figures.placed}/"
        f"{figures.with_province}; correct {figures.province_right}/{figures.with_province};"
        " target >= 80%)",
        f"  targets met: {'yes' if figures.meets_targets() else 'NO'}",
    ]
    if verbose:
        for title, items in (
            ("false merges", figures.false_merges),
            ("must-stay-apart merged", figures.apart_merged),
            ("not merged", figures.misses),
            ("type differs", figures.wrong_types),
            ("no province", figures.unplaced),
        ):
            if items:
                lines.append(f"  {title}:")
                lines.extend(f"    {item}" for item in items)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="recall vs false merges by score")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    reference = Reference.from_seed_dir()
    figures = measure(reference)
    print(report(figures, args.verbose))
    without_aliases = Reference(
        *(
            [] if seed == "organisation_aliases" else read(SEED_DIR / f"{seed}.csv")
            for seed in SEEDS
        )
    )
    bare = measure(without_aliases, judge=reference)
    print(
        f"  without alias rows (official names, rules and fuzzy matching only): recall "
        f"{bare.recall:.1%}, false merges {len(bare.false_merges)}, must-stay-apart pairs "
        f"merged {len(bare.apart_merged)}"
    )
    if args.sweep:
        print(
            "\n  accept score | recall | false merges | apart merged | without aliases:"
            " recall | false merges | typos: recall | wrong merges"
        )
        for score in (70, 75, 80, 85, 88, 90, 92, 95, 98, 100):
            swept = measure(reference, float(score))
            swept_bare = measure(without_aliases, float(score), judge=reference)
            typo_recall, typo_wrong = typo_figures(reference, float(score))
            print(
                f"  {score:12d} | {swept.recall:6.1%} | {len(swept.false_merges):12d} |"
                f" {len(swept.apart_merged):12d} |                  {swept_bare.recall:6.1%} |"
                f" {len(swept_bare.false_merges):12d} |         {typo_recall:6.1%} |"
                f" {typo_wrong:12d}"
            )
    return 0 if figures.meets_targets() else 1


if __name__ == "__main__":
    sys.exit(main())
