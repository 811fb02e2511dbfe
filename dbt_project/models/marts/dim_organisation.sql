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
        -- Most used spelling; the reference seed's name wins below.
        arg_max(organisation_name, mentions) as most_used_name,
        string_agg(organisation_name, ' | ' order by organisation_name) as name_variants,
        count(*) as name_variant_count,
        any_value(ror_id) as ror_id
    from variants
    group by organisation_key
),

declared as (
    select
        organisation_key,
        mode(declared_type) filter (where declared_type is not null) as declared_type,
        mode(municipality) filter (where municipality is not null) as declared_place,
        string_agg(distinct source_system, ',' order by source_system) as source_systems
    from mentions
    group by organisation_key
),

from_name as (
    select
        organisation_key,
        mode({{ organisation_type_from_name('organisation_name') }}) as named_type,
        any_value({{ municipality_from_name('organisation_name') }}) as named_place,
        any_value({{ province_from_name('organisation_name') }}) as named_province
    from variants
    group by organisation_key
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
