{#- The rows of a raw table's newest accepted snapshot. Raw tables keep every pull; snapshot
    ids are UTC timestamps, so the greatest id is the newest. A snapshot whose latest
    validation by any suite failed an ERROR expectation is rejected: staging keeps reading the
    snapshot before it until a good one arrives (raw keeps the rejected rows as evidence, and
    a snapshot validated again after a suite was corrected counts by its newest result). -#}
{% macro latest_snapshot(relation) %}
    select *
    from {{ relation }}
    where _snapshot_id = (
        select max(_snapshot_id)
        from {{ relation }}
        where _snapshot_id not in ({{ rejected_snapshot_ids() }})
    )
{% endmacro %}

{% macro rejected_snapshot_ids() %}
    select snapshot_id
    from (
        select
            suite,
            snapshot_id,
            bool_or(severity = 'ERROR' and not success) as failed,
            row_number() over (
                partition by suite, snapshot_id order by max(validated_at) desc
            ) as newest_first
        from {{ source('quality', 'validation_results') }}
        where snapshot_id is not null
        group by suite, snapshot_id, run_id
    ) as validations
    where newest_first = 1 and failed
{% endmacro %}
