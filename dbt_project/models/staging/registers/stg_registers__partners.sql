-- Partners of the current Learning Communities of every register: latest pull of each, renamed.
with source as (
    {{ registers_accepted_rows('partners') }}
)

select
    source.source_system,
    source.register_id || '|' || source.partner_seq as register_partner_key,
    source.register_id,
    source.partner_seq,
    source.organisation as organisation_name,
    source.organisation_type,
    source.role,
    source.role = 'penvoerder' as is_lead,
    source.municipality,
    source.postcode,
    source.source_row,
    source._snapshot_id as snapshot_id
from source
