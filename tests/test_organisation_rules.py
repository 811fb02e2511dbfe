"""The organisation macros (dbt_project/macros/organisation_rules.sql) on cases the bundled
sample does not hold, evaluated by real dbt (`dbt show --inline`) in DuckDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"

# name as written -> (normalised name, type the name proves, is a placeholder)
CASES: dict[str, tuple[str | None, str | None, bool]] = {
    "Yara Sluiskil B.V.": ("yara sluiskil", "bedrijf", False),
    "N.V. Nederlandse Gasunie": ("nederlandse gasunie", "bedrijf", False),
    "Coöperatie Ecofactorij U.A.": ("cooperatie ecofactorij", None, False),
    "Croonwolter&dros": ("croonwolter dros", None, False),
    "Delft University of Technology": ("technische universiteit delft", "wo", False),
    "University of Twente": ("universiteit twente", "wo", False),
    "Hanze University of Applied Sciences": ("hanze university of applied sciences", "hbo", False),
    "UMC Utrecht University Medical Center": ("umc utrecht university medical center", None, False),
    "Stedelijk College Eindhoven": ("stedelijk college eindhoven", None, False),
    "ROC Mondriaan": ("roc mondriaan", "mbo", False),
    "Aeres MBO": ("aeres mbo", "mbo", False),
    "Gemeente Emmen": ("gemeente emmen", "overheid", False),
    "AmperaPark": ("amperapark", None, False),
    # Too short to lose a legal form: "N.V.T." is not the organisation "t".
    "N.V.T.": ("n v t", None, True),
    "Onbekend": ("onbekend", None, True),
    "-": ("-", None, True),
    "北京大学": ("北京大学", None, False),
}


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    values = ", ".join(f"({sql_string(name)})" for name in CASES)
    inline = (
        "select name,"
        " {{ normalise_organisation_name('name') }} as normalised,"
        " {{ organisation_type_from_name('name') }} as named_type,"
        " {{ is_placeholder_organisation_name('name') }} as is_placeholder"
        f" from (values {values}) as cases(name)"
    )
    env = {
        **os.environ,
        "LCM_WAREHOUSE": str(tmp_path_factory.mktemp("rules") / "rules.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [str(dbt), "show", "--profiles-dir", ".", "--inline", inline, "--limit", "100",
         "--output", "json", "--log-format", "json"],
        cwd=DBT_DIR, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    for line in completed.stdout.splitlines():
        event = json.loads(line)
        if event["info"]["name"] == "ShowNode":
            return {row["name"]: row for row in json.loads(event["data"]["preview"])}
    raise AssertionError("dbt show printed no result")


@pytest.mark.parametrize("name", list(CASES))
def test_organisation_rules(evaluated: dict[str, dict], name: str):
    normalised, named_type, is_placeholder = CASES[name]
    row = evaluated[name]
    assert row["normalised"] == normalised
    assert row["named_type"] == named_type
    assert row["is_placeholder"] is is_placeholder
