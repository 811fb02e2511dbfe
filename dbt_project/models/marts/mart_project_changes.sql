-- Per run: the projects that were added (nieuw), removed (verdwenen) or changed (gewijzigd),
-- and which fields changed (a LIST).
-- Built from the type-2 snapshots; every row of one run carries the run's start time.
-- A change of partners (an organisation joining or leaving, or a new penvoerder) is a
-- change of the field `partners` of the project.
-- In the `marts` schema for BI tools, but in the Dagster group `history`: it reads the
-- snapshots, which read the marts, so the groups' lineage runs marts -> history.
{{ config(meta={'dagster': {'group': 'history'}}) }}
{%- set tracked = var('tracked_project_columns') %}
with project_versions as (
    select
        *,
        dbt_is_deleted = 'True' as is_deletion,
        lag(dbt_is_deleted = 'True') over versions as previous_is_deletion,
        row_number() over versions as version_number,
        {%- for column in tracked %}
        lag({{ column }}) over versions as previous_{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('snap_projects') }}
    window versions as (partition by project_key order by dbt_valid_from)
),

project_events as (
    select
        dbt_valid_from as run_started_at,
        project_key,
        programme,
        title,
        case
            when is_deletion then 'verdwenen'
            when version_number = 1 or previous_is_deletion then 'nieuw'
            else 'gewijzigd'
        end as change_type,
        list_filter([
            {%- for column in tracked %}
            case
                when not is_deletion and version_number > 1 and not previous_is_deletion
                    and {{ column }} is distinct from previous_{{ column }}
                    then '{{ column }}'
            end{{ ',' if not loop.last }}
            {%- endfor %}
        ], lambda field: field is not null) as changed_fields
    from project_versions
),

participation_versions as (
    select
        dbt_valid_from as run_started_at,
        project_key,
        dbt_is_deleted = 'True' as is_deletion,
        row_number() over (partition by participation_key order by dbt_valid_from)
            as version_number,
        lag(dbt_is_deleted = 'True') over (
            partition by participation_key order by dbt_valid_from
        ) as previous_is_deletion
    from {{ ref('snap_participations') }}
),

partner_changes as (
    select
        run_started_at,
        project_key,
        count(*) filter (where not is_deletion and (version_number = 1 or previous_is_deletion))
            as partners_joined,
        count(*) filter (where is_deletion) as partners_left,
        count(*) filter (where not is_deletion and version_number > 1 and not previous_is_deletion)
            as partner_roles_changed
    from participation_versions
    group by run_started_at, project_key
),

-- The latest known title and programme of each project, for partner-only changes.
projects as (
    select project_key, programme, title
    from {{ ref('snap_projects') }}
    qualify row_number() over (partition by project_key order by dbt_valid_from desc) = 1
),

events as (
    select
        coalesce(project_events.run_started_at, partner_changes.run_started_at) as run_started_at,
        coalesce(project_events.project_key, partner_changes.project_key) as project_key,
        project_events.change_type,
        project_events.changed_fields,
        coalesce(partner_changes.partners_joined, 0) as partners_joined,
        coalesce(partner_changes.partners_left, 0) as partners_left,
        coalesce(partner_changes.partner_roles_changed, 0) as partner_roles_changed
    from project_events
    full outer join partner_changes
        on project_events.run_started_at = partner_changes.run_started_at
        and project_events.project_key = partner_changes.project_key
)

select
    events.run_started_at,
    dense_rank() over (order by events.run_started_at) as run_number,
    events.project_key,
    projects.programme,
    projects.title,
    coalesce(events.change_type, 'gewijzigd') as change_type,
    -- Sorted, so a reader compares lists, not the order the fields are tracked in.
    nullif(
        list_sort(list_concat(
            coalesce(events.changed_fields, []),
            case
                when coalesce(events.change_type, 'gewijzigd') = 'gewijzigd'
                    and events.partners_joined + events.partners_left
                    + events.partner_roles_changed > 0
                    then ['partners']
                else []
            end
        )),
        []
    ) as changed_fields,
    events.partners_joined,
    events.partners_left,
    events.partner_roles_changed
from events
left join projects on events.project_key = projects.project_key
-- A project version that differs only in untracked columns is not a change.
where not (
    coalesce(events.change_type, 'gewijzigd') = 'gewijzigd'
    and coalesce(len(events.changed_fields), 0) = 0
    and events.partners_joined + events.partners_left + events.partner_roles_changed = 0
)
