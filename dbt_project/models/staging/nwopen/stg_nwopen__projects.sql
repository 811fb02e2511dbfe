-- Current NWOpen projects: the latest accepted snapshot without the records set aside,
-- renamed and keyed.
with source as (
    {{ accepted_rows('nwopen', 'nwopen_projects') }}
)

select
    source.project_id || '|' || source.funding_scheme_id as nwopen_project_key,
    source.project_id as file_number,
    source.funding_scheme_id,
    source.funding_scheme as funding_scheme_name,
    source.call_id,
    source.grant_id as grant_doi,
    source.parent_project_id as parent_file_number,
    source.title,
    source.department,
    source.sub_department,
    source.summary_nl,
    source.summary_en,
    source.start_date,
    source.end_date,
    source.award_amount as award_amount_eur,
    source.reporting_year,
    source.member_count,
    source._snapshot_id as snapshot_id,
    source._loaded_at as loaded_at
from source
