-- Pairs of organisations that take part in the same projects, in both directions (A-B and
-- B-A), with how many projects they share.
with participations as (
    select project_key, organisation_key, is_learning_community
    from {{ ref('fct_participation') }}
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
