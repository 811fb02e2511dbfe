-- Every pull of the register in which each Learning Community appeared (every accepted
-- snapshot, not only the latest): the basis of first-seen and last-seen dates.
select
    source.register_id,
    source._snapshot_id as snapshot_id,
    source._loaded_at as loaded_at
from (
    {{ accepted_history('gvnl_register', 'gvnl_register_projects') }}
) as source
