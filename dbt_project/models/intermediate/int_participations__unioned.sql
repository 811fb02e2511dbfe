-- Every organisation named on an in-scope project, one row per mention in a source: NWOpen
-- members (one per person), MOOI project-page partners and the registers' LC partners.
-- A register LC that NWOpen already carries adds its partners to the NWOpen project (the
-- register lists companies and schools; NWOpen lists only the researchers' institutions).
-- Cells that name no organisation ("n.v.t.", "-", empty) are left out.
with nwopen_projects as (
    select nwopen_project_key, file_number
    from {{ ref('int_nwopen__projects_with_leads') }}
),

nwopen_records as (
    select nwopen_record_key, nwopen_project_key
    from {{ ref('int_nwopen__project_records') }}
),

nwopen_members as (
    select
        'nwopen:' || nwopen_records.nwopen_project_key as project_key,
        'nwopen' as source_system,
        members.organisation_name,
        members.role as source_role,
        -- A project's lead is its primary record's lead (fct_project decides the penvoerder).
        members.is_lead and members.nwopen_project_key = nwopen_records.nwopen_project_key
            as is_lead,
        members.ror_id,
        null as declared_type,
        null as municipality
    from {{ ref('stg_nwopen__project_members') }} as members
    inner join nwopen_records on members.nwopen_project_key = nwopen_records.nwopen_record_key
),

tse_partners as (
    select
        'tse:' || projects.grant_number as project_key,
        'tse' as source_system,
        partners.organisation_name,
        case when partners.is_lead then 'penvoerder' else 'partner' end as source_role,
        partners.is_lead,
        null as ror_id,
        null as declared_type,
        null as municipality
    from {{ ref('stg_tse__project_partners') }} as partners
    inner join {{ ref('stg_tse__projects') }} as projects
        on partners.tse_page_id = projects.tse_page_id
),

register_partners as (
    select * from {{ ref('stg_registers__partners') }}
),

-- NWOpen can list a file number twice (different funding scheme): attach to the first.
nwopen_by_file_number as (
    select file_number, min(nwopen_project_key) as nwopen_project_key
    from nwopen_projects
    group by file_number
),

-- The project each counted register LC is: the NWOpen project it describes, or itself. An
-- LC naming a grant that is not found is not a project (see int_registers__...).
register_lcs as (
    select
        lcs.source_system,
        lcs.register_id,
        case
            when lcs.is_in_nwopen then 'nwopen:' || nwopen_by_file_number.nwopen_project_key
            else lcs.register_lc_key
        end as project_key
    from {{ ref('int_registers__learning_communities') }} as lcs
    left join nwopen_by_file_number on lcs.related_grant = nwopen_by_file_number.file_number
    where lcs.is_in_nwopen or lcs.is_own_project
),

register_mentions as (
    select
        register_lcs.project_key,
        register_partners.source_system,
        register_partners.organisation_name,
        register_partners.role as source_role,
        register_partners.is_lead,
        null as ror_id,
        register_partners.organisation_type as declared_type,
        register_partners.municipality
    from register_partners
    inner join register_lcs
        on register_partners.source_system = register_lcs.source_system
        and register_partners.register_id = register_lcs.register_id
),

mentions as (
    select * from nwopen_members
    union all
    select * from tse_partners
    union all
    select * from register_mentions
)

select
    project_key,
    source_system,
    trim(organisation_name) as organisation_name,
    source_role,
    coalesce(is_lead, false) as is_lead,
    ror_id,
    declared_type,
    municipality
from mentions
where not {{ is_placeholder_organisation_name('organisation_name') }}
