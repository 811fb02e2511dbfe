-- Every crawl in which each MOOI project page appeared (all snapshots, not only the latest):
-- the basis of first-seen and last-seen dates.
select
    source.grant_number,
    source._snapshot_id as snapshot_id,
    source._loaded_at as loaded_at
from {{ source('raw', 'tse_projects') }} as source
