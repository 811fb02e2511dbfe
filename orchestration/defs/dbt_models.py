"""The dbt project as Dagster assets; dbt tests run inside `dbt build` as asset checks."""

import json
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.dbt_translator import LcmDbtTranslator
from orchestration.disk import prune_dbt_targets
from orchestration.metadata import relation_metadata
from orchestration.settings_resource import SettingsResource
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource
from sources.raw_tables import attach_raw_views

# What may only be built once the marts passed their blocking checks: the type-2 history and
# what is derived from it, so that a mart that fails a blocking check never enters history.
# (mart_data_quality is a view over the results: current without waiting for anything.)
AFTER_MART_CHECKS = "resource_type:snapshot mart_project_changes"
PARTIAL_PARSE = "partial_parse.msgpack"


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=LcmDbtTranslator(),
    name="lc_monitor_dbt",
    exclude=AFTER_MART_CHECKS,
    pool=DUCKDB_POOL,
)
def lc_monitor_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    settings: SettingsResource,
) -> Iterator[Any]:
    """Seeds, staging, intermediate models and marts, with their dbt tests."""
    yield from _build(context, dbt, warehouse, settings)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=LcmDbtTranslator(),
    name="lc_monitor_dbt_history",
    select=AFTER_MART_CHECKS,
    pool=DUCKDB_POOL,
)
def lc_monitor_dbt_history(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    settings: SettingsResource,
) -> Iterator[Any]:
    """Snapshots and mart_project_changes, after the mart checks."""
    yield from _build(context, dbt, warehouse, settings)


def _build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    settings: SettingsResource,
) -> Iterator[Any]:
    # The warehouse path reaches dbt as a var (profiles.yml reads `var('warehouse')`), so dbt
    # and the Python assets write the same file without changing this process's environment.
    resolved = settings.get()
    keep_targets = resolved.disk.dbt_targets
    started = time.time()
    # The raw views read this data folder's record files (a moved or restored folder's
    # warehouse still names the old paths until they are made again).
    with warehouse.connect() as con:
        attach_raw_views(con, resolved.records_dir)
    # dbt unit tests check the models' logic on fixed rows, not the data: the test suite runs
    # them (tests/test_dbt_unit_tests.py), not every refresh.
    invocation = dbt.cli(
        [
            "build",
            "--exclude-resource-type", "unit_test",
            "--vars", json.dumps({"warehouse": warehouse.database()}),
        ],
        context=context,
    )  # fmt: skip
    # Outputs wait for the dbt process: it holds the warehouse read-write until it exits, and
    # only then can each table be described over a read-only connection. Progress is logged as
    # dbt reports it, so the step shows what dbt is doing meanwhile. A failed or interrupted
    # build still reports what it built before its error is raised again.
    events: list[Any] = []
    failure: BaseException | None = None
    try:
        for event in invocation.stream():
            events.append(event)
            _log_progress(context, event, started)
    except BaseException as exc:  # incl. Dagster's interruption of a terminated run
        failure = exc
    _keep_partial_parse(context, invocation.target_path)
    _prune_targets(context, invocation.target_path, keep_targets, started)
    try:
        yield from _with_table_metadata(context, events, warehouse, invocation.manifest)
    finally:
        if failure is not None:
            raise failure


def _log_progress(context: dg.AssetExecutionContext, event: Any, started: float) -> None:
    """A line per model, seed or snapshot built and per test that did not pass: every event
    is a row in the run's event log, and the ~290 passing tests show as checks anyway."""
    elapsed = time.time() - started
    if isinstance(event, dg.Output):
        context.log.info(f"dbt built {event.output_name} ({elapsed:.0f} s)")
    elif isinstance(event, dg.AssetCheckResult) and not event.passed:
        context.log.warning(
            f"dbt test {event.check_name} FAILED ({event.severity.value}, {elapsed:.0f} s)"
        )


def _keep_partial_parse(context: dg.AssetExecutionContext, target_path: Path) -> None:
    """Keep this invocation's parse for the next one. dagster-dbt gives each invocation a new
    target folder and seeds it with the project's target/partial_parse.msgpack; that file is
    written by `dbt parse` for the default profile, which dbt rejects for another warehouse
    path (a full parse, about 10 s). The build's own file matches the next build's profile:
    the history step and every later run on this warehouse parse only what changed."""
    source = target_path / PARTIAL_PARSE
    if not source.exists():
        return
    destination = Path(dbt_project().project_dir) / "target" / PARTIAL_PARSE
    partial = destination.with_name(f".{PARTIAL_PARSE}.{os.getpid()}")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, destination)  # atomic: a build starting now copies whole files
    except OSError as exc:  # an optimisation: the next build parses in full
        context.log.warning(f"Could not keep dbt's partial parse at {destination}: {exc}")
        partial.unlink(missing_ok=True)


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
