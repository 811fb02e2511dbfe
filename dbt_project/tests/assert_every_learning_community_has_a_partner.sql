-- Business rule: a Learning Community is a partnership, so every LC has at least one
-- organisation taking part. Returns the LCs without any.
{{ config(meta={'dagster': {'ref': {'name': 'fct_participation'}}}) }}
select projects.project_key, projects.title
from {{ ref('fct_project') }} as projects
left join {{ ref('fct_participation') }} as participations
    on projects.project_key = participations.project_key
where projects.is_learning_community
group by projects.project_key, projects.title
having count(participations.organisation_key) = 0
