-- Every accepted crawl in which each MOOI project page appeared (not only the latest):
-- the basis of first-seen and last-seen dates.
select
    source.grant_number,
    source._snapshot_id as snapshot_id,
    source._loaded_at as loaded_at
from (
    {{ accepted_history('tse', 'tse_projects') }}
) as source
