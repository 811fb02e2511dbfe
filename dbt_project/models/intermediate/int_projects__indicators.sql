-- The evaluators' indicators per project of int_projects__unioned, from the source that
-- states each: reach and the LC's own municipality from the programme offices' registers (an
-- LC of its own, or NWOpen's LC the register details through its grant); budget and TKI from
-- the Topsector Energie project page; the KIC context from the call's name, title and
-- summary (macro kic_context_of, seeds kic_context_*); the MOOI consortium an LC
-- supplement belongs to; duration from the dates. Unknown stays null, never 0.
with projects as (
    select * from {{ ref('int_projects__unioned') }}
),

programmes as (
    select programme, {{ programme_context('context') }} as context from {{ ref('programmes') }}
),

register_lcs as (
    select * from {{ ref('int_registers__learning_communities') }}
),

nwopen as (
    select * from {{ ref('stg_nwopen__projects') }}
),

mooi as (
    select grant_number, cast(nullif(project_budget_eur, 0) as decimal(18, 2)) as budget_eur, tki
    from {{ ref('stg_tse__projects') }}
),

-- The register's municipality as the seeds place it (the organisations' rule: "Den Haag" is
-- 's-Gravenhage).
lc_places as (
    select * from {{ ref('int_registers__lc_places') }}
),

-- A register row per fct_project project: its own LC, or NWOpen's LC its grant points at
-- (int_registers__learning_communities.nwopen_project_key, as int_projects__unioned attaches it).
register_rows as (
    select register_lc_key as project_key, * exclude (register_lc_key)
    from register_lcs
    where is_own_project
    union all by name
    select 'nwopen:' || register_lcs.nwopen_project_key as project_key,
        register_lcs.* exclude (register_lc_key)
    from register_lcs
    where register_lcs.nwopen_project_key is not null
),

register_detail as (
    -- One whole register row per project: figures of two rows are never mixed. Two rows for
    -- one grant are flagged by the register suites (rule related_grant_unique); the first
    -- by source and register id is read.
    select
        project_key,
        source_system as register_source,
        region as lc_region,
        lc_municipality,
        students_reached,
        professionals_reached,
        teachers_reached
    from register_rows
    qualify row_number() over (partition by project_key order by source_system, register_id) = 1
),

kic_texts as (
    select
        projects.project_key as text_key,
        -- The call's name (seed programme_calls) states a context when the call is one
        -- context's; never sub_department, NWO's organisational unit.
        projects.call_name,
        projects.title,
        concat_ws(' ', nwopen.summary_nl, nwopen.summary_en) as summary
    from projects
    left join nwopen on projects.project_key = 'nwopen:' || nwopen.nwopen_project_key
    where projects.programme in (select programme from programmes where context is null)
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
    -- The seed's spelling when placed; a value the seeds do not know as written (flagged:
    -- rule lc_municipality_known); null for a province's name, which gives the province only.
    coalesce(
        lc_places.municipality,
        case when lc_places.province is null then register_detail.lc_municipality end
    ) as lc_municipality,
    -- Only a register says where the LC itself works: its municipality's province, else the
    -- province its region names ("Zeeland"); 'onbekend' otherwise.
    coalesce(lc_places.province, region_places.province, 'onbekend') as lc_province,
    case
        when register_detail.lc_municipality is not null
            or register_detail.lc_region is not null
            then register_detail.register_source
    end as lc_location_source,
    mooi.budget_eur,
    -- A MOOI LC supplement works under its consortium's TKI.
    coalesce(mooi.tki, consortium.tki) as tki,
    -- A programme of one context (seed programmes: GroenvermogenNL and MOOI are energy
    -- programmes) gives it to all its projects; KIC's are decided project by project.
    coalesce(programmes.context, kic_contexts.kic_context) as kic_context,
    case
        when programmes.context is not null then 'programme'
        else kic_contexts.kic_context_source
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
left join lc_places on register_detail.lc_municipality = lc_places.place_as_written
left join lc_places as region_places on register_detail.lc_region = region_places.place_as_written
left join mooi on projects.source_system = 'tse' and projects.source_project_id = mooi.grant_number
left join programmes on projects.programme = programmes.programme
left join kic_contexts on projects.project_key = kic_contexts.text_key
left join supplements on projects.project_key = supplements.project_key
left join mooi as consortium on supplements.related_project_key = 'tse:' || consortium.grant_number
