-- One row per programme: its projects, Learning Communities (and how many of them work on the
-- energy transition), organisations, known subsidy, the LCs' partner mix and triple helix, and
-- the LCs' reach. No total row: a total over programmes is a sum a BI tool makes (organisation
-- counts overlap between programmes, so they do not add up).
-- Each figure is taken from the mart that defines it, not counted again: reach from
-- mart_reach, partner mix from mart_partner_mix; the LC counts of all three agree because
-- each has one row per fct_project LC.
-- Quarantined records are left out: NWOpen feeds both KIC and GroenvermogenNL, and a record
-- set aside never reaches the call that would tell its programme (see mart_quarantine).
{#- lc_<type>_share per count column of mart_partner_mix (var partner_type_columns). #}
{%- set type_columns = [] %}
{%- for column in var('partner_type_columns').values() %}
    {%- do type_columns.append(column[:-6]) %}
{%- endfor %}
with programmes as (
    select programme from {{ ref('dim_programme') }}
),

projects as (
    select
        *,
        -- The energy monitor's LCs: KIC LCs of the energy context, and every GroenvermogenNL
        -- and MOOI LC (energy by programme; fct_project.kic_context says so).
        is_learning_community and kic_context = 'energie' as is_energy_lc
    from {{ ref('fct_project') }}
),

participations as (
    select project_key, organisation_key, programme, is_learning_community
    from {{ ref('fct_participation') }}
),

project_totals as (
    select
        programme,
        count(*) as project_count,
        count(*) filter (where is_learning_community) as lc_count,
        count(*) filter (where is_energy_lc) as energy_lc_count,
        count(subsidy_eur) as projects_with_subsidy_count,
        cast(sum(subsidy_eur) as decimal(18, 2)) as total_subsidy_eur,
        cast(sum(subsidy_eur) filter (where is_learning_community) as decimal(18, 2))
            as lc_total_subsidy_eur,
        cast(sum(subsidy_eur) filter (where is_energy_lc) as decimal(18, 2))
            as energy_lc_total_subsidy_eur
    from projects
    group by programme
),

-- mart_reach has a row per programme and round: its sums and counts add up over rounds.
reach_totals as (
    select
        programme,
        cast(sum(students_reached) as bigint) as students_reached,
        cast(sum(professionals_reached) as bigint) as professionals_reached,
        cast(sum(teachers_reached) as bigint) as teachers_reached,
        cast(sum(lc_reporting_students_count) as bigint) as lc_reporting_students_count,
        cast(sum(lc_reporting_professionals_count) as bigint)
            as lc_reporting_professionals_count,
        cast(sum(lc_reporting_teachers_count) as bigint) as lc_reporting_teachers_count
    from {{ ref('mart_reach') }}
    group by programme
),

-- The LCs' partnerships (one per LC and organisation) by organisation type, as shares.
mix_totals as (
    select
        programme,
        cast(sum(partner_count) as bigint) as lc_partnership_count,
        {%- for column in type_columns %}
        cast(sum({{ column }}_count) / nullif(sum(partner_count), 0) as double)
            as lc_{{ column }}_share,
        {%- endfor %}
        count(*) filter (where is_triple_helix) as triple_helix_lc_count,
        cast(count(*) filter (where is_triple_helix) / count(*) as double) as triple_helix_share
    from {{ ref('mart_partner_mix') }}
    where is_learning_community
    group by programme
),

organisation_totals as (
    select
        programme,
        count(distinct organisation_key) as organisation_count,
        count(distinct organisation_key) filter (where is_learning_community)
            as lc_organisation_count
    from participations
    group by programme
)

select
    programmes.programme,
    coalesce(project_totals.project_count, 0) as project_count,
    coalesce(project_totals.lc_count, 0) as lc_count,
    coalesce(project_totals.energy_lc_count, 0) as energy_lc_count,
    coalesce(organisation_totals.organisation_count, 0) as organisation_count,
    coalesce(organisation_totals.lc_organisation_count, 0) as lc_organisation_count,
    coalesce(project_totals.projects_with_subsidy_count, 0) as projects_with_subsidy_count,
    project_totals.total_subsidy_eur,
    project_totals.lc_total_subsidy_eur,
    project_totals.energy_lc_total_subsidy_eur,
    reach_totals.students_reached,
    reach_totals.professionals_reached,
    reach_totals.teachers_reached,
    coalesce(reach_totals.lc_reporting_students_count, 0) as lc_reporting_students_count,
    coalesce(reach_totals.lc_reporting_professionals_count, 0)
        as lc_reporting_professionals_count,
    coalesce(reach_totals.lc_reporting_teachers_count, 0) as lc_reporting_teachers_count,
    coalesce(mix_totals.lc_partnership_count, 0) as lc_partnership_count,
    {%- for column in type_columns %}
    mix_totals.lc_{{ column }}_share,
    {%- endfor %}
    coalesce(mix_totals.triple_helix_lc_count, 0) as triple_helix_lc_count,
    mix_totals.triple_helix_share
from programmes
left join project_totals on programmes.programme = project_totals.programme
left join reach_totals on programmes.programme = reach_totals.programme
left join mix_totals on programmes.programme = mix_totals.programme
left join organisation_totals on programmes.programme = organisation_totals.programme
