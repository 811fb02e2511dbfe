-- How far each evaluators' indicator of fct_project is filled, per programme: for all projects
-- and for the Learning Communities among them. One row per indicator and programme; the
-- indicators and their sources are listed in docs/marts.md.
with projects as (
    select * from {{ ref('fct_project') }}
),

flags as (
    select
        programme,
        is_learning_community,
        subsidy_eur is not null as subsidy_eur,
        budget_eur is not null as budget_eur,
        cofinancing_share is not null as cofinancing_share,
        tki is not null as tki,
        mission is not null as mission,
        lc_municipality is not null as lc_municipality,
        lc_province is not null as lc_province,
        coalesce(kic_context <> 'onbekend', false) as kic_context,
        related_project_key is not null as related_project_key,
        duration_months is not null as duration_months,
        students_reached is not null as students_reached,
        professionals_reached is not null as professionals_reached,
        teachers_reached is not null as teachers_reached
    from projects
),

filled as (
    unpivot flags
    on columns(* exclude (programme, is_learning_community))
    into name indicator value is_filled
)

select
    indicator,
    programme,
    count(*) as project_count,
    count(*) filter (where is_filled) as filled_project_count,
    count(*) filter (where is_learning_community) as lc_count,
    count(*) filter (where is_learning_community and is_filled) as filled_lc_count
from filled
group by all
