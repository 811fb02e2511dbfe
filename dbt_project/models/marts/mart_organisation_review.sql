-- The review queue of organisation resolution: every name merged by a fuzzy match below
-- certainty, every near miss that was not merged, and every organisation not in the
-- reference seeds, most mentioned first. An analyst confirms a match by adding the row in
-- `suggested_seed_row` to seeds/organisation_aliases.csv, or describes a new organisation by
-- adding it to seeds/organisations.csv (docs/organisations.md).
with variants as (
    select * from {{ ref('int_organisations__name_variants') }}
),

sources as (
    select
        organisation_name,
        string_agg(distinct source_system, ',' order by source_system) as source_systems
    from {{ ref('int_participations__unioned') }}
    group by organisation_name
)

select
    variants.organisation_name,
    variants.review_status,
    variants.mentions,
    sources.source_systems,
    variants.organisation_key,
    variants.canonical_name as resolved_to,
    variants.resolution_rule,
    variants.match_score,
    variants.candidate_key,
    variants.candidate_name,
    variants.candidate_is_in_reference,
    variants.candidate_score,
    variants.evidence,
    variants.organisation_type,
    variants.type_source,
    variants.province,
    case
        -- A candidate of the reference: one alias row confirms the match.
        when variants.candidate_is_in_reference
            then 'organisation_aliases.csv: "' || replace(variants.organisation_name, '"', '""')
                || '","' || replace(variants.candidate_name, '"', '""') || '",reviewed'
        -- Otherwise the organisation itself belongs in the reference.
        else 'organisations.csv: "' || replace(variants.canonical_name, '"', '""') || '",'
            || case when variants.organisation_type = 'onbekend' then '<type>'
                else variants.organisation_type end
            || ',<category>,' || coalesce(variants.municipality, '<place>') || ',,<source>'
    end as suggested_seed_row
from variants
left join sources on variants.organisation_name = sources.organisation_name
where variants.review_status is not null
    or not variants.is_in_reference
order by variants.mentions desc, variants.organisation_name
