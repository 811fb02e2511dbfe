-- Partners of the current MOOI LC supplements: latest pull of the register, renamed.
with source as (
    {{ accepted_rows('mooi_register', 'mooi_register_partners') }}
)

select
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
