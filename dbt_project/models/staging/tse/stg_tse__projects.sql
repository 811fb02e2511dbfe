-- Current MOOI projects from the Topsector Energie project database: the latest accepted
-- crawl without the records set aside, renamed.
with source as (
    {{ accepted_rows('tse', 'tse_projects') }}
)

select
    source.grant_number,
    source.tse_id as tse_page_id,
    source.title,
    source.scheme as scheme_name,
    source.call_id,
    source.call_round,
    source.mission,
    source.lead_applicant as lead_organisation_name,
    source.start_date,
    source.end_date,
    source.subsidy_eur,
    source.project_budget_eur,
    source.tki,
    source.website as website_url,
    source.page_url,
    source.partner_count,
    source._snapshot_id as snapshot_id,
    source._loaded_at as loaded_at
from source
