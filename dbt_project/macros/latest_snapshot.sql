{#- The rows of a raw table's newest snapshot. Raw tables keep every pull; snapshot ids are
    UTC timestamps, so the greatest id is the newest one that was loaded. -#}
{% macro latest_snapshot(relation) %}
    select *
    from {{ relation }}
    where _snapshot_id = (select max(_snapshot_id) from {{ relation }})
{% endmacro %}
