{#- The rows of a raw table's newest accepted snapshot. Raw tables keep every pull; snapshot
    ids are UTC timestamps, so the greatest accepted id is the newest. Only snapshots that the
    quality checks validated and accepted are read: a pull whose checks failed an ERROR
    expectation, or that was never validated (its checks did not run or crashed), is skipped
    and staging keeps reading the pull before it. Raw keeps every pull as evidence. -#}
{% macro latest_snapshot(relation) %}
    select *
    from {{ relation }}
    where _snapshot_id = (
        select max(_snapshot_id)
        from {{ relation }}
        where _snapshot_id in ({{ accepted_snapshot_ids() }})
    )
{% endmacro %}

{#- Snapshot ids that at least one suite validated and whose newest validation by every
    suite that validated them failed no ERROR expectation (quality.validation_results). -#}
{% macro accepted_snapshot_ids() %}
    select snapshot_id
    from (
        select
            snapshot_id,
            bool_or(severity = 'ERROR' and not success) as failed,
            row_number() over (
                partition by suite, snapshot_id order by max(validated_at) desc
            ) as newest_first
        from {{ source('quality', 'validation_results') }}
        where snapshot_id is not null
        group by suite, snapshot_id, validation_id
    ) as validations
    where newest_first = 1
    group by snapshot_id
    having not bool_or(failed)
{% endmacro %}
