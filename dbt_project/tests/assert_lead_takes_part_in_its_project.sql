-- Business rule: a project's lead organisation takes part in the project (it is the
-- penvoerder among its participations), and a lead the source names is resolved to an
-- organisation. Returns the projects that break it.
{{ config(meta={'dagster': {'ref': {'name': 'fct_participation'}}}) }}
with penvoerders as (
    select project_key, organisation_key
    from {{ ref('fct_participation') }}
    where role = 'penvoerder'
)

select
    projects.project_key,
    projects.lead_organisation_key,
    sources.lead_organisation as lead_as_written
from {{ ref('fct_project') }} as projects
inner join {{ ref('int_projects__unioned') }} as sources
    on projects.project_key = sources.project_key
left join penvoerders
    on projects.project_key = penvoerders.project_key
    and projects.lead_organisation_key = penvoerders.organisation_key
where (sources.lead_organisation is not null and projects.lead_organisation_key is null)
    or (projects.lead_organisation_key is not null and penvoerders.organisation_key is null)
