{#- Fails for every non-null value that is zero or negative: amounts that are unknown must
    be null, never 0. -#}
{% test greater_than_zero(model, column_name) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} <= 0
{% endtest %}
