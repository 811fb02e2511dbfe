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
        list(distinct source_system order by source_system) as source_systems
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
    coalesce(variants.province, 'onbekend') as province,
    case
        -- A merge to confirm, or a near miss held back by its score or its words (a unit or
        -- subsidiary: "Evides Waterbedrijf"): if it is the same, one alias row to the
        -- reference organisation settles it. A near miss of another kind, institution or
        -- place is another organisation.
        when variants.candidate_is_in_reference
            and (
                variants.review_status = 'check_merge'
                or variants.evidence like 'score %'
                or variants.evidence like 'words not in the candidate%'
            )
            then 'organisation_aliases.csv: ' || {{ csv_field('variants.organisation_name') }}
                || ',' || {{ csv_field('variants.candidate_name') }} || ',reviewed'
        -- Otherwise (a guard kept it apart, or no candidate) the organisation itself belongs
        -- in the reference: a row to fill in.
        else 'organisations.csv: ' || {{ csv_field('variants.canonical_name') }} || ','
            || case when variants.organisation_type = 'onbekend' then '<type>'
                else variants.organisation_type end
            || ',<category>,' || coalesce({{ csv_field('variants.municipality') }}, '<place>')
            || ',,<source>'
    end as suggested_seed_row
from variants
left join sources on variants.organisation_name = sources.organisation_name
where variants.review_status is not null
    or not variants.is_in_reference
order by variants.mentions desc, variants.organisation_name
