{#- A category that only some programmes have (mission, TKI: MOOI's; seed programmes says
    which). The rule of the marts' conventions (docs/marts.md) lives here: where the category
    applies, an unknown value is `onbekend`; elsewhere it is null, "does not apply". -#}
{% macro applicable_category(expression, applies) -%}
    case when {{ applies }} then coalesce({{ expression }}, 'onbekend') end
{%- endmacro %}
