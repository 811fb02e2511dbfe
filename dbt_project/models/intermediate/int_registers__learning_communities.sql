-- Learning Communities from both programme-office registers, with their lead and whether
-- NWOpen already carries the same LC (then the register only adds detail to it).
with projects as (
    select 'mooi_register' as source_system, * from {{ ref('stg_mooi_register__projects') }}
    union all
    select 'gvnl_register' as source_system, * from {{ ref('stg_gvnl_register__projects') }}
),

partners as (
    select 'mooi_register' as source_system, * from {{ ref('stg_mooi_register__partners') }}
    union all
    select 'gvnl_register' as source_system, * from {{ ref('stg_gvnl_register__partners') }}
),

leads as (
    -- The register connector enforces exactly one penvoerder per LC.
    select source_system, register_id, organisation_name
    from partners
    where is_lead
),

partner_counts as (
    select source_system, register_id, count(*) as partner_count
    from partners
    group by source_system, register_id
),

nwopen_file_numbers as (
    select distinct file_number from {{ ref('stg_nwopen__projects') }}
),

calls as (
    select * from {{ ref('programme_calls') }}
    where source_system in ('mooi_register', 'gvnl_register')
)

select
    projects.source_system || ':' || projects.register_id as register_lc_key,
    projects.source_system,
    projects.register_id,
    projects.programme,
    calls.call_id,
    calls.funding_scheme as call_name,
    coalesce(projects.call_round, calls.call_round) as call_round,
    projects.lc_name,
    projects.region,
    projects.related_grant,
    projects.start_date,
    projects.end_date,
    projects.subsidy_eur,
    projects.students_reached,
    projects.professionals_reached,
    projects.website_url,
    leads.organisation_name as lead_organisation,
    coalesce(partner_counts.partner_count, 0) as partner_count,
    nwopen_file_numbers.file_number is not null as is_in_nwopen,
    projects.snapshot_id
from projects
left join calls on projects.source_system = calls.source_system
left join leads
    on projects.source_system = leads.source_system
    and projects.register_id = leads.register_id
left join partner_counts
    on projects.source_system = partner_counts.source_system
    and projects.register_id = partner_counts.register_id
left join nwopen_file_numbers on projects.related_grant = nwopen_file_numbers.file_number
