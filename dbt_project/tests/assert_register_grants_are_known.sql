-- A register LC that names a grant the source it points at does not carry (NWOpen for
-- GroenvermogenNL, the Topsector Energie database for MOOI): flagged in mart_quarantine, not
-- counted twice. A warning listing the grants: check the register or the source.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_registers__learning_communities'}}}) }}
select source_system, register_id, related_grant
from {{ ref('int_registers__learning_communities') }}
where not related_grant_found
