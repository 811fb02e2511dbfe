-- Data quality per validation: for every suite validated in a Dagster run, how many
-- expectations were evaluated and failed (ERROR and WARN), on how many rows, and whether the
-- data passed (no failed ERROR). For charts of data quality over time per source.
with results as (
    select * from {{ ref('stg_quality__validation_results') }}
)

select
    validation_id,
    any_value(run_id) as run_id,
    any_value(suite) as suite,
    any_value(source_system) as source_system,
    any_value(asset_key) as asset_key,
    any_value(table_name) as table_name,
    any_value(snapshot_id) as snapshot_id,
    max(validated_at) as validated_at,
    max(rows_validated) as rows_validated,
    count(*) as expectations_evaluated,
    count(*) filter (where not success) as expectations_failed,
    count(*) filter (where not success and severity = 'ERROR') as errors_failed,
    count(*) filter (where not success and severity = 'WARN') as warnings_failed,
    count(*) filter (where exception is not null) as expectations_raised,
    round(100.0 * count(*) filter (where success) / count(*), 1) as success_percent,
    count(*) filter (where not success and severity = 'ERROR') = 0 as passed
from results
group by validation_id
