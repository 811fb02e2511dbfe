"""Change history end to end: real Dagster runs, real dbt snapshots, real DuckDB files.

NWOpen is served by a local HTTP server. Run 1 reads the bundled sample, run 2 a copy the test
changes itself (one project removed, one retitled, one joined by a brand-new company),
run 3 the same data again and run 4 the original sample (the project returns, the title
reverts, the company leaves). What the history should record is known from those edits alone:
`marts.mart_project_changes` must list exactly them, the type-2 snapshots must keep the old
versions, and a run without changes must not add history.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest

from .conftest import sample_pages, serve_pages
from .test_end_to_end import expected_projects, failed_checks, run_refresh

NEW_ORGANISATION = "Testbedrijf Nieuw B.V."  # "B.V.": the name itself says it is a company
NEW_TITLE = "Retitled by the history test"
KIC_LC = re.compile(r"^KICH4\.LC\.")


def project_key(record: dict[str, Any]) -> str:
    return f"nwopen:{record['project_id']}|{record['funding_scheme_id']}"


def pick_lc_projects(pages: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """``n`` in-scope KIC Learning Communities whose file number occurs once in the sample
    (a repeated file number would blur which row an edit belongs to) and that have a lead
    (main applicant or project leader), so a new co-applicant cannot become the lead."""
    records = [p for page in pages for p in page["projects"]]
    file_numbers = Counter(p["project_id"] for p in records)
    in_scope = expected_projects(pages)
    lead_roles = {"main applicant", "hoofdaanvrager", "project leader", "projectleider"}
    chosen = [
        p
        for p in records
        if KIC_LC.match(p["project_id"])
        and file_numbers[p["project_id"]] == 1
        and (p["project_id"], str(p["funding_scheme_id"])) in in_scope
        and any(m["role"].lower() in lead_roles for m in p["project_members"])
    ]
    assert len(chosen) >= n, "the sample has too few KIC Learning Communities for this test"
    return sorted(chosen, key=lambda p: p["project_id"])[:n]


def changed_pages(
    pages: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], str, str, str]:
    """A copy of ``pages`` with three edits; returns it and the keys of the edited projects."""
    pages = copy.deepcopy(pages)
    removed, retitled, joined = pick_lc_projects(pages, 3)

    # 1. One project disappears from the API; meta.count follows, as the real API's would.
    for page in pages:
        if removed in page["projects"]:
            page["projects"].remove(removed)
        page["meta"]["count"] -= 1

    # 2. Another gets a new title and a later end date (two fields in one change).
    retitled["title"] = NEW_TITLE
    retitled["end_date"] = "2031-12-31T00:00:00"

    # 3. A third gets a co-applicant from an organisation the warehouse has never seen.
    member_ids = [
        m["member_id"] or 0
        for page in pages
        for p in page["projects"]
        for m in p["project_members"]
    ]
    newcomer = copy.deepcopy(joined["project_members"][-1])
    newcomer.update(
        role="Co-applicant",
        member_id=max(member_ids) + 1,
        last_name="Nieuwkomer",
        orcid=None,
        organisation=NEW_ORGANISATION,
        organisation_id=None,
        ror=None,
    )
    joined["project_members"].append(newcomer)
    return pages, project_key(removed), project_key(retitled), project_key(joined)


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def changes_of_run(warehouse: Path, run_number: int) -> dict[str, tuple]:
    """project_key -> (change_type, changed_fields, partners_joined, partners_left)."""
    rows = query(
        warehouse,
        "SELECT project_key, change_type, changed_fields, partners_joined, partners_left"
        " FROM marts.mart_project_changes WHERE run_number = ?",
        [run_number],
    )
    changes = {row[0]: row[1:] for row in rows}
    assert len(changes) == len(rows), "a project is listed twice in one run"
    return changes


def snapshot_versions(warehouse: Path, key: str) -> list[tuple]:
    """(title, dbt_is_deleted, dbt_valid_from, dbt_valid_to) of every version, oldest first."""
    return query(
        warehouse,
        "SELECT title, dbt_is_deleted, dbt_valid_from, dbt_valid_to FROM history.snap_projects"
        " WHERE project_key = ? ORDER BY dbt_valid_from",
        [key],
    )


@pytest.mark.pipeline
def test_history_records_removed_changed_and_joined_projects(
    httpserver: Any, sample_data: Path, fast_http: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = sample_data / "warehouse" / "lc_monitor.duckdb"
    original = sample_pages()
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, original))

    # Run 1, the session's run of the sample (a copy of its data folder): everything is new.
    fct_keys = {row[0] for row in query(warehouse, "SELECT project_key FROM marts.fct_project")}
    run1 = changes_of_run(warehouse, 1)
    assert set(run1) == fct_keys
    assert {change[0] for change in run1.values()} == {"nieuw"}

    pages, removed, retitled, joined = changed_pages(original)
    assert {removed, retitled, joined} <= fct_keys
    old_title = query(
        warehouse, "SELECT title FROM marts.fct_project WHERE project_key = ?", [retitled]
    )[0][0]
    (removed_partners,) = query(
        warehouse, "SELECT count(*) FROM marts.fct_participation WHERE project_key = ?", [removed]
    )[0]
    assert removed_partners > 0

    # Run 2: the server now answers with the edited pages.
    httpserver.clear()
    serve_pages(httpserver, pages)
    second = run_refresh()
    assert second.success, failed_checks(second)
    assert failed_checks(second) == []

    # Exactly the three edits, each recorded as what it was.
    assert changes_of_run(warehouse, 2) == {
        removed: ("verdwenen", None, 0, removed_partners),
        # The changed fields are a sorted list (not the order the model tracks them in).
        retitled: ("gewijzigd", ["end_date", "title"], 0, 0),
        joined: ("gewijzigd", ["partners"], 1, 0),
    }
    run_starts = query(
        warehouse,
        "SELECT run_number, count(DISTINCT run_started_at) FROM marts.mart_project_changes"
        " GROUP BY 1 ORDER BY 1",
    )
    assert run_starts == [(1, 1), (2, 1)]

    # The snapshots keep the past: a deletion row for the removed project (closing its
    # only version) and the old and new title of the retitled one.
    (kept, deletion) = snapshot_versions(warehouse, removed)
    assert kept[1] != "True" and kept[3] == deletion[2]
    assert deletion[1] == "True"
    (before, after) = snapshot_versions(warehouse, retitled)
    assert (before[0], after[0]) == (old_title, NEW_TITLE)
    assert before[3] == after[2] and after[3] is None and after[1] != "True"
    assert deletion[2] == after[2], "one run, one timestamp"
    current = {row[0] for row in query(warehouse, "SELECT project_key FROM marts.fct_project")}
    assert current == fct_keys - {removed}

    # The newcomer is a company (by its legal form) and a partner of the joined project.
    organisations = query(
        warehouse,
        "SELECT organisation_key, organisation_type, type_source FROM marts.dim_organisation"
        " WHERE organisation_name = ?",
        [NEW_ORGANISATION],
    )
    assert [row[1:] for row in organisations] == [("bedrijf", "name_rule")]
    new_key = organisations[0][0]
    participation = query(
        warehouse,
        "SELECT role FROM marts.fct_participation WHERE project_key = ? AND organisation_key = ?",
        [joined, new_key],
    )
    assert participation == [("partner",)]

    # Run 3: same data, so no new history anywhere.
    history_sizes = (
        "SELECT (SELECT count(*) FROM marts.mart_project_changes),"
        " (SELECT count(*) FROM history.snap_projects),"
        " (SELECT count(*) FROM history.snap_participations)"
    )
    sizes_after_run2 = query(warehouse, history_sizes)
    third = run_refresh()
    assert third.success, failed_checks(third)
    assert query(warehouse, history_sizes) == sizes_after_run2
    assert changes_of_run(warehouse, 3) == {}

    # Run 4: back to the original pages. The removed project returns (added again), the title
    # reverts and the newcomer leaves. Runs without changes have no number, so this is run 3.
    httpserver.clear()
    serve_pages(httpserver, original)
    fourth = run_refresh()
    assert fourth.success, failed_checks(fourth)
    assert changes_of_run(warehouse, 3) == {
        removed: ("nieuw", None, removed_partners, 0),
        retitled: ("gewijzigd", ["end_date", "title"], 0, 0),
        joined: ("gewijzigd", ["partners"], 0, 1),
    }
    assert [row[1] for row in snapshot_versions(warehouse, removed)] == ["False", "True", "False"]
    current = {row[0] for row in query(warehouse, "SELECT project_key FROM marts.fct_project")}
    assert current == fct_keys
