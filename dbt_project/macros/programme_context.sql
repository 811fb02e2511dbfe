{#- The context a programme gives all its projects (seed programmes.context, e.g. `energie`),
    or null when its projects' context is decided one by one (KIC: macro kic_context_of). The
    one place that reads the seed's column: a blank cell means "per project". -#}
{% macro programme_context(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
