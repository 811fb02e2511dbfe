{#- The programme offices' LC registers are one set of staging models (models/staging/registers),
    one per entity, each row marked with its source_system; the list of registers is the var
    `registers` (dbt_project.yml). Raw tables stay per register: raw.<register>_<entity>. -#}

{#- The accepted rows of every register's raw table `<register>_<entity>` (all snapshots with
    history=true), each with its register as source_system. By name: a register whose raw
    table gained a column later still lines up. -#}
{% macro registers_accepted_rows(entity, history=false) %}
    {%- for register in var('registers') %}
        {%- set source_system = register['source_system'] %}
        {%- set table = source_system ~ '_' ~ entity %}
        {%- if not loop.first %}
    union all by name
        {%- endif %}
    select '{{ source_system }}' as source_system, registered.*
    from (
        {%- if history %}
        {{ accepted_history(source_system, table) }}
        {%- else %}
        {{ accepted_rows(source_system, table) }}
        {%- endif %}
    ) as registered
    {%- endfor %}
{% endmacro %}

{#- Fails for each row whose programme is not the one var `registers` gives its source_system
    (or whose source_system is not a register). -#}
{% test programme_of_register(model, column_name) %}
    with registers as (
        {%- for register in var('registers') %}
        {%- if not loop.first %} union all{% endif %}
        select '{{ register['source_system'] }}' as source_system,
            '{{ register['programme'] }}' as programme
        {%- endfor %}
    )

    select model.source_system, model.{{ column_name }}
    from {{ model }} as model
    left join registers on model.source_system = registers.source_system
    where model.{{ column_name }} is distinct from registers.programme
{% endtest %}

{#- Fails for each row whose `column_name` has no match in `field` of `to` within the same
    source_system: a relationship that holds per register. -#}
{% test relationships_within_source(model, column_name, to, field) %}
    select model.source_system, model.{{ column_name }}
    from {{ model }} as model
    where model.{{ column_name }} is not null
        and not exists (
            select 1
            from {{ to }} as parent
            where parent.source_system = model.source_system
                and parent.{{ field }} = model.{{ column_name }}
        )
{% endtest %}
