-- Per programme, round (year) and mission: projects, Learning Communities, subsidy and the
-- organisations taking part. Mission is fct_project's: null where the programme has no
-- missions (KIC, GroenvermogenNL), `onbekend` for a MOOI project without one.
with projects as (
    select
        *,
        mission as mission_group
    from {{ ref('fct_project') }}
),

participations as (
    select project_key, organisation_key
    from {{ ref('fct_participation') }}
),

organisations as (
    select
        projects.programme,
        projects.call_round,
        projects.mission_group,
        count(distinct participations.organisation_key) as organisation_count,
        count(distinct participations.organisation_key)
            filter (where projects.is_learning_community) as lc_organisation_count
    from projects
    inner join participations on projects.project_key = participations.project_key
    group by all
),

totals as (
    select
        programme,
        call_round,
        mission_group,
        count(*) as project_count,
        count(*) filter (where is_learning_community) as lc_count,
        -- Energy LCs: fct_project.kic_context (every GroenvermogenNL and MOOI LC is energie).
        count(*) filter (where is_learning_community and kic_context = 'energie')
            as energy_lc_count,
        count(subsidy_eur) as projects_with_subsidy_count,
        cast(sum(subsidy_eur) as decimal(18, 2)) as total_subsidy_eur,
        cast(median(subsidy_eur) as decimal(18, 2)) as median_subsidy_eur,
        cast(sum(subsidy_eur) filter (where is_learning_community) as decimal(18, 2))
            as lc_total_subsidy_eur
    from projects
    group by all
)

select
    totals.programme,
    totals.call_round,
    totals.mission_group as mission,
    totals.project_count,
    totals.lc_count,
    totals.energy_lc_count,
    totals.projects_with_subsidy_count,
    totals.total_subsidy_eur,
    totals.median_subsidy_eur,
    totals.lc_total_subsidy_eur,
    coalesce(organisations.organisation_count, 0) as organisation_count,
    coalesce(organisations.lc_organisation_count, 0) as lc_organisation_count
from totals
left join organisations
    on totals.programme = organisations.programme
    and totals.call_round is not distinct from organisations.call_round
    and totals.mission_group is not distinct from organisations.mission_group
