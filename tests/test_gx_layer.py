"""The quality layer: rules, real GX validations on DataFrames and on DuckDB files, the
quarantine and the verdict on a snapshot."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.quality.acceptance import (
    ACCEPTED,
    FLAGGED,
    REJECTED,
    SET_ASIDE,
    record,
    validate_source,
)
from orchestration.quality.checks import run_mart_suite
from orchestration.quality.reference import Reference
from orchestration.quality.suites import (
    ERROR,
    WARN,
    SuiteFileError,
    load_library,
    load_suite,
    load_suite_file,
    load_suites,
)
from orchestration.quality.validation import validate_frame
from orchestration.settings import EXPECTATIONS_DIR, SEEDS_DIR
from orchestration.warehouse import WarehouseResource

LIBRARY = load_library(EXPECTATIONS_DIR / "rules.json")


def _suite(tmp_path: Path, expectations, **meta):
    meta = {"table": "main.t", "asset_key": ["t"], **meta}
    if "source" in meta:
        meta.pop("asset_key")
    path = tmp_path / f"s{len(list(tmp_path.glob('s*.json')))}.json"
    path.write_text(json.dumps({"name": "s", "meta": meta, "expectations": expectations}))
    return load_suite(path, LIBRARY)


NOT_NULL_A = {
    "rule": "a_present",
    "action": "block",
    "description": "a is there",
    "type": "expect_column_values_to_not_be_null",
    "kwargs": {"column": "a"},
}
REGEX_B = {
    "rule": "b_shape",
    "action": "warn",
    "description": "b looks like x1",
    "type": "expect_column_values_to_match_regex",
    "kwargs": {"column": "b", "regex": "^x\\d$"},
}


def test_all_suites_in_repo_load_and_each_rule_is_defined_once():
    suites = load_suites(EXPECTATIONS_DIR)
    assert {s.name for s in suites} >= {"raw_nwopen_projects", "raw_tse_projects", "fct_project"}
    assert all(s.expectation_count > 0 for s in suites)
    # A shared rule is used by several suites but written once, in rules.json.
    users = [s.name for s in suites if s.rule("end_not_before_start")]
    assert len(users) >= 4
    assert all(s.rule("end_not_before_start").kwargs["column_A"] == "end_date" for s in suites
               if s.rule("end_not_before_start"))  # fmt: skip


def test_a_rule_written_twice_is_refused(tmp_path):
    (tmp_path / "suites").mkdir()
    (tmp_path / "rules.json").write_text(json.dumps({"rules": {}}))
    for name in ("one", "two"):
        (tmp_path / "suites" / f"{name}.json").write_text(
            json.dumps({"meta": {"table": "t", "asset_key": ["t"]}, "expectations": [NOT_NULL_A]})
        )
    with pytest.raises(SuiteFileError, match=r"a_present.*define it once"):
        load_suites(tmp_path)


def test_a_library_rule_cannot_be_redefined_in_a_suite(tmp_path):
    entry = {"rule": "end_not_before_start", "type": "expect_column_values_to_be_null"}
    with pytest.raises(SuiteFileError, match=r"defined in rules\.json"):
        _suite(tmp_path, [entry])


def test_record_actions_need_row_level_rules_on_raw_suites(tmp_path):
    table_level = {**NOT_NULL_A, "action": "quarantine", "type": "expect_table_row_count_to_equal"}
    with pytest.raises(SuiteFileError, match="row-level"):
        _suite(tmp_path, [table_level], source="s")
    with pytest.raises(SuiteFileError, match="raw suites only"):
        _suite(tmp_path, [{**NOT_NULL_A, "action": "quarantine"}])


def test_suite_file_without_source_or_asset_is_rejected(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"name": "bad", "meta": {"table": "t"}, "expectations": [REGEX_B]}))
    with pytest.raises(SuiteFileError, match=r"source \(raw\) or asset_key"):
        load_suite(path, LIBRARY)


def test_block_is_an_error_warn_is_a_warning(tmp_path):
    suite = _suite(tmp_path, [NOT_NULL_A, REGEX_B])
    ok = validate_frame(suite, pd.DataFrame({"a": [1, 2], "b": ["x1", "x2"]}))
    assert ok.passed and len(ok.outcomes) == 2
    only_warning = validate_frame(suite, pd.DataFrame({"a": [1, 2], "b": ["x1", "bad"]}))
    assert not only_warning.passed and only_warning.severity == WARN
    assert only_warning.warnings[0].sample_unexpected == ["bad"]
    both = validate_frame(suite, pd.DataFrame({"a": [1, None], "b": ["x1", "bad"]}))
    assert both.severity == ERROR
    assert both.errors[0].label == "a_present(a)" and both.errors[0].unexpected_count == 1


def test_a_rule_that_raises_is_an_error_never_a_pass(tmp_path):
    missing = {**REGEX_B, "kwargs": {"column": "gone", "regex": "x"}}  # even a warn rule
    outcome = validate_frame(_suite(tmp_path, [missing]), pd.DataFrame({"a": [1]}))
    assert not outcome.passed and outcome.severity == ERROR
    assert 'The column "gone" in BatchData does not exist' in outcome.errors[0].exception
    assert "raised" in outcome.summary()


def test_record_rules_name_every_failing_record(tmp_path):
    suite = _suite(
        tmp_path,
        [{"rule": "end_not_before_start"}, {"rule": "nwo_file_number", "kwargs": {"column": "id"}}],
        source="s",
        record_key=["id"],
    )
    frame = pd.DataFrame(
        {
            "_record_no": [1, 2, 3],
            "id": ["A.B.22.001", "A B 22 002", "NGF.1.22.003.A"],
            "start_date": pd.to_datetime(["2022-01-01", "2022-01-01", "2023-01-01"]),
            "end_date": pd.to_datetime(["2021-12-31", "2022-01-01", None]),
        }
    )
    outcome = validate_frame(suite, frame)
    by_rule = {o.rule.name: o for o in outcome.failed}
    assert [r.record_no for r in by_rule["end_not_before_start"].failing_records] == [1]
    assert by_rule["end_not_before_start"].failing_records[0].values == {
        "end_date": "2021-12-31",
        "start_date": "2022-01-01",
    }
    assert [(r.record_no, r.values) for r in by_rule["nwo_file_number"].failing_records] == [
        (2, {"id": "A B 22 002"})
    ]
    assert outcome.severity == WARN


def _raw_warehouse(tmp_path: Path, projects: list[tuple], members: list[tuple]) -> Path:
    """A warehouse with one source 's': two snapshots, the newest holding ``projects``."""
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute(
            "CREATE TABLE raw.snapshots (snapshot_id VARCHAR, source VARCHAR);"
            "INSERT INTO raw.snapshots VALUES ('20260101T000000Z', 's'), ('20260102T000000Z', 's')"
        )
        con.execute(
            "CREATE TABLE raw.s_projects (_snapshot_id VARCHAR, _record_no INTEGER,"
            " _problems VARCHAR, project_id VARCHAR, call_id VARCHAR, amount DOUBLE,"
            " start_date DATE, end_date DATE, member_count INTEGER)"
        )
        con.execute(
            "INSERT INTO raw.s_projects VALUES"
            " ('20260101T000000Z', 1, NULL, 'OLD.ONE.21.001', 'kic_lc_2021', 9e9, NULL, NULL, 0)"
        )
        for no, row in enumerate(projects, start=1):
            con.execute(
                "INSERT INTO raw.s_projects VALUES ('20260102T000000Z', ?, ?, ?, ?, ?, ?, ?, ?)",
                [no, *row],
            )
        con.execute(
            "CREATE TABLE raw.s_members (_snapshot_id VARCHAR, _record_no INTEGER,"
            " _problems VARCHAR, project_id VARCHAR, organisation VARCHAR)"
        )
        for no, row in enumerate(members, start=1):
            con.execute(
                "INSERT INTO raw.s_members VALUES ('20260102T000000Z', ?, NULL, ?, ?)", [no, *row]
            )
    return db


def _source_suites(tmp_path: Path, max_share: float = 0.75):
    projects = _suite(
        tmp_path,
        [
            {"rule": "record_readable"},
            {"rule": "end_not_before_start"},
            {"rule": "subsidy_within_cap", "kwargs": {"column_B": "amount"}},
            {"rule": "has_members", "kwargs": {"column": "member_count"}},
        ],
        source="s",
        table="raw.s_projects",
        record_key=["project_id"],
        subsidy_column="amount",
        max_set_aside_share=max_share,
    )
    members = _suite(
        tmp_path,
        [{"rule": "organisation_named", "kwargs": {"column": "organisation"}}],
        source="s",
        table="raw.s_members",
        record_key=["project_id", "organisation"],
        parent={"table": "raw.s_projects", "columns": ["project_id"]},
    )
    return [projects, members]


PROBLEM = json.dumps(
    [{"rule": "unreadable_value", "column": "end_date", "value": "2023-02-30",
      "problem": "unreadable date"}]
)  # fmt: skip


def test_source_validation_sets_records_aside_and_keeps_the_rest(tmp_path):
    db = _raw_warehouse(
        tmp_path,
        [
            (None, "A.B.21.001", "kic_lc_2021", 900000.0, "2022-01-01", "2025-01-01", 2),
            (None, "A.B.21.002", "kic_lc_2021", 1200000.0, "2022-01-01", "2025-01-01", 1),
            (None, "A.B.21.003", "kic_lc_2021", None, "2022-01-01", "2021-01-01", 1),
            (PROBLEM, "A.B.21.004", "kic_lc_2021", None, "2022-01-01", None, 1),
            (None, "A.B.21.005", "kic_lc_2021", None, None, None, 0),
        ],
        [("A.B.21.001", "TNO"), ("A.B.21.001", None), ("A.B.21.002", "HZ")],
    )
    reference = Reference.from_seeds(SEEDS_DIR)
    with duckdb.connect(str(db), read_only=True) as con:
        validation = validate_source(con, "s", _source_suites(tmp_path), reference, "run-1")
    assert validation.snapshot_id == "20260102T000000Z"  # the newest, not the old 9e9 row
    assert validation.status == ACCEPTED, validation.reason
    entries = {(e.table_name, e.record_key, e.rule, e.disposition) for e in validation.entries}
    assert entries == {
        # KIC 2021 allows at most EUR 1M per project (seed subsidy_caps).
        ("raw.s_projects", '{"project_id": "A.B.21.002"}', "subsidy_within_cap", SET_ASIDE),
        ("raw.s_projects", '{"project_id": "A.B.21.003"}', "end_not_before_start", SET_ASIDE),
        # The connector's problem, under its own rule.
        ("raw.s_projects", '{"project_id": "A.B.21.004"}', "unreadable_value", SET_ASIDE),
        ("raw.s_projects", '{"project_id": "A.B.21.005"}', "has_members", FLAGGED),
        (
            "raw.s_members",
            '{"project_id": "A.B.21.001", "organisation": null}',
            "organisation_named",
            SET_ASIDE,
        ),
        # The member of a project set aside goes with it.
        (
            "raw.s_members",
            '{"project_id": "A.B.21.002", "organisation": "HZ"}',
            "parent_set_aside",
            SET_ASIDE,
        ),
    }
    unreadable = next(e for e in validation.entries if e.rule == "unreadable_value")
    assert (unreadable.column_name, unreadable.value) == ("end_date", "2023-02-30")
    assert validation.records(SET_ASIDE, "raw.s_projects") == 3

    with duckdb.connect(str(db)) as con:
        record(con, validation)
        assert con.execute("SELECT status FROM raw.s_acceptance").fetchall() == [(ACCEPTED,)]
        assert con.execute("SELECT count(*) FROM raw.s_quarantine").fetchone()[0] == 6
        statuses = con.execute(
            "SELECT DISTINCT snapshot_status, source_system FROM quality.validation_results"
        ).fetchall()
        assert statuses == [(ACCEPTED, "s")]


def test_too_many_records_set_aside_rejects_the_snapshot(tmp_path):
    rows = [
        (None, f"A.B.21.00{i}", "kic_lc_2021", None, "2022-01-01", "2021-01-01", 1)
        for i in range(3)
    ] + [(None, "A.B.21.009", "kic_lc_2021", None, None, None, 1)]
    db = _raw_warehouse(tmp_path, rows, [("A.B.21.009", "TNO")])
    with duckdb.connect(str(db), read_only=True) as con:
        validation = validate_source(
            con, "s", _source_suites(tmp_path, max_share=0.5), Reference.from_seeds(SEEDS_DIR),
            "run-1",
        )  # fmt: skip
    assert validation.status == REJECTED
    assert "set_aside_share" in (validation.reason or "")
    projects = validation.runs[0]
    assert projects.outcome is not None and projects.outcome.errors[0].unexpected_count == 3


def test_two_bad_rows_of_a_small_table_are_set_aside_not_a_rejection(tmp_path):
    """A register of three LCs with two bad rows: a large share, but no sign of a changed
    source; the share rule counts from three records set aside."""
    rows = [
        (None, f"A.B.21.00{i}", "kic_lc_2021", None, "2022-01-01", "2021-01-01", 1)
        for i in range(2)
    ] + [(None, "A.B.21.009", "kic_lc_2021", None, None, None, 1)]
    db = _raw_warehouse(tmp_path, rows, [("A.B.21.009", "TNO")])
    with duckdb.connect(str(db), read_only=True) as con:
        validation = validate_source(
            con, "s", _source_suites(tmp_path, max_share=0.25), Reference.from_seeds(SEEDS_DIR),
            "run-1",
        )  # fmt: skip
    assert validation.status == ACCEPTED
    assert validation.records(SET_ASIDE, "raw.s_projects") == 2


def test_volume_collapse_against_the_last_accepted_validation_rejects(tmp_path):
    suite = _suite(
        tmp_path,
        [{"rule": "not_empty"}],
        source="s",
        table="raw.s_projects",
        row_drop={"warn": 0.25, "block": 0.5},
    )
    rows = [(None, f"A.B.21.00{i}", "kic_lc_2021", None, None, None, 1) for i in range(8)]
    db = _raw_warehouse(tmp_path, rows, [])
    reference = Reference.from_seeds(SEEDS_DIR)
    with duckdb.connect(str(db), read_only=True) as con:
        first = validate_source(con, "s", [suite], reference, "run-1")
    with duckdb.connect(str(db)) as con:
        record(con, first)
        con.execute("DELETE FROM raw.s_projects WHERE _record_no > 3")  # 8 rows -> 3
    with duckdb.connect(str(db), read_only=True) as con:
        second = validate_source(con, "s", [suite], reference, "run-2")
    assert first.status == ACCEPTED and second.status == REJECTED
    failed = {o.rule.name for o in second.runs[0].outcome.failed}
    assert failed == {"volume_dropped", "volume_collapsed"}


def test_no_snapshot_rejects_with_a_reason(tmp_path):
    db = _raw_warehouse(tmp_path, [], [])
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM raw.snapshots")
    with duckdb.connect(str(db), read_only=True) as con:
        validation = validate_source(
            con, "s", _source_suites(tmp_path), Reference.from_seeds(SEEDS_DIR), "r"
        )
    assert validation.status == REJECTED and "no snapshot" in (validation.reason or "")


def test_caps_by_call_and_mission_from_the_seed():
    reference = Reference.from_seeds(SEEDS_DIR)
    assert reference.cap("mooi_2022") == 4_000_000
    # The built-environment mission allows more, however the page writes the mission.
    assert reference.cap("mooi_2022", "B Gebouwde omgeving") == 7_000_000
    assert reference.cap("mooi_2022", "gebouwde  Omgeving") == 7_000_000
    assert reference.cap("mooi_2022", "C Industrie") == 4_000_000
    assert reference.cap("kic_lc_2023") == 750_000
    assert reference.cap("gvnl_rd_2022") is None and reference.cap(None) is None


def test_call_budget_counts_each_call_once():
    frame = pd.DataFrame(
        {"call_id": ["mooi_lc_2024"] * 3 + [None], "subsidy_eur": [600_000.0, 500_000.0, None, 1.0]}
    )
    enriched = Reference.from_seeds(SEEDS_DIR).enrich(frame, "subsidy_eur")
    totals = enriched["call_subsidy_total_eur"].tolist()
    assert totals[0] == 1_100_000 and pd.isna(totals[1]) and pd.isna(totals[2])
    assert enriched["call_budget_eur"].tolist()[:3] == [1_000_000] * 3


def test_mart_check_reads_the_warehouse_and_records(tmp_path):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE main.t AS SELECT * FROM (VALUES (1, 'x1'), (2, 'bad')) v(a, b)")
    result = run_mart_suite(
        _suite(tmp_path, [NOT_NULL_A, REGEX_B]),
        WarehouseResource(path=str(db)),
        report_dir=tmp_path / "quality_report",
    )
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["rows_validated"].value == 2
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT rule, success FROM quality.validation_results ORDER BY 1")
        assert rows.fetchall() == [("a_present", True), ("b_shape", False)]


def test_mart_check_on_a_missing_table_fails_with_a_readable_message(tmp_path):
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    result = run_mart_suite(
        _suite(tmp_path, [NOT_NULL_A], table="marts.nope"),
        WarehouseResource(path=str(db)),
        report_dir=tmp_path / "quality_report",
    )
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert "nope" in result.description


def test_a_warehouse_from_before_keeps_the_snapshots_its_checks_accepted(tmp_path):
    """Verdicts used to live in quality.validation_results only: the first validation of a
    source carries the accepted snapshots over, so first/last-seen history is not lost."""
    db = _raw_warehouse(tmp_path, [(None, "A.B.21.001", "kic_lc_2021", None, None, None, 1)], [])
    with duckdb.connect(str(db)) as con:
        con.execute(
            # The columns of the earlier version's table (no rule, action, acceptance_id).
            "CREATE SCHEMA quality; CREATE TABLE quality.validation_results (run_id VARCHAR,"
            " validated_at TIMESTAMPTZ, suite VARCHAR, snapshot_id VARCHAR, expectation VARCHAR,"
            " severity VARCHAR, success BOOLEAN, rows_validated BIGINT, validation_id VARCHAR)"
        )
        con.execute(
            "INSERT INTO quality.validation_results VALUES"
            # accepted, then validated again and still accepted
            " ('r', '2026-01-01', 's', '20251201T000000Z', 'x', 'ERROR', true, 1, 'v1'),"
            " ('r', '2026-01-02', 's', '20251201T000000Z', 'x', 'ERROR', true, 1, 'v2'),"
            # rejected by its newest validation
            " ('r', '2026-01-01', 's', '20251202T000000Z', 'x', 'ERROR', true, 1, 'v3'),"
            " ('r', '2026-01-02', 's', '20251202T000000Z', 'x', 'ERROR', false, 1, 'v4'),"
            # another source's suite
            " ('r', '2026-01-01', 'other', '20251203T000000Z', 'x', 'ERROR', true, 1, 'v5')"
        )
    suite = _suite(tmp_path, [{"rule": "not_empty"}], source="s", table="raw.s_projects")
    suite = dataclasses.replace(suite, name="s")
    with duckdb.connect(str(db), read_only=True) as con:
        validation = validate_source(con, "s", [suite], Reference.from_seeds(SEEDS_DIR), "now")
    with duckdb.connect(str(db)) as con:
        record(con, validation)
        verdicts = con.execute(
            "SELECT snapshot_id, status FROM raw.s_acceptance ORDER BY snapshot_id"
        ).fetchall()
    assert verdicts == [("20251201T000000Z", ACCEPTED), ("20260102T000000Z", ACCEPTED)]


def test_a_parameterised_suite_expands_into_one_suite_per_source(tmp_path):
    path = tmp_path / "raw_x.json"
    body = {
        "name": "raw_${source}_projects",
        "parameters": {
            "a": {"what": "A's", "own": [{**NOT_NULL_A, "rule": "a_named"}]},
            "b": {"what": "B's", "own": []},
        },
        "meta": {"source": "${source}", "table": "raw.${source}_x", "description": "${what}"},
        "expectations": [{"rule": "not_empty"}, "${own}", REGEX_B],
    }
    path.write_text(json.dumps(body))
    a, b = load_suite_file(path, LIBRARY)
    assert (a.name, a.source, a.table, a.description) == ("raw_a_projects", "a", "raw.a_x", "A's")
    assert [r.name for r in a.rules] == ["not_empty", "a_named", "b_shape"]
    assert [r.name for r in b.rules] == ["not_empty", "b_shape"] and b.description == "B's"
    with pytest.raises(SuiteFileError, match="use load_suite_file"):
        load_suite(path, LIBRARY)
    for broken, message in (
        ({"name": "raw_projects"}, r"must contain \$\{source\}"),
        ({"expectations": ["${other}"]}, r"unknown parameter \$\{other\}"),
        ({"parameters": {"a": {"what": "A's", "own": [], "unused": 1}}}, r"\['unused'\] are not"),
    ):
        path.write_text(json.dumps({**body, **broken}))
        with pytest.raises(SuiteFileError, match=message):
            load_suite_file(path, LIBRARY)


def test_every_register_has_its_suites_and_staging():
    """A register is configured in three places that must agree: its Dagster source, the dbt
    var that stages it, and the parameters of the register suites."""
    import yaml

    from orchestration.defs.registers import REGISTERS

    sources = [r.source for r in REGISTERS]
    project = yaml.safe_load((EXPECTATIONS_DIR.parent / "dbt_project/dbt_project.yml").read_text())
    assert [r["source_system"] for r in project["vars"]["registers"]] == sources
    suites = load_suites(EXPECTATIONS_DIR)
    for entity in ("projects", "partners"):
        assert [s.source for s in suites if s.table.endswith(f"_register_{entity}")] == sources
