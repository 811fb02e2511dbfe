{#- The rows of a raw table's newest accepted snapshot. Raw tables keep every pull; snapshot
    ids are UTC timestamps, so the greatest id is the newest. A snapshot that failed an ERROR
    expectation of any quality check is rejected: staging keeps reading the snapshot before it
    until a good one arrives (raw keeps the rejected rows as evidence). -#}
{% macro latest_snapshot(relation) %}
    select *
    from {{ relation }}
    where _snapshot_id = (
        select max(_snapshot_id)
        from {{ relation }}
        where _snapshot_id not in (
            select results.snapshot_id
            from {{ source('quality', 'validation_results') }} as results
            where results.snapshot_id is not null
                and results.severity = 'ERROR'
                and not results.success
        )
    )
{% endmacro %}
