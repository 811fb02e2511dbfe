"""Every suite in expectations/suites/ against a deliberately corrupted copy of the sample
warehouse, and staging's reading of the raw layer's verdicts and quarantine.

One real run loads the bundled sample. For each suite a copy of that DuckDB file is corrupted
with one SQL statement, and the suite (real GX on DataFrames read over a read-only connection)
must fail the rule the corruption breaks, with the action the rule has: a raw record rule sets
the corrupted record aside or flags it and the snapshot stays accepted; a block rule rejects
the snapshot; a mart rule fails its check.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.quality.acceptance import (
    ACCEPTED,
    FLAGGED,
    REJECTED,
    SET_ASIDE,
    SourceValidation,
    record,
    validate_source,
)
from orchestration.quality.checks import run_mart_suite
from orchestration.quality.reference import Reference
from orchestration.quality.report import quarantine_page_name, write_report
from orchestration.quality.suites import load_suites, suites_by_source
from orchestration.settings import EXPECTATIONS_DIR, SEEDS_DIR
from orchestration.warehouse import WarehouseResource

SUITES = {suite.name: suite for suite in load_suites(EXPECTATIONS_DIR)}
BY_SOURCE = suites_by_source(list(SUITES.values()))


def newest(source: str) -> str:
    return f"(SELECT max(snapshot_id) FROM raw.snapshots WHERE source = '{source}')"


def first_of(table: str, source: str, where: str = "true") -> str:
    return (
        f"_snapshot_id = {newest(source)} AND _record_no = (SELECT min(_record_no) FROM {table}"
        f" WHERE _snapshot_id = {newest(source)} AND {where})"
    )


# suite -> (corruption, rule, outcome): `set_aside` / `flagged` (the first corrupted record is
# in the quarantine, the snapshot accepted), `rejected` (a block rule), or ERROR / WARN (marts).
CORRUPTIONS: dict[str, tuple[str, str, str]] = {
    "raw_nwopen_projects": (
        "UPDATE raw.nwopen_projects SET project_id = 'KIC LC 21 1'"
        f" WHERE {first_of('raw.nwopen_projects', 'nwopen')}",
        "nwo_file_number",
        SET_ASIDE,
    ),
    "raw_nwopen_project_members": (
        "UPDATE raw.nwopen_project_members SET organisation_top = NULL"
        f" WHERE {first_of('raw.nwopen_project_members', 'nwopen')}",
        "organisation_named",
        SET_ASIDE,
    ),
    "raw_nwopen_unfollowed_schemes": (
        "UPDATE raw.nwopen_unfollowed_schemes SET funding_scheme = 'Learning Communities Zorg'"
        f" WHERE {first_of('raw.nwopen_unfollowed_schemes', 'nwopen')}",
        "possible_new_lc_call",
        FLAGGED,
    ),
    "raw_tse_projects": (
        "UPDATE raw.tse_projects SET subsidy_eur = 4500000 WHERE "
        + first_of("raw.tse_projects", "tse", "mission NOT LIKE '%Gebouwde%'"),
        "subsidy_within_cap",
        SET_ASIDE,
    ),
    "raw_tse_project_partners": (
        "UPDATE raw.tse_project_partners SET organisation = NULL"
        f" WHERE {first_of('raw.tse_project_partners', 'tse')}",
        "organisation_named",
        SET_ASIDE,
    ),
    "raw_mooi_register_projects": (
        "UPDATE raw.mooi_register_projects SET related_grant = 'MOOI-1'"
        f" WHERE {first_of('raw.mooi_register_projects', 'mooi_register')}",
        "mooi_grant_number",
        FLAGGED,  # kept, not linked to a consortium
    ),
    "raw_mooi_register_partners": (
        "UPDATE raw.mooi_register_partners SET organisation = 'TNO'"
        f" WHERE _snapshot_id = {newest('mooi_register')} AND partner_seq IN (1, 2)"
        " AND register_id = (SELECT min(register_id) FROM raw.mooi_register_partners)",
        "partner_listed_once",
        FLAGGED,
    ),
    "raw_gvnl_register_projects": (
        "UPDATE raw.gvnl_register_projects SET end_date = start_date - INTERVAL 1 DAY WHERE "
        + first_of("raw.gvnl_register_projects", "gvnl_register", "start_date IS NOT NULL"),
        "end_not_before_start",
        SET_ASIDE,
    ),
    "raw_gvnl_register_partners": (
        "UPDATE raw.gvnl_register_partners SET municipality = NULL",
        "municipality_mostly_known",
        "WARN",
    ),
    "dim_organisation": (
        # A fifth of the organisations of unknown type: over the 10% threshold, a warning
        # (the names are listed), not a run-stopper.
        "UPDATE marts.dim_organisation SET organisation_type = 'onbekend'"
        " WHERE hash(organisation_key) % 5 = 0",
        "unknown_types_rare",
        "WARN",
    ),
    "fct_project": (
        "UPDATE marts.fct_project SET lead_organisation_key = NULL WHERE hash(project_key) % 5 = 0",
        "leads_mostly_known",
        "ERROR",
    ),
    "fct_participation": ("DELETE FROM marts.fct_participation", "not_empty", "ERROR"),
    "mart_partner_mix": (
        "UPDATE marts.mart_partner_mix SET partner_count = 0",
        "partners_mostly_known",
        "WARN",
    ),
    "mart_lc_overview": ("DELETE FROM marts.mart_lc_overview", "not_empty", "ERROR"),
}


@pytest.fixture(scope="module")
def sample_warehouse(sample_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's copy of the session's sample warehouse: validating it records results
    in it, which must not reach the other modules that read the session's warehouse."""
    copy = tmp_path_factory.mktemp("quality") / "lc_monitor.duckdb"
    shutil.copyfile(sample_run / "warehouse" / "lc_monitor.duckdb", copy)
    # The raw layer is views over the run's record files (sources/raw_tables.py); these tests
    # corrupt its rows with SQL, so this copy holds them as tables of the same name and
    # columns, which the suites and staging read alike.
    with duckdb.connect(str(copy)) as con:
        views = con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'raw' AND NOT internal"
        ).fetchall()
        for (name,) in views:
            con.execute(f"CREATE TABLE raw._{name} AS SELECT * FROM raw.{name}")
            con.execute(f"DROP VIEW raw.{name}")
            con.execute(f"ALTER TABLE raw._{name} RENAME TO {name}")
    return copy


def corrupted_copy(warehouse: Path, folder: Path, sql: str) -> WarehouseResource:
    copy = folder / "corrupted.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        for statement in sql.split(";"):  # execute() runs one statement
            con.execute(statement)
    return WarehouseResource(path=str(copy))


def validate(warehouse: WarehouseResource, source: str, run_id: str) -> SourceValidation:
    with warehouse.connect(read_only=True) as con:
        validation = validate_source(
            con, source, BY_SOURCE[source], Reference.from_seeds(SEEDS_DIR), run_id
        )
    with warehouse.connect() as con:
        record(con, validation)
    return validation


def test_every_suite_has_a_corruption_test():
    assert set(CORRUPTIONS) == set(SUITES)


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corruption_fails_the_right_rule(name: str, sample_warehouse: Path, tmp_path: Path):
    sql, rule, outcome = CORRUPTIONS[name]
    suite = SUITES[name]
    good_warehouse = WarehouseResource(path=str(sample_warehouse))
    warehouse = corrupted_copy(sample_warehouse, tmp_path, sql)
    if suite.source is None:
        reports = tmp_path / "quality_report"
        assert run_mart_suite(suite, good_warehouse, run_id="good", report_dir=reports).passed
        result = run_mart_suite(suite, warehouse, run_id="corrupted", report_dir=reports)
        assert not result.passed
        assert result.severity == getattr(dg.AssetCheckSeverity, outcome)
        assert f"[{outcome}] {rule}" in result.description, result.description
        if name == "dim_organisation":  # the warning lists the organisations concerned
            with duckdb.connect(warehouse.database(), read_only=True) as con:
                untyped = con.execute(
                    "SELECT organisation_name FROM marts.dim_organisation"
                    " WHERE organisation_type = 'onbekend' ORDER BY 1 LIMIT 3"
                ).fetchall()
            listed = result.metadata[f"{rule}_rows"].value
            assert untyped and all(f"- {n}" in listed for (n,) in untyped), listed
        return
    good = validate(WarehouseResource(path=str(shutil.copy(sample_warehouse, tmp_path / "g"))),
                    suite.source, "good")  # fmt: skip
    assert good.status == ACCEPTED and not good.entries, good.entries
    validation = validate(warehouse, suite.source, "corrupted")
    run = next(r for r in validation.runs if r.suite.name == name)
    assert run.outcome is not None
    failed = {o.rule.name: o for o in run.outcome.failed}
    assert rule in failed, run.outcome.summary()
    if outcome == REJECTED:
        assert validation.status == REJECTED
        return
    assert validation.status == ACCEPTED  # one bad record never stops the source
    assert failed[rule].severity == "WARN"
    if outcome in (SET_ASIDE, FLAGGED):
        entries = [e for e in validation.entries if e.rule == rule]
        assert entries and {e.disposition for e in entries} == {outcome}
        assert all(e.table_name == suite.table and e.rule_description for e in entries)
    with duckdb.connect(warehouse.database(), read_only=True) as con:
        recorded = con.execute(
            "SELECT rule, severity, snapshot_status FROM quality.validation_results"
            " WHERE run_id = 'corrupted' AND NOT success"
        ).fetchall()
    assert (rule, "WARN", ACCEPTED) in recorded


def test_a_mission_with_a_higher_cap_is_kept(sample_warehouse: Path, tmp_path: Path):
    """MOOI allows EUR 7M in the built-environment mission: EUR 6.5M there is no error."""
    where = first_of("raw.tse_projects", "tse", "mission LIKE '%Gebouwde%'")
    warehouse = corrupted_copy(
        sample_warehouse,
        tmp_path,
        f"UPDATE raw.tse_projects SET subsidy_eur = 6500000 WHERE {where}",
    )
    assert not validate(warehouse, "tse", "seven").entries


def test_volume_drop_warns_and_a_collapse_rejects(sample_warehouse: Path, tmp_path: Path):
    """A third of the projects gone: a warning. Two thirds gone: the pull is rejected."""
    table = "raw.tse_projects"
    snapshot = newest("tse")
    for keep, status, rules in (
        (3, ACCEPTED, {"volume_dropped"}),  # ceil(34 * 0.75) = 26 > 34 * 2 / 3
        (5, REJECTED, {"volume_dropped", "volume_collapsed"}),
    ):
        folder = tmp_path / str(keep)
        folder.mkdir()
        warehouse = corrupted_copy(
            sample_warehouse,
            folder,
            f"DELETE FROM {table} WHERE _snapshot_id = {snapshot} AND _record_no % {keep} = 0"
            if keep == 3
            else f"DELETE FROM {table} WHERE _snapshot_id = {snapshot} AND _record_no % 3 <> 0",
        )
        validation = validate(warehouse, "tse", f"drop-{keep}")
        run = next(r for r in validation.runs if r.suite.name == "raw_tse_projects")
        assert {o.rule.name for o in run.outcome.failed} == rules
        assert validation.status == status


def test_a_missing_column_rejects_the_snapshot_naming_it(sample_warehouse: Path, tmp_path: Path):
    warehouse = corrupted_copy(
        sample_warehouse, tmp_path, "ALTER TABLE raw.tse_projects DROP COLUMN end_date"
    )
    validation = validate(warehouse, "tse", "broken")
    assert validation.status == REJECTED
    assert "end_date" in (validation.reason or "") and "raised" in validation.reason


def test_staging_reads_the_newest_accepted_snapshot_without_records_set_aside(
    sample_warehouse: Path, tmp_path: Path
):
    """The raw layer's verdicts and quarantine decide what staging reads: a newer pull counts
    once accepted (by its newest verdict), minus the records that verdict set aside."""
    warehouse = corrupted_copy(
        sample_warehouse,
        tmp_path,
        # A second pull of NWOpen, identical but for one title; not validated yet.
        "INSERT INTO raw.nwopen_projects SELECT * REPLACE ('99990101T000000Z' AS _snapshot_id,"
        " CASE WHEN _record_no = 1 THEN 'Second pull' ELSE title END AS title)"
        f" FROM raw.nwopen_projects WHERE _snapshot_id = {newest('nwopen')}",
    )
    with duckdb.connect(warehouse.database(), read_only=True) as con:
        (first,) = con.execute("SELECT DISTINCT snapshot_id FROM raw.nwopen_acceptance").fetchone()
        rows = con.execute("SELECT count(*) FROM staging.stg_nwopen__projects").fetchone()[0]

    def staged() -> tuple[set[str], int]:
        with duckdb.connect(warehouse.database(), read_only=True) as con:
            found = con.execute("SELECT snapshot_id FROM staging.stg_nwopen__projects").fetchall()
        return {r[0] for r in found}, len(found)

    def verdict(status: str, set_aside: list[int] = ()) -> None:  # type: ignore[assignment]
        with duckdb.connect(warehouse.database()) as con:
            acceptance = con.execute("SELECT uuid()::VARCHAR").fetchone()[0]
            con.execute(
                "INSERT INTO raw.nwopen_acceptance (acceptance_id, snapshot_id, status,"
                " validated_at) VALUES (?, '99990101T000000Z', ?, now())",
                [acceptance, status],
            )
            for record_no in set_aside:
                con.execute(
                    "INSERT INTO raw.nwopen_quarantine (acceptance_id, snapshot_id, table_name,"
                    " record_no, disposition, rule) VALUES (?, '99990101T000000Z',"
                    " 'raw.nwopen_projects', ?, 'set_aside', 'test')",
                    [acceptance, record_no],
                )

    assert staged() == ({first}, rows)  # never validated: not read
    verdict(REJECTED)
    assert staged() == ({first}, rows)
    verdict(ACCEPTED, set_aside=[1, 2])
    assert staged() == ({"99990101T000000Z"}, rows - 2)
    verdict(REJECTED)  # validated again, rejected: its newest verdict counts
    assert staged() == ({first}, rows)


def test_the_html_report_shows_the_rule_and_the_quarantine(sample_warehouse: Path, tmp_path: Path):
    warehouse = corrupted_copy(sample_warehouse, tmp_path, CORRUPTIONS["raw_tse_projects"][0])
    validate(warehouse, "tse", "report")
    folder = tmp_path / "report"
    with warehouse.connect(read_only=True) as con:
        index = write_report(con, folder).read_text(encoding="utf-8")
    assert "raw_tse_projects.html" in index and quarantine_page_name("tse") in index
    page = (folder / "raw_tse_projects.html").read_text(encoding="utf-8")
    assert "FAILED" in page and "subsidy_within_cap" in page and "4500000" in page
    quarantine = (folder / quarantine_page_name("tse")).read_text(encoding="utf-8")
    assert "subsidy_within_cap" in quarantine and "set_aside" in quarantine
