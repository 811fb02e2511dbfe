-- Pairs of organisations that take part in the same projects, in both directions (A-B and
-- B-A), with how many projects they share. Built from the intermediate layer (mentions, their
-- resolved organisation, the project's LC flag), not from the marts that read this model.
with participations as (
    select distinct
        mentions.project_key,
        variants.organisation_key,
        projects.is_learning_community
    from {{ ref('int_participations__unioned') }} as mentions
    inner join {{ ref('int_organisations__name_variants') }} as variants
        on mentions.organisation_name = variants.organisation_name
    inner join {{ ref('int_projects__unioned') }} as projects
        on mentions.project_key = projects.project_key
)

select
    own.organisation_key,
    other.organisation_key as partner_organisation_key,
    count(*) as shared_project_count,
    count(*) filter (where own.is_learning_community) as shared_lc_count
from participations as own
inner join participations as other
    on own.project_key = other.project_key
    and own.organisation_key != other.organisation_key
group by own.organisation_key, other.organisation_key
