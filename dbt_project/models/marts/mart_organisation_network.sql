-- Per organisation: the projects, programmes and Learning Communities it takes part in, and
-- the organisations it works with most (most shared projects; ties by name).
with organisations as (
    select * from {{ ref('dim_organisation') }}
),

participations as (
    select * from {{ ref('fct_participation') }}
),

activity as (
    select
        organisation_key,
        count(*) as project_count,
        count(*) filter (where is_learning_community) as lc_count,
        count(*) filter (where is_lead) as lead_count,
        count(distinct programme) as programme_count,
        list(distinct programme order by programme) as programmes
    from participations
    group by organisation_key
),

collaborations as (
    select
        collaborations.*,
        partners.organisation_name as partner_organisation_name,
        row_number() over (
            partition by collaborations.organisation_key
            order by collaborations.shared_project_count desc, partners.organisation_name
        ) as collaborator_rank
    from {{ ref('int_organisations__collaborations') }} as collaborations
    inner join organisations as partners
        on collaborations.partner_organisation_key = partners.organisation_key
),

network as (
    select
        organisation_key,
        count(*) as collaborator_count,
        list(partner_organisation_name || ' (' || shared_project_count || ')'
            order by collaborator_rank) filter (where collaborator_rank <= 5)
            as top_collaborators,
        any_value(partner_organisation_key) filter (where collaborator_rank = 1)
            as top_collaborator_key,
        any_value(partner_organisation_name) filter (where collaborator_rank = 1)
            as top_collaborator_name,
        any_value(shared_project_count) filter (where collaborator_rank = 1)
            as top_collaborator_shared_projects
    from collaborations
    group by organisation_key
)

select
    organisations.organisation_key,
    organisations.organisation_name,
    organisations.organisation_type,
    organisations.province,
    coalesce(activity.project_count, 0) as project_count,
    coalesce(activity.lc_count, 0) as lc_count,
    coalesce(activity.lead_count, 0) as lead_count,
    coalesce(activity.programme_count, 0) as programme_count,
    activity.programmes,
    coalesce(network.collaborator_count, 0) as collaborator_count,
    network.top_collaborators,
    network.top_collaborator_key,
    network.top_collaborator_name,
    network.top_collaborator_shared_projects
from organisations
left join activity on organisations.organisation_key = activity.organisation_key
left join network on organisations.organisation_key = network.organisation_key
