{#- Snapshots stamp their rows with the time the dbt invocation started, not the time each
    statement ran: the project and participation snapshots of one run then share one
    timestamp, which is how mart_project_changes tells runs apart. -#}
{% macro duckdb__snapshot_get_time() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}
