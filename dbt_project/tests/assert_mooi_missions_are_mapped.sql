-- Every MOOI mission a project page gives is in the seed mooi_missions; otherwise the mission
-- is kept as written and the overview splits it from the same mission of other rounds.
-- A warning: add the spelling to seeds/mooi_missions.csv.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_tse__projects_with_calls'}}}) }}
select distinct projects.mission
from {{ ref('stg_tse__projects') }} as projects
left join {{ ref('mooi_missions') }} as missions
    on projects.mission = missions.mission_as_written
where projects.mission is not null and missions.mission_as_written is null
