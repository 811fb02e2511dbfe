-- mart_region has one row for each of the twelve provinces of the seed and one for
-- `onbekend`, and no other: returns what is missing or extra.
{{ config(meta={'dagster': {'ref': {'name': 'mart_region'}}}) }}
with expected as (
    select province from {{ ref('provinces') }}
    union all
    select 'onbekend'
)

select coalesce(expected.province, region.province) as province,
    expected.province is null as is_extra
from expected
full outer join {{ ref('mart_region') }} as region on expected.province = region.province
where expected.province is null or region.province is null
