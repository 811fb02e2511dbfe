"""The KIC context rule (macro kic_context_of, seeds kic_context_keywords and
kic_context_exclusions) on held-out titles and summaries (tests/heldout/kic_context_cases.csv),
evaluated by real dbt (`dbt seed` + `dbt show --inline`) in a DuckDB file of its own.

tests/heldout/kic_context_blind_cases.csv: 60 cases written blind (without seeing the rule).
Before the rule saw them it agreed on 51 of 60 (onbekend->energie 5, gezondheid_zorg->energie,
ict->onbekend, landbouw_voedsel->onbekend, onbekend->gezondheid_zorg: 1 each). After the
general changes of issue 15 (weak duurzaam/sustainable that never decide alone, wind as a
whole word, energiek(e) excluded) it agrees on 56; the test keeps a floor, not 100%, as the
set is no longer held out once the rule was tuned with it in view."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"
KEYWORDS = DBT_DIR / "seeds" / "kic_context_keywords.csv"
EXCLUSIONS = DBT_DIR / "seeds" / "kic_context_exclusions.csv"
CALLS = DBT_DIR / "seeds" / "programme_calls.csv"
INDICATORS = DBT_DIR / "models" / "intermediate" / "int_projects__indicators.sql"
CASES = ROOT / "tests" / "heldout" / "kic_context_cases.csv"
BLIND = ROOT / "tests" / "heldout" / "kic_context_blind_cases.csv"
BLIND_FLOOR = 54  # 56 of 60 measured after issue 15's changes, less a margin of 2
POSITIONS = {"anywhere", "word_start", "whole_word"}
STRENGTHS = {"strong", "weak"}

# The call-context step: (call_name, sub_department, title, expected, expected source).
CALL_CASES = {
    # A call whose name states a context decides, before the title.
    "call:health_over_title": (
        "KIC Gezondheid en Zorg", None, "Learning Community Warmtepompen in de Wijk",
        "gezondheid_zorg", "call_name",
    ),
    "call:energy_breaks_title_tie": (
        "KIC Energietransitie en Duurzaamheid", None,
        "Learning Community Datagedreven Netbeheer", "energie", "call_name",
    ),
    # A call name without a context leaves it to the title.
    "call:no_context_in_name": (
        "Human Capital: Learning communities als innovatieversneller", None,
        "Learning Community Warmtepompen in de Wijk", "energie", "title",
    ),
    # NWO's organisational unit is no call context, whatever it says.
    "call:sub_department_ignored": (
        None, "Gezondheid en Zorg", "Learning Community Warmtepompen in de Wijk", "energie",
        "title",
    ),
    "call:sub_department_alone": (
        None, "Energie", "Learning Community Samen Leren", "onbekend", None,
    ),
}  # fmt: skip

# How strong and weak keywords, wind and energiek behave: (title, summary, expected).
RULE_CASES = {
    # A weak keyword alone never decides, also twice (Dutch and English summary).
    "rule:weak_alone": ("Learning Community Duurzame Verandering", None, "onbekend"),
    "rule:weak_twice": (
        "Samen leren in de regio", "Een duurzaam netwerk. A sustainable network.", "onbekend",
    ),
    # ... but tips a tie, and loses to a strong keyword of another context.
    "rule:weak_tips_tie": ("Duurzame warmte in de zorg", None, "energie"),
    "rule:weak_loses": ("Duurzame landbouw in de regio", None, "landbouw_voedsel"),
    "rule:strong_phrase": ("Learning Community Duurzaam Bouwen", None, "energie"),
    # wind is a whole word or a named compound; energiek(e) is lively, energiekosten counts.
    "rule:wind_in_name": ("Hogeschool Windesheim leert samen", None, "onbekend"),
    "rule:wind_whole": ("Wind op zee en de arbeidsmarkt", None, "energie"),
    "rule:wind_compound": ("Onderhoud van windparken", None, "energie"),
    "rule:energiek": ("Een energieke samenwerking", None, "onbekend"),
    "rule:energiekosten": ("Energiekosten in het mkb", None, "energie"),
}  # fmt: skip


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _cases() -> list[dict[str, str]]:
    return _read(CASES)


def _blind() -> list[dict[str, str]]:
    return _read(BLIND)


def _lc_call_names() -> list[str]:
    return [
        name
        for call in _read(CALLS)
        if call["programme"] == "KIC" and call["is_learning_community"] == "true"
        for name in [call["funding_scheme"], *filter(None, call["other_names"].split("|"))]
    ]


def _words(text: str) -> str:
    """The macro's kic_context_words: lower case, separators made two spaces."""
    return re.sub(r"[\W_]+", "  ", text.lower())


def _needle(keyword: str, position: str) -> str:
    words = _words(keyword)
    return {"anywhere": words, "word_start": " " + words}.get(position, f" {words} ")


def _sql(text: str | None) -> str:
    return "null" if not text else "'" + text.replace("'", "''") + "'"


def _dbt(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [str(dbt), *args, "--profiles-dir", "."],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    texts = [
        (str(n), c["call_name"], None, c["title"], c["summary"]) for n, c in enumerate(_cases())
    ]
    texts += [(key, call, sub, title, None) for key, (call, sub, title, *_) in CALL_CASES.items()]
    texts += [(key, None, None, title, text) for key, (title, text, _) in RULE_CASES.items()]
    texts += [
        (f"blind:{c['case_id']}", c["call_name"], None, c["title"], c["summary"]) for c in _blind()
    ]
    texts += [(f"lc_call:{n}", name, None, None, None) for n, name in enumerate(_lc_call_names())]
    rows = ", ".join("(" + ", ".join(_sql(value) for value in text) + ")" for text in texts)
    # sub_department rides along as the model's NWOpen rows carry it; the macro must not read it.
    inline = (
        f"with texts as (select * from (values {rows})"
        " as t(text_key, call_name, sub_department, title, summary))"
        " select * from {{ kic_context_of('texts') }}"
    )
    env = {
        **os.environ,
        "LCM_WAREHOUSE": str(tmp_path_factory.mktemp("kic") / "kic.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    _dbt(["seed", "--select", "kic_context_keywords", "kic_context_exclusions"], env)
    shown = _dbt(
        ["show", "--inline", inline, "--limit", "1000", "--output", "json", "--log-format",
         "json"],
        env,
    )  # fmt: skip
    for line in shown.stdout.splitlines():
        event = json.loads(line)
        if event["info"]["name"] == "ShowNode":
            return {str(row["text_key"]): row for row in json.loads(event["data"]["preview"])}
    raise AssertionError("dbt show printed no result")


@pytest.mark.parametrize("n", range(len(_cases())))
def test_heldout_case(classified: dict[str, dict], n: int):
    case = _cases()[n]
    row = classified[str(n)]
    assert row["kic_context"] == case["expected"], case["title"]
    # A context always names the text that decided it; onbekend names none.
    assert (row["kic_context_source"] is None) == (case["expected"] == "onbekend")


@pytest.mark.parametrize("key", CALL_CASES)
def test_call_name_step(classified: dict[str, dict], key: str):
    *_, expected, source = CALL_CASES[key]
    assert (classified[key]["kic_context"], classified[key]["kic_context_source"]) == (
        expected,
        source,
    )


@pytest.mark.parametrize("key", RULE_CASES)
def test_rule_case(classified: dict[str, dict], key: str):
    assert classified[key]["kic_context"] == RULE_CASES[key][-1]


def test_blind_cases_accuracy_floor(classified: dict[str, dict]):
    cases = _blind()
    assert len(cases) == 60
    missed = [
        (c["case_id"], c["expected_context"], classified[f"blind:{c['case_id']}"]["kic_context"],
         c["title"])
        for c in cases
        if classified[f"blind:{c['case_id']}"]["kic_context"] != c["expected_context"]
    ]  # fmt: skip
    for case_id, expected, got, title in missed:
        print(f"{case_id}: expected {expected}, got {got}: {title}")
    assert len(cases) - len(missed) >= BLIND_FLOOR, missed


def test_lc_call_names_state_no_context(classified: dict[str, dict]):
    # The KIC LC calls so far are one call for all contexts: their names must not decide.
    keys = [key for key in classified if key.startswith("lc_call:")]
    assert len(keys) == len(_lc_call_names()) >= 2
    assert {classified[key]["kic_context"] for key in keys} == {"onbekend"}


def test_model_passes_call_name_not_sub_department():
    # The KIC texts the model hands to the macro (CTE kic_texts of int_projects__indicators).
    sql = re.sub(r"--[^\n]*", "", INDICATORS.read_text(encoding="utf-8"))
    cte = re.search(r"kic_texts as \((.*?)\n\),", sql, re.S)
    assert cte is not None
    assert "sub_department" not in cte.group(1)
    assert re.search(r"\bas call_name\b|projects\.call_name,", cte.group(1))


def test_keywords_are_well_formed():
    rows = _read(KEYWORDS)
    contexts = {r["kic_context"] for r in rows}
    assert contexts == {"energie", "gezondheid_zorg", "ict", "landbouw_voedsel"}
    assert {r["position"] for r in rows} <= POSITIONS
    assert {r["strength"] for r in rows} == STRENGTHS
    for row in rows:
        # Plain words: the rule builds its search strings from them.
        assert row["keyword"] == row["keyword"].lower().strip()
        assert all(ch.isalnum() or ch in " -" for ch in row["keyword"]), row
    # A keyword that matches inside another of its context would count one word twice
    # (zorg at a word start is not in jeugdzorg; farm as a whole word is not in farmer), except
    # a weak one in a strong phrase that makes it decisive (duurza in duurzaam bouwen).
    for a in rows:
        for b in rows:
            same = a is not b and a["kic_context"] == b["kic_context"]
            inside = _needle(a["keyword"], a["position"]) in f" {_words(b['keyword'])} "
            upgraded = a["strength"] == "weak" and b["strength"] == "strong"
            assert not (same and inside and not upgraded), (a, b)


def test_exclusions_are_well_formed():
    keywords = _read(KEYWORDS)
    rows = _read(EXCLUSIONS)
    assert len({r["phrase"] for r in rows}) == len(rows)
    for row in rows:
        assert row["position"] in POSITIONS, row
        assert row["phrase"] == row["phrase"].lower().strip()
        assert all(ch.isalnum() or ch in " -" for ch in row["phrase"]), row
        assert row["meaning"], row
        # Each exclusion takes out a word some keyword would otherwise count.
        text = f" {_words(row['phrase'])} "
        assert any(_needle(k["keyword"], k["position"]) in text for k in keywords), row
