{#- What staging reads of a raw table: only snapshots the source's validation step accepted,
    without the records it set aside. The verdicts and the quarantine are tables of the raw
    layer (raw.<source>_acceptance, raw.<source>_quarantine), written by the validation step
    (orchestration/quality/acceptance.py) before dbt runs; nothing here reads the checks'
    results. The raw record files (read through the raw.* views) keep every pull, rejected
    ones too, as evidence.
    A pull whose rows equalled the previous pull's wrote none (sources/raw_tables.py): its
    verdict names the snapshot whose rows it validated (rows_snapshot_id) and when it was
    loaded. Staging reads those rows as the pull's own, under its id and load time, so a
    source seen again unchanged still advances its last-seen dates. -#}

{#- The newest verdict on each snapshot of a source (a snapshot can be validated again), with
    the snapshot whose rows hold its records (null in verdicts written before pulls were
    deduplicated: its own). -#}
{% macro snapshot_verdicts(source_system) %}
    select snapshot_id, acceptance_id, status,
        coalesce(rows_snapshot_id, snapshot_id) as rows_snapshot_id, snapshot_loaded_at
    from {{ source('raw', source_system ~ '_acceptance') }}
    qualify row_number() over (
        partition by snapshot_id order by validated_at desc, acceptance_id desc
    ) = 1
{% endmacro %}

{#- The verdict staging reads: that of the newest accepted snapshot (snapshot ids are UTC
    timestamps, so the greatest is the newest). -#}
{% macro current_acceptance(source_system) %}
    select snapshot_id, acceptance_id, rows_snapshot_id, snapshot_loaded_at
    from ({{ snapshot_verdicts(source_system) }}) as verdicts
    where status = 'accepted'
    order by snapshot_id desc
    limit 1
{% endmacro %}

{#- True for a row of `table` that the verdict `verdict` set aside. -#}
{% macro is_set_aside(source_system, table, verdict) %}
    exists (
        select 1
        from {{ source('raw', source_system ~ '_quarantine') }} as quarantine
        where quarantine.acceptance_id = {{ verdict }}.acceptance_id
            and quarantine.table_name = 'raw.{{ table }}'
            and quarantine.record_no = source._record_no
            and quarantine.disposition = 'set_aside'
    )
{% endmacro %}

{#- A raw row as the pull the verdict judged: that snapshot's id and load time. -#}
{% macro as_verdicts_snapshot(verdict) %}
    source.* replace (
        {{ verdict }}.snapshot_id as _snapshot_id,
        coalesce({{ verdict }}.snapshot_loaded_at, source._loaded_at) as _loaded_at
    )
{% endmacro %}

{#- The rows of a raw table's newest accepted snapshot, minus the records set aside. -#}
{% macro accepted_rows(source_system, table) %}
    select {{ as_verdicts_snapshot('verdict') }}
    from {{ source('raw', table) }} as source
    inner join ({{ current_acceptance(source_system) }}) as verdict
        on source._snapshot_id = verdict.rows_snapshot_id
    where not {{ is_set_aside(source_system, table, 'verdict') }}
{% endmacro %}

{#- The rows of every accepted snapshot (for first- and last-seen dates), minus the records
    each snapshot's verdict set aside. -#}
{% macro accepted_history(source_system, table) %}
    select {{ as_verdicts_snapshot('verdict') }}
    from {{ source('raw', table) }} as source
    inner join ({{ snapshot_verdicts(source_system) }}) as verdict
        on source._snapshot_id = verdict.rows_snapshot_id
    where verdict.status = 'accepted'
        and not {{ is_set_aside(source_system, table, 'verdict') }}
{% endmacro %}

{#- Staging of a source's quarantine: every entry of every validation, and whether it belongs
    to the verdict staging reads now. -#}
{% macro quarantine_entries(source_system) %}
    select
        '{{ source_system }}' as source_system,
        quarantine.acceptance_id,
        quarantine.validation_id,
        quarantine.snapshot_id,
        quarantine.table_name,
        quarantine.record_no,
        quarantine.record_key,
        quarantine.disposition,
        quarantine.rule,
        quarantine.rule_description,
        quarantine.column_name,
        quarantine.value,
        quarantine.problem,
        quarantine.run_id,
        quarantine.validated_at,
        quarantine.acceptance_id = current.acceptance_id as is_current
    from {{ source('raw', source_system ~ '_quarantine') }} as quarantine
    left join ({{ current_acceptance(source_system) }}) as current on true
{% endmacro %}
