-- Data quality per validation: for every suite validated in a Dagster run, how many rules
-- were evaluated and failed (ERROR and WARN), on how many rows, how many records were set
-- aside or flagged, the verdict on a raw snapshot, and whether the data passed (no failed
-- ERROR). A view over the results, so it always shows the current run too: publishing copies
-- it after every check of the run.
{{ config(materialized='view') }}
with results as (
    select * from {{ ref('stg_quality__validation_results') }}
),

quarantine as (
    select
        validation_id,
        count(distinct record_no) filter (where disposition = 'set_aside') as records_set_aside,
        count(distinct record_no) filter (where disposition = 'flagged') as records_flagged
    from {{ ref('int_quality__quarantine_entries') }}
    group by validation_id
),

validations as (
    select
        validation_id,
        any_value(run_id) as run_id,
        any_value(suite) as suite,
        any_value(source_system) as source_system,
        any_value(asset_key) as asset_key,
        any_value(table_name) as table_name,
        any_value(snapshot_id) as snapshot_id,
        any_value(snapshot_status) as snapshot_status,
        max(validated_at) as validated_at,
        max(rows_validated) as rows_validated,
        count(*) as expectations_evaluated,
        count(*) filter (where not success) as expectations_failed,
        count(*) filter (where not success and severity = 'ERROR') as errors_failed,
        count(*) filter (where not success and severity = 'WARN') as warnings_failed,
        count(*) filter (where exception is not null) as expectations_raised,
        round(100.0 * count(*) filter (where success) / count(*), 1) as success_percent,
        count(*) filter (where not success and severity = 'ERROR') = 0 as passed,
        -- Drift against the last accepted pull, in words: column, figures then and now.
        list(json_extract_string(observed_value, '$') order by rule, column_name)
            filter (where not success and rule like 'drift_%') as drift_findings
    from results
    group by validation_id
)

select
    validations.*,
    coalesce(quarantine.records_set_aside, 0) as records_set_aside,
    coalesce(quarantine.records_flagged, 0) as records_flagged
from validations
left join quarantine on validations.validation_id = quarantine.validation_id
