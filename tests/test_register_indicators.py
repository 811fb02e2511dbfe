"""The register fields behind the evaluators' indicators (lc_municipality, teachers_reached):
read from the bundled samples by the real connector, and checked by the real register suites
(expectations/suites/raw_register_projects.json, one per register) with the seeds' municipality
list."""

from __future__ import annotations

import pandas as pd
import pytest

from orchestration.quality.reference import Reference
from orchestration.quality.suites import load_suites
from orchestration.quality.validation import validate_frame
from orchestration.settings import CALLS_SEED, EXPECTATIONS_DIR, SEEDS_DIR
from sources.calls import CallCatalogue
from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE, read_register
from sources.registers.schema import PROJECT_COLUMNS


def test_samples_carry_the_new_fields():
    catalogue = CallCatalogue.from_csv(CALLS_SEED)
    mooi = read_register(MOOI_SAMPLE, source="mooi_register", catalogue=catalogue)
    gvnl = read_register(GVNL_SAMPLE, source="gvnl_register", catalogue=catalogue)
    assert {"lc_municipality", "teachers_reached"} <= set(PROJECT_COLUMNS)
    by_id = {p["register_id"]: p for p in mooi.projects + gvnl.projects}
    assert (by_id["MOOI-LC-2024-01"]["lc_municipality"], by_id["MOOI-LC-2024-01"]
            ["teachers_reached"]) == ("Eindhoven", 12)  # fmt: skip
    assert by_id["MOOI-LC-2024-06"]["lc_municipality"] is None  # unknown stays unknown
    assert by_id["GVNL-LC-NOORD-WW"]["teachers_reached"] == 40
    assert by_id["GVNL-LC-OOST"]["teachers_reached"] is None
    assert not mooi.problems and not gvnl.problems


@pytest.mark.parametrize("suite_name", ["raw_mooi_register_projects", "raw_gvnl_register_projects"])
def test_municipality_and_teacher_rules_flag_and_keep(suite_name: str):
    suite = next(s for s in load_suites(EXPECTATIONS_DIR) if s.name == suite_name)
    rules = {"lc_municipality_known", "teachers_within_professionals"}
    suite = suite.__class__(**{**suite.__dict__, "rules": tuple(
        r for r in suite.rules if r.name in rules)})  # fmt: skip
    assert {r.name for r in suite.rules} == rules
    assert {r.action for r in suite.rules} == {"flag"}
    frame = pd.DataFrame(
        {
            "_record_no": [1, 2, 3, 4, 5],
            # CBS spelling in another case is known; a region or a typo is not.
            "lc_municipality": ["Vlissingen", "sittard-geleen", "Rotterdam-Moerdijk", None,
                                "Amsterdm"],
            "professionals_reached": [45, None, 30, 10, 20],
            "teachers_reached": [18, 25, 31, None, 20],
        }
    )  # fmt: skip
    enriched = Reference.from_seeds(SEEDS_DIR).enrich(frame, None)
    outcome = validate_frame(suite, enriched)
    failed = {o.rule.name: [r.record_no for r in o.failing_records] for o in outcome.failed}
    assert failed == {"lc_municipality_known": [3, 5], "teachers_within_professionals": [3]}
    assert not outcome.errors
