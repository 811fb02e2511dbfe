-- The registers' municipalities must be a municipality or a place of the seeds, or the
-- organisation gets no province from them. A warning: add the place to seeds/places.csv.
-- (Case and accents are ignored, as sources/organisations/places.py reads them.)
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_participations__unioned'}}}) }}
with known as (
    select lower(strip_accents(place)) as name from {{ ref('places') }}
    union all
    select lower(strip_accents(municipality)) from {{ ref('municipalities') }}
)

select distinct mentions.municipality
from {{ ref('int_participations__unioned') }} as mentions
left join known on lower(strip_accents(trim(mentions.municipality))) = known.name
where mentions.municipality is not null and known.name is null
