"""The dbt project as Dagster assets; dbt tests run inside `dbt build` as asset checks."""

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.dbt_translator import LcmDbtTranslator
from orchestration.disk import prune_dbt_targets
from orchestration.metadata import relation_metadata, step_settings
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource

# What may only be built once the marts passed their blocking checks: the type-2 history and
# what is derived from it, so that a mart that fails a blocking check never enters history.
# (mart_data_quality is a view over the results: current without waiting for anything.)
AFTER_MART_CHECKS = "resource_type:snapshot mart_project_changes"


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
    """Snapshots and mart_project_changes, after the mart checks."""
    yield from _build(context, dbt, warehouse)


def _build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    # profiles.yml reads the path from LCM_WAREHOUSE; hand dbt the resolved, absolute path so
    # that dbt and the Python assets write the same file. The subprocess copies the
    # environment when it starts, so the variable is restored right after.
    keep_targets = step_settings().disk.dbt_targets
    started = time.time()
    with _environment(LCM_WAREHOUSE=warehouse.database()):
        invocation = dbt.cli(["build"], context=context)
    # The dbt process holds the warehouse read-write until it exits, so the events wait for it:
    # only then can the tables be described over a read-only connection. A failed or
    # interrupted build still reports what it built before its error is raised again.
    events: list[Any] = []
    failure: BaseException | None = None
    try:
        events.extend(invocation.stream())
    except BaseException as exc:  # incl. Dagster's interruption of a terminated run
        failure = exc
    _prune_targets(context, invocation.target_path, keep_targets, started)
    try:
        yield from _with_table_metadata(context, events, warehouse, invocation.manifest)
    finally:
        if failure is not None:
            raise failure


def _prune_targets(
    context: dg.AssetExecutionContext, target_path: Path, keep: int, started: float
) -> None:
    """dagster-dbt writes a target folder per invocation (~10 MB, mostly dbt.log) and never
    removes one: keep the newest few for debugging."""
    try:
        removed = prune_dbt_targets(target_path, keep, started)
    except OSError as exc:  # housekeeping never fails a build
        context.log.warning(f"Could not prune dbt target folders beside {target_path}: {exc}")
        return
    if removed:
        context.log.info(f"Removed {len(removed)} old dbt target folder(s) beside {target_path}")


def _with_table_metadata(
    context: dg.AssetExecutionContext,
    events: list[Any],
    warehouse: WarehouseResource,
    manifest: Mapping[str, Any],
) -> Iterator[Any]:
    """The events, each built model, seed or snapshot with its row count, DuckDB column types
    (with the YAML descriptions) and a preview."""
    if not any(_is_build_output(e) for e in events):
        yield from events  # e.g. a build that failed before any model
        return
    with ExitStack() as stack:
        try:
            con = stack.enter_context(warehouse.connect(read_only=True))
        except duckdb.Error as exc:
            # E.g. another process holds the file read-write: the build stands, unprofiled.
            context.log.warning(f"No table metadata: cannot read the warehouse ({exc})")
            yield from events
            return
        for event in events:
            if _is_build_output(event):
                profile = _describe(context, con, manifest, event)
                event = event.with_metadata({**event.metadata, **profile})
            yield event


def _is_build_output(event: Any) -> bool:
    return isinstance(event, dg.Output) and "unique_id" in event.metadata


def _describe(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    manifest: Mapping[str, Any],
    event: dg.Output,
) -> dict[str, Any]:
    node = manifest["nodes"][event.metadata["unique_id"].value]
    descriptions = {
        name: column.get("description") or "" for name, column in node["columns"].items()
    }
    try:
        profile = relation_metadata(con, node["schema"], node["alias"], descriptions)
        del profile["dagster/table_name"]  # dagster-dbt's own, database.schema.alias, stands
        return profile
    except (duckdb.Error, LookupError) as exc:
        # Built by dbt but not describable: the materialization stands, without the profile.
        context.log.warning(f"No table metadata for {node['unique_id']}: {exc}")
        return {}


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
