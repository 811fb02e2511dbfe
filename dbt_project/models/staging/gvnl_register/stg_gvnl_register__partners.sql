-- Partners of the current GroenvermogenNL regional LCs: latest pull of the register, renamed.
with source as (
    {{ accepted_rows('gvnl_register', 'gvnl_register_partners') }}
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
