-- When each project was first and last seen in its source, over every pull kept in the raw
-- tables (a project missing from the latest pull keeps its last-seen date).
with sightings as (
    select 'nwopen:' || nwopen_project_key as project_key, loaded_at
    from {{ ref('stg_nwopen__project_sightings') }}
    union all
    select 'tse:' || grant_number, loaded_at
    from {{ ref('stg_tse__project_sightings') }}
    union all
    select source_system || ':' || register_id, loaded_at
    from {{ ref('stg_registers__project_sightings') }}
)

select
    project_key,
    min(loaded_at) as first_seen_at,
    max(loaded_at) as last_seen_at,
    count(*) as times_seen
from sightings
group by project_key
