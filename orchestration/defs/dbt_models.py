"""The dbt project as Dagster assets; dbt tests run inside `dbt build` as asset checks."""

import os
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.dbt_translator import LcmDbtTranslator
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=LcmDbtTranslator(),
    name="lc_monitor_dbt",
    pool=DUCKDB_POOL,
)
def lc_monitor_dbt(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    # profiles.yml reads the path from LCM_WAREHOUSE; hand dbt the resolved, absolute path
    # so that dbt and the Python assets always write the same file.
    os.environ["LCM_WAREHOUSE"] = warehouse.database()
    yield from dbt.cli(["build"], context=context).stream()
