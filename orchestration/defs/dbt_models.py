"""The dbt project as Dagster assets; dbt tests run inside `dbt build` as asset checks."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.dbt_translator import LcmDbtTranslator
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource

# What may only be built once the marts passed their blocking checks: the type-2 history and
# what is derived from it (a bad mart must not enter history), and the data-quality mart
# (built after the checks of the run, so it shows them).
AFTER_MART_CHECKS = "resource_type:snapshot mart_project_changes mart_data_quality"


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=LcmDbtTranslator(),
    name="lc_monitor_dbt",
    exclude=AFTER_MART_CHECKS,
    pool=DUCKDB_POOL,
)
def lc_monitor_dbt(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Seeds, staging, intermediate models and marts, with their dbt tests."""
    yield from _build(context, dbt, warehouse)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=LcmDbtTranslator(),
    name="lc_monitor_dbt_history",
    select=AFTER_MART_CHECKS,
    pool=DUCKDB_POOL,
)
def lc_monitor_dbt_history(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """Snapshots, mart_project_changes and mart_data_quality, after the mart checks."""
    yield from _build(context, dbt, warehouse)


def _build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    # profiles.yml reads the path from LCM_WAREHOUSE; hand dbt the resolved, absolute path so
    # that dbt and the Python assets write the same file. The subprocess copies the
    # environment when it starts, so the variable is restored right after.
    with _environment(LCM_WAREHOUSE=warehouse.database()):
        invocation = dbt.cli(["build"], context=context)
    yield from invocation.stream()


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
