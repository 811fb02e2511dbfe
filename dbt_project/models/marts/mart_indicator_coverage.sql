-- How far each evaluators' indicator of fct_project is filled, per programme: for all projects
-- and for the Learning Communities among them. One row per indicator and programme; the
-- indicators and their sources are listed in docs/marts.md. A category counts when known (not
-- 'onbekend'); the LC's location counts from a register only (fct_project.lc_location_source),
-- never the penvoerder's head office. An indicator that does not apply to a programme (mission
-- and TKI outside MOOI, the context of a one-context programme: seed programmes) has no row.
with projects as (
    select projects.*, programmes.has_missions, programmes.has_tki,
        {{ programme_context('programmes.context') }} is null as has_project_context
    from {{ ref('fct_project') }} as projects
    inner join {{ ref('programmes') }} as programmes
        on projects.programme = programmes.programme
),

flags as (
    select
        programme,
        is_learning_community,
        subsidy_eur is not null as subsidy_eur,
        budget_eur is not null as budget_eur,
        cofinancing_share is not null as cofinancing_share,
        -- Null where it does not apply: UNPIVOT leaves those out.
        case when has_tki then coalesce(tki <> 'onbekend', false) end as tki,
        case when has_missions then coalesce(mission <> 'onbekend', false) end as mission,
        lc_location_source is not null and lc_municipality is not null as lc_municipality,
        lc_location_source is not null and coalesce(lc_province <> 'onbekend', false)
            as lc_province,
        case when has_project_context then coalesce(kic_context <> 'onbekend', false) end
            as kic_context,
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
