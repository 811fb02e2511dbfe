-- Every organisation name as written in a source, with the organisation it resolves to.
-- Resolution, in order: (1) normalisation (case, accents, punctuation, legal forms);
-- (2) the reviewed alias seed (abbreviations, Dutch/English names, group companies);
-- (3) a shared ROR id: a name that is not in the reference seed joins the organisation that
-- carries the same ROR id (the reference seed's entry with that id, else the most mentioned
-- name with it). Two entries of the reference seed are never merged, and an entry of the
-- seed only has the ROR id the seed gives it.
with mentions as (
    select organisation_name, ror_id
    from {{ ref('int_participations__unioned') }}
),

names as (
    select
        organisation_name,
        {{ normalise_organisation_name('organisation_name') }} as name_normalised,
        count(*) as mentions
    from mentions
    group by organisation_name
),

-- The ROR id a spelling carries most often in NWOpen (weighted by mentions).
name_rors as (
    select organisation_name, ror_id, count(*) as mentions
    from mentions
    where ror_id is not null
    group by organisation_name, ror_id
),

aliases as (
    select
        {{ normalise_organisation_name('alias') }} as alias_normalised,
        {{ normalise_organisation_name('canonical_name') }} as canonical_normalised
    from {{ ref('organisation_aliases') }}
),

reference as (
    select
        {{ normalise_organisation_name('canonical_name') }} as canonical_normalised,
        nullif(trim(ror_id), '') as ror_id
    from {{ ref('organisations') }}
),

aliased as (
    select
        names.*,
        aliases.alias_normalised is not null as is_aliased,
        coalesce(aliases.canonical_normalised, names.name_normalised) as resolved_normalised
    from names
    left join aliases on names.name_normalised = aliases.alias_normalised
),

-- The ROR ids NWOpen gives each resolved name, weighted by mentions.
resolved_name_rors as (
    select aliased.resolved_normalised, name_rors.ror_id, sum(name_rors.mentions) as mentions
    from aliased
    inner join name_rors on aliased.organisation_name = name_rors.organisation_name
    group by aliased.resolved_normalised, name_rors.ror_id
),

-- One ROR id per resolved name: the reference seed's (even none) for a seed entry, else the
-- one NWOpen gives most (ties: the smallest id).
resolved_ror as (
    select
        aliased.resolved_normalised,
        reference.canonical_normalised is not null as is_reference,
        case
            when reference.canonical_normalised is not null then any_value(reference.ror_id)
            else (
                select ror.ror_id
                from resolved_name_rors as ror
                where ror.resolved_normalised = aliased.resolved_normalised
                order by ror.mentions desc, ror.ror_id
                limit 1
            )
        end as ror_id,
        sum(aliased.mentions) as mentions
    from aliased
    left join reference on aliased.resolved_normalised = reference.canonical_normalised
    group by aliased.resolved_normalised, reference.canonical_normalised
),

-- One name per ROR id: the reference seed's entry, else the most mentioned name.
ror_group_names as (
    select ror_id, resolved_normalised as group_normalised
    from resolved_ror
    where ror_id is not null
    qualify row_number() over (
        partition by ror_id order by is_reference desc, mentions desc, resolved_normalised
    ) = 1
),

resolved as (
    select
        aliased.*,
        resolved_ror.ror_id,
        case
            -- A seed entry stays itself, whatever other names share its ROR id.
            when resolved_ror.is_reference then aliased.resolved_normalised
            else coalesce(ror_group_names.group_normalised, aliased.resolved_normalised)
        end as organisation_normalised
    from aliased
    left join resolved_ror on aliased.resolved_normalised = resolved_ror.resolved_normalised
    left join ror_group_names on resolved_ror.ror_id = ror_group_names.ror_id
)

select
    organisation_name,
    name_normalised,
    {{ organisation_key('organisation_normalised') }} as organisation_key,
    organisation_normalised,
    ror_id,
    case
        when organisation_normalised != resolved_normalised then 'ror_id'
        when is_aliased then 'alias_seed'
        when name_normalised != lower(organisation_name) then 'normalisation'
        else 'as_written'
    end as resolution_rule,
    mentions
from resolved
