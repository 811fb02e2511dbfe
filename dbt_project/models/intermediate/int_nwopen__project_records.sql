-- Every NWOpen record of a followed call, and the project it belongs to. NWO sometimes lists
-- one project twice in the same call under two funding scheme ids (a re-coded scheme): same
-- file number, same grant. Those records are one project, kept under the key of the record
-- with the lowest scheme id; the other record's members take part in it too. The same file
-- number under calls of different programmes stays two projects (one per programme).
with projects as (
    select * from {{ ref('stg_nwopen__projects') }}
)

select
    nwopen_project_key as nwopen_record_key,
    file_number,
    funding_scheme_id,
    call_id,
    first_value(nwopen_project_key) over same_project as nwopen_project_key,
    row_number() over same_project = 1 as is_primary_record,
    count(*) over (partition by file_number, call_id) as record_count
from projects
where call_id is not null
window same_project as (
    partition by file_number, call_id
    order by try_cast(funding_scheme_id as integer), funding_scheme_id
)
