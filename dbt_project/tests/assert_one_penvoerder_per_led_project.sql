-- Business rule: a project with a known lead has exactly one penvoerder among its
-- participations, and it is that lead. Returns the projects that break it.
{{ config(meta={'dagster': {'ref': {'name': 'fct_participation'}}}) }}
select projects.project_key, count(participations.participation_key) as penvoerders
from {{ ref('fct_project') }} as projects
left join {{ ref('fct_participation') }} as participations
    on projects.project_key = participations.project_key
    and participations.role = 'penvoerder'
    and participations.organisation_key = projects.lead_organisation_key
where projects.lead_organisation_key is not null
group by projects.project_key
having count(participations.participation_key) != 1
