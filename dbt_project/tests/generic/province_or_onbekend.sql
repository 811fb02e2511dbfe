{#- A province column (a category, docs/marts.md conventions) holds one of the twelve
    provinces of seed provinces, or `onbekend` when the province is not known; never null. -#}
{% test province_or_onbekend(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
    or (
        {{ column_name }} <> 'onbekend'
        and {{ column_name }} not in (select province from {{ ref('provinces') }})
    )
{% endtest %}
