{#- A project's duration in whole calendar months, its start and end days both included: the
    largest n with start + n months <= end + 1 day, where a month added to a day its target
    month lacks gives that month's last day (DuckDB date_sub('month', ...): 2024-01-15 to
    2024-07-14 is 6, 2024-01-01 to 2024-01-31 is 1, 2024-01-31 to 2024-02-01 is 0, 2024-01-31
    to 2024-02-29 is 1). Not date_diff, which counts month boundaries crossed. Null when a date
    is unknown or the end is before the start. tests/test_indicator_marts.py holds the cases. -#}

{% macro duration_months(start_date, end_date) -%}
    case
        when {{ end_date }} >= {{ start_date }}
            then cast(date_sub('month', {{ start_date }}, {{ end_date }} + 1) as integer)
    end
{%- endmacro %}
