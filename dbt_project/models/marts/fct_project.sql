-- One row per funded project per programme: NWOpen's KIC and GroenvermogenNL calls, the
-- MOOI projects of the Topsector Energie database, and the registers' Learning Communities
-- that no other source carries (MOOI LC supplements; regional LCs without an NWO grant).
with nwopen as (
    select * from {{ ref('int_nwopen__projects_with_leads') }}
),

mooi as (
    select * from {{ ref('int_tse__projects_with_calls') }}
),

register_lcs as (
    select * from {{ ref('int_registers__learning_communities') }}
    where not is_in_nwopen
)

select
    'nwopen:' || nwopen_project_key as project_key,
    programme,
    'nwopen' as source_system,
    file_number as source_project_id,
    funding_scheme_id as source_scheme_id,
    title,
    call_id,
    call_name,
    call_round,
    start_date,
    end_date,
    lead_organisation,
    is_learning_community,
    snapshot_id
from nwopen

union all

select
    'tse:' || grant_number as project_key,
    programme,
    'tse' as source_system,
    grant_number as source_project_id,
    null as source_scheme_id,
    title,
    call_id,
    call_name,
    call_round,
    start_date,
    end_date,
    lead_organisation,
    -- A MOOI consortium is not itself a Learning Community; its 2024 LC supplements are.
    false as is_learning_community,
    snapshot_id
from mooi

union all

select
    register_lc_key as project_key,
    programme,
    source_system,
    register_id as source_project_id,
    null as source_scheme_id,
    lc_name as title,
    call_id,
    call_name,
    call_round,
    start_date,
    end_date,
    lead_organisation,
    true as is_learning_community,
    snapshot_id
from register_lcs
