-- One row per organisation after resolving spellings, with its type and province.
-- Type: the reviewed reference seed, else the type the registers' programme offices declare,
-- else what the name proves (Gemeente, Hogeschool, B.V., ...), else `onbekend` - never a guess.
-- Location: the reference seed's place, else the registers' municipality, else the name
-- (a Gemeente or Provincie); places map to provinces through the places seed.
with variants as (
    select * from {{ ref('int_organisations__name_variants') }}
),

mentions as (
    select
        variants.organisation_key,
        mentions.organisation_name,
        mentions.source_system,
        mentions.declared_type,
        mentions.municipality
    from {{ ref('int_participations__unioned') }} as mentions
    inner join variants on mentions.organisation_name = variants.organisation_name
),

reference as (
    select
        {{ organisation_key(normalise_organisation_name('canonical_name')) }} as organisation_key,
        canonical_name,
        organisation_type,
        nullif(trim(place), '') as place
    from {{ ref('organisations') }}
),

places as (
    select * from {{ ref('places') }}
),

provinces as (
    select * from {{ ref('provinces') }}
),

organisations as (
    select
        organisation_key,
        -- Most used spelling (ties: the first by name); the reference seed's name wins below.
        first(organisation_name order by mentions desc, organisation_name) as most_used_name,
        string_agg(organisation_name, ' | ' order by organisation_name) as name_variants,
        count(*) as name_variant_count,
        min(ror_id) as ror_id  -- one per organisation by construction
    from variants
    group by organisation_key
),

-- The most frequent declared type, place and name-proven type (ties: the first in order),
-- so that the same inputs always give the same organisation.
declared_types as (
    select organisation_key, declared_type, count(*) as mentions
    from mentions
    where declared_type is not null
    group by all
),

declared_places as (
    select organisation_key, municipality, count(*) as mentions
    from mentions
    where municipality is not null
    group by all
),

declared as (
    select
        mentions.organisation_key,
        (
            select first(
                declared_types.declared_type
                order by declared_types.mentions desc, declared_types.declared_type
            )
            from declared_types
            where declared_types.organisation_key = mentions.organisation_key
        ) as declared_type,
        (
            select first(
                declared_places.municipality
                order by declared_places.mentions desc, declared_places.municipality
            )
            from declared_places
            where declared_places.organisation_key = mentions.organisation_key
        ) as declared_place,
        string_agg(distinct mentions.source_system, ',' order by mentions.source_system)
            as source_systems
    from mentions
    group by mentions.organisation_key
),

named_types as (
    select
        organisation_key,
        {{ organisation_type_from_name('organisation_name') }} as named_type,
        count(*) as spellings
    from variants
    where {{ organisation_type_from_name('organisation_name') }} is not null
    group by all
),

from_name as (
    select
        variants.organisation_key,
        (
            select first(
                named_types.named_type
                order by named_types.spellings desc, named_types.named_type
            )
            from named_types
            where named_types.organisation_key = variants.organisation_key
        ) as named_type,
        min({{ municipality_from_name('variants.organisation_name') }}) as named_place,
        min({{ province_from_name('variants.organisation_name') }}) as named_province
    from variants
    group by variants.organisation_key
),

located as (
    select
        organisations.*,
        declared.source_systems,
        reference.organisation_key is not null as is_in_reference,
        coalesce(reference.canonical_name, organisations.most_used_name) as organisation_name,
        coalesce(
            reference.organisation_type, declared.declared_type, from_name.named_type, 'onbekend'
        ) as organisation_type,
        case
            when reference.organisation_type is not null then 'reference_seed'
            when declared.declared_type is not null then 'register'
            when from_name.named_type is not null then 'name_rule'
            else 'none'
        end as type_source,
        coalesce(reference.place, declared.declared_place, from_name.named_place) as place,
        case
            when reference.place is not null then 'reference_seed'
            when declared.declared_place is not null then 'register'
            when from_name.named_place is not null or from_name.named_province is not null
                then 'name_rule'
        end as location_source,
        -- Fryslân is also written Friesland.
        case from_name.named_province
            when 'Friesland' then 'Fryslân' else from_name.named_province
        end as named_province
    from organisations
    left join reference on organisations.organisation_key = reference.organisation_key
    left join declared on organisations.organisation_key = declared.organisation_key
    left join from_name on organisations.organisation_key = from_name.organisation_key
)

select
    located.organisation_key,
    located.organisation_name,
    located.organisation_type,
    located.type_source,
    located.organisation_type in ('mbo', 'hbo', 'wo') as is_education,
    located.ror_id,
    located.place,
    places.municipality,
    coalesce(places.province, provinces.province) as province,
    case
        when coalesce(places.province, provinces.province) is not null then located.location_source
    end as location_source,
    located.name_variant_count,
    located.name_variants,
    located.source_systems,
    located.is_in_reference
from located
left join places on located.place = places.place
left join provinces on located.named_province = provinces.province
