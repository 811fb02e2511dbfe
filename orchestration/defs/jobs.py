"""Jobs: the full refresh that `make run` executes and the UI can launch."""

import dagster as dg

REFRESH_ALL = "refresh_all"

refresh_all = dg.define_asset_job(
    REFRESH_ALL,
    selection=dg.AssetSelection.all(),
    description="Every source, every dbt model and every check, in lineage order.",
)
