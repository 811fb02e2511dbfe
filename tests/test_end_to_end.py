"""End to end: real Dagster runs of every asset and check, real dbt, real DuckDB files.

Expected figures are computed here from the bundled sample pages and the calls seed with the
test's own code, not copied from the pipeline's output.
"""

from __future__ import annotations

import copy
import csv
import json
import re
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from orchestration.definitions import defs as load_defs
from orchestration.defs.jobs import REFRESH_ALL
from orchestration.settings import CALLS_SEED
from sources.calls import CallCatalogue
from sources.raw_tables import attach_raw_views
from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE, read_register
from sources.tse import SAMPLE_DIR as TSE_SAMPLE_DIR

from .conftest import LOCATION_VARIABLES, NWOPEN_PATH, sample_pages, serve_pages

CATALOGUE = CallCatalogue.from_csv(CALLS_SEED)
LEAD_ROLES = {"main applicant": 0, "hoofdaanvrager": 0, "project leader": 1, "projectleider": 1}


def expected_projects(pages: list[dict]) -> dict[tuple[str, str], dict]:
    """What fct_project should hold for these pages, worked out independently."""
    records = expected_records(pages)
    return {key: row for key, row in records.items() if key == project_of(key, records)}


def expected_records(pages: list[dict]) -> dict[tuple[str, str], dict]:
    """Every NWOpen record of a followed call, by (file number, scheme id). A record's call is
    found by its scheme's name alone (case and whitespace aside), never by its file number."""
    with CALLS_SEED.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["source_system"] == "nwopen"]
    calls = {"".join(r["funding_scheme"].lower().split()): r for r in rows}
    expected: dict[tuple[str, str], dict] = {}
    for page in pages:
        for p in page["projects"]:
            call = calls.get("".join(p["funding_scheme"].lower().split()))
            key = (p["project_id"], str(p["funding_scheme_id"]))
            if call is None or key in expected:
                continue
            ranked = sorted(
                p["project_members"],
                key=lambda m: (LEAD_ROLES.get(m["role"].lower(), 2), str(m["member_id"])),
            )
            lead = ranked[0]["organisation"].split("||")[0].strip() if ranked else None
            expected[key] = {
                "programme": call["programme"],
                "title": p["title"],
                "lead": lead,
                "lc": call["is_learning_community"] == "true",
                "call_id": call["call_id"],
            }
    return expected


def project_of(key: tuple[str, str], expected: dict[tuple[str, str], dict]) -> tuple[str, str]:
    """Records of one file number in one call are one project: the lowest scheme id's."""
    call = expected[key]["call_id"]
    return min(
        (k for k, row in expected.items() if k[0] == key[0] and row["call_id"] == call),
        key=lambda k: (int(k[1]), k[1]),
    )


RAW_SOURCES = ("nwopen", "tse", "mooi_register", "gvnl_register")


def mooi_grants_in_sample() -> list[str]:
    """Grant numbers of the MOOI pages in the TSE sample, read with a regex, not the parser."""
    grants = []
    for path in (TSE_SAMPLE_DIR / "projecten").glob("*.html"):
        html = path.read_text(encoding="utf-8")
        if re.search(r"Regeling:?</(?:dt|th)>\s*<(?:dd|td)>MOOI\b", html):
            grants += re.findall(r"Projectnummer:?</(?:dt|th)>\s*<(?:dd|td)>(MOOI\d+)<", html)
    return grants


def run_refresh() -> dg.ExecuteInProcessResult:
    job = load_defs().resolve_job_def(REFRESH_ALL)
    return job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)


def build_sample_warehouse(data: Path) -> dg.ExecuteInProcessResult:
    """One real refresh of the bundled sample into ``data``, for session- and module-scoped
    fixtures (the autouse isolated_data fixture is per test)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LCM_DATA_DIR", str(data))
        for name in LOCATION_VARIABLES:
            patch.delenv(name, raising=False)
        result = run_refresh()
    assert result.success and failed_checks(result) == []
    return result


def fct_project(warehouse: Path, source_system: str = "nwopen") -> dict[tuple[str, str], dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # The lead as the project's own source writes it (for an NWOpen project its main
        # applicant: a register's penvoerder, which leads an LC the register also lists, is
        # tested in test_marts.py), where it resolved to an organisation.
        rows = con.execute(
            "SELECT f.source_project_id, f.source_scheme_id, f.programme, f.title,"
            " v.organisation_name, f.is_learning_community, f.call_id"
            " FROM marts.fct_project f"
            " LEFT JOIN intermediate.int_projects__unioned u USING (project_key)"
            " LEFT JOIN intermediate.int_nwopen__projects_with_leads n"
            "   ON f.project_key = 'nwopen:' || n.nwopen_project_key"
            " LEFT JOIN intermediate.int_organisations__name_variants v"
            "   ON v.organisation_name = coalesce(n.lead_organisation, u.lead_organisation)"
            " WHERE f.source_system = ?",
            [source_system],
        ).fetchall()
    return {
        (r[0], r[1]): {
            "programme": r[2],
            "title": r[3],
            "lead": r[4],
            "lc": r[5],
            "call_id": r[6],
        }
        for r in rows
    }


def failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]


def retried_steps(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.step_key for e in result.all_events if e.is_step_up_for_retry]


def step_error(result: dg.ExecuteInProcessResult, step: str) -> str:
    for event in result.all_events:
        if event.is_step_failure and event.step_key == step:
            error = event.step_failure_data.error
            while error.cause is not None:
                error = error.cause
            return error.message
    raise AssertionError(f"step {step} did not fail")


@pytest.mark.pipeline
def test_refresh_on_bundled_sample_twice(
    sample_refresh: tuple[Path, dg.ExecuteInProcessResult], sample_data: Path
):
    # The first run is the session's (checked here on this test's copy of its data folder),
    # the second runs on that copy.
    first = sample_refresh[1]
    isolated_data = sample_data
    warehouse = isolated_data / "warehouse" / "lc_monitor.duckdb"
    expected = expected_projects(sample_pages())
    assert sum(row["lc"] for row in expected.values()) >= 20
    assert any(
        not row["lc"] and row["programme"] == "GroenvermogenNL" for row in expected.values()
    ), "GroenvermogenNL R&D projects, flagged non-LC"

    assert first.success
    assert failed_checks(first) == []
    evaluated = {e.check_name for e in first.get_asset_check_evaluations()}
    assert {
        "gx_raw_nwopen_projects",
        "gx_raw_nwopen_project_members",
        "gx_raw_nwopen_unfollowed_schemes",
        "gx_fct_project",
        "unique_fct_project_project_key",
        "assert_register_grants_are_known",
        "assert_lead_takes_part_in_its_project",
        "relationships_fct_participation_organisation_key__organisation_key__ref_dim_organisation_",
    } <= evaluated
    assert fct_project(warehouse) == expected
    assert_asset_metadata(first, warehouse)

    with duckdb.connect(str(warehouse), read_only=True) as con:
        lcs_from_registers = con.execute(
            "SELECT source_system, count(*) FROM marts.fct_project WHERE is_learning_community"
            " AND source_system LIKE '%register' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    # MOOI's LC supplements are only in its register; of GroenvermogenNL's regional LCs only
    # the one without an NWO grant (the others are NWOpen's LC projects).
    gvnl_without_grant = [
        row for row in csv.DictReader(
            (GVNL_SAMPLE / "projects.csv").open(encoding="utf-8-sig"), delimiter=";"
        ) if not row["related_grant"]
    ]  # fmt: skip
    assert lcs_from_registers == [
        ("gvnl_register", len(gvnl_without_grant)),
        ("mooi_register", len(read_register(MOOI_SAMPLE, source="mooi_register",
                                            catalogue=CATALOGUE).projects)),
    ]  # fmt: skip
    # The sample is clean: every pull accepted, nothing set aside or flagged.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for source in RAW_SOURCES:
            verdict = con.execute(f"SELECT status FROM raw.{source}_acceptance").fetchall()
            assert verdict == [("accepted",)], source
        assert con.execute("SELECT count(*) FROM marts.mart_quarantine").fetchone() == (0,)
    mooi = fct_project(warehouse, "tse")
    assert {key[0] for key in mooi} == set(mooi_grants_in_sample())
    assert {row["programme"] for row in mooi.values()} == {"MOOI"}

    assert_published(isolated_data, warehouse)
    # The data-quality report, where the settings put it, with a page per mart suite.
    report = isolated_data / "quality" / "report"
    assert {"index.html", "fct_project.html", "quarantine-nwopen.html"} <= {
        p.name for p in report.iterdir()
    }
    mart_check = next(
        e for e in first.get_asset_check_evaluations() if e.check_name == "gx_fct_project"
    )
    session_report = sample_refresh[0] / "quality" / "report"  # the run wrote it there
    assert mart_check.metadata["report"].value == str(session_report / "fct_project.html")

    second = run_refresh()
    assert second.success
    # Every source keeps both pulls; the second is recognised as unchanged.
    for source in RAW_SOURCES:
        pulls = sorted((isolated_data / "raw" / source).iterdir())
        assert len(pulls) == 2, source
        changed = [json.loads((s / "manifest.json").read_text())["changed"] for s in pulls]
        assert changed == [True, False], source
    snapshots = sorted((isolated_data / "raw" / "nwopen").iterdir())
    assert len(snapshots) == 2
    manifests = [json.loads((s / "manifest.json").read_text()) for s in snapshots]
    assert [m["changed"] for m in manifests] == [True, False]
    assert manifests[1]["previous_snapshot_id"] == manifests[0]["snapshot_id"]
    assert sum(m["counts"]["records"] for m in manifests) == 2 * sum(
        len(p["projects"]) for p in sample_pages()
    )
    # The unchanged pull stored neither its pages nor its rows again: its manifest and its
    # raw.snapshots row name the snapshot holding them.
    first_id = manifests[0]["snapshot_id"]
    assert manifests[1]["files_snapshot_id"] == first_id and manifests[1]["files"] == []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        per_snapshot = con.execute(
            "SELECT _snapshot_id, count(*) FROM raw.nwopen_projects GROUP BY 1"
        ).fetchall()
        held_by = con.execute(
            "SELECT rows_snapshot_id FROM raw.snapshots WHERE snapshot_id = ?",
            [manifests[1]["snapshot_id"]],
        ).fetchone()
    records = len(expected_records(sample_pages()))  # raw keeps both records of a project
    assert per_snapshot == [(first_id, records)] and held_by == (first_id,)
    assert manifests[1]["changed"] is False
    assert fct_project(warehouse) == expected  # built from the latest snapshot only


def assert_asset_metadata(result: dg.ExecuteInProcessResult, warehouse: Path) -> None:
    """Every asset of the run reports its row count, column schema and a preview; the dbt
    models' figures are the warehouse's, the raw assets' name their snapshot and source."""
    materialized = {
        m.asset_key: m.materialization.metadata for m in result.get_asset_materialization_events()
    }
    job_assets = load_defs().resolve_job_def(REFRESH_ALL).asset_layer.executable_asset_keys
    assert set(materialized) == set(job_assets)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for key, metadata in materialized.items():
            if key.path[0] == "report":  # a site, not a table: its pages (tests/test_report.py)
                assert metadata["pages"].value > 0 and metadata["charts"].value > 0
                continue
            rows = metadata["dagster/row_count"].value
            # The sample is clean: nothing is set aside or flagged, every other table has rows.
            empty = "quarantine" in key.path[-1]
            assert isinstance(rows, int) and (rows == 0 if empty else rows > 0), key
            if key.path[0] == "serving":
                assert len(metadata["tables"].value.records) == len(
                    [k for k in materialized if k.path[0] == "marts"]
                )
                continue
            columns = metadata["dagster/column_schema"].value.columns
            assert columns and all(c.type for c in columns), key
            preview = metadata["preview"].value
            assert len(preview.records) == min(rows, 5), key
            assert empty or set(preview.records[0].data) == {c.name for c in columns}, key
            # Real values, not a row of nulls from records whose keys miss the columns (a
            # sparse table's row, e.g. a MOOI consortium's indicators, may be mostly null; the
            # preview's rows are in no fixed order).
            for record in preview.records:
                filled = [v for v in record.data.values() if v is not None]
                assert len(filled) >= min(2, len(columns)), (key, record)
            if key.path[0] == "raw" and key.path[-1].endswith(("_acceptance", "_quarantine")):
                assert {"records_set_aside", "records_flagged"} <= set(metadata), key
                if key.path[-1].endswith("_acceptance"):
                    assert metadata["status"].value == "accepted", key
                continue
            if key.path[0] == "raw":
                assert {"snapshot_id", "source_location", "content_changed"} <= set(metadata)
                continue
            schema, table = key.path
            # Views over the checks' results: later checks of the run add rows.
            if table not in ("stg_quality__validation_results", "mart_data_quality"):
                count = con.execute(f"SELECT count(*) FROM {schema}.{table}").fetchone()
                assert count == (rows,), key
            types = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                [schema, table],
            ).fetchall()
            assert [(c.name, c.type) for c in columns] == types, key
            if schema == "marts":  # the YAML descriptions ride along
                assert all(c.description for c in columns), key


def assert_published(data: Path, warehouse: Path) -> None:
    """The serving file is in DuckDB 1.4's storage format and holds every mart, with its
    descriptions; each mart is also a Parquet file with the same rows."""
    serving = data / "serving" / "lc_monitor.duckdb"
    assert serving.read_bytes()[8:12] == b"DUCK"
    assert int.from_bytes(serving.read_bytes()[12:20], "little") == 67  # 1.x storage number
    with duckdb.connect(str(warehouse), read_only=True) as build:
        marts = build.execute(
            "SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'marts'"
        ).fetchall()
        counts = {
            t: build.execute(f"SELECT count(*) FROM marts.{t}").fetchall()[0][0] for t, _ in marts
        }
    with duckdb.connect(str(serving), read_only=True) as con:
        assert con.execute("SELECT tags FROM duckdb_databases() LIMIT 1").fetchall() == [
            ({"storage_version": "v1.4.0+"},)
        ]
        for table, rows in counts.items():
            assert con.execute(f"SELECT count(*) FROM marts.{table}").fetchall()[0][0] == rows
            parquet = data / "exports" / f"{table}.parquet"
            assert con.execute(f"SELECT count(*) FROM '{parquet}'").fetchall()[0][0] == rows
        comment = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'fct_project'"
            " AND column_name = 'subsidy_eur'"
        ).fetchall()[0][0]
    assert "never 0" in comment
    assert {"fct_project", "dim_organisation", "mart_region"} <= set(counts)


@pytest.mark.pipeline
def test_a_source_down_for_a_while_heals_on_a_step_retry_and_the_live_url_is_read(
    httpserver, isolated_data, fast_http, monkeypatch
):
    # The first page answers 503 to both of the HTTP client's attempts, then recovers.
    first_page = {"page": "1", "per_page": "100"}
    for _ in range(2):
        httpserver.expect_oneshot_request(NWOPEN_PATH, query_string=first_page).respond_with_data(
            "maintenance", status=503
        )
    # The server's list differs from the bundled files (one LC project dropped, another
    # retitled): the marts show the server's, so the live URL switch reads the server.
    pages = sample_pages()
    lc_pattern = re.compile(r"^(KICH4\.LC|NGF\.1623)\.")
    lc_on_page1 = [p for p in pages[0]["projects"] if lc_pattern.match(p["project_id"])]
    pages[0]["projects"].remove(lc_on_page1[0])
    lc_on_page1[1]["title"] = "Served by the local test server"
    for page in pages:
        page["meta"]["count"] -= 1
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, pages))

    result = run_refresh()
    assert result.success, failed_checks(result)
    assert retried_steps(result) == ["nwopen_raw"]
    mart = fct_project(isolated_data / "warehouse" / "lc_monitor.duckdb")
    assert mart == expected_projects(pages)
    assert len(mart) == len(expected_projects(sample_pages())) - 1
    assert "Served by the local test server" in {row["title"] for row in mart.values()}
    # The failed attempt landed nothing: one snapshot, from the attempt that succeeded.
    assert len(list((isolated_data / "raw" / "nwopen").iterdir())) == 1


@pytest.mark.pipeline
def test_bad_source_fails_its_asset_and_keeps_last_good_data(
    httpserver, sample_data, fast_http, monkeypatch
):
    isolated_data = sample_data  # after one good run of the sample
    warehouse = isolated_data / "warehouse" / "lc_monitor.duckdb"
    good = fct_project(warehouse)
    assert good == expected_projects(sample_pages())
    snapshots_before = sorted((isolated_data / "raw" / "nwopen").iterdir())
    serving = isolated_data / "serving" / "lc_monitor.duckdb"
    exports = isolated_data / "exports"
    published = (serving.stat().st_ino, serving.stat().st_mtime_ns)
    exported = {p.name: p.stat().st_mtime_ns for p in exports.iterdir()}

    # 1. The source is down: the NWOpen asset fails, naming the source and the URL.
    httpserver.expect_request("/down").respond_with_data("maintenance", status=503)
    down_url = httpserver.url_for("/down")
    monkeypatch.setenv("LCM_NWOPEN_URL", down_url)
    down = run_refresh()
    assert not down.success
    message = step_error(down, "nwopen_raw")
    assert "[NWOpen]" in message and down_url in message and "HTTP 503" in message
    # Transient: the step was tried three times (its retry policy), each with the client's
    # two attempts; the other sources were not retried.
    assert retried_steps(down) == ["nwopen_raw", "nwopen_raw"]
    assert len(httpserver.log) == 3 * 2
    assert fct_project(warehouse) == good
    assert sorted((isolated_data / "raw" / "nwopen").iterdir()) == snapshots_before

    # 2. One bad record among good ones (an LC project ending before it starts): it is set
    #    aside, visibly, and everything else is published.
    pages = sample_pages()
    lcs = [p for page in pages for p in page["projects"] if p["project_id"].startswith("KICH4.LC")]
    ids = [p["project_id"] for p in lcs]
    victim = next(p for p in lcs if ids.count(p["project_id"]) == 1)  # no second record
    victim["start_date"], victim["end_date"] = "2025-01-01", "2023-01-01"
    victim["title"] = "Corrupted title that must not reach the mart"
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, copy.deepcopy(pages)))
    one_bad = run_refresh()
    assert one_bad.success
    gx = next(
        e for e in one_bad.get_asset_check_evaluations()
        if e.check_name == "gx_raw_nwopen_projects"
    )  # fmt: skip
    assert not gx.passed and gx.severity == dg.AssetCheckSeverity.WARN
    assert "end_not_before_start" in gx.description
    victim_key = (victim["project_id"], str(victim["funding_scheme_id"]))
    good_but_victim = {k: v for k, v in good.items() if k != victim_key}
    assert fct_project(warehouse) == good_but_victim
    with duckdb.connect(str(warehouse), read_only=True) as con:
        quarantined = con.execute(
            "SELECT record_id, rule, disposition, value FROM marts.mart_quarantine"
            " WHERE table_name = 'raw.nwopen_projects'"
        ).fetchall()
        members = con.execute(
            "SELECT DISTINCT record_id, rule FROM marts.mart_quarantine"
            " WHERE table_name = 'raw.nwopen_project_members'"
        ).fetchall()
    assert members == [(victim["project_id"], "parent_set_aside")]  # its members went with it
    assert quarantined == [
        (victim["project_id"], "end_not_before_start", "set_aside",
         "end_date=2023-01-01; start_date=2025-01-01")
    ]  # fmt: skip
    assert (serving.stat().st_ino, serving.stat().st_mtime_ns) != published  # published
    published = (serving.stat().st_ino, serving.stat().st_mtime_ns)
    exported = {p.name: p.stat().st_mtime_ns for p in exports.iterdir()}

    # 3. A source-wide failure (every Learning Community's dates reversed: far more records
    #    than may be set aside): the snapshot is rejected, its check fails with ERROR, dbt does
    #    not run, nothing is published, and the last accepted data stays.
    for lc in lcs:
        lc["start_date"], lc["end_date"] = "2025-01-01", "2023-01-01"
    # The LCs alone, on one page whose meta says so (a complete pull: the connector's
    # completeness checks pass, and the verdict is the validation's).
    only = [p for page in pages for p in page["projects"] if p in lcs]
    pages = [pages[0]]
    pages[0]["projects"] = only
    pages[0]["meta"].update(count=len(only), pages=1, page=1)
    httpserver.clear()  # the first handler registered for a page would answer otherwise
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, copy.deepcopy(pages)))
    bad = run_refresh()
    assert not bad.success
    gx = next(
        e for e in bad.get_asset_check_evaluations() if e.check_name == "gx_raw_nwopen_projects"
    )
    assert not gx.passed and gx.severity == dg.AssetCheckSeverity.ERROR
    assert "set_aside_share" in gx.description and "volume_collapsed" in gx.description
    dbt_step_ran = any(e.step_key == "lc_monitor_dbt" and e.is_step_start for e in bad.all_events)
    assert not dbt_step_ran
    assert fct_project(warehouse) == good_but_victim
    # Neither failed run published anything: the serving file and exports are the same files.
    assert (serving.stat().st_ino, serving.stat().st_mtime_ns) == published
    assert {p.name: p.stat().st_mtime_ns for p in exports.iterdir()} == exported
    # Every pull is kept as raw evidence, the rejected one too.
    assert len(list((isolated_data / "raw" / "nwopen").iterdir())) == len(snapshots_before) + 2

    # 4. The verdict is data of the raw layer, and a dbt-only run started by hand afterwards
    #    still builds from the last accepted snapshot.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        verdicts = con.execute(
            "SELECT snapshot_id, status FROM raw.nwopen_acceptance ORDER BY snapshot_id"
        ).fetchall()
        newest = con.execute("SELECT max(_snapshot_id) FROM raw.nwopen_projects").fetchone()[0]
    assert [v[1] for v in verdicts] == ["accepted", "accepted", "rejected"]
    assert verdicts[-1][0] == newest
    assert run_dbt_only().success
    assert fct_project(warehouse) == good_but_victim


def run_dbt_only() -> dg.ExecuteInProcessResult:
    """Materialize the dbt assets alone (seeds to marts), as a data engineer might from the UI."""
    defs = load_defs()
    keys = [
        key
        for key in defs.resolve_asset_graph().get_all_asset_keys()
        if key.path[0] in ("staging", "intermediate", "marts", "reference", "history")
    ]
    return defs.resolve_implicit_global_asset_job_def().execute_in_process(
        asset_selection=keys, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )


def run_assets(*tables: str) -> dg.ExecuteInProcessResult:
    job = load_defs().resolve_implicit_global_asset_job_def()
    return job.execute_in_process(
        asset_selection=[dg.AssetKey(["raw", t]) for t in tables],
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def test_register_assets_report_snapshots_and_refuse_bad_registers(
    isolated_data, monkeypatch, tmp_path
):
    tables = ("mooi_register_projects", "mooi_register_partners")
    first = run_assets(*tables)
    assert first.success
    metadata = {
        m.asset_key.path[1]: m.materialization.metadata
        for m in first.get_asset_materialization_events()
    }
    projects = metadata["mooi_register_projects"]
    assert projects["dagster/row_count"].value == 6
    assert projects["content_changed"].value is True
    assert projects["source_location"].value == str(MOOI_SAMPLE)
    assert projects["snapshot_id"].value
    snapshot = projects["snapshot_id"].value

    # A bad cell is a problem of its row, not of the register: the register loads, and the
    # asset names the row and cell (the validation step sets the row aside).
    workbook = openpyxl.load_workbook(MOOI_SAMPLE)
    workbook["Projects"]["I3"] = "ongeveer een ton"
    one_bad_cell = tmp_path / "one_bad_cell.xlsx"
    workbook.save(one_bad_cell)
    monkeypatch.setenv("LCM_MOOI_REGISTER", str(one_bad_cell))
    loaded = run_assets(*tables)
    assert loaded.success
    ((problems, with_bad_cell),) = [
        (m.materialization.metadata["record_problems"].value,
         m.materialization.metadata["snapshot_id"].value)
        for m in loaded.get_asset_materialization_events()
        if m.asset_key.path[1] == "mooi_register_projects"
    ]  # fmt: skip
    assert "subsidy_eur: sheet 'Projects' row 3: not an amount" in problems
    assert with_bad_cell > snapshot

    # A broken structure (a required column gone) fails the register's own asset, naming the
    # file, sheet and column; what was loaded before stays the latest snapshot.
    workbook = openpyxl.load_workbook(MOOI_SAMPLE)
    workbook["Partners"]["C1"] = "soort"  # organisation_type renamed
    broken = tmp_path / "broken.xlsx"
    workbook.save(broken)
    monkeypatch.setenv("LCM_MOOI_REGISTER", str(broken))
    bad = run_assets(*tables)
    assert not bad.success
    message = step_error(bad, "mooi_register_raw")
    assert f"[mooi_register] {broken}" in message
    assert "has no column 'organisation_type'" in message
    assert retried_steps(bad) == []  # bad content is not retried: it would fail the same way
    with duckdb.connect() as con:  # the raw steps wrote record files, not the warehouse
        attach_raw_views(con, isolated_data / "records")
        latest = con.execute("SELECT max(_snapshot_id) FROM raw.mooi_register_projects").fetchone()
    assert latest == (with_bad_cell,)  # the one loaded above; nothing of the broken file

    # Live mode has no public register to fall back on: unset, the asset says what to set.
    monkeypatch.delenv("LCM_MOOI_REGISTER")
    monkeypatch.setenv("LCM_SOURCE_MODE", "live")
    live = run_assets(*tables)
    assert not live.success
    assert "set LCM_MOOI_REGISTER" in step_error(live, "mooi_register_raw")
    assert retried_steps(live) == []
