{#- Which cells name no organisation. Which organisation a name is, and its type and place,
    is decided in Python (sources/organisations/, model int_organisations__name_variants). -#}

{% macro is_placeholder_organisation_name(name) -%}
    {#- Cells that name no organisation: empty, punctuation only, or a "not applicable" /
        "unknown" word. Such mentions are dropped, not merged into one pseudo-organisation. -#}
    (
        nullif(trim({{ name }}), '') is null
        or regexp_matches(trim({{ name }}), '^[[:punct:][:space:]]*$')
        or regexp_replace(lower(strip_accents(trim({{ name }}))), '[^a-z0-9]+', '', 'g') in (
            'nvt', 'na', 'nb', 'onbekend', 'unknown', 'tbd', 'tba', 'nognietbekend',
            'nogonbekend', 'geen', 'none', 'null', 'x', 'xx', 'xxx'
        )
    )
{%- endmacro %}

{% macro csv_field(expression) -%}
    {#- A value as one CSV field: quoted, with its quotes doubled ("Nuenen, Gerwen en
        Nederwetten" stays one field). Null stays null. -#}
    ('"' || replace({{ expression }}, '"', '""') || '"')
{%- endmacro %}
