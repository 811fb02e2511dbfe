"""Entry point of the code location: everything under orchestration/defs/ is loaded from there."""

import logging
import warnings
from datetime import timedelta
from pathlib import Path

import dagster as dg

from orchestration.defs.jobs import SOURCE_GROUPS
from orchestration.run_executor import warehouse_run_executor
from orchestration.settings import (
    FRESHNESS_FAIL_HOURS,
    FRESHNESS_WARN_HOURS,
    require_valid_environment,
)

# The nightly refresh runs at 02:00 (defs/jobs.py): sources and marts follow its rhythm.
NIGHTLY_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=FRESHNESS_FAIL_HOURS),
    warn_window=timedelta(hours=FRESHNESS_WARN_HOURS),
)


@dg.definitions
def defs() -> dg.Definitions:
    # Configuration is checked before anything runs: a bad LCM_* value stops the code location
    # from loading (the UI and `lc-monitor run` show which variable and what it allows), so no
    # run starts, waits in the queue or retries on it. Unknown LCM_* names are warned.
    for warning in require_valid_environment():
        logging.getLogger("lc_monitor").warning(warning)
    loaded = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    # map_resolved_asset_specs is marked preview in Dagster 1.13; constraints.txt pins the
    # exact version, so an upgrade that changes it shows in the definitions tests.
    with warnings.catch_warnings():  # said once here, not on every load of the location
        warnings.simplefilter("ignore", dg.PreviewWarning)
        with_freshness = loaded.map_resolved_asset_specs(
            func=lambda spec: dg.apply_freshness_policy(spec, NIGHTLY_FRESHNESS),
            selection=dg.AssetSelection.groups(*SOURCE_GROUPS, "marts"),
        )
    # Every job, the UI's ad-hoc asset runs included, runs through the warehouse's run lock.
    return dg.Definitions.merge(with_freshness, dg.Definitions(executor=warehouse_run_executor))
