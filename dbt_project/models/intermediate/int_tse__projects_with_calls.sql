-- MOOI projects from the Topsector Energie database with the round they belong to.
with projects as (
    select * from {{ ref('stg_tse__projects') }}
),

rounds as (
    -- One MOOI round per year (2021 is the SIGOHE extra opening).
    select * from {{ ref('programme_calls') }}
    where source_system = 'tse'
)

select
    projects.grant_number,
    projects.tse_page_id,
    rounds.call_id,
    rounds.programme,
    projects.call_round,
    rounds.funding_scheme as call_name,
    projects.mission,
    projects.title,
    projects.start_date,
    projects.end_date,
    projects.subsidy_eur,
    projects.lead_organisation_name as lead_organisation,
    projects.page_url,
    projects.snapshot_id
from projects
left join rounds on projects.call_round = rounds.call_round
