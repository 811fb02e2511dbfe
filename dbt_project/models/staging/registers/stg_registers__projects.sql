-- Current Learning Communities of every programme office's register (var registers): the
-- latest accepted pull of each without the records set aside, renamed.
with source as (
    {{ registers_accepted_rows('projects') }}
)

select
    source.source_system,
    source.register_id,
    source.programme,
    source.lc_name,
    source.region,
    source.related_grant,
    source.call_round,
    source.call_id,
    source.start_date,
    source.end_date,
    source.subsidy_eur,
    source.students_reached,
    source.professionals_reached,
    source.teachers_reached,
    source.lc_municipality,
    source.website as website_url,
    source.source_row,
    source._snapshot_id as snapshot_id,
    source._loaded_at as loaded_at
from source
