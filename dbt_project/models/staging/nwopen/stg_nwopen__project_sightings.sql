-- Every accepted pull in which each NWOpen project appeared (not only the latest):
-- the basis of first-seen and last-seen dates.
select
    source.project_id || '|' || source.funding_scheme_id as nwopen_project_key,
    source._snapshot_id as snapshot_id,
    source._loaded_at as loaded_at
from (
    {{ accepted_history('nwopen', 'nwopen_projects') }}
) as source
