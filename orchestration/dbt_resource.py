"""dagster-dbt's CLI resource, without the dbt adapter it opens in the run's process."""

from __future__ import annotations

from collections.abc import Sequence

from dagster_dbt import DbtCliResource


class LcmDbtCliResource(DbtCliResource):
    """Before every invocation ``DbtCliResource.cli`` builds a dbt adapter in the calling
    process (profile, project and base macros: about 2 s per dbt step). The adapter serves only
    dagster-dbt's row-count and column fetchers, which this project does not use: dbt holds
    the warehouse read-write while it runs, so the dbt step describes its tables after dbt
    exits (orchestration/defs/dbt_models.py). dagster-dbt runs without an adapter when none
    is made, as it does for dbt Fusion. constraints.txt pins dagster-dbt; the definitions
    tests fail if an upgrade renames the method."""

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None
