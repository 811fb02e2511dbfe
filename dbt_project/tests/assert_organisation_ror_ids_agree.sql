-- The spellings of one organisation that is not in the reference seed carry one ROR id in
-- NWOpen. When they carry several, resolution follows the most mentioned one: a warning to
-- review the organisation (add it to seeds/organisations.csv with its ROR id).
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_organisations__name_variants'}}}) }}
select variants.organisation_key, count(distinct mentions.ror_id) as ror_ids
from {{ ref('int_participations__unioned') }} as mentions
inner join {{ ref('int_organisations__name_variants') }} as variants
    on mentions.organisation_name = variants.organisation_name
where mentions.ror_id is not null
group by variants.organisation_key
having count(distinct mentions.ror_id) > 1
