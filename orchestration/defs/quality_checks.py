"""The mart suites in expectations/suites/ as blocking Dagster asset checks, one per suite.

(Raw suites run in each source's validation step: orchestration/defs/acceptance.py.)
"""

import dagster as dg

from orchestration.quality.checks import run_mart_suite
from orchestration.quality.suites import SuiteFile, load_suites
from orchestration.settings import EXPECTATIONS_DIR
from orchestration.settings_resource import SettingsResource
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource


def build_mart_check(suite: SuiteFile) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset_key or ())),
        name=f"gx_{suite.name}",
        description=suite.description
        or f"Great Expectations suite {suite.path.name} ({suite.expectation_count} rules)",
        blocking=True,
        pool=DUCKDB_POOL,
        metadata={"suite_file": suite.path.name, "rules": suite.expectation_count},
    )
    def _check(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        settings: SettingsResource,
    ) -> dg.AssetCheckResult:
        return run_mart_suite(
            suite,
            warehouse,
            run_id=context.run.run_id,
            report_dir=settings.get().quality_report_dir,
        )

    return _check


@dg.definitions
def gx_checks() -> dg.Definitions:
    suites = [s for s in load_suites(EXPECTATIONS_DIR) if s.asset_key is not None]
    return dg.Definitions(asset_checks=[build_mart_check(suite) for suite in suites])
