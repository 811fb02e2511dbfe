{#- Fails for every combination of `columns` that occurs more than once: the key of a model
    whose grain is several columns (dbt_utils has one, but the project needs no packages). -#}
{% test unique_combination_of_columns(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
