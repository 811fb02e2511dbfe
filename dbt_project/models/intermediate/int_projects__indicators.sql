-- The evaluators' indicators per project of int_projects__unioned, from the source that
-- states each: reach and the LC's own municipality from the programme offices' registers (an
-- LC of its own, or NWOpen's LC the register details through its grant); budget and TKI from
-- the Topsector Energie project page; the KIC context from NWOpen's call context, title and
-- summary (macro kic_context_of, seed kic_context_keywords); the MOOI consortium an LC
-- supplement belongs to; duration from the dates. Unknown stays null, never 0.
with projects as (
    select * from {{ ref('int_projects__unioned') }}
),

register_lcs as (
    select * from {{ ref('int_registers__learning_communities') }}
),

nwopen as (
    select * from {{ ref('stg_nwopen__projects') }}
),

mooi as (
    select grant_number, nullif(project_budget_eur, 0) as budget_eur, tki
    from {{ ref('stg_tse__projects') }}
),

municipalities as (
    select municipality, province from {{ ref('municipalities') }}
),

-- A register row per fct_project project: its own LC, or NWOpen's LC its grant points at
-- (the first NWOpen record of that file number, as int_projects__unioned attaches it).
nwopen_by_file_number as (
    select file_number, min(nwopen_project_key) as nwopen_project_key
    from {{ ref('int_nwopen__projects_with_leads') }}
    group by file_number
),

register_rows as (
    select register_lc_key as project_key, * exclude (register_lc_key)
    from register_lcs
    where is_own_project
    union all by name
    select 'nwopen:' || nwopen_by_file_number.nwopen_project_key as project_key,
        register_lcs.* exclude (register_lc_key)
    from register_lcs
    inner join nwopen_by_file_number
        on register_lcs.related_grant = nwopen_by_file_number.file_number
    where register_lcs.is_in_nwopen
),

register_detail as (
    -- One register row per grant in practice; min() keeps it deterministic otherwise.
    select
        project_key,
        min(source_system) as register_source,
        min(region) as lc_region,
        min(lc_municipality) as lc_municipality,
        min(students_reached) as students_reached,
        min(professionals_reached) as professionals_reached,
        min(teachers_reached) as teachers_reached
    from register_rows
    group by project_key
),

kic_texts as (
    select
        projects.project_key as text_key,
        nwopen.sub_department as call_context,
        projects.title,
        concat_ws(' ', nwopen.summary_nl, nwopen.summary_en) as summary
    from projects
    left join nwopen on projects.project_key = 'nwopen:' || nwopen.nwopen_project_key
    where projects.programme = 'KIC'
),

kic_contexts as (
    select * from {{ kic_context_of('kic_texts') }}
),

supplements as (
    -- A MOOI LC supplement's consortium: the project page its related grant names.
    select register_lc_key as project_key, 'tse:' || related_grant as related_project_key
    from register_lcs
    where source_system = 'mooi_register' and related_grant_found
)

select
    projects.project_key,
    register_detail.lc_region,
    -- The seed's spelling when listed; else as written (flagged: rule lc_municipality_known).
    coalesce(municipalities.municipality, register_detail.lc_municipality) as lc_municipality,
    municipalities.province as lc_province,
    case when register_detail.lc_municipality is not null then register_detail.register_source end
        as lc_location_source,
    mooi.budget_eur,
    -- A MOOI LC supplement works under its consortium's TKI.
    coalesce(mooi.tki, consortium.tki) as tki,
    case
        when projects.programme = 'KIC' then kic_contexts.kic_context
        -- GroenvermogenNL (green hydrogen) and MOOI (Topsector Energie) are energy programmes.
        else 'energie'
    end as kic_context,
    case
        when projects.programme = 'KIC' then kic_contexts.kic_context_source
        else 'programme'
    end as kic_context_source,
    supplements.related_project_key,
    register_detail.students_reached,
    register_detail.professionals_reached,
    register_detail.teachers_reached,
    case
        when register_detail.project_key is not null
            and (
                register_detail.students_reached is not null
                or register_detail.professionals_reached is not null
                or register_detail.teachers_reached is not null
            )
            then register_detail.register_source
    end as reach_source
from projects
left join register_detail on projects.project_key = register_detail.project_key
left join municipalities
    on lower(trim(register_detail.lc_municipality)) = lower(municipalities.municipality)
left join mooi on projects.source_system = 'tse' and projects.source_project_id = mooi.grant_number
left join kic_contexts on projects.project_key = kic_contexts.text_key
left join supplements on projects.project_key = supplements.project_key
left join mooi as consortium on supplements.related_project_key = 'tse:' || consortium.grant_number
