-- Per project: how many partners of each type take part, and whether the project joins
-- companies, knowledge institutions and education (the triple helix).
--   company side:    bedrijf
--   knowledge side:  kennisinstelling or wo (research universities)
--   education side:  mbo, hbo or wo
-- A university alone can fill both the knowledge and the education side;
-- is_triple_helix_strict asks for an MBO or HBO school on the education side.
{%- set type_columns = var('partner_type_columns') %}
with projects as (
    select * from {{ ref('fct_project') }}
),

participations as (
    select
        participations.project_key,
        organisations.organisation_type
    from {{ ref('fct_participation') }} as participations
    inner join {{ ref('dim_organisation') }} as organisations
        on participations.organisation_key = organisations.organisation_key
),

counts as (
    select
        project_key,
        count(*) as partner_count,
        {#- Column names are English; the organisation types are the programmes' Dutch codes. #}
        {%- for organisation_type, column in type_columns.items() %}
        count(*) filter (where organisation_type = '{{ organisation_type }}')
            as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from participations
    group by project_key
)

select
    projects.project_key,
    projects.programme,
    projects.call_round,
    projects.title,
    projects.is_learning_community,
    coalesce(counts.partner_count, 0) as partner_count,
    {%- for column in type_columns.values() %}
    coalesce(counts.{{ column }}, 0) as {{ column }},
    {%- endfor %}
    coalesce(counts.company_count, 0) > 0 as has_company,
    coalesce(counts.knowledge_institution_count + counts.wo_count, 0) > 0 as has_knowledge_institution,
    coalesce(counts.mbo_count + counts.hbo_count + counts.wo_count, 0) > 0 as has_education,
    coalesce(counts.mbo_count, 0) > 0 as has_mbo,
    coalesce(counts.hbo_count, 0) > 0 as has_hbo,
    coalesce(counts.wo_count, 0) > 0 as has_wo,
    coalesce(
        counts.company_count > 0
        and counts.knowledge_institution_count + counts.wo_count > 0
        and counts.mbo_count + counts.hbo_count + counts.wo_count > 0,
        false
    ) as is_triple_helix,
    -- The stricter reading: the education side filled by an MBO or HBO school.
    coalesce(
        counts.company_count > 0
        and counts.knowledge_institution_count + counts.wo_count > 0
        and counts.mbo_count + counts.hbo_count > 0,
        false
    ) as is_triple_helix_strict
from projects
left join counts on projects.project_key = counts.project_key
