{#- Rules for recognising organisations across spellings. They live in one place so that the
    alias seed, the reference seed and the sources' names are normalised the same way. -#}

{% macro normalise_organisation_name(name) -%}
    {#- Case, accents, punctuation and legal-form words do not tell organisations apart:
        "Yara Sluiskil B.V." = "yara sluiskil", "N.V. Nederlandse Gasunie" = "nederlandse
        gasunie". Legal forms are only removed at the start or end of a name, where they
        are written, and only when at least two characters remain. The English names of
        Dutch universities follow two fixed patterns, written back in Dutch:
        "<city> University of Technology" = "technische universiteit <city>",
        "University of <city>" = "universiteit <city>" (only for a one-word city). A name
        without Latin letters or digits is kept as written (lower case). -#}
    coalesce(
        nullif(trim(
            regexp_replace(regexp_replace(
                {{ _strip_legal_forms(name) }},
                '^([a-z]+) university of technology$', 'technische universiteit \1'),
                '^university of ([a-z]+)$', 'universiteit \1')
        ), ''),
        nullif(lower(trim({{ name }})), '')
    )
{%- endmacro %}

{% macro _strip_legal_forms(name) -%}
    regexp_replace(regexp_replace(regexp_replace(
        trim(regexp_replace(lower(strip_accents({{ name }})), '[^a-z0-9]+', ' ', 'g')),
        '^(n v|nv|b v|bv) (.{2,})$', '\2'),
        '^(.{2,}) (b v|bv|n v|nv|v o f|vof|c v|cv|u a|ua|ltd|gmbh|i o)$', '\1'),
        '^(.{2,}) (b v|bv|n v|nv)$', '\1')
{%- endmacro %}

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

{% macro organisation_key(normalised_name) -%}
    {#- A readable, stable key: the normalised canonical name with dashes. -#}
    replace({{ normalised_name }}, ' ', '-')
{%- endmacro %}

{% macro organisation_type_from_name(name) -%}
    {#- Only patterns that do not guess: public bodies by their official prefix, schools
        and universities by the words in their name, companies by a legal form they wrote
        themselves. "College" alone does not prove an MBO school (secondary schools use it),
        nor does "University" in a university medical centre's name. Everything else stays
        null (and becomes `onbekend`). -#}
    case
        when regexp_matches(lower({{ name }}), '^(gemeente|provincie|ministerie|waterschap|hoogheemraadschap) ')
            or lower({{ name }}) = 'rijkswaterstaat'
            then 'overheid'
        when regexp_matches(lower({{ name }}), '(hogeschool|hogescholen|university of applied sciences)')
            then 'hbo'
        when regexp_matches(lower({{ name }}), '(universiteit|university)')
            and not regexp_matches(lower({{ name }}), '(medisch|medical|umc)')
            then 'wo'
        when regexp_matches(lower({{ name }}), '(^roc |^mbo |\bmbo$)')
            then 'mbo'
        when regexp_matches(lower({{ name }}), '(^n\.?v\.? | b\.?v\.?$| n\.?v\.?$| gmbh$| ltd\.?$)')
            then 'bedrijf'
    end
{%- endmacro %}

{% macro municipality_from_name(name) -%}
    {#- A municipality's own organisation sits in that municipality. -#}
    case
        when regexp_matches({{ name }}, '^Gemeente ')
            then trim(regexp_replace({{ name }}, '^Gemeente ', ''))
    end
{%- endmacro %}

{% macro province_from_name(name) -%}
    {#- A province's own organisation sits in that province. -#}
    case
        when regexp_matches({{ name }}, '^Provincie ')
            then trim(regexp_replace({{ name }}, '^Provincie ', ''))
    end
{%- endmacro %}
