-- One row per project and organisation taking part in it, with the organisation's role:
-- `penvoerder` for the project's lead organisation, `partner` for every other. Mentions of
-- the same organisation (several researchers, several sources, several spellings) are one row.
with mentions as (
    select * from {{ ref('int_participations__unioned') }}
),

variants as (
    select organisation_name, organisation_key
    from {{ ref('int_organisations__name_variants') }}
),

projects as (
    select project_key, programme, is_learning_community, lead_organisation_key
    from {{ ref('fct_project') }}
),

participations as (
    select
        mentions.project_key,
        variants.organisation_key,
        -- Lists are LIST columns, sorted and without duplicates (docs/marts.md, conventions).
        list(distinct mentions.source_system order by mentions.source_system) as source_systems,
        list(distinct mentions.source_role order by mentions.source_role)
            filter (where mentions.source_role is not null) as source_roles,
        list(distinct mentions.organisation_name order by mentions.organisation_name)
            as names_as_written,
        count(*) filter (where mentions.source_system = 'nwopen') as researcher_count
    from mentions
    inner join variants on mentions.organisation_name = variants.organisation_name
    group by mentions.project_key, variants.organisation_key
)

select
    participations.project_key || '|' || participations.organisation_key as participation_key,
    participations.project_key,
    participations.organisation_key,
    case
        when participations.organisation_key = projects.lead_organisation_key then 'penvoerder'
        else 'partner'
    end as role,
    coalesce(participations.organisation_key = projects.lead_organisation_key, false) as is_lead,
    projects.programme,
    projects.is_learning_community,
    participations.researcher_count,
    participations.source_systems,
    participations.source_roles,
    participations.names_as_written
from participations
inner join projects on participations.project_key = projects.project_key
