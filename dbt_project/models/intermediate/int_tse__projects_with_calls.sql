-- MOOI projects from the Topsector Energie database with the round they belong to and their
-- mission under one name across rounds (seed mooi_missions).
with projects as (
    select * from {{ ref('stg_tse__projects') }}
),

rounds as (
    -- One MOOI round per year (2021 is the SIGOHE extra opening); the connector matched it.
    select * from {{ ref('programme_calls') }}
    where source_system = 'tse'
),

missions as (
    select * from {{ ref('mooi_missions') }}
)

select
    projects.grant_number,
    projects.tse_page_id,
    rounds.call_id,
    -- The connector keeps MOOI pages only; a round missing from the seed leaves call_id null
    -- (flagged known_call in the quarantine) but not the programme.
    coalesce(rounds.programme, 'MOOI') as programme,
    projects.call_round,
    rounds.funding_scheme as call_name,
    coalesce(missions.mission, projects.mission) as mission,
    projects.mission as mission_as_written,
    projects.title,
    projects.start_date,
    projects.end_date,
    projects.subsidy_eur,
    projects.lead_organisation_name as lead_organisation,
    projects.page_url,
    projects.snapshot_id
from projects
left join rounds on projects.call_id = rounds.call_id
left join missions on projects.mission = missions.mission_as_written
