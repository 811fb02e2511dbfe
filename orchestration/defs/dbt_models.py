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
