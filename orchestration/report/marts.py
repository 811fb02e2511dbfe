"""What the monitoring report shows, read from the published serving file.

Every figure is a column of a mart or a sum/count over one in SQL: nothing is derived again in
Python. Columns another part of the project is still adding (reach, the LC's own place, budget)
are used when the serving file has them and reported missing otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

# Columns of fct_project shown on an LC's page when the marts have them (issue 15, part 1 is
# adding them): name -> (Dutch label, how the figure is shown: euro, number or text).
LC_FACTS = {
    "lc_province": ("provincie van de LC", "text"),
    "lc_municipality": ("gemeente van de LC", "text"),
    "lc_region": ("regio van de LC", "text"),
    "lc_location_source": ("bron van de plaats", "text"),
    "budget_eur": ("projectbegroting", "euro"),
    "cofinancing_share": ("aandeel cofinanciering", "number"),
    "duration_months": ("looptijd in maanden", "number"),
    "tki": ("TKI", "text"),
    "kic_context": ("KIC-context", "text"),
}
REACH_COLUMNS = {
    "students_reached": "studenten bereikt",
    "professionals_reached": "professionals bereikt",
    "teachers_reached": "docenten bereikt",
}
PARTNER_TYPES = (
    "bedrijf",
    "kennisinstelling",
    "mbo",
    "hbo",
    "wo",
    "overheid",
    "overig",
    "onbekend",
)


@dataclass
class Marts:
    """Query results the pages are made of, as DataFrames and plain records."""

    columns: dict[str, set[str]]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def has(self, table: str, column: str) -> bool:
        return column in self.columns.get(table, set())

    def present(self, table: str, candidates: dict[str, str]) -> dict[str, str]:
        return {c: label for c, label in candidates.items() if self.has(table, c)}


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


def read_marts(serving_path: Path) -> tuple[Marts, dict[str, list[dict[str, Any]]]]:
    """Run the report's queries on the serving file (read-only) and return the frames for the
    charts and the records for the tables."""
    with duckdb.connect(str(serving_path), read_only=True) as con:
        columns: dict[str, set[str]] = {}
        for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'marts'"
        ).fetchall():
            columns.setdefault(table, set()).add(column)
        marts = Marts(columns=columns)
        queries = _queries(marts)
        frames = {name: con.execute(sql).df() for name, sql in queries.items()}
    marts.tables = frames
    return marts, {name: _records(frame) for name, frame in frames.items()}


def _queries(marts: Marts) -> dict[str, str]:
    lc_extra = "".join(
        f", p.{c}" for c in {**LC_FACTS, **REACH_COLUMNS} if marts.has("fct_project", c)
    )
    mix_sums = ", ".join(f"sum({t}_count) AS {t}" for t in PARTNER_TYPES)
    latest_dq = "(SELECT run_id FROM marts.mart_data_quality ORDER BY validated_at DESC LIMIT 1)"
    return {
        "totals": "SELECT sum(project_count) AS project_count, sum(lc_count) AS lc_count,"
        " sum(total_subsidy_eur) AS subsidy_eur, sum(lc_total_subsidy_eur) AS lc_subsidy_eur,"
        " (SELECT count(*) FROM marts.dim_organisation) AS organisation_count"
        " FROM marts.mart_lc_overview",
        "programmes": "SELECT d.programme, d.programme_name, d.funder, d.operator, d.description,"
        " d.website_url, sum(o.project_count) AS project_count, sum(o.lc_count) AS lc_count,"
        " sum(o.total_subsidy_eur) AS subsidy_eur, sum(o.lc_total_subsidy_eur) AS lc_subsidy_eur"
        " FROM marts.dim_programme d LEFT JOIN marts.mart_lc_overview o USING (programme)"
        " GROUP BY ALL ORDER BY d.programme",
        "rounds": "SELECT programme, call_round, sum(project_count) AS project_count,"
        " sum(lc_count) AS lc_count, sum(total_subsidy_eur) AS subsidy_eur,"
        " sum(lc_total_subsidy_eur) AS lc_subsidy_eur"
        " FROM marts.mart_lc_overview GROUP BY ALL ORDER BY programme, call_round NULLS LAST",
        "partner_mix": f"SELECT programme, {mix_sums}, count(*) AS lc_count,"
        " count(*) FILTER (is_triple_helix) AS triple_helix_lc_count"
        " FROM marts.mart_partner_mix WHERE is_learning_community GROUP BY ALL ORDER BY 1",
        "lc_mix": "SELECT project_key, "
        + ", ".join(f"{t}_count AS {t}" for t in PARTNER_TYPES)
        + " FROM marts.mart_partner_mix WHERE is_learning_community",
        "regions": "SELECT province, province_code, organisation_count, project_count, lc_count"
        " FROM marts.mart_region ORDER BY province",
        "top_organisations": "SELECT organisation_key, organisation_name, organisation_type,"
        " province, project_count, lc_count, collaborator_count, top_collaborator_name,"
        " top_collaborator_shared_projects FROM marts.mart_organisation_network"
        " ORDER BY collaborator_count DESC, project_count DESC, organisation_name LIMIT 15",
        "lcs": "SELECT p.project_key, p.programme, p.call_round, p.title, p.mission, p.status,"
        " p.start_date, p.end_date, p.subsidy_eur, p.lead_organisation_name, p.partner_count,"
        f" p.source_url{lc_extra} FROM marts.fct_project p WHERE p.is_learning_community"
        " ORDER BY p.programme, p.call_round NULLS LAST, p.title",
        "lc_partners": "SELECT f.project_key, f.organisation_key, o.organisation_name,"
        " o.organisation_type, o.province, f.role, f.is_lead FROM marts.fct_participation f"
        " JOIN marts.dim_organisation o USING (organisation_key) WHERE f.is_learning_community"
        " ORDER BY f.project_key, f.is_lead DESC, o.organisation_name",
        "changes": "SELECT run_number, run_started_at, project_key, programme, title,"
        " change_type, changed_fields, partners_joined, partners_left, partner_roles_changed"
        " FROM marts.mart_project_changes ORDER BY run_number DESC, programme, title",
        "latest_change_counts": "SELECT change_type, count(*) AS change_count"
        " FROM marts.mart_project_changes WHERE run_number ="
        " (SELECT max(run_number) FROM marts.mart_project_changes) GROUP BY ALL ORDER BY 1",
        "quality": "SELECT suite, source_system, table_name, passed, rows_validated,"
        " expectations_evaluated, expectations_failed, records_set_aside, records_flagged,"
        " validated_at FROM marts.mart_data_quality"
        f" WHERE run_id = {latest_dq} ORDER BY passed, source_system, suite",
        "quality_totals": "SELECT count(*) AS suite_count,"
        " count(*) FILTER (NOT passed) AS failed_suite_count,"
        " max(validated_at) AS validated_at FROM marts.mart_data_quality"
        f" WHERE run_id = {latest_dq}",
        "quarantine": "SELECT source_system, disposition, count(*) AS record_count"
        " FROM marts.mart_quarantine GROUP BY ALL ORDER BY 1, 2",
        # Reach per programme and round, when the marts have it (mart_reach).
        "reach": "SELECT * FROM marts.mart_reach ORDER BY programme, call_round NULLS LAST"
        if "mart_reach" in marts.columns
        else "SELECT NULL AS programme WHERE false",
        "quarantine_total": "SELECT count(*) AS record_count FROM marts.mart_quarantine",
    }
