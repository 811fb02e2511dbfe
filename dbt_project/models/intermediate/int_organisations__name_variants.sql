-- Every organisation name as written in a source, with the organisation it resolves to.
-- Resolution, in order: (1) normalisation (case, accents, punctuation, legal forms);
-- (2) the reviewed alias seed (abbreviations, Dutch/English names, group companies);
-- (3) a shared ROR id: names that NWOpen or the reference seed tie to the same ROR id are
-- one organisation, named after the reference seed's entry when there is one.
with mentions as (
    select organisation_name, ror_id
    from {{ ref('int_participations__unioned') }}
),

names as (
    select
        organisation_name,
        {{ normalise_organisation_name('organisation_name') }} as name_normalised,
        count(*) as mentions,
        mode(ror_id) filter (where ror_id is not null) as ror_id
    from mentions
    group by organisation_name
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

-- The ROR id of each resolved name: the reference seed's, else the one NWOpen gives most.
resolved_ror as (
    select
        aliased.resolved_normalised,
        coalesce(
            any_value(reference.ror_id),
            mode(aliased.ror_id) filter (where aliased.ror_id is not null)
        ) as ror_id,
        sum(aliased.mentions) as mentions,
        bool_or(reference.canonical_normalised is not null) as is_reference
    from aliased
    left join reference on aliased.resolved_normalised = reference.canonical_normalised
    group by aliased.resolved_normalised
),

-- One name per ROR id: the reference seed's entry, else the most mentioned name.
ror_group_names as (
    select ror_id, resolved_normalised as group_normalised
    from resolved_ror
    where ror_id is not null
    qualify row_number() over (
        partition by ror_id order by is_reference desc, mentions desc, resolved_normalised
    ) = 1
)

select
    aliased.organisation_name,
    aliased.name_normalised,
    {{ organisation_key('coalesce(ror_group_names.group_normalised, aliased.resolved_normalised)') }}
        as organisation_key,
    coalesce(ror_group_names.group_normalised, aliased.resolved_normalised)
        as organisation_normalised,
    resolved_ror.ror_id,
    case
        when ror_group_names.group_normalised != aliased.resolved_normalised then 'ror_id'
        when aliased.is_aliased then 'alias_seed'
        when aliased.name_normalised != lower(aliased.organisation_name) then 'normalisation'
        else 'as_written'
    end as resolution_rule,
    aliased.mentions
from aliased
left join resolved_ror on aliased.resolved_normalised = resolved_ror.resolved_normalised
left join ror_group_names on resolved_ror.ror_id = ror_group_names.ror_id
