-- The registers' municipalities must be in the places seed, or the organisation lands in
-- province `onbekend`. A warning: add the place to seeds/places.csv.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_participations__unioned'}}}) }}
select distinct mentions.municipality
from {{ ref('int_participations__unioned') }} as mentions
left join {{ ref('places') }} as places on mentions.municipality = places.place
where mentions.municipality is not null and places.place is null
