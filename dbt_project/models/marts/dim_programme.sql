-- The programmes the monitor follows, with the number of calls or rounds each has.
with programmes as (
    select * from {{ ref('programmes') }}
),

calls as (
    select programme, count(*) as call_count
    from {{ ref('programme_calls') }}
    group by programme
)

select
    programmes.programme,
    programmes.programme_name,
    programmes.funder,
    programmes.operator,
    programmes.description,
    programmes.website_url,
    coalesce(calls.call_count, 0) as call_count
from programmes
left join calls on programmes.programme = calls.programme
