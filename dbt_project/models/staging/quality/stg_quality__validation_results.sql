-- Validation results of the Great Expectations checks, one row per expectation per check
-- run, with the source system the suite belongs to.
select
    source.validation_id,
    source.run_id,
    source.validated_at,
    source.asset_key,
    source.suite,
    case
        when source.suite like 'raw_nwopen_%' then 'nwopen'
        when source.suite like 'raw_tse_%' then 'tse'
        when source.suite like 'raw_mooi_register_%' then 'mooi_register'
        when source.suite like 'raw_gvnl_register_%' then 'gvnl_register'
        else 'warehouse'
    end as source_system,
    source.table_name,
    source.snapshot_id,
    source.expectation,
    source.column_name,
    source.severity,
    source.success,
    source.rows_validated,
    source.observed_value,
    source.unexpected_count,
    source.unexpected_percent,
    source.sample_unexpected,
    source.exception
from {{ source('quality', 'validation_results') }} as source
