"""Every suite in expectations/ against a deliberately corrupted copy of the sample warehouse.

One real run loads the bundled sample and records the first validations. For each suite a copy
of that DuckDB file is corrupted with one SQL statement, and the suite's check (real GX on a
DataFrame read over a read-only connection) must fail the expectation the corruption breaks,
with the severity the suite gives it, and record it in quality.validation_results. Blocking in
a Dagster run (an ERROR stops dbt) is shown end to end in test_end_to_end.py.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.quality_checks import run_suite
from orchestration.quality.suites import load_suites
from orchestration.settings import EXPECTATIONS_DIR
from orchestration.warehouse import WarehouseResource
from sources.registers import GVNL_SAMPLE

from .test_end_to_end import build_sample_warehouse, run_dbt_only, run_refresh


def latest(table: str) -> str:
    return f"_snapshot_id = (SELECT max(_snapshot_id) FROM {table})"


def first_row(table: str, scope: str = "") -> str:
    where = f"WHERE {scope}" if scope else ""
    return f"rowid = (SELECT min(rowid) FROM {table} {where})"


# suite -> (corruption, failing expectation's label, severity)
CORRUPTIONS: dict[str, tuple[str, str, str]] = {
    "raw_nwopen_projects": (
        "UPDATE raw.nwopen_projects SET project_id = 'KIC-LC-21-1'"
        f" WHERE {first_row('raw.nwopen_projects', latest('raw.nwopen_projects'))}",
        "expect_column_values_to_match_regex(project_id)",
        "ERROR",
    ),
    "raw_nwopen_project_members": (
        "UPDATE raw.nwopen_project_members SET orcid = 'https://orcid.org/-'"
        f" WHERE {latest('raw.nwopen_project_members')} AND member_position = 1",
        "expect_column_values_to_not_be_in_set(orcid)",
        "ERROR",
    ),
    "raw_tse_projects": (
        f"UPDATE raw.tse_projects SET subsidy_eur = 4500000 WHERE {latest('raw.tse_projects')}",
        "expect_column_values_to_be_between(subsidy_eur)",
        "ERROR",
    ),
    "raw_tse_project_partners": (
        "UPDATE raw.tse_project_partners SET organisation = NULL"
        f" WHERE {first_row('raw.tse_project_partners', latest('raw.tse_project_partners'))}",
        "expect_column_values_to_not_be_null(organisation)",
        "ERROR",
    ),
    "raw_mooi_register_projects": (
        "UPDATE raw.mooi_register_projects SET related_grant = 'MOOI-1'"
        f" WHERE {latest('raw.mooi_register_projects')}",
        "expect_column_values_to_match_regex(related_grant)",
        "ERROR",
    ),
    "raw_mooi_register_partners": (
        "UPDATE raw.mooi_register_partners SET role = 'trekker'"
        f" WHERE {latest('raw.mooi_register_partners')} AND partner_seq = 2",
        "expect_column_values_to_be_in_set(role)",
        "ERROR",
    ),
    "raw_gvnl_register_projects": (
        "UPDATE raw.gvnl_register_projects SET end_date = start_date - INTERVAL 1 DAY"
        f" WHERE {latest('raw.gvnl_register_projects')}",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "ERROR",
    ),
    "raw_gvnl_register_partners": (
        "UPDATE raw.gvnl_register_partners SET organisation_type = 'school'"
        f" WHERE {latest('raw.gvnl_register_partners')} AND partner_seq = 1",
        "expect_column_values_to_be_in_set(organisation_type)",
        "ERROR",
    ),
    "dim_programme": (
        "UPDATE marts.dim_programme SET programme = 'NGF' WHERE programme = 'GroenvermogenNL'",
        "expect_column_values_to_be_in_set(programme)",
        "ERROR",
    ),
    "dim_organisation": (
        # A fifth of the organisations of unknown type: over the 10% threshold.
        "UPDATE marts.dim_organisation SET organisation_type = 'onbekend'"
        " WHERE hash(organisation_key) % 5 = 0",
        "expect_column_values_to_not_be_in_set(organisation_type)",
        "ERROR",
    ),
    "fct_project": (
        "UPDATE marts.fct_project SET subsidy_eur = 4500000 WHERE programme = 'MOOI'",
        "expect_column_values_to_be_between(subsidy_eur)",
        "ERROR",
    ),
    "fct_participation": (
        "UPDATE marts.fct_participation SET role = 'lead' WHERE is_lead",
        "expect_column_values_to_be_in_set(role)",
        "ERROR",
    ),
    "mart_lc_overview": (
        "UPDATE marts.mart_lc_overview SET lc_count = project_count + 1",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "ERROR",
    ),
    "mart_partner_mix": (
        "UPDATE marts.mart_partner_mix SET partner_count = 0, bedrijf_count = 0",
        "expect_column_values_to_be_between(partner_count)",
        "WARN",
    ),
    "mart_organisation_network": (
        "UPDATE marts.mart_organisation_network SET programme_count = 4",
        "expect_column_values_to_be_between(programme_count)",
        "ERROR",
    ),
    "mart_region": (
        "DELETE FROM marts.mart_region WHERE province = 'Zeeland'",
        "expect_table_row_count_to_equal",
        "ERROR",
    ),
    "mart_data_quality": (
        "UPDATE marts.mart_data_quality SET success_percent = 150",
        "expect_column_values_to_be_between(success_percent)",
        "ERROR",
    ),
    "mart_project_changes": (
        "UPDATE marts.mart_project_changes SET change_type = 'modified'"
        " WHERE project_key LIKE 'tse:%'",
        "expect_column_values_to_be_in_set(change_type)",
        "ERROR",
    ),
}

SUITES = {suite.name: suite for suite in load_suites(EXPECTATIONS_DIR)}


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample_warehouse(tmp_path_factory.mktemp("quality") / "data")


def corrupted_copy(warehouse: Path, folder: Path, sql: str) -> WarehouseResource:
    copy = folder / "corrupted.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(sql)
    return WarehouseResource(path=str(copy))


def test_every_suite_has_a_corruption_test():
    assert set(CORRUPTIONS) == set(SUITES)


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corruption_fails_the_right_expectation(name: str, sample_warehouse: Path, tmp_path: Path):
    sql, label, severity = CORRUPTIONS[name]
    suite = SUITES[name]
    good = run_suite(suite, WarehouseResource(path=str(sample_warehouse)), run_id="good")
    assert good.passed, good.description

    warehouse = corrupted_copy(sample_warehouse, tmp_path, sql)
    result = run_suite(suite, warehouse, run_id="corrupted")
    assert not result.passed
    expected = dg.AssetCheckSeverity.ERROR if severity == "ERROR" else dg.AssetCheckSeverity.WARN
    assert result.severity == expected
    assert f"[{severity}] {label}" in result.description, result.description
    with duckdb.connect(warehouse.database(), read_only=True) as con:
        recorded = con.execute(
            "SELECT DISTINCT severity FROM quality.validation_results"
            " WHERE run_id = 'corrupted' AND NOT success"
        ).fetchall()
    assert (severity,) in recorded


def test_row_count_drop_is_a_warning(sample_warehouse: Path, tmp_path: Path):
    """Half the projects gone from a pull: the rows validated last time were many more."""
    table = "raw.tse_projects"
    warehouse = corrupted_copy(
        sample_warehouse,
        tmp_path,
        f"DELETE FROM {table} WHERE {latest(table)} AND hash(grant_number) % 3 <> 0",
    )
    result = run_suite(SUITES["raw_tse_projects"], warehouse, run_id="dropped")
    assert not result.passed
    assert result.severity == dg.AssetCheckSeverity.WARN
    assert "[WARN] row_count_not_dropped" in result.description
    assert result.metadata["previous_rows"].value == 34


def test_half_the_rows_gone_warns(sample_warehouse: Path, tmp_path: Path):
    """The issue's example: a source that suddenly returns half its projects."""
    table = "raw.tse_projects"
    warehouse = corrupted_copy(
        sample_warehouse,
        tmp_path,
        f"DELETE FROM {table} WHERE rowid IN"
        f" (SELECT rowid FROM {table} WHERE {latest(table)} ORDER BY grant_number LIMIT 17)",
    )
    result = run_suite(SUITES["raw_tse_projects"], warehouse, run_id="halved")
    assert "[WARN] row_count_not_dropped" in result.description
    assert result.severity == dg.AssetCheckSeverity.WARN


def test_a_missing_column_fails_the_check_naming_the_exception(
    sample_warehouse: Path, tmp_path: Path
):
    warehouse = corrupted_copy(
        sample_warehouse, tmp_path, "ALTER TABLE marts.fct_project DROP COLUMN status"
    )
    result = run_suite(SUITES["fct_project"], warehouse, run_id="broken")
    assert not result.passed and result.severity == dg.AssetCheckSeverity.ERROR
    assert "raised" in result.description and "status" in result.description


def test_staging_reads_only_accepted_snapshots(sample_warehouse: Path, tmp_path: Path):
    """The macro staging reads through: a newer pull counts only once validated without a
    failed ERROR expectation, and by its newest validation."""
    warehouse = corrupted_copy(
        sample_warehouse,
        tmp_path,
        # A second pull of NWOpen, identical but for one title; no check has seen it yet.
        "INSERT INTO raw.nwopen_projects SELECT * REPLACE ('99990101T000000Z' AS _snapshot_id,"
        " CASE WHEN project_id = (SELECT min(project_id) FROM raw.nwopen_projects)"
        " THEN 'Second pull' ELSE title END AS title) FROM raw.nwopen_projects",
    )

    def staged() -> set[str]:
        with duckdb.connect(warehouse.database(), read_only=True) as con:
            return {r[0] for r in con.execute(
                "SELECT DISTINCT snapshot_id FROM staging.stg_nwopen__projects"
            ).fetchall()}  # fmt: skip

    def validate(success: bool) -> None:
        with duckdb.connect(warehouse.database()) as con:
            con.execute(
                "INSERT INTO quality.validation_results (validation_id, run_id, validated_at,"
                " suite, snapshot_id, expectation, severity, success)"
                " VALUES (uuid()::VARCHAR, 'test', now(), 'raw_nwopen_projects',"
                " '99990101T000000Z', 'x', 'ERROR', ?)",
                [success],
            )

    (first,) = staged()
    assert first != "99990101T000000Z"  # never validated: not accepted
    validate(success=False)
    assert staged() == {first}  # rejected
    validate(success=True)
    assert staged() == {"99990101T000000Z"}  # validated again, passing: its newest result counts
    validate(success=False)
    assert staged() == {first}


def test_the_html_report_shows_the_failure(sample_warehouse: Path, tmp_path: Path):
    sql = CORRUPTIONS["raw_tse_projects"][0]
    result = run_suite(SUITES["raw_tse_projects"], corrupted_copy(sample_warehouse, tmp_path, sql))
    report = Path(result.metadata["report"].value)
    assert report.name == "raw_tse_projects.html" and report.exists()
    page = report.read_text(encoding="utf-8")
    assert "FAILED" in page and "expect_column_values_to_be_between" in page
    assert "4500000" in page  # a sample of the failing values
    index = (report.parent / "index.html").read_text(encoding="utf-8")
    assert "raw_tse_projects.html" in index and "class='ERROR'" in index


def test_the_nwopen_call_set_follows_the_seed():
    """Adding a call to the seed without adding it to the suite would reject every pull."""
    seed = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "programme_calls.csv"
    with seed.open(newline="", encoding="utf-8") as handle:
        calls = {r["call_id"] for r in csv.DictReader(handle) if r["source_system"] == "nwopen"}
    (call_set,) = [
        e["kwargs"]["value_set"]
        for e in SUITES["raw_nwopen_projects"].body["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == "call_id"
    ]
    assert set(call_set) == calls


def test_an_error_in_a_register_blocks_the_run_and_its_snapshot(
    isolated_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """End to end: a register that the connector accepts but that breaks the €4M cap fails
    its blocking check with ERROR; dbt does not run, the marts keep their figures, and a later
    dbt-only run still reads the previous, accepted pull of the register."""
    warehouse = isolated_data / "warehouse" / "lc_monitor.duckdb"
    assert run_refresh().success
    subsidies = "SELECT project_key, subsidy_eur FROM marts.fct_project ORDER BY 1"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = con.execute(subsidies).fetchall()

    register = tmp_path / "gvnl_register"
    shutil.copytree(GVNL_SAMPLE, register)
    projects = register / "projects.csv"
    text = projects.read_text(encoding="utf-8-sig")
    assert "€ 3.800.000" in text
    projects.write_text(text.replace("€ 3.800.000", "€ 9.800.000"), encoding="utf-8-sig")
    monkeypatch.setenv("LCM_GVNL_REGISTER", str(register))

    bad = run_refresh()
    assert not bad.success
    (gx,) = [
        e
        for e in bad.get_asset_check_evaluations()
        if e.check_name == "gx_raw_gvnl_register_projects"
    ]
    assert not gx.passed and gx.severity == dg.AssetCheckSeverity.ERROR
    assert "[ERROR] expect_column_values_to_be_between(subsidy_eur)" in gx.description
    assert not any(e.step_key == "lc_monitor_dbt" and e.is_step_start for e in bad.all_events)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(subsidies).fetchall() == before
        recorded = con.execute(
            "SELECT count(*) FROM quality.validation_results WHERE suite ="
            " 'raw_gvnl_register_projects' AND severity = 'ERROR' AND NOT success"
            " AND unexpected_count = 2"
        ).fetchall()
    assert recorded == [(1,)]

    assert run_dbt_only().success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(subsidies).fetchall() == before
