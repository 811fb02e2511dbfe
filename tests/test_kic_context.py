"""The KIC context rule (macro kic_context_of, seed kic_context_keywords) on held-out titles
and summaries written before the keywords (tests/heldout/kic_context_cases.csv), evaluated by
real dbt (`dbt seed` + `dbt show --inline`) in a DuckDB file of its own."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"
KEYWORDS = DBT_DIR / "seeds" / "kic_context_keywords.csv"
CASES = ROOT / "tests" / "heldout" / "kic_context_cases.csv"


def _cases() -> list[dict[str, str]]:
    with CASES.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _sql(text: str) -> str:
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
    rows = ", ".join(
        f"({n}, {_sql(c['call_context'])}, {_sql(c['title'])}, {_sql(c['summary'])})"
        for n, c in enumerate(_cases())
    )
    inline = (
        f"with texts as (select * from (values {rows})"
        " as t(text_key, call_context, title, summary))"
        " select * from {{ kic_context_of('texts') }}"
    )
    env = {
        **os.environ,
        "LCM_WAREHOUSE": str(tmp_path_factory.mktemp("kic") / "kic.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    _dbt(["seed", "--select", "kic_context_keywords"], env)
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


def test_keywords_are_well_formed():
    with KEYWORDS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    contexts = {r["kic_context"] for r in rows}
    assert contexts == {"energie", "gezondheid_zorg", "ict", "landbouw_voedsel"}
    assert {r["position"] for r in rows} <= {"anywhere", "word_start", "whole_word"}
    for row in rows:
        # Plain words: the rule builds regular expressions from them.
        assert row["keyword"] == row["keyword"].lower().strip()
        assert all(ch.isalnum() or ch in " -" for ch in row["keyword"]), row
    # A keyword inside another of its context would count one word twice.
    for a in rows:
        for b in rows:
            same = a is not b and a["kic_context"] == b["kic_context"]
            assert not (same and a["keyword"] in b["keyword"]), (a, b)
