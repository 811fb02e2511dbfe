"""What the monitoring report shows, read from the published serving file.

Every figure is a column of a mart row. The few exceptions are named in QUERIES: the overview's
totals over programmes (only columns that add up: counts of projects and LCs, subsidy sums;
never organisation counts, which overlap), and counts of the rows of the record-level marts
(quarantine records, changes and validations of the latest run). The columns the pages need
are checked first: a mart without one stops the build with an error naming the table and
column (the report never quietly leaves a figure out).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.report.labels import LABELS, PARTNER_TYPE_COLUMNS

# Teachers are professionals too (rule teachers_within_professionals): "waarvan docenten".
REACH_COLUMNS = {
    "students_reached": ("studenten bereikt", "lc_reporting_students_count"),
    "professionals_reached": ("professionals bereikt", "lc_reporting_professionals_count"),
    "teachers_reached": ("waarvan docenten", "lc_reporting_teachers_count"),
}
# mart_programme_summary's share of the LCs' partnerships per organisation type.
SHARE_COLUMNS = {t: f"lc_{c.removesuffix('_count')}_share" for t, c in PARTNER_TYPE_COLUMNS.items()}
# Columns of mart_programme_summary that add up over programmes (the overview's totals).
ADDITIVE = ("project_count", "lc_count", "energy_lc_count", "lc_total_subsidy_eur")
# Every column of the marts the pages use (docs/marts.md is the contract).
REQUIRED: dict[str, tuple[str, ...]] = {
    "dim_programme": (
        "programme", "programme_name", "funder", "operator", "description", "website_url",
    ),
    "dim_organisation": ("organisation_key", "organisation_name", "organisation_type", "province"),
    "mart_programme_summary": (
        "programme", "project_count", "lc_count", "energy_lc_count", "organisation_count",
        "lc_organisation_count", "projects_with_subsidy_count", "total_subsidy_eur",
        "lc_total_subsidy_eur", "energy_lc_total_subsidy_eur",
        *REACH_COLUMNS, *(reporting for _, reporting in REACH_COLUMNS.values()),
        "lc_partnership_count", *SHARE_COLUMNS.values(), "triple_helix_lc_count",
        "triple_helix_share",
    ),
    "mart_lc_rounds": (
        "programme", "call_round", "project_count", "lc_count", "energy_lc_count",
        "total_subsidy_eur", "lc_total_subsidy_eur",
    ),
    "mart_partner_mix": ("project_key", "is_learning_community", *PARTNER_TYPE_COLUMNS.values()),
    "mart_region": (
        "province", "province_code", "organisation_count", "project_count", "lc_count",
        "lc_located_count",
    ),
    "mart_organisation_network": (
        "organisation_key", "organisation_name", "organisation_type", "province",
        "project_count", "lc_count", "collaborator_count", "top_collaborators",
    ),
    "mart_reach": (
        "programme", "call_round", "lc_count",
        *REACH_COLUMNS, *(reporting for _, reporting in REACH_COLUMNS.values()),
    ),
    "fct_project": (
        "project_key", "programme", "call_round", "title", "mission", "status", "start_date",
        "end_date", "subsidy_eur", "lead_organisation_name", "partner_count", "source_url",
        "is_learning_community", "lc_region", "lc_municipality", "lc_province",
        "lc_location_source", "lead_municipality", "lead_province", "budget_eur",
        "cofinancing_share", "duration_months", "tki", "kic_context", "reach_source",
        *REACH_COLUMNS,
    ),
    "fct_participation": (
        "project_key", "organisation_key", "role", "is_lead", "is_learning_community",
    ),
    "mart_project_changes": (
        "run_number", "run_started_at", "project_key", "programme", "title", "change_type",
        "changed_fields", "partners_joined", "partners_left", "partner_roles_changed",
    ),
    "mart_data_quality": (
        "validation_id", "run_id", "suite", "source_system", "passed", "rows_validated",
        "expectations_evaluated", "expectations_failed", "records_set_aside",
        "records_flagged", "validated_at",
    ),
    "mart_quarantine": ("source_system", "disposition"),
}  # fmt: skip


# LIST columns the pages join with commas (a VARCHAR there would be split into letters).
LISTS = {
    ("mart_project_changes", "changed_fields"),
    ("mart_organisation_network", "top_collaborators"),
}


class MissingColumns(RuntimeError):
    pass


@dataclass
class Marts:
    """Query results the pages are made of: DataFrames (charts) and plain records (tables)."""

    frames: dict[str, pd.DataFrame]
    records: dict[str, list[dict[str, Any]]]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with None for missing values (pandas writes NaN/NaT/NA otherwise)."""
    return [
        {k: (None if _missing(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays
        return False


def check_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Stop with every table and column the report needs that the serving file lacks."""
    present: dict[str, set[str]] = {}
    types: dict[tuple[str, str], str] = {}
    for table, column, data_type in con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'marts'"
    ).fetchall():
        present.setdefault(table, set()).add(column)
        types[table, column] = data_type
    missing = [
        f"marts.{table}" if table not in present else f"marts.{table}.{column}"
        for table, columns in REQUIRED.items()
        for column in (columns if table in present else columns[:1])
        if column not in present.get(table, set())
    ]
    missing += [
        f"marts.{table}.{column} as a LIST (is {types[table, column]})"
        for table, column in sorted(LISTS)
        if (table, column) in types and not types[table, column].endswith("[]")
    ]
    if missing:
        raise MissingColumns(
            "the serving file lacks what the monitoring report shows: " + ", ".join(missing)
        )


def read_marts(serving_path: Path) -> Marts:
    """Run the report's queries on the serving file (read-only)."""
    with duckdb.connect(str(serving_path), read_only=True) as con:
        check_columns(con)
        frames = {name: con.execute(sql).df() for name, sql in QUERIES.items()}
    return Marts(frames=frames, records={n: _records(f) for n, f in frames.items()})


_LATEST_DQ = "(SELECT run_id FROM marts.mart_data_quality ORDER BY validated_at DESC LIMIT 1)"
_LATEST_RUN = "(SELECT max(run_number) FROM marts.mart_project_changes)"
_REACH = ", ".join(f"{c}, {r}" for c, (_, r) in REACH_COLUMNS.items())
_DISPOSITIONS = ", ".join(f"('{d}')" for d in LABELS["disposition"])
QUERIES: dict[str, str] = {
    # The programmes' rows as the mart gives them.
    "programmes": "SELECT s.*, d.programme_name, d.funder, d.operator, d.description,"
    " d.website_url FROM marts.mart_programme_summary s JOIN marts.dim_programme d"
    " USING (programme) ORDER BY s.programme",
    # The overview's totals: the programmes' rows added up where they add up (ADDITIVE).
    "totals": "SELECT "
    + ", ".join(f"sum({c}) AS {c}" for c in ADDITIVE)
    + " FROM marts.mart_programme_summary",
    # Distinct organisations over all programmes: dim_organisation's rows (one per organisation).
    "organisation_count": "SELECT count(*) AS organisation_count FROM marts.dim_organisation",
    "rounds": "SELECT programme, call_round, project_count, lc_count, energy_lc_count,"
    " total_subsidy_eur, lc_total_subsidy_eur FROM marts.mart_lc_rounds"
    " ORDER BY programme, call_round NULLS LAST",
    "lc_mix": "SELECT project_key, "
    + ", ".join(PARTNER_TYPE_COLUMNS.values())
    + " FROM marts.mart_partner_mix WHERE is_learning_community",
    "regions": "SELECT province, province_code, organisation_count, project_count, lc_count,"
    " lc_located_count FROM marts.mart_region ORDER BY province",
    "top_organisations": "SELECT organisation_key, organisation_name, organisation_type,"
    " province, project_count, lc_count, collaborator_count, top_collaborators"
    " FROM marts.mart_organisation_network"
    " ORDER BY collaborator_count DESC, project_count DESC, organisation_name LIMIT 15",
    "lcs": "SELECT project_key, programme, call_round, title, mission, status, start_date,"
    " end_date, subsidy_eur, lead_organisation_name, partner_count, source_url, lc_region,"
    " lc_municipality, lc_province, lc_location_source, lead_municipality, lead_province,"
    " budget_eur, cofinancing_share, duration_months, tki, kic_context, reach_source, "
    + ", ".join(REACH_COLUMNS)
    + " FROM marts.fct_project WHERE is_learning_community"
    " ORDER BY programme, call_round NULLS LAST, title",
    "lc_partners": "SELECT f.project_key, f.organisation_key, o.organisation_name,"
    " o.organisation_type, o.province, f.role, f.is_lead FROM marts.fct_participation f"
    " JOIN marts.dim_organisation o USING (organisation_key) WHERE f.is_learning_community"
    " ORDER BY f.project_key, f.is_lead DESC, o.organisation_name",
    "changes": "SELECT run_number, run_started_at, project_key, programme, title,"
    " change_type, changed_fields, partners_joined, partners_left, partner_roles_changed"
    " FROM marts.mart_project_changes ORDER BY run_number DESC, programme, title",
    # mart_project_changes has a row per project and run: the latest run's rows per type.
    "latest_change_counts": "SELECT change_type, count(*) AS change_count"
    f" FROM marts.mart_project_changes WHERE run_number = {_LATEST_RUN}"
    " GROUP BY ALL ORDER BY 1",
    "quality": "SELECT validation_id, suite, source_system, passed, rows_validated,"
    " expectations_evaluated, expectations_failed, records_set_aside, records_flagged,"
    f" validated_at FROM marts.mart_data_quality WHERE run_id = {_LATEST_DQ}"
    " ORDER BY passed, source_system, suite",
    "quality_totals": "SELECT count(*) AS suite_count,"
    " count(*) FILTER (NOT passed) AS failed_suite_count, max(validated_at) AS validated_at"
    f" FROM marts.mart_data_quality WHERE run_id = {_LATEST_DQ}",
    # mart_quarantine has a row per record: the page counts them per source and disposition,
    # and per disposition (every disposition, 0 when none): set aside apart from flagged.
    "quarantine": "SELECT source_system, disposition, count(*) AS record_count"
    " FROM marts.mart_quarantine GROUP BY ALL ORDER BY 1, 2",
    "quarantine_by_disposition": "SELECT d.disposition, count(q.disposition) AS record_count"
    f" FROM (VALUES {_DISPOSITIONS}) d(disposition) LEFT JOIN marts.mart_quarantine q"
    " USING (disposition) GROUP BY ALL ORDER BY d.disposition DESC",
    "reach": f"SELECT programme, call_round, lc_count, {_REACH} FROM marts.mart_reach"
    " ORDER BY programme, call_round NULLS LAST",
}
