"""The whole monitor on an NWOpen data set nobody on the pipeline wrote (tests/heldout/README.md),
served over HTTP on 127.0.0.1 like the live API.

The expected figures come from nwopen_expected.json, which the held-out generator builds while
it makes the records (it knows what it made), not from the pipeline's SQL. Then the same
source breaks structurally (a truncated page, a renamed field): its asset fails naming the
source, the URL and the field, nothing is published, and the last good data stays.
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from sources.registers import GVNL_SAMPLE

from ..conftest import NWOPEN_PATH, serve_pages
from ..test_end_to_end import failed_checks, run_refresh
from .nwopen_heldout import ORGS, generate

TRUTH = json.loads((Path(__file__).parent / "nwopen_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def heldout_pages() -> list[dict]:
    pages, truth = generate()
    assert truth == TRUTH  # the committed expectations belong to these pages
    return pages


def step_errors(result: dg.ExecuteInProcessResult, step: str) -> str:
    """Every message in the failed step's error chain (Dagster's, the source's, its cause)."""
    for event in result.all_events:
        if event.is_step_failure and event.step_key == step:
            messages, error = [], event.step_failure_data.error
            while error is not None:
                messages.append(error.message)
                error = error.cause
            return "\n".join(messages)
    raise AssertionError(f"step {step} did not fail")


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.pipeline
def test_heldout_nwopen_set_is_counted_as_expected_and_bad_input_keeps_the_last_good_data(
    heldout_pages, httpserver, isolated_data, fast_http, monkeypatch
):
    warehouse = isolated_data / "warehouse" / "lc_monitor.duckdb"
    serving = isolated_data / "serving" / "lc_monitor.duckdb"
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, heldout_pages))

    # 1. The run succeeds and publishes; what is wrong is set aside, visibly.
    result = run_refresh()
    assert result.success
    gx = {e.check_name: e for e in result.get_asset_check_evaluations()}
    for name in ("gx_raw_nwopen_projects", "gx_raw_nwopen_unfollowed_schemes"):
        assert not gx[name].passed and gx[name].severity == dg.AssetCheckSeverity.WARN
    assert "gx_raw_nwopen_projects" in failed_checks(result)
    assert serving.exists()

    # LC projects per programme and round, exactly.
    lcs = _rows(
        warehouse,
        "SELECT programme, call_round, count(*) FROM marts.fct_project"
        " WHERE source_system = 'nwopen' AND is_learning_community GROUP BY ALL",
    )
    assert {(p, str(r)): n for p, r, n in lcs} == {
        (programme, round_): n
        for programme, rounds in TRUTH["lc_projects_by_programme_round"].items()
        for round_, n in rounds.items()
    }
    # Every project of every followed call (none of the out-of-scope NGF. records), with its
    # title and NWOpen's lead.
    projects = _rows(
        warehouse,
        "SELECT f.call_id, f.source_project_id, f.programme, f.call_round,"
        " f.is_learning_community, f.title, n.lead_organisation"
        " FROM marts.fct_project f JOIN intermediate.int_nwopen__projects_with_leads n"
        " ON f.project_key = 'nwopen:' || n.nwopen_project_key",
    )
    assert sorted(projects) == sorted(
        (p["call_id"], p["project_id"], p["programme"], p["round"], p["is_learning_community"],
         p["title"], p["lead_organisation"])
        for p in TRUTH["projects"]
    )  # fmt: skip
    assert dict(
        _rows(warehouse, "SELECT call_id, count(*) FROM marts.fct_project"
                         " WHERE source_system = 'nwopen' GROUP BY 1")
    ) == TRUTH["projects_by_call"]  # fmt: skip

    # Every record set aside or flagged is in the quarantine mart, with the right rule.
    quarantine = _rows(
        warehouse,
        "SELECT json_extract_string(record_key, '$.project_id'),"
        " json_extract_string(record_key, '$.funding_scheme_id'), rule, disposition"
        " FROM marts.mart_quarantine WHERE table_name = 'raw.nwopen_projects'",
    )
    expected = {
        (r["project_id"], str(r["funding_scheme_id"]), r["rule"], "set_aside")
        for r in TRUTH["set_aside"]
    } | {
        (r["project_id"], str(r["funding_scheme_id"]), r["rule"], "flagged")
        for r in TRUTH["flagged"]
    }
    assert set(quarantine) == expected and len(quarantine) == len(expected)
    calls = _rows(
        warehouse,
        "SELECT value FROM marts.mart_quarantine WHERE rule = 'possible_new_lc_call' ORDER BY 1",
    )
    assert [v for (v,) in calls] == TRUTH["possible_new_lc_calls"]
    # The organisations of this set (names the seeds were not written from) are typed as the
    # generator made them, and an untyped one would only warn.
    kinds = {"wo": "wo", "hbo": "hbo", "mbo": "mbo", "inst": "kennisinstelling",
             "company": "bedrijf", "gov": "overheid", "other": "overig"}  # fmt: skip
    made = {org.name: kinds[org.kind] for org in ORGS if org.kind in kinds}
    typed = dict(
        _rows(
            warehouse,
            "SELECT v.organisation_name, d.organisation_type"
            " FROM intermediate.int_organisations__name_variants v"
            " JOIN marts.dim_organisation d USING (organisation_key)",
        )
    )
    seen = {name: kind for name, kind in made.items() if name in typed}
    assert len(seen) >= 0.8 * len(made)
    right = [name for name, kind in seen.items() if typed[name] == kind]
    assert len(right) >= 0.9 * len(seen), {n: typed[n] for n in seen if n not in right}
    assert (
        gx["gx_dim_organisation"].severity != dg.AssetCheckSeverity.ERROR
        or gx["gx_dim_organisation"].passed
    )
    # LCs without members are kept, with no partners.
    flagged_ids = {r["project_id"] for r in TRUTH["flagged"]}
    kept = _rows(
        warehouse,
        "SELECT source_project_id, partner_count FROM marts.fct_project"
        " WHERE source_system = 'nwopen' AND partner_count = 0",
    )
    assert {pid for pid, _ in kept} == flagged_ids
    # The published serving file carries the quarantine and the data-quality summary.
    with duckdb.connect(str(serving), read_only=True) as con:
        published = con.execute("SELECT count(*) FROM marts.mart_quarantine").fetchone()
        set_aside = con.execute(
            "SELECT records_set_aside FROM marts.mart_data_quality"
            " WHERE suite = 'raw_nwopen_projects'"
        ).fetchall()
    # ... and the register LCs whose grant this NWOpen set does not carry (flagged, not counted).
    file_numbers = {p["project_id"] for p in TRUTH["projects"]}
    with (GVNL_SAMPLE / "projects.csv").open(encoding="utf-8-sig", newline="") as handle:
        grants = [row["related_grant"] for row in csv.DictReader(handle, delimiter=";")]
    unknown_grants = [g for g in grants if g and g not in file_numbers]
    assert unknown_grants
    grant_flags = _rows(
        warehouse, "SELECT value FROM marts.mart_quarantine WHERE rule = 'register_grant_known'"
    )
    assert sorted(v for (v,) in grant_flags) == sorted(unknown_grants)
    assert published == _rows(warehouse, "SELECT count(*) FROM marts.mart_quarantine")[0]
    assert set_aside == [(len(TRUTH["set_aside"]),)]
    good = _rows(warehouse, "SELECT project_key, title FROM marts.fct_project ORDER BY 1")
    published_at = (serving.stat().st_ino, serving.stat().st_mtime_ns)

    # 2. A truncated page: the source fails at once (bad content is not retried), naming the
    #    source and the URL of the page; nothing is published.
    truncated = copy.deepcopy(heldout_pages)
    httpserver.clear()
    url = serve_pages(httpserver, truncated[:2])
    httpserver.expect_request(
        NWOPEN_PATH, query_string={"page": "3", "per_page": "100"}
    ).respond_with_data(json.dumps(truncated[2])[:5000], content_type="application/json")
    for number, body in enumerate(truncated[3:], start=4):
        httpserver.expect_request(
            NWOPEN_PATH, query_string={"page": str(number), "per_page": "100"}
        ).respond_with_json(body)
    monkeypatch.setenv("LCM_NWOPEN_URL", url)
    broken = run_refresh()
    assert not broken.success
    message = step_errors(broken, "nwopen_raw")
    assert "[NWOpen]" in message and "page=3" in message and url in message

    # 3. A field renamed in every record (the API changed): the asset fails naming the field.
    renamed = copy.deepcopy(heldout_pages)
    for page in renamed:
        for record in page["projects"]:
            record["fundingScheme"] = record.pop("funding_scheme")
    httpserver.clear()
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, renamed))
    changed = run_refresh()
    assert not changed.success
    message = step_errors(changed, "nwopen_raw")
    assert "field 'funding_scheme'" in message and "fundingScheme" in message

    # Neither failed run touched the marts or the published file.
    assert _rows(warehouse, "SELECT project_key, title FROM marts.fct_project ORDER BY 1") == good
    assert (serving.stat().st_ino, serving.stat().st_mtime_ns) == published_at
