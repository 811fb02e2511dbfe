"""Drift checks against the last accepted pull, and the row-drop baseline: real GX validations
of pulls appended to a real DuckDB file, one snapshot after another, each validated and its
verdict recorded as the source's validation step does."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.quality.acceptance import (
    ACCEPTED,
    REJECTED,
    SourceValidation,
    current_snapshot,
    record,
    validate_source,
)
from orchestration.quality.checks import check_result, run_mart_suite
from orchestration.quality.reference import Reference
from orchestration.quality.report import suite_page_name, write_report
from orchestration.quality.run_summary import CheckVerdict, check_lines
from orchestration.quality.suites import (
    DRIFT_FILLED,
    SuiteFile,
    SuiteFileError,
    load_library,
    load_suite,
    load_suites,
)
from orchestration.settings import EXPECTATIONS_DIR, SEEDS_DIR, check_environment
from orchestration.warehouse import WarehouseResource
from sources.raw_tables import (
    RECORD_COLUMNS,
    SNAPSHOTS_COLUMNS,
    SNAPSHOTS_TABLE,
    attach_raw_views,
    ensure_table,
)
from sources.tse import PROJECT_COLUMNS as TSE_COLUMNS

LIBRARY = load_library(EXPECTATIONS_DIR / "rules.json")
REFERENCE = Reference.from_seeds(SEEDS_DIR)
TSE = next(s for s in load_suites(EXPECTATIONS_DIR) if s.name == "raw_tse_projects")
DRIFT = {"drift_filled", "drift_distinct", "drift_new_categories", "drift_vanished_categories"}


def snapshot(day: int) -> str:
    return f"202601{day:02d}T000000Z"


class Source:
    """A source's raw table in a real DuckDB file; each ``pull`` appends a snapshot and runs
    its validation step (validate read-only, then record the verdict)."""

    def __init__(self, folder: Path, name: str, table: str, columns: dict[str, str]) -> None:
        self.db, self.name, self.table, self.columns = folder / "w.duckdb", name, table, columns
        self.pulls = 0
        with duckdb.connect(str(self.db)) as con:
            ensure_table(con, SNAPSHOTS_TABLE, SNAPSHOTS_COLUMNS)
            ensure_table(con, table, {**RECORD_COLUMNS, **columns})

    def pull(self, rows: list[dict[str, Any]], suites: list[SuiteFile]) -> SourceValidation:
        self.pulls += 1
        snapshot_id = snapshot(self.pulls)
        frame = pd.DataFrame(rows, columns=list(self.columns))
        frame.insert(0, "_problems", None)
        frame.insert(0, "_record_no", range(1, len(frame) + 1))
        frame.insert(0, "_snapshot_id", snapshot_id)
        with duckdb.connect(str(self.db)) as con:
            con.execute(
                f"INSERT INTO {SNAPSHOTS_TABLE} (snapshot_id, source, rows_snapshot_id)"
                " VALUES (?, ?, ?)",
                [snapshot_id, self.name, snapshot_id],
            )
            con.register("incoming", frame)
            con.execute(f"INSERT INTO {self.table} BY NAME SELECT * FROM incoming")
        return self.validate(suites)

    def validate(self, suites: list[SuiteFile]) -> SourceValidation:
        with duckdb.connect(str(self.db), read_only=True) as con:
            validation = validate_source(con, self.name, suites, REFERENCE, f"run-{self.pulls}")
        with duckdb.connect(str(self.db)) as con:
            record(con, validation)
        return validation


def failed(validation: SourceValidation, rules: set[str] = DRIFT) -> dict[str, list[str]]:
    """rule -> the failed results' words (``why``), for the given rules."""
    found: dict[str, list[str]] = {}
    for run in validation.runs:
        assert run.outcome is not None, run.error
        for o in run.outcome.failed:
            if o.rule.name in rules:
                found.setdefault(o.rule.name, []).append(f"[{o.severity}] {o.why()}")
    return found


def tse_rows(subsidies: int, missions: tuple[str, ...] = ("C Industrie",)) -> list[dict]:
    """34 MOOI projects as the TSE connector writes them; ``subsidies`` of them with one."""
    return [
        {
            "tse_id": str(30000 + i),
            "page_url": f"https://projecten.example/p-{i}",
            "title": f"Project {i}",
            "grant_number": f"MOOI32{i:03d}",
            "scheme": "MOOI",
            "call_id": "mooi_2022",
            "call_round": 2022,
            "mission": missions[i % len(missions)],
            "lead_applicant": f"Lead {i % 25}",
            "start_date": "2023-01-01",
            "end_date": "2026-12-31",
            "subsidy_eur": 100_000.0 + i if i < subsidies else None,
            "tki": "TKI Energie en Industrie",
            "partner_count": 2,
        }
        for i in range(34)
    ]


def test_an_emptied_optional_column_warns_naming_it_and_stops_once_accepted(tmp_path: Path):
    """The MOOI pages' optional `Subsidie` label renamed: every subsidy reads as empty. The
    pull is accepted with a WARN naming raw.tse_projects.subsidy_eur and its figures, shown in
    the check, the results table and the HTML report; the next pull compares with it."""
    tse = Source(tmp_path, "tse", "raw.tse_projects", TSE_COLUMNS)
    first = tse.pull(tse_rows(24), [TSE])
    assert first.status == ACCEPTED and not failed(first)
    renamed = tse.pull(tse_rows(0), [TSE])
    expected = (
        f"raw.tse_projects.subsidy_eur: 24 of 34 filled in snapshot {snapshot(1)} (accepted), "
        "0 of 34 now"
    )
    assert renamed.status == ACCEPTED
    assert renamed.baseline is not None and renamed.baseline.snapshot_id == snapshot(1)
    assert failed(renamed) == {DRIFT_FILLED: [f"[WARN] {expected}"]}

    run = renamed.runs[0]
    check = check_result(run.suite, run.outcome, check_name="gx_raw_tse_projects")
    assert check.severity == dg.AssetCheckSeverity.WARN and expected in check.description
    assert expected in check.metadata["drift"].value
    with duckdb.connect(str(tse.db), read_only=True) as con:
        rows = con.execute(
            "SELECT severity, column_name, observed_value, snapshot_status FROM"
            " quality.validation_results WHERE run_id = 'run-2' AND rule = ? AND NOT success",
            [DRIFT_FILLED],
        ).fetchall()
        assert rows == [("WARN", "subsidy_eur", json.dumps(expected), ACCEPTED)]
        write_report(con, tmp_path / "report")
    page = (tmp_path / "report" / suite_page_name("raw_tse_projects")).read_text("utf-8")
    index = (tmp_path / "report" / "index.html").read_text("utf-8")
    assert expected in page and expected in index
    verdict = CheckVerdict("raw/tse_acceptance", "gx_raw_tse_projects", "WARN")
    closing = "\n".join(check_lines(tse.db, "run-2", [verdict]))  # the end of `make run`
    assert "drift_filled (expect_column_values_to_not_be_null, column subsidy_eur)" in closing
    assert expected in closing

    # Accepted (a WARN does not block): the next pull, still without subsidies, is compared
    # with it and does not warn again.
    again = tse.pull(tse_rows(0), [TSE])
    assert again.status == ACCEPTED and again.baseline.snapshot_id == snapshot(2)
    assert not failed(again)


def _suite(tmp_path: Path, expectations: list[dict], **meta: Any) -> SuiteFile:
    meta = {"source": "s", "table": "raw.s_projects", **meta}
    path = tmp_path / f"suite{len(list(tmp_path.glob('suite*.json')))}.json"
    path.write_text(json.dumps({"name": "s_projects", "meta": meta, "expectations": expectations}))
    return load_suite(path, LIBRARY)


COLUMNS = {"project_id": "VARCHAR", "kind": "VARCHAR", "amount": "DOUBLE", "note": "VARCHAR"}


def rows(n: int, amount: float | None = 1.0, kinds: tuple[str, ...] = ("a",)) -> list[dict]:
    return [
        {"project_id": f"P{i}", "kind": kinds[i % len(kinds)], "amount": amount, "note": None}
        for i in range(n)
    ]


def test_a_required_measure_that_disappears_rejects_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A required measure emptied is an ERROR: the pull is rejected and staging keeps the
    last accepted one. LCM_ACCEPT_DRIFT accepts it for one run (then it only warns), and the
    pull after that is compared with the accepted one."""
    suite = _suite(tmp_path, [{"rule": "not_empty"}], drift={"required": ["amount"]})
    source = Source(tmp_path, "s", "raw.s_projects", COLUMNS)
    assert source.pull(rows(10), [suite]).status == ACCEPTED
    emptied = source.pull(rows(10, amount=None), [suite])
    assert emptied.status == REJECTED
    expected = (
        f"raw.s_projects.amount (required): 10 of 10 filled in snapshot {snapshot(1)} "
        "(accepted), 0 of 10 now"
    )
    assert failed(emptied) == {DRIFT_FILLED: [f"[ERROR] {expected}"]}
    assert expected in (emptied.reason or "")
    with duckdb.connect(str(source.db), read_only=True) as con:
        assert current_snapshot(con, "s") == snapshot(1)  # the last good data stays

    monkeypatch.setenv("LCM_ACCEPT_DRIFT", "s:amount")
    accepted = source.validate([suite])  # the same pull, validated again
    assert accepted.status == ACCEPTED
    assert failed(accepted) == {
        DRIFT_FILLED: [f"[WARN] {expected}; accepted for this run (LCM_ACCEPT_DRIFT)"]
    }
    monkeypatch.delenv("LCM_ACCEPT_DRIFT")
    with duckdb.connect(str(source.db), read_only=True) as con:
        assert current_snapshot(con, "s") == snapshot(2)
    after = source.pull(rows(10, amount=None), [suite])
    assert after.status == ACCEPTED and not failed(after)


def test_new_and_vanished_categories_and_a_distinct_count_jump_warn(tmp_path: Path):
    suite = _suite(tmp_path, [{"rule": "not_empty"}], drift={"categories": ["kind"]})
    source = Source(tmp_path, "s", "raw.s_projects", COLUMNS)
    assert not failed(source.pull(rows(30, kinds=("mbo", "hbo", "wo")), [suite]))
    changed = source.pull(
        [{**r, "project_id": "same"} for r in rows(30, kinds=("mbo", "hbo", "bedrijf"))], [suite]
    )
    baseline = f"snapshot {snapshot(1)} (accepted)"
    assert changed.status == ACCEPTED
    assert failed(changed) == {
        "drift_new_categories": [f"[WARN] raw.s_projects.kind: new categories 'bedrijf' (not "
                                 f"in {baseline})"],
        "drift_vanished_categories": [f"[WARN] raw.s_projects.kind: categories of {baseline}"
                                      " gone now: 'wo'"],
        "drift_distinct": [f"[WARN] raw.s_projects.project_id: 30 distinct values in {baseline}"
                           ", 1 now"],
    }  # fmt: skip
    run = changed.runs[0]
    new = next(o for o in run.outcome.failed if o.rule.name == "drift_new_categories")
    assert new.sample_unexpected == ["bedrijf"] and new.column == "kind"


def test_the_row_drop_baseline_is_the_last_accepted_pull(tmp_path: Path):
    """Pulls of 100, 130, 100 and 100 rows: the drop from 130 warns once (beyond 20%); the
    pull that warned is accepted, so the next one of 100 rows is compared with it."""
    suite = _suite(tmp_path, [{"rule": "not_empty"}], row_drop={"warn": 0.2, "block": 0.5})
    source = Source(tmp_path, "s", "raw.s_projects", COLUMNS)
    warned = []
    for size in (100, 130, 100, 100):
        validation = source.pull(rows(size), [suite])
        assert validation.status == ACCEPTED
        warned.append(sorted(failed(validation, {"volume_dropped", "volume_collapsed"})))
    assert warned == [[], [], ["volume_dropped"], []]


def test_a_mart_drop_that_warned_becomes_the_baseline(tmp_path: Path):
    db = tmp_path / "m.duckdb"
    path = tmp_path / "mart.json"
    path.write_text(
        json.dumps(
            {
                "name": "m",
                "meta": {"table": "main.m", "asset_key": ["m"], "row_drop": {"warn": 0.2}},
                "expectations": [{"rule": "not_empty"}],
            }
        )
    )
    suite = load_suite(path, LIBRARY)
    warned = []
    for run, size in enumerate((100, 130, 100, 100)):
        with duckdb.connect(str(db)) as con:
            con.execute(f"CREATE OR REPLACE TABLE main.m AS SELECT range AS a FROM range({size})")
        result = run_mart_suite(
            suite, WarehouseResource(path=str(db)), run_id=f"r{run}", report_dir=tmp_path / "qr"
        )
        warned.append(result.passed)
    assert warned == [True, True, False, True]


def test_drift_settings_are_checked(tmp_path: Path):
    with pytest.raises(SuiteFileError, match="unknown keys"):
        _suite(tmp_path, [{"rule": "not_empty"}], drift={"required_columns": ["a"]})
    with pytest.raises(SuiteFileError, match="shares"):
        _suite(tmp_path, [{"rule": "not_empty"}], drift={"null_drop": 1.5})
    assert not check_environment({"LCM_ACCEPT_DRIFT": "tse:subsidy_eur, nwopen:x"}).errors
    assert check_environment({"LCM_ACCEPT_DRIFT": "subsidy_eur"}).errors


def test_the_columns_the_suites_name_for_drift_exist():
    from sources import nwopen, registers, tse

    columns = {
        "raw.nwopen_projects": nwopen.PROJECT_COLUMNS,
        "raw.nwopen_project_members": nwopen.MEMBER_COLUMNS,
        "raw.nwopen_unfollowed_schemes": nwopen.UNFOLLOWED_SCHEME_COLUMNS,
        "raw.tse_projects": tse.PROJECT_COLUMNS,
        "raw.tse_project_partners": tse.PARTNER_COLUMNS,
        **{f"raw.{r}_register_projects": registers.PROJECT_COLUMNS for r in ("mooi", "gvnl")},
        **{f"raw.{r}_register_partners": registers.PARTNER_COLUMNS for r in ("mooi", "gvnl")},
    }
    raw = [s for s in load_suites(EXPECTATIONS_DIR) if s.is_raw]
    assert {s.table for s in raw} == set(columns)
    for suite in raw:
        named = {*suite.drift.required, *suite.drift.categories, *suite.drift.ignore}
        assert named <= set(columns[suite.table]), (suite.name, named - set(columns[suite.table]))
    # A measure every record carries is required; the registers' optional subsidy is not (a
    # new round's LCs join before their grants are decided).
    required = {s.name: set(s.drift.required) for s in raw}
    assert "organisation" in required["raw_mooi_register_partners"]
    assert "subsidy_eur" not in required["raw_mooi_register_projects"]


@pytest.fixture(scope="module")
def sample_warehouse(sample_run: Path) -> Path:
    return sample_run / "warehouse" / "lc_monitor.duckdb"  # each test works on a copy


def test_a_second_sample_pull_without_subsidies_shows_in_mart_data_quality(
    sample_warehouse: Path, tmp_path: Path
):
    """After one real run of the sample: a second MOOI crawl whose pages lost the `Subsidie`
    label. Its validation warns (the pull is accepted) and marts.mart_data_quality, a view over
    the results, names the column with its figures."""
    db, records = tmp_path / "w.duckdb", tmp_path / "records"
    db.write_bytes(sample_warehouse.read_bytes())
    shutil.copytree(sample_warehouse.parent.parent / "records", records)
    warehouse = WarehouseResource(path=str(db))
    second = "99990101T000000Z"
    folder = records / "tse" / second
    folder.mkdir()
    with warehouse.connect() as con:
        attach_raw_views(con, records)
        (first,) = con.execute(
            "SELECT max(snapshot_id) FROM raw.snapshots WHERE source = 'tse'"
        ).fetchone()
        filled, rows = con.execute(
            "SELECT count(subsidy_eur), count(*) FROM raw.tse_projects WHERE _snapshot_id = ?",
            [first],
        ).fetchone()
        # The second pull's record files, as the raw step writes them.
        con.execute(
            f"COPY (SELECT * REPLACE ('{second}' AS snapshot_id, '{second}' AS rows_snapshot_id)"
            f" FROM raw.snapshots WHERE snapshot_id = '{first}') TO '{folder}/snapshots.parquet'"
        )
        for table in ("tse_projects", "tse_project_partners"):
            empty = "CASE WHEN false THEN subsidy_eur END AS subsidy_eur, "
            con.execute(
                f"COPY (SELECT * REPLACE ({empty if table == 'tse_projects' else ''}"
                f"'{second}' AS _snapshot_id) FROM raw.{table} WHERE _snapshot_id = '{first}')"
                f" TO '{folder}/{table}.parquet'"
            )
    suites = [s for s in load_suites(EXPECTATIONS_DIR) if s.source == "tse"]
    with warehouse.connect(read_only=True) as con:
        validation = validate_source(con, "tse", suites, REFERENCE, "second-pull")
    with warehouse.connect() as con:
        record(con, validation)
        findings = con.execute(
            "SELECT suite, snapshot_status, drift_findings FROM marts.mart_data_quality"
            " WHERE run_id = 'second-pull' ORDER BY suite"
        ).fetchall()
    expected = (
        f"raw.tse_projects.subsidy_eur: {filled} of {rows} filled in snapshot {first} "
        f"(accepted), 0 of {rows} now"
    )
    assert validation.status == ACCEPTED and filled
    assert findings == [
        ("raw_tse_project_partners", ACCEPTED, None),
        ("raw_tse_projects", ACCEPTED, [expected]),
    ]
