"""The Great Expectations layer: real GX validations on DataFrames and on a DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.defs.quality_checks import run_suite
from orchestration.quality.suites import SuiteFileError, load_suite, load_suites
from orchestration.quality.validation import ERROR, WARN, validate_frame
from orchestration.settings import EXPECTATIONS_DIR
from orchestration.warehouse import WarehouseResource


def _suite(tmp_path: Path, expectations, table="main.t", scope="all_rows"):
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "name": "s",
                "meta": {"asset_key": ["t"], "table": table, "scope": scope},
                "expectations": expectations,
            }
        )
    )
    return load_suite(path)


NOT_NULL_A = {
    "type": "expect_column_values_to_not_be_null",
    "kwargs": {"column": "a"},
    "severity": "critical",
}
REGEX_B = {
    "type": "expect_column_values_to_match_regex",
    "kwargs": {"column": "b", "regex": "^x\\d$"},
    "severity": "warning",
}


def test_all_suites_in_repo_load():
    suites = load_suites(EXPECTATIONS_DIR)
    assert {s.name for s in suites} >= {
        "raw_nwopen_projects",
        "raw_nwopen_project_members",
        "fct_project",
    }
    assert all(s.expectation_count > 0 for s in suites)


def test_good_data_passes(tmp_path):
    suite = _suite(tmp_path, [NOT_NULL_A, REGEX_B])
    outcome = validate_frame(suite, pd.DataFrame({"a": [1, 2], "b": ["x1", "x2"]}))
    assert outcome.passed and len(outcome.outcomes) == 2


def test_error_and_warning_severities(tmp_path):
    suite = _suite(tmp_path, [NOT_NULL_A, REGEX_B])
    only_warning = validate_frame(suite, pd.DataFrame({"a": [1, 2], "b": ["x1", "bad"]}))
    assert not only_warning.passed and only_warning.severity == WARN
    assert only_warning.warnings[0].sample_unexpected == ["bad"]
    both = validate_frame(suite, pd.DataFrame({"a": [1, None], "b": ["x1", "bad"]}))
    assert both.severity == ERROR
    assert both.errors[0].label == "expect_column_values_to_not_be_null(a)"
    assert both.errors[0].unexpected_count == 1


def test_expectation_that_raises_is_an_error_never_a_pass(tmp_path):
    missing = {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {"column": "gone"},
        "severity": "warning",
    }  # even a warning-level expectation
    outcome = validate_frame(_suite(tmp_path, [missing]), pd.DataFrame({"a": [1]}))
    assert not outcome.passed
    assert outcome.severity == ERROR
    assert 'The column "gone" in BatchData does not exist' in outcome.errors[0].exception
    assert "raised" in outcome.summary()


def test_unknown_expectation_type_is_reported(tmp_path):
    suite = _suite(tmp_path, [{"type": "expect_no_such_thing", "kwargs": {}}])
    result = run_suite(suite, WarehouseResource(path=str(tmp_path / "w.duckdb")))
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR


def test_run_suite_reads_latest_snapshot_from_duckdb(tmp_path):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA raw; CREATE TABLE raw.t (_snapshot_id VARCHAR, a INTEGER)")
        con.execute("INSERT INTO raw.t VALUES ('2026-01', NULL), ('2026-02', 1), ('2026-02', 2)")
    suite = _suite(tmp_path, [NOT_NULL_A], table="raw.t", scope="latest_snapshot")
    result = run_suite(suite, WarehouseResource(path=str(db)))
    assert result.passed, result.description  # the old snapshot's null is not validated
    assert result.metadata["rows_validated"].value == 2
    assert result.metadata["evaluated_expectations"].value == 1


def test_missing_table_fails_the_check_with_a_readable_message(tmp_path):
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    result = run_suite(
        _suite(tmp_path, [NOT_NULL_A], table="raw.nope"), WarehouseResource(path=str(db))
    )
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert "raw.nope" in result.description or "nope" in result.description


def test_suite_file_without_meta_is_rejected(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"name": "bad", "expectations": [NOT_NULL_A]}))
    with pytest.raises(SuiteFileError, match=r"meta\.asset_key"):
        load_suite(path)
