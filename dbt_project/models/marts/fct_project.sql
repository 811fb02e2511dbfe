-- One row per funded project across programmes (so far: NWOpen's KIC and GroenvermogenNL calls).
with nwopen as (
    select * from {{ ref('int_nwopen__projects_with_leads') }}
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
