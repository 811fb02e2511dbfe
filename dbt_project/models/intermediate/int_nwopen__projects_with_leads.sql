-- NWOpen projects with their call's programme and round (from the call catalogue, by the
-- call_id the connector matched on the scheme's name) and their lead organisation: one row
-- per project, from its primary record (see int_nwopen__project_records).
with records as (
    select * from {{ ref('int_nwopen__project_records') }}
    where is_primary_record
),

projects as (
    select projects.*, records.record_count
    from {{ ref('stg_nwopen__projects') }} as projects
    inner join records on projects.nwopen_project_key = records.nwopen_record_key
),

calls as (
    select * from {{ ref('programme_calls') }}
),

leads as (
    -- The connector marks exactly one lead per project with members (see parse.py).
    select nwopen_project_key, organisation_name
    from {{ ref('stg_nwopen__project_members') }}
    where is_lead
)

select
    projects.nwopen_project_key,
    projects.file_number,
    projects.funding_scheme_id,
    calls.call_id,
    calls.programme,
    calls.call_round,
    calls.funding_scheme as call_name,
    calls.is_learning_community,
    projects.title,
    projects.start_date,
    projects.end_date,
    projects.award_amount_eur,
    projects.grant_doi,
    projects.record_count,
    leads.organisation_name as lead_organisation,
    projects.snapshot_id
from projects
inner join calls on projects.call_id = calls.call_id
left join leads on projects.nwopen_project_key = leads.nwopen_project_key
