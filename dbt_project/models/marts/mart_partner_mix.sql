-- Per project: how many partners of each type take part, and whether the project joins
-- companies, knowledge institutions and education (the triple helix).
--   company side:    bedrijf
--   knowledge side:  kennisinstelling or wo (research universities)
--   education side:  mbo, hbo or wo
-- A university alone can fill both the knowledge and the education side;
-- is_triple_helix_strict asks for an MBO or HBO school on the education side.
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
        {%- for organisation_type in ['bedrijf', 'kennisinstelling', 'mbo', 'hbo', 'wo', 'overheid', 'overig', 'onbekend'] %}
        count(*) filter (where organisation_type = '{{ organisation_type }}')
            as {{ organisation_type }}_count{{ ',' if not loop.last }}
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
    coalesce(counts.bedrijf_count, 0) as bedrijf_count,
    coalesce(counts.kennisinstelling_count, 0) as kennisinstelling_count,
    coalesce(counts.mbo_count, 0) as mbo_count,
    coalesce(counts.hbo_count, 0) as hbo_count,
    coalesce(counts.wo_count, 0) as wo_count,
    coalesce(counts.overheid_count, 0) as overheid_count,
    coalesce(counts.overig_count, 0) as overig_count,
    coalesce(counts.onbekend_count, 0) as onbekend_count,
    coalesce(counts.bedrijf_count, 0) > 0 as has_company,
    coalesce(counts.kennisinstelling_count + counts.wo_count, 0) > 0 as has_knowledge_institution,
    coalesce(counts.mbo_count + counts.hbo_count + counts.wo_count, 0) > 0 as has_education,
    coalesce(counts.mbo_count, 0) > 0 as has_mbo,
    coalesce(counts.hbo_count, 0) > 0 as has_hbo,
    coalesce(counts.wo_count, 0) > 0 as has_wo,
    coalesce(
        counts.bedrijf_count > 0
        and counts.kennisinstelling_count + counts.wo_count > 0
        and counts.mbo_count + counts.hbo_count + counts.wo_count > 0,
        false
    ) as is_triple_helix,
    -- The stricter reading: the education side filled by an MBO or HBO school.
    coalesce(
        counts.bedrijf_count > 0
        and counts.kennisinstelling_count + counts.wo_count > 0
        and counts.mbo_count + counts.hbo_count > 0,
        false
    ) as is_triple_helix_strict
from projects
left join counts on projects.project_key = counts.project_key
