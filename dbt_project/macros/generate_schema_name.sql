{#- Use a model's custom schema as its real schema name (staging, marts, ...), not
    "<target schema>_<custom>": BI users query marts.fct_project, whatever the target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
