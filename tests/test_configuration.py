"""Configuration is checked before anything runs: every LCM_* value, unknown names warned with
the closest known one, a bad value failing at once (code location, `lc-monitor run`, a step)
and never retried."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.settings import (
    REPO_ROOT,
    VARIABLES,
    ConfigError,
    check_environment,
    require_valid_environment,
)
from orchestration.settings_resource import SettingsResource

LC_MONITOR = Path(sys.executable).with_name("lc-monitor")


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("LCM_SOURCE_MODE", "lve", "allowed: sample or live"),
        ("LCM_HTTP_TIMEOUT", "fast", "not a number"),
        ("LCM_HTTP_TIMEOUT", "0", "below"),
        ("LCM_HTTP_MAX_RETRIES", "2.5", "not a whole number"),
        ("LCM_SOURCE_RETRIES", "-1", "below 0"),
        ("LCM_NWOPEN_URL", "ftp://example.org/projects", "only http:// and https://"),
        ("LCM_NWOPEN_URL", "https:///Projects", "without a host"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_it_allows(name, value, says):
    check = check_environment({name: value})
    assert len(check.errors) == 1 and not check.warnings
    assert check.errors[0].startswith(f"{name}={value!r}") and says in check.errors[0]
    with pytest.raises(ConfigError, match=name):
        require_valid_environment({name: value})


def test_good_values_and_unknown_names():
    good = {
        "LCM_SOURCE_MODE": "Live",
        "LCM_HTTP_TIMEOUT": "5",
        "LCM_NWOPEN_URL": "https://nwopen-api.nwo.nl/NWOpen-API/api/Projects",
        "LCM_TSE_URL": str(REPO_ROOT / "sources" / "tse"),
        "LCM_WAREHOUSE": "/tmp/x.duckdb",
        "LCM_CONTACT": "",  # empty means unset
    }
    assert check_environment(good).errors == []
    check = check_environment({"LCM_HTTP_TIMEUT": "5", "LCM_XYZ": "1"})
    assert check.errors == []
    assert check.warnings == [
        "LCM_HTTP_TIMEUT is not a setting of LC Monitor; did you mean LCM_HTTP_TIMEOUT?",
        "LCM_XYZ is not a setting of LC Monitor",
    ]


def test_a_missing_path_is_a_warning_not_a_stop():
    check = check_environment({"LCM_MOOI_REGISTER": "/no/such/register.xlsx"})
    assert check.errors == [] and "no such file or folder" in check.warnings[0]


def test_every_documented_setting_is_checked():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(LCM_[A-Z0-9_]*[A-Z0-9])", readme))
    documented -= {"LCM_HTTP_TIMEUT"}  # the README's example of a misspelt name
    assert documented <= set(VARIABLES), documented - set(VARIABLES)
    assert len(documented) >= 15


def test_a_bad_value_stops_the_code_location_and_the_cli_at_once(monkeypatch):
    monkeypatch.setenv("LCM_SOURCE_MODE", "lve")
    from orchestration.definitions import defs

    with pytest.raises(ConfigError, match="LCM_SOURCE_MODE='lve'"):
        defs()
    started = time.monotonic()
    completed = subprocess.run(
        [str(LC_MONITOR), "run"], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "LCM_SOURCE_MODE": "lve", "LCM_HTTP_TIMEUT": "3"},
    )  # fmt: skip
    assert completed.returncode == 2
    assert time.monotonic() - started < 60  # at once, not after retries
    assert "LCM_SOURCE_MODE='lve'" in completed.stderr and "sample or live" in completed.stderr
    assert "did you mean LCM_HTTP_TIMEOUT" in completed.stderr
    assert "Nothing was run" in completed.stderr
    checked = subprocess.run(
        [str(LC_MONITOR), "check-config"], capture_output=True, text=True, timeout=120,
        check=False, env={**os.environ, "LCM_HTTP_MAX_RETRIES": "many"},
    )  # fmt: skip
    assert checked.returncode == 1 and "LCM_HTTP_MAX_RETRIES='many'" in checked.stdout


def test_a_configuration_error_in_a_step_is_not_retried(monkeypatch):
    monkeypatch.setenv("LCM_HTTP_TIMEOUT", "soon")
    with pytest.raises(dg.Failure) as failure:
        SettingsResource().get()
    assert failure.value.allow_retries is False
    assert "LCM_HTTP_TIMEOUT='soon'" in str(failure.value.description)


def test_the_cli_finds_the_project_instance_without_the_makefile(monkeypatch):
    from orchestration.cli import project_instance_home

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    home = Path(project_instance_home())
    assert home == REPO_ROOT / ".dagster_home" and os.environ["DAGSTER_HOME"] == str(home)
    assert (home / "dagster.yaml").resolve() == (REPO_ROOT / "dagster.yaml").resolve()
    monkeypatch.setenv("DAGSTER_HOME", "/srv/lc-monitor/dagster")
    assert project_instance_home() == "/srv/lc-monitor/dagster"
