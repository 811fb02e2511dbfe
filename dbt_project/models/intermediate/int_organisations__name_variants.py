"""Every organisation name as written in a source, with the organisation it resolves to and
that organisation's type and place.

The rules are in sources/organisations/ (one place, also used by the benchmark
tests/heldout/organisation_benchmark.py): reference seed names and aliases, NWOpen's ROR ids,
guarded fuzzy matching, then a new organisation. This model only feeds it the names with
what the sources say beside them, and the reference seeds.
"""

import pandas as pd

from sources.organisations.reference import Reference
from sources.organisations.resolve import Mention, Resolver
from sources.relation_rows import relation_rows

COLUMNS = {
    "organisation_name": "string",
    "organisation_key": "string",
    "resolution_rule": "string",
    "reading": "string",
    "match_score": "Float64",
    "matched_name": "string",
    "review_status": "string",
    "candidate_key": "string",
    "candidate_name": "string",
    "candidate_score": "Float64",
    "candidate_is_in_reference": "boolean",
    "evidence": "string",
    "mentions": "Int64",
    "canonical_name": "string",
    "is_in_reference": "boolean",
    "ror_id": "string",
    "organisation_type": "string",
    "type_source": "string",
    "category": "string",
    "municipality": "string",
    "province": "string",
    "location_source": "string",
}


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt reads the refs from the source text: each seed is named literally.
    reference = Reference(
        organisations=relation_rows(dbt.ref("organisations")),
        aliases=relation_rows(dbt.ref("organisation_aliases")),
        municipalities=relation_rows(dbt.ref("municipalities")),
        places=relation_rows(dbt.ref("places")),
        provinces=relation_rows(dbt.ref("provinces")),
    )
    # One row per spelling and what the sources say beside it: its mentions, the ROR id
    # NWOpen gives it most, the type and municipality a register declares most.
    spellings = dbt.ref("int_participations__unioned").query(
        "mentions",
        """
        with names as (
            select organisation_name, count(*) as mentions
            from mentions
            group by organisation_name
        ),

        rors as (
            select organisation_name, ror_id
            from mentions
            where ror_id is not null
            group by organisation_name, ror_id
            qualify row_number() over (
                partition by organisation_name order by count(*) desc, ror_id) = 1
        ),

        types as (
            select organisation_name, declared_type
            from mentions
            where declared_type is not null
            group by organisation_name, declared_type
            qualify row_number() over (
                partition by organisation_name order by count(*) desc, declared_type) = 1
        ),

        places as (
            select organisation_name, municipality
            from mentions
            where municipality is not null
            group by organisation_name, municipality
            qualify row_number() over (
                partition by organisation_name order by count(*) desc, municipality) = 1
        )

        select
            names.organisation_name as name,
            names.mentions,
            rors.ror_id,
            types.declared_type,
            places.municipality
        from names
        left join rors using (organisation_name)
        left join types using (organisation_name)
        left join places using (organisation_name)
        order by names.organisation_name
        """,
    )
    mentions = [Mention(**row) for row in relation_rows(spellings)]
    resolutions, organisations = Resolver(reference).resolve(mentions)
    by_key = {organisation.key: organisation for organisation in organisations}
    counts = {mention.name: mention.mentions for mention in mentions}
    records = []
    for resolution in resolutions:
        organisation = by_key[resolution.organisation_key]
        records.append(
            {
                "organisation_name": resolution.name,
                "organisation_key": resolution.organisation_key,
                "resolution_rule": resolution.rule,
                "reading": resolution.reading,
                "match_score": resolution.score,
                "matched_name": resolution.matched_name,
                "review_status": resolution.review_status,
                "candidate_key": resolution.candidate_key,
                "candidate_name": resolution.candidate_name,
                "candidate_score": resolution.candidate_score,
                "candidate_is_in_reference": resolution.candidate_in_reference,
                "evidence": resolution.evidence,
                "mentions": counts[resolution.name],
                "canonical_name": organisation.name,
                "is_in_reference": organisation.entry is not None,
                "ror_id": organisation.ror_id,
                "organisation_type": organisation.organisation_type,
                "type_source": organisation.type_source,
                "category": organisation.category,
                "municipality": organisation.municipality,
                "province": organisation.province,
                "location_source": organisation.location_source,
            }
        )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS)).astype(COLUMNS)
