-- One row per funded project per programme, with its status on the run date, its lead
-- organisation (resolved) and when the monitor first and last saw it.
{%- set run_date = var('run_date', none) %}
with projects as (
    select * from {{ ref('int_projects__unioned') }}
),

variants as (
    select organisation_name, organisation_key
    from {{ ref('int_organisations__name_variants') }}
),

organisations as (
    select organisation_key, organisation_name, municipality, province
    from {{ ref('dim_organisation') }}
),

indicators as (
    select * from {{ ref('int_projects__indicators') }}
),

programmes as (
    select programme, has_missions, has_tki from {{ ref('programmes') }}
),

partners as (
    select mentions.project_key, count(distinct variants.organisation_key) as partner_count
    from {{ ref('int_participations__unioned') }} as mentions
    inner join variants on mentions.organisation_name = variants.organisation_name
    group by mentions.project_key
),

seen as (
    select * from {{ ref('int_projects__seen_dates') }}
),

run as (
    -- The date statuses refer to: the `run_date` var (tests pin it), else today.
    select
        {% if run_date %}cast('{{ run_date }}' as date){% else %}current_date{% endif %}
            as status_date
)

select
    projects.project_key,
    projects.programme,
    projects.source_system,
    projects.source_project_id,
    projects.source_scheme_id,
    projects.title,
    projects.call_id,
    projects.call_name,
    projects.call_round,
    -- A MOOI LC supplement works under its consortium's mission (as under its TKI).
    {{ applicable_category('coalesce(projects.mission, consortium.mission)',
        'programmes.has_missions') }} as mission,
    projects.start_date,
    projects.end_date,
    case
        when projects.start_date is null then 'onbekend'
        when projects.start_date > run.status_date then 'gepland'
        when projects.end_date < run.status_date then 'afgelopen'
        else 'lopend'
    end as status,
    run.status_date,
    cast(projects.subsidy_eur as decimal(18, 2)) as subsidy_eur,
    projects.subsidy_source,
    variants.organisation_key as lead_organisation_key,
    organisations.organisation_name as lead_organisation_name,
    projects.lead_source,
    projects.is_learning_community,
    coalesce(partners.partner_count, 0) as partner_count,
    projects.source_url,
    cast(seen.first_seen_at as date) as first_seen_date,
    cast(seen.last_seen_at as date) as last_seen_date,
    projects.snapshot_id,
    -- The evaluators' indicators (int_projects__indicators; docs/marts.md says where each
    -- comes from). The LC's own place is the register's only; its penvoerder's head office
    -- is a different fact, in lead_municipality and lead_province.
    indicators.lc_region,
    indicators.lc_municipality,
    coalesce(indicators.lc_province, 'onbekend') as lc_province,
    indicators.lc_location_source,
    organisations.municipality as lead_municipality,
    coalesce(organisations.province, 'onbekend') as lead_province,
    indicators.budget_eur,
    -- Null when the subsidy exceeds the budget (flagged: subsidy_within_project_budget).
    case
        when indicators.budget_eur > 0 and projects.subsidy_eur <= indicators.budget_eur
            then cast(round(
                (indicators.budget_eur - projects.subsidy_eur) / indicators.budget_eur, 4
            ) as double)
    end as cofinancing_share,
    {{ applicable_category('indicators.tki', 'programmes.has_tki') }} as tki,
    indicators.kic_context,
    indicators.kic_context_source,
    indicators.related_project_key,
    {{ duration_months('projects.start_date', 'projects.end_date') }} as duration_months,
    indicators.students_reached,
    indicators.professionals_reached,
    indicators.teachers_reached,
    indicators.reach_source
from projects
cross join run
left join variants on projects.lead_organisation = variants.organisation_name
left join organisations on variants.organisation_key = organisations.organisation_key
left join partners on projects.project_key = partners.project_key
left join seen on projects.project_key = seen.project_key
left join indicators on projects.project_key = indicators.project_key
left join projects as consortium on indicators.related_project_key = consortium.project_key
left join programmes on projects.programme = programmes.programme
