-- One row per organisation after resolving spellings (int_organisations__name_variants, whose
-- rules live in sources/organisations/), with its type and province.
-- Type: the reviewed reference seed, else the type the registers' programme offices declare,
-- else what the name proves (Gemeente, Hogeschool, B.V., University of Applied Sciences, ...),
-- else `onbekend` - never a guess. Location: the reference seed's place, else the registers'
-- municipality, else a place or province written in a name.
with variants as (
    select * from {{ ref('int_organisations__name_variants') }}
),

mentions as (
    select
        variants.organisation_key,
        list(distinct mentions.source_system order by mentions.source_system) as source_systems
    from {{ ref('int_participations__unioned') }} as mentions
    inner join variants on mentions.organisation_name = variants.organisation_name
    group by variants.organisation_key
),

reference as (
    select canonical_name, nullif(trim(place), '') as place
    from {{ ref('organisations') }}
),

organisations as (
    select
        organisation_key,
        -- The organisation's attributes are the same on each of its spellings.
        any_value(canonical_name) as organisation_name,
        any_value(organisation_type) as organisation_type,
        any_value(type_source) as type_source,
        any_value(category) as category,
        any_value(ror_id) as ror_id,
        any_value(municipality) as municipality,
        any_value(province) as province,
        any_value(location_source) as location_source,
        bool_or(is_in_reference) as is_in_reference,
        count(*) as name_variant_count,
        list(organisation_name order by organisation_name) as name_variants
    from variants
    group by organisation_key
)

select
    organisations.organisation_key,
    organisations.organisation_name,
    organisations.organisation_type,
    organisations.type_source,
    coalesce(organisations.category, 'onbekend') as category,
    organisations.organisation_type in ('mbo', 'hbo', 'wo') as is_education,
    organisations.ror_id,
    coalesce(reference.place, organisations.municipality) as place,
    organisations.municipality,
    -- A category: 'onbekend' when unknown (docs/marts.md, conventions).
    coalesce(organisations.province, 'onbekend') as province,
    organisations.location_source,
    organisations.name_variant_count,
    organisations.name_variants,
    mentions.source_systems,
    organisations.is_in_reference
from organisations
left join mentions on organisations.organisation_key = mentions.organisation_key
left join reference
    on organisations.is_in_reference
    and organisations.organisation_name = reference.canonical_name
