"""The placeholder rule (dbt_project/macros/organisation_rules.sql) on cases the bundled sample
does not hold, evaluated by real dbt (`dbt show --inline`) in DuckDB; and the name rules of
sources/organisations/names.py on the same names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sources.organisations.names import match_key, type_from_name

DBT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"

# name as written -> (match key, (type, kind) the name proves, is a placeholder)
CASES: dict[str, tuple[str, tuple[str | None, str] | None, bool]] = {
    "Yara Sluiskil B.V.": ("sluiskil yara", ("bedrijf", "rechtsvorm"), False),
    "N.V. Nederlandse Gasunie": ("gasunie nederlandse", ("bedrijf", "rechtsvorm"), False),
    "Coöperatie Ecofactorij U.A.": ("ecofactorij", ("overig", "cooperatie"), False),
    "Croonwolter&dros": ("croonwolter dros", None, False),
    "Delft University of Technology": ("delft technische universiteit", ("wo", "universiteit"),
                                       False),
    "University of Twente": ("twente universiteit", ("wo", "universiteit"), False),
    "Hanze University of Applied Sciences": ("hanze hogeschool", ("hbo", "hogeschool"), False),
    "UMC Utrecht University Medical Center": ("umc umc utrecht", ("kennisinstelling", "umc"),
                                              False),
    "Erasmus Medisch Centrum": ("centrum erasmus medisch", (None, "zorg"), False),
    "Stedelijk College Eindhoven": ("college eindhoven stedelijk", None, False),
    "ROC Mondriaan": ("mondriaan roc", ("mbo", "mbo_instelling"), False),
    "Aeres MBO": ("aeres mbo", ("mbo", "mbo_instelling"), False),
    "Gemeente Emmen": ("emmen gemeente", ("overheid", "gemeente"), False),
    "Municipality of Emmen": ("emmen gemeente", ("overheid", "gemeente"), False),
    "Provinsje Fryslân": ("fryslan provincie", ("overheid", "provincie"), False),
    "Waterschap Hunze en Aa's": ("aas hunze waterschap", ("overheid", "waterschap"), False),
    "Vereniging Hogescholen": ("hogeschool vereniging", ("overig", "vereniging"), False),
    "Stichting Windpark Zeewolde": ("windpark zeewolde", ("overig", "stichting"), False),
    "Bakker & Zn.": ("bakker zn", ("bedrijf", "rechtsvorm"), False),
    "Univeristy of Groningen": ("groningen universiteit", ("wo", "universiteit"), False),
    "AmperaPark": ("amperapark", None, False),
    # Too short to lose a legal form: "N.V.T." is not the organisation "t".
    "N.V.T.": ("nvt", None, True),
    "Onbekend": ("onbekend", None, True),
    "-": ("-", None, True),
    "北京大学": ("北京大学", None, False),
}  # fmt: skip


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    values = ", ".join(f"({sql_string(name)})" for name in CASES)
    inline = (
        "select name,"
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
def test_placeholder_rule(evaluated: dict[str, dict], name: str):
    assert evaluated[name]["is_placeholder"] is CASES[name][2]


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if not case[2]])
def test_name_rules(name: str):
    key, proven, _ = CASES[name]
    assert match_key(name) == (key or name.lower())
    assert type_from_name(name) == proven
