-- Learning Communities from the programme-office registers (var registers), with their
-- penvoerder and how each relates to the project lists of the other sources through its
-- related grant, by the source that carries the register's grants (var registers, grants_in):
-- - nwopen (GroenvermogenNL's register): it describes LCs that NWOpen carries under their
--   file number: the register adds detail (subsidy, reach, its penvoerder) to that NWOpen project
--   (is_in_nwopen). An LC without a grant is an LC of its own. An LC naming a grant NWOpen
--   does not carry is flagged (related_grant_found = false) and not counted: it may be one
--   of NWOpen's LCs under another number, and must never be counted twice.
-- - tse (MOOI's register): an LC supplement belongs to the MOOI consortium its grant names (a
--   project page of the Topsector Energie database) and is an LC of its own; a grant not
--   found is flagged.
with projects as (
    select * from {{ ref('stg_registers__projects') }}
),

partners as (
    select * from {{ ref('stg_registers__partners') }}
),

registers as (
    {%- for register in var('registers') %}
    {% if not loop.first %}union all {% endif -%}
    select '{{ register['source_system'] }}' as source_system,
        '{{ register['grants_in'] }}' as grants_in
    {%- endfor %}
),

leads as (
    -- An LC without exactly one penvoerder is set aside by the validation step.
    select source_system, register_id, organisation_name
    from partners
    where is_lead
),

partner_counts as (
    select source_system, register_id, count(*) as partner_count
    from partners
    group by source_system, register_id
),

-- The grants a related_grant can point at, by the source that carries them ...
carried_grants as (
    select distinct 'nwopen' as grants_in, file_number as grant_number
    from {{ ref('stg_nwopen__projects') }}
    union all
    select distinct 'tse' as grants_in, grant_number
    from {{ ref('stg_tse__projects') }}
),

-- ... and by the register whose LCs name them.
grants as (
    select registers.source_system, carried_grants.grant_number
    from registers
    inner join carried_grants on registers.grants_in = carried_grants.grants_in
),

calls as (
    select * from {{ ref('programme_calls') }}
),

-- The NWOpen project a file number names: the first, should NWOpen list that file number
-- under two programmes. The one place this rule lives: int_projects__unioned and
-- int_projects__indicators attach a register's detail through nwopen_project_key.
nwopen_by_file_number as (
    select file_number, min(nwopen_project_key) as nwopen_project_key
    from {{ ref('int_nwopen__projects_with_leads') }}
    group by file_number
),

resolved as (
    select
        projects.*,
        registers.grants_in,
        grants.grant_number is not null as grant_found
    from projects
    left join registers on projects.source_system = registers.source_system
    left join grants
        on projects.source_system = grants.source_system
        and projects.related_grant = grants.grant_number
)

select
    resolved.source_system || ':' || resolved.register_id as register_lc_key,
    resolved.source_system,
    resolved.register_id,
    resolved.programme,
    calls.call_id,
    calls.funding_scheme as call_name,
    coalesce(resolved.call_round, calls.call_round) as call_round,
    resolved.lc_name,
    resolved.region,
    resolved.related_grant,
    case when resolved.related_grant is not null then resolved.grant_found end
        as related_grant_found,
    resolved.grants_in = 'nwopen' and resolved.grant_found as is_in_nwopen,
    case
        when resolved.grants_in = 'nwopen' and resolved.grant_found
            then nwopen_by_file_number.nwopen_project_key
    end as nwopen_project_key,
    -- Counted as a project of its own: a MOOI supplement always, a regional LC without a grant.
    resolved.grants_in <> 'nwopen' or resolved.related_grant is null as is_own_project,
    resolved.start_date,
    resolved.end_date,
    resolved.subsidy_eur,
    resolved.students_reached,
    resolved.professionals_reached,
    resolved.teachers_reached,
    resolved.lc_municipality,
    resolved.website_url,
    leads.organisation_name as lead_organisation,
    coalesce(partner_counts.partner_count, 0) as partner_count,
    resolved.snapshot_id
from resolved
left join calls on resolved.call_id = calls.call_id
left join leads
    on resolved.source_system = leads.source_system
    and resolved.register_id = leads.register_id
left join partner_counts
    on resolved.source_system = partner_counts.source_system
    and resolved.register_id = partner_counts.register_id
left join nwopen_by_file_number on resolved.related_grant = nwopen_by_file_number.file_number
