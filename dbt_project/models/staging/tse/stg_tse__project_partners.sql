-- Organisations on the current MOOI project pages (lead first): the latest accepted crawl
-- without the records set aside, renamed.
with source as (
    {{ accepted_rows('tse', 'tse_project_partners') }}
)

select
    source.tse_id || '|' || source.partner_seq as tse_partner_key,
    source.tse_id as tse_page_id,
    source.partner_seq,
    source.organisation as organisation_name,
    source.is_lead,
    source._snapshot_id as snapshot_id
from source
