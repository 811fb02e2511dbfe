-- Every quarantine entry of every validation of every source: records set aside or flagged by
-- the sources' validation steps (one row per record and rule).
{% set sources = ['nwopen', 'tse', 'registers'] %}  {#- registers: all of var registers -#}
{% for source_system in sources %}
select * from {{ ref('stg_' ~ source_system ~ '__quarantine') }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
