-- One row per funded project per programme from every source: NWOpen's KIC and
-- GroenvermogenNL calls (with the GroenvermogenNL register's detail for LCs it also lists),
-- the MOOI projects of the Topsector Energie database, and the registers' Learning
-- Communities that are projects of their own (MOOI LC supplements; regional LCs without an
-- NWO grant). A subsidy of 0 means "not stated" in every source: it becomes null, never 0.
-- The penvoerder: the programme office's register where it names one (it runs the LC),
-- else the project's own source (NWOpen's main applicant, the MOOI page's penvoerder).
with nwopen as (
    select * from {{ ref('int_nwopen__projects_with_leads') }}
),

mooi as (
    select * from {{ ref('int_tse__projects_with_calls') }}
),

register_lcs as (
    select * from {{ ref('int_registers__learning_communities') }}
),

-- A register's detail for an LC NWOpen carries, attached to the NWOpen project its grant
-- number points at (int_registers__learning_communities.nwopen_project_key).
register_detail as (
    select
        register_lcs.nwopen_project_key,
        min(nullif(register_lcs.subsidy_eur, 0)) as subsidy_eur,
        string_agg(distinct register_lcs.source_system, ',')
            filter (where nullif(register_lcs.subsidy_eur, 0) is not null) as subsidy_source,
        -- One register row per grant in practice; min() keeps it deterministic otherwise.
        min(register_lcs.lead_organisation) as lead_organisation,
        min(register_lcs.source_system) filter (where register_lcs.lead_organisation is not null)
            as lead_source
    from register_lcs
    where register_lcs.nwopen_project_key is not null
    group by register_lcs.nwopen_project_key
)

select
    'nwopen:' || nwopen.nwopen_project_key as project_key,
    nwopen.programme,
    'nwopen' as source_system,
    nwopen.file_number as source_project_id,
    nwopen.funding_scheme_id as source_scheme_id,
    nwopen.title,
    nwopen.call_id,
    nwopen.call_name,
    nwopen.call_round,
    cast(null as varchar) as mission,
    nwopen.start_date,
    nwopen.end_date,
    coalesce(nullif(nwopen.award_amount_eur, 0), register_detail.subsidy_eur) as subsidy_eur,
    case
        when nullif(nwopen.award_amount_eur, 0) is not null then 'nwopen'
        else register_detail.subsidy_source
    end as subsidy_source,
    coalesce(register_detail.lead_organisation, nwopen.lead_organisation) as lead_organisation,
    case
        when register_detail.lead_organisation is not null then register_detail.lead_source
        when nwopen.lead_organisation is not null then 'nwopen'
    end as lead_source,
    nwopen.is_learning_community,
    coalesce(
        nwopen.grant_doi,
        'https://nwopen-api.nwo.nl/NWOpen-API/api/Projects?project_id=' || nwopen.file_number
    ) as source_url,
    nwopen.snapshot_id
from nwopen
left join register_detail on nwopen.nwopen_project_key = register_detail.nwopen_project_key

union all

select
    'tse:' || grant_number as project_key,
    programme,
    'tse' as source_system,
    grant_number as source_project_id,
    null as source_scheme_id,
    title,
    call_id,
    call_name,
    call_round,
    mission,
    start_date,
    end_date,
    nullif(subsidy_eur, 0) as subsidy_eur,
    case when nullif(subsidy_eur, 0) is not null then 'tse' end as subsidy_source,
    lead_organisation,
    case when lead_organisation is not null then 'tse' end as lead_source,
    -- A MOOI consortium is not itself a Learning Community; its 2024 LC supplements are.
    false as is_learning_community,
    page_url as source_url,
    snapshot_id
from mooi

union all

select
    register_lc_key as project_key,
    programme,
    source_system,
    register_id as source_project_id,
    null as source_scheme_id,
    lc_name as title,
    call_id,
    call_name,
    call_round,
    null as mission,
    start_date,
    end_date,
    nullif(subsidy_eur, 0) as subsidy_eur,
    case when nullif(subsidy_eur, 0) is not null then source_system end as subsidy_source,
    lead_organisation,
    case when lead_organisation is not null then source_system end as lead_source,
    true as is_learning_community,
    website_url as source_url,
    snapshot_id
from register_lcs
where is_own_project
