-- Per province (and `onbekend` for organisations whose location is not known): the
-- organisations located there, the projects and Learning Communities they take part in, and
-- subsidy, and the LCs located there by their own register-given place (lc_located_count).
-- A project with partners in several provinces counts in each of them, so
-- `involved_subsidy_eur` overlaps between provinces; `led_subsidy_eur` counts each project
-- once, in its lead organisation's province, and adds up to the total of the projects whose
-- lead is known.
with provinces as (
    select province, province_code from {{ ref('provinces') }}
    union all
    select 'onbekend', null
),

organisations as (
    select organisation_key, coalesce(province, 'onbekend') as province
    from {{ ref('dim_organisation') }}
),

participations as (
    select
        participations.project_key,
        participations.is_lead,
        organisations.province
    from {{ ref('fct_participation') }} as participations
    inner join organisations on participations.organisation_key = organisations.organisation_key
),

projects as (
    select project_key, is_learning_community, subsidy_eur
    from {{ ref('fct_project') }}
),

involved as (
    select distinct participations.province, projects.*
    from participations
    inner join projects on participations.project_key = projects.project_key
),

led as (
    select participations.province, projects.*
    from participations
    inner join projects on participations.project_key = projects.project_key
    where participations.is_lead
),

organisation_counts as (
    select province, count(*) as organisation_count
    from organisations
    group by province
),

involved_totals as (
    select
        province,
        count(*) as project_count,
        count(*) filter (where is_learning_community) as lc_count,
        cast(sum(subsidy_eur) as decimal(18, 2)) as involved_subsidy_eur
    from involved
    group by province
),

-- Where the LCs themselves are, by the register's lc_province ('onbekend' when none gives it).
located_totals as (
    select lc_province as province, count(*) as lc_located_count
    from {{ ref('fct_project') }}
    where is_learning_community
    group by lc_province
),

led_totals as (
    select
        province,
        count(*) as led_project_count,
        cast(sum(subsidy_eur) as decimal(18, 2)) as led_subsidy_eur
    from led
    group by province
)

select
    provinces.province,
    provinces.province_code,
    coalesce(organisation_counts.organisation_count, 0) as organisation_count,
    coalesce(involved_totals.project_count, 0) as project_count,
    coalesce(involved_totals.lc_count, 0) as lc_count,
    coalesce(located_totals.lc_located_count, 0) as lc_located_count,
    coalesce(led_totals.led_project_count, 0) as led_project_count,
    involved_totals.involved_subsidy_eur,
    led_totals.led_subsidy_eur
from provinces
left join organisation_counts on provinces.province = organisation_counts.province
left join involved_totals on provinces.province = involved_totals.province
left join located_totals on provinces.province = located_totals.province
left join led_totals on provinces.province = led_totals.province
