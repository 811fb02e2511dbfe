-- Every pull of each register in which each Learning Community appeared (every accepted
-- snapshot, not only the latest): the basis of first-seen and last-seen dates.
select
    source.source_system,
    source.register_id,
    source._snapshot_id as snapshot_id,
    source._loaded_at as loaded_at
from (
    {{ registers_accepted_rows('projects', history=true) }}
) as source
