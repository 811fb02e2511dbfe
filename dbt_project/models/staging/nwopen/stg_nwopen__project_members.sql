-- Members of the current NWOpen projects: the latest accepted snapshot without the records
-- set aside, renamed and keyed.
with source as (
    {{ accepted_rows('nwopen', 'nwopen_project_members') }}
)

select
    source.project_id || '|' || source.funding_scheme_id || '|' || source.member_position
        as nwopen_member_key,
    source.project_id || '|' || source.funding_scheme_id as nwopen_project_key,
    source.member_position,
    source.member_id,
    source.role as role_raw,
    source.role_normalised as role,
    source.is_lead,
    source.first_name,
    source.initials,
    source.prefix,
    source.last_name,
    source.orcid,
    source.organisation as organisation_path,
    source.organisation_top as organisation_name,
    source.organisation_id,
    source.ror as ror_id,
    source.active as is_active,
    source._snapshot_id as snapshot_id
from source
