"""The marts' figures against answers worked out here, in Python, from the bundled sample.

The sample is read with the connectors (tested on their own in test_*_connector.py and
test_registers.py) or straight from the JSON; everything after that - which projects are in
scope, which spellings are one organisation, its type and province, partner mixes, totals,
medians and collaborations - is recomputed here from the seeds' CSV files and the rules
documented in docs/marts.md, without the warehouse's SQL. One real run builds the warehouse.
"""

from __future__ import annotations

import csv
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.settings import CALLS_SEED
from sources.calls import CallCatalogue
from sources.organisations.reference import Reference as OrganisationReference
from sources.organisations.resolve import Mention as ResolverMention
from sources.organisations.resolve import Resolver
from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE, read_register
from sources.tse import SAMPLE_DIR as TSE_SAMPLE_DIR
from sources.tse import read_site
from sources.tse.parse import parse_documents

from .conftest import sample_pages
from .test_end_to_end import expected_records, project_of

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
# Organisation type (a Dutch code) -> its count column in mart_partner_mix (English names).
TYPE_COLUMNS = {
    "bedrijf": "company_count",
    "kennisinstelling": "knowledge_institution_count",
    "mbo": "mbo_count",
    "hbo": "hbo_count",
    "wo": "wo_count",
    "overheid": "government_count",
    "overig": "other_count",
    "onbekend": "unknown_type_count",
}


def seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- the documented rules, written again in Python -------------------------------------------


@dataclass
class Mention:
    project: str
    name: str
    source: str
    is_lead: bool = False
    ror: str | None = None
    declared_type: str | None = None
    place: str | None = None


@dataclass
class Project:
    key: str
    programme: str
    call_round: int | None
    mission: str | None
    is_lc: bool
    subsidy: float | None
    start: date | None
    end: date | None
    lead_name: str | None
    partners: set[str] = field(default_factory=set)  # organisation keys
    consortium: str | None = None  # a MOOI LC supplement's consortium (project key)


@dataclass
class Sample:
    projects: dict[str, Project]
    mentions: list[Mention]
    organisation_of: dict[str, str]  # name as written -> organisation
    spellings: dict[str, set[str]]  # organisation -> names as written
    type_of: dict[str, str]
    province_of: dict[str, str | None]


def nwopen_projects() -> tuple[dict[str, Project], list[Mention], dict[str, str]]:
    # The call's round: the seed's, found by the call's name (never the file number's year).
    rounds = {
        "".join(row["funding_scheme"].lower().split()): row["call_round"]
        for row in seed("programme_calls")
        if row["source_system"] == "nwopen" and row["funding_scheme"]
    }
    records = expected_records(sample_pages())
    projects: dict[str, Project] = {}
    mentions: list[Mention] = []
    file_numbers: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for page in sample_pages():
        for raw in page["projects"]:
            record = (raw["project_id"], str(raw["funding_scheme_id"]))
            if record not in records or record in seen:
                continue
            seen.add(record)
            # A second record of the same project adds its members to the project.
            key = project_of(record, records)
            project_key = f"nwopen:{key[0]}|{key[1]}"
            info = records[key]
            call_round = rounds.get("".join(raw["funding_scheme"].lower().split()))
            if record == key:
                projects[project_key] = Project(
                    key=project_key,
                    programme=info["programme"],
                    call_round=int(call_round) if call_round else None,
                    mission=None,
                    is_lc=info["lc"],
                    subsidy=raw["award_amount"] or None,
                    start=date.fromisoformat(raw["start_date"][:10]) if raw["start_date"] else None,
                    end=date.fromisoformat(raw["end_date"][:10]) if raw["end_date"] else None,
                    lead_name=info["lead"],
                )
            file_numbers.setdefault(key[0], project_key)
            file_numbers[key[0]] = min(file_numbers[key[0]], project_key)
            for member in raw["project_members"]:
                if member["organisation"]:
                    mentions.append(
                        Mention(
                            project_key,
                            member["organisation"].split("||")[0].strip(),
                            "nwopen",
                            ror=member["ror"],
                        )
                    )
    return projects, mentions, file_numbers


def tse_projects() -> tuple[dict[str, Project], list[Mention]]:
    extract = parse_documents(
        read_site(str(TSE_SAMPLE_DIR), None), CallCatalogue.from_csv(CALLS_SEED)
    )
    missions = {r["mission_as_written"]: r["mission"] for r in seed("mooi_missions")}
    projects: dict[str, Project] = {}
    page_to_key: dict[str, str] = {}
    for raw in extract.projects:
        key = f"tse:{raw['grant_number']}"
        page_to_key[raw["tse_id"]] = key
        projects[key] = Project(
            key=key,
            programme="MOOI",
            call_round=raw["call_round"],
            mission=missions.get(raw["mission"], raw["mission"]),
            is_lc=False,
            subsidy=raw["subsidy_eur"] or None,
            start=raw["start_date"],
            end=raw["end_date"],
            lead_name=raw["lead_applicant"],
        )
    mentions = [
        Mention(page_to_key[p["tse_id"]], p["organisation"].strip(), "tse", is_lead=p["is_lead"])
        for p in extract.partners
    ]
    return projects, mentions


def register_projects(
    nwopen: dict[str, Project], file_numbers: dict[str, str]
) -> tuple[dict[str, Project], list[Mention]]:
    rounds = {row["source_system"]: row["call_round"] for row in seed("programme_calls")}
    catalogue = CallCatalogue.from_csv(CALLS_SEED)
    projects: dict[str, Project] = {}
    mentions: list[Mention] = []
    for location, source in ((MOOI_SAMPLE, "mooi_register"), (GVNL_SAMPLE, "gvnl_register")):
        extract = read_register(location, source=source, catalogue=catalogue)
        lc_key: dict[str, str] = {}
        for raw in extract.projects:
            in_nwopen = file_numbers.get(raw["related_grant"] or "")
            lead = next(
                p["organisation"]
                for p in extract.partners
                if p["register_id"] == raw["register_id"] and p["role"] == "penvoerder"
            )
            if in_nwopen:
                lc_key[raw["register_id"]] = in_nwopen
                # The register adds its subsidy to the NWOpen LC when NWOpen has none, and its
                # penvoerder leads it: the programme office's word wins over NWO's applicant.
                if nwopen[in_nwopen].subsidy is None:
                    nwopen[in_nwopen].subsidy = raw["subsidy_eur"] or None
                nwopen[in_nwopen].lead_name = lead
                continue
            assert source == "mooi_register" or not raw["related_grant"], "grant not found"
            key = f"{source}:{raw['register_id']}"
            lc_key[raw["register_id"]] = key
            call_round = raw["call_round"] or (int(rounds[source]) if rounds[source] else None)
            projects[key] = Project(
                key=key,
                programme=raw["programme"],
                call_round=call_round,
                mission=None,
                is_lc=True,
                subsidy=raw["subsidy_eur"] or None,
                start=raw["start_date"],
                end=raw["end_date"],
                lead_name=lead,
                consortium=f"tse:{raw['related_grant']}" if raw["related_grant"] else None,
            )
        for p in extract.partners:
            mentions.append(
                Mention(
                    lc_key[p["register_id"]],
                    p["organisation"].strip(),
                    source,
                    declared_type=p["organisation_type"],
                    place=p["municipality"],
                )
            )
    return projects, mentions


def most(values: list[str | None]) -> str | None:
    """The most frequent value; ties go to the smallest (as the dbt model feeds them)."""
    counts = Counter(v for v in values if v is not None)
    return min(counts, key=lambda v: (-counts[v], v)) if counts else None


def resolve(
    mentions: list[Mention],
) -> tuple[dict[str, str], dict[str, str], dict[str, str | None]]:
    """Name as written -> organisation key, and each organisation's type and province, by the
    resolution rules, fed per name with its mentions and the ROR id, declared type and
    municipality its mentions give most."""
    by_name: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_name[m.name].append(m)
    fed = [
        ResolverMention(
            name=name,
            mentions=len(group),
            ror_id=most([m.ror for m in group]),
            declared_type=most([m.declared_type for m in group]),
            municipality=most([m.place for m in group]),
        )
        for name, group in by_name.items()
    ]
    resolutions, organisations = Resolver(OrganisationReference.from_seed_dir()).resolve(fed)
    organisation_of = {r.name: r.organisation_key for r in resolutions}
    type_of = {o.key: o.organisation_type for o in organisations}
    province_of = {o.key: o.province for o in organisations}
    return organisation_of, type_of, province_of


@pytest.fixture(scope="module")
def truth() -> Sample:
    projects, mentions, file_numbers = nwopen_projects()
    mooi, mooi_mentions = tse_projects()
    registers, register_mentions = register_projects(projects, file_numbers)
    projects.update(mooi)
    projects.update(registers)
    # A MOOI LC supplement works under its consortium's mission (docs/marts.md).
    for project in registers.values():
        if project.consortium in mooi:
            project.mission = mooi[project.consortium].mission
    mentions += mooi_mentions + register_mentions
    organisation_of, type_of, province_of = resolve(mentions)
    spellings: dict[str, set[str]] = defaultdict(set)
    for name, org in organisation_of.items():
        spellings[org].add(name)
    for m in mentions:
        projects[m.project].partners.add(organisation_of[m.name])
    return Sample(projects, mentions, organisation_of, dict(spellings), type_of, province_of)


@pytest.fixture(scope="module")
def warehouse(sample_run: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(sample_run / "warehouse" / "lc_monitor.duckdb"), read_only=True)
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- organisations ---------------------------------------------------------------------------


def test_organisations_are_merged_across_spellings(warehouse, truth: Sample):
    dim = rows(warehouse, "SELECT organisation_key, name_variants FROM marts.dim_organisation")
    groups = {frozenset(r["name_variants"]) for r in dim}
    assert groups == {frozenset(names) for names in truth.spellings.values()}
    merged = [names for names in truth.spellings.values() if len(names) > 1]
    assert len(merged) >= 25, "the sample holds many spellings of the same organisation"
    assert len(dim) == len(truth.spellings)
    # The same organisation named in Dutch and English, with and without legal form:
    together = {frozenset(names) for names in merged}
    assert any({"TU Delft", "Delft University of Technology"} <= g for g in together)
    assert any({"Yara Sluiskil", "Yara Sluiskil B.V."} <= g for g in together)


def test_organisation_types_and_provinces(warehouse, truth: Sample):
    dim = rows(
        warehouse,
        "SELECT name_variants, organisation_type, province FROM marts.dim_organisation",
    )
    org_by_group = {frozenset(n): org for org, n in truth.spellings.items()}
    got_type = {org_by_group[frozenset(r["name_variants"])]: r for r in dim}
    assert {org: r["organisation_type"] for org, r in got_type.items()} == truth.type_of
    # A province is a category: `onbekend` when not known, never null.
    assert {org: r["province"] for org, r in got_type.items()} == {
        org: province or "onbekend" for org, province in truth.province_of.items()
    }
    unknown = [org for org, t in truth.type_of.items() if t == "onbekend"]
    assert len(unknown) < 0.05 * len(truth.type_of), "few organisations stay onbekend"


# --- projects and participations --------------------------------------------------------------


def test_fct_project_status_subsidy_and_partners(warehouse, truth: Sample):
    fct = {r["project_key"]: r for r in rows(warehouse, "SELECT * FROM marts.fct_project")}
    assert set(fct) == set(truth.projects)
    today = date.today()
    for key, project in truth.projects.items():
        row = fct[key]
        if project.start is None:
            status = "onbekend"
        elif project.start > today:
            status = "gepland"
        elif project.end is not None and project.end < today:
            status = "afgelopen"
        else:
            status = "lopend"
        assert row["status"] == status, key
        assert row["subsidy_eur"] == project.subsidy, key
        assert row["partner_count"] == len(project.partners), key
        assert row["lead_organisation_key"] is not None
    assert all(r["subsidy_eur"] is None or r["subsidy_eur"] > 0 for r in fct.values())


def test_partner_mix_and_triple_helix(warehouse, truth: Sample):
    mix = {r["project_key"]: r for r in rows(warehouse, "SELECT * FROM marts.mart_partner_mix")}
    triple_helix_lcs = 0
    for key, project in truth.projects.items():
        types = Counter(truth.type_of[org] for org in project.partners)
        for kind, column in TYPE_COLUMNS.items():
            assert mix[key][column] == types[kind], (key, kind)
        helix = (
            types["bedrijf"] > 0
            and types["kennisinstelling"] + types["wo"] > 0
            and types["mbo"] + types["hbo"] + types["wo"] > 0
        )
        assert mix[key]["is_triple_helix"] == helix, key
        strict = helix and types["mbo"] + types["hbo"] > 0
        assert mix[key]["is_triple_helix_strict"] == strict, key
        triple_helix_lcs += helix and project.is_lc
    got = warehouse.execute(
        "SELECT count(*) FROM marts.mart_partner_mix"
        " WHERE is_learning_community AND is_triple_helix"
    ).fetchone()[0]
    assert got == triple_helix_lcs > 0


def test_lc_overview(warehouse, truth: Sample):
    # A mission applies where seed programmes says so (MOOI): there a project without one is
    # `onbekend`; the other programmes' mission is null.
    with_missions = {r["programme"] for r in seed("programmes") if r["has_missions"] == "true"}
    assert with_missions == {"MOOI"}
    groups: dict[tuple, list[Project]] = defaultdict(list)
    for project in truth.projects.values():
        mission = (project.mission or "onbekend") if project.programme in with_missions else None
        groups[(project.programme, project.call_round, mission)].append(project)
    got = {
        (r["programme"], r["call_round"], r["mission"]): r
        for r in rows(warehouse, "SELECT * FROM marts.mart_lc_overview")
    }
    assert set(got) == set(groups)
    for group, projects in groups.items():
        subsidies = [p.subsidy for p in projects if p.subsidy is not None]
        row = got[group]
        assert row["project_count"] == len(projects)
        assert row["lc_count"] == sum(p.is_lc for p in projects)
        assert row["total_subsidy_eur"] == (sum(subsidies) if subsidies else None)
        assert row["median_subsidy_eur"] == (statistics.median(subsidies) if subsidies else None)
        assert row["organisation_count"] == len(set().union(*(p.partners for p in projects)))
        lcs = [p for p in projects if p.is_lc]
        lc_subsidies = [p.subsidy for p in lcs if p.subsidy is not None]
        assert row["lc_total_subsidy_eur"] == (sum(lc_subsidies) if lc_subsidies else None)
        assert row["lc_organisation_count"] == len(set().union(set(), *(p.partners for p in lcs)))


def test_region(warehouse, truth: Sample):
    got = {r["province"]: r for r in rows(warehouse, "SELECT * FROM marts.mart_region")}
    assert len(got) == 13
    for province in got:
        orgs = {o for o, p in truth.province_of.items() if (p or "onbekend") == province}
        involved = [p for p in truth.projects.values() if p.partners & orgs]
        assert got[province]["organisation_count"] == len(orgs), province
        assert got[province]["project_count"] == len(involved), province
        assert got[province]["lc_count"] == sum(p.is_lc for p in involved), province
        known = [p.subsidy for p in involved if p.subsidy is not None]
        assert got[province]["involved_subsidy_eur"] == (sum(known) if known else None)
        led = [p for p in truth.projects.values() if lead_of(p, truth) in orgs]
        assert got[province]["led_project_count"] == len(led), province
        led_known = [p.subsidy for p in led if p.subsidy is not None]
        assert got[province]["led_subsidy_eur"] == (sum(led_known) if led_known else None)
    # Each project is led from one province: the led figures add up to the whole.
    total = sum(p.subsidy for p in truth.projects.values() if p.subsidy is not None)
    assert sum(r["led_subsidy_eur"] or 0 for r in got.values()) == total
    # LCs located in a province by their own (register-given) place, 'onbekend' included:
    # fct_project's rows counted here, so every LC counts once, in one province.
    projects = rows(warehouse, "SELECT is_learning_community, lc_province FROM marts.fct_project")
    located = Counter(p["lc_province"] for p in projects if p["is_learning_community"])
    assert {k: r["lc_located_count"] for k, r in got.items() if r["lc_located_count"]} == located
    lcs = sum(p.is_lc for p in truth.projects.values())
    assert sum(r["lc_located_count"] for r in got.values()) == lcs


def lead_of(project: Project, truth: Sample) -> str | None:
    return truth.organisation_of.get(project.lead_name or "")


def test_organisation_network(warehouse, truth: Sample):
    projects_of: dict[str, set[str]] = defaultdict(set)
    for project in truth.projects.values():
        for org in project.partners:
            projects_of[org].add(project.key)
    got = rows(
        warehouse,
        "SELECT n.*, d.name_variants FROM marts.mart_organisation_network n"
        " JOIN marts.dim_organisation d USING (organisation_key)",
    )
    org_by_group = {frozenset(n): org for org, n in truth.spellings.items()}
    for row in got:
        org = org_by_group[frozenset(row["name_variants"])]
        mine = projects_of[org]
        assert row["project_count"] == len(mine), org
        assert row["lc_count"] == sum(truth.projects[k].is_lc for k in mine), org
        assert row["programme_count"] == len({truth.projects[k].programme for k in mine}), org
        shared = Counter(
            other for k in mine for other in truth.projects[k].partners if other != org
        )
        assert row["collaborator_count"] == len(shared), org
        assert row["lead_count"] == sum(lead_of(truth.projects[k], truth) == org for k in mine), org
        if shared:
            most = max(shared.values())
            assert row["top_collaborator_shared_projects"] == most, org
            # Ties go to the name that sorts first.
            names = {
                org_by_group[frozenset(r["name_variants"])]: r["organisation_name"] for r in got
            }
            tied = sorted(names[o] for o, n in shared.items() if n == most)
            assert row["top_collaborator_name"] == tied[0], org


def test_every_column_of_the_warehouse_is_documented(warehouse):
    undocumented = warehouse.execute(
        "SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()"
        " WHERE schema_name IN ('staging', 'intermediate', 'marts', 'reference')"
        " AND coalesce(comment, '') = ''"
    ).fetchall()
    assert undocumented == []
    tables = warehouse.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables()"
        " WHERE schema_name IN ('marts', 'reference') AND coalesce(comment, '') = ''"
    ).fetchall()
    assert tables == []


def test_organisation_review_queue(warehouse, truth: Sample):
    """Every name of an organisation outside the reference, and every merge or near miss to
    check, is in the review queue, with a seed row that parses as one CSV row of its seed."""
    queue = rows(warehouse, "SELECT * FROM marts.mart_organisation_review")
    names = {r["organisation_name"] for r in queue}
    outside = rows(
        warehouse,
        "SELECT organisation_name FROM intermediate.int_organisations__name_variants"
        " WHERE NOT is_in_reference OR review_status IS NOT NULL",
    )
    assert names == {r["organisation_name"] for r in outside} and names
    width = {"organisations.csv": 6, "organisation_aliases.csv": 3}
    for row in queue:
        seed_file, _, line = row["suggested_seed_row"].partition(": ")
        (fields,) = list(csv.reader([line]))
        assert len(fields) == width[seed_file], row["suggested_seed_row"]
        assert fields[0] == (
            row["organisation_name"] if seed_file == "organisation_aliases.csv"
            else row["resolved_to"]
        )  # fmt: skip


# --- the BI conventions (docs/marts.md, "Conventions") ---------------------------------------

LIST_COLUMNS = {
    ("dim_organisation", "name_variants"),
    ("dim_organisation", "source_systems"),
    ("fct_participation", "source_systems"),
    ("fct_participation", "source_roles"),
    ("fct_participation", "names_as_written"),
    ("mart_organisation_network", "programmes"),
    ("mart_organisation_network", "top_collaborators"),
    ("mart_organisation_review", "source_systems"),
    ("mart_project_changes", "changed_fields"),
    ("mart_data_quality", "drift_findings"),
}
# Words of the programmes' Dutch vocabulary that belong in values, not in column names.
DUTCH_NAME_PARTS = ("bedrijf", "kennisinstelling", "overheid", "overig", "onbekend", "gemeente")


def test_mart_types_follow_the_conventions(warehouse):
    columns = rows(
        warehouse,
        "SELECT table_name, column_name, data_type FROM duckdb_columns()"
        " WHERE schema_name = 'marts'",
    )
    money = {(c["table_name"], c["column_name"]): c["data_type"] for c in columns}
    assert [k for k, t in money.items() if k[1].endswith("_eur") and t != "DECIMAL(18,2)"] == []
    assert sum(k[1].endswith("_eur") for k in money) >= 8
    lists = {(c["table_name"], c["column_name"]) for c in columns if c["data_type"] == "VARCHAR[]"}
    assert lists == LIST_COLUMNS
    assert [
        c["column_name"]
        for c in columns
        if any(part in c["column_name"] for part in DUTCH_NAME_PARTS)
    ] == []
    whole = {
        (c["table_name"], c["column_name"]): c["data_type"]
        for c in columns
        if c["column_name"] == "call_round" or c["column_name"].endswith("_count")
    }
    assert set(whole.values()) <= {"INTEGER", "BIGINT"}, whole
    # Lists are sorted, without duplicates, and null rather than empty.
    ordered = {
        ("mart_organisation_network", "top_collaborators"),
        ("mart_data_quality", "drift_findings"),
    }
    for table, column in LIST_COLUMNS - ordered:
        bad = warehouse.execute(
            f"SELECT count(*) FROM marts.{table} WHERE len({column}) = 0"
            f" OR {column} <> list_sort(list_distinct({column}))"
        ).fetchone()[0]
        assert bad == 0, (table, column)


def test_category_columns_are_never_null(warehouse):
    for table, column in [
        ("dim_organisation", "organisation_type"),
        ("dim_organisation", "category"),
        ("dim_organisation", "province"),
        ("fct_project", "status"),
        ("fct_project", "lc_province"),
        ("fct_project", "lead_province"),
        ("fct_project", "kic_context"),
        ("mart_organisation_review", "province"),
        ("mart_project_changes", "change_type"),
        ("fct_participation", "role"),
        ("mart_organisation_network", "province"),
        ("mart_region", "province"),
    ]:
        nulls = warehouse.execute(
            f"SELECT count(*) FROM marts.{table} WHERE {column} IS NULL"
        ).fetchone()[0]
        assert nulls == 0, (table, column)
    # Mission and TKI: null exactly where they do not apply (outside MOOI).
    for column in ("mission", "tki"):
        nulls = dict(
            warehouse.execute(
                f"SELECT programme, count(*) FILTER (WHERE {column} IS NULL) = count(*)"
                f" FROM marts.fct_project GROUP BY programme"
            ).fetchall()
        )
        assert nulls == {"MOOI": False, "KIC": True, "GroenvermogenNL": True}, column
        mooi_nulls = warehouse.execute(
            f"SELECT count(*) FROM marts.fct_project WHERE programme = 'MOOI' AND {column} IS NULL"
        ).fetchone()[0]
        assert mooi_nulls == 0, column


def test_whole_numbers_stay_whole_in_pandas_and_parquet(warehouse, tmp_path):
    """A nullable round stays an integer (not 2024.0) in DuckDB's .df() and in the Parquet
    exports' schema (publish writes them with the same COPY), and money stays DECIMAL."""
    frame = warehouse.execute("SELECT call_round, lc_count FROM marts.mart_lc_overview").df()
    assert str(frame["call_round"].dtype) == "Int32"  # nullable: pandas' Int32, not float
    assert str(frame["lc_count"].dtype) == "int64"
    assert frame["call_round"].dropna().astype(str).str.fullmatch(r"\d{4}").all()
    parquet = tmp_path / "mart_lc_overview.parquet"
    warehouse.execute(f"COPY marts.mart_lc_overview TO '{parquet}' (FORMAT parquet)")
    schema = dict(
        warehouse.execute(
            "SELECT name, type || '/' || coalesce(converted_type, '') FROM parquet_schema(?)",
            [str(parquet)],
        ).fetchall()
    )
    assert schema["call_round"] == "INT32/INT_32" and schema["lc_count"] == "INT64/INT_64"
    assert schema["total_subsidy_eur"] == "INT64/DECIMAL"
