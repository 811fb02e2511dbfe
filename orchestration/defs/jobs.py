"""Jobs and the nightly schedule: the full refresh (what `make run` executes and the schedule
launches) and one job per source for on-demand runs from the UI."""

import dagster as dg

from orchestration.retries import RUN_RETRY_TAGS

REFRESH_ALL = "refresh_all"
SOURCE_GROUPS = ("nwopen", "tse", "mooi_register", "gvnl_register")
NIGHTLY_CRON = "0 2 * * *"
NIGHTLY_TIMEZONE = "Europe/Amsterdam"

refresh_all = dg.define_asset_job(
    REFRESH_ALL,
    selection=dg.AssetSelection.all(),
    description="Every source, every dbt model and every check, in lineage order.",
    tags=RUN_RETRY_TAGS,
)

source_jobs = [
    dg.define_asset_job(
        f"refresh_{group}",
        selection=dg.AssetSelection.groups(group).downstream(),
        description=f"Pull {group} and rebuild everything downstream of it, with its checks.",
        tags=RUN_RETRY_TAGS,
    )
    for group in SOURCE_GROUPS
]

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_all,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=NIGHTLY_TIMEZONE,
    # Running as soon as the daemon runs (`make dev`): the nightly refresh is the point.
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Nightly refresh of every source and model at 02:00 Amsterdam time.",
)
