{#- Fails for every row where the column is less than another column or a number (model
    integrity of counts: a project count is at least the LC count, ...). Nulls pass. -#}
{% test at_least(model, column_name, other) %}
    select {{ column_name }}, {{ other }}
    from {{ model }}
    where {{ column_name }} < {{ other }}
{% endtest %}
