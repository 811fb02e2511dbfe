"""Publishing: after every blocking check of a run has passed, the marts go to the serving
DuckDB file and to Parquet (orchestration/publish.py). A run whose checks fail publishes
nothing: this asset depends on every mart, and blocking checks stop what is downstream.
The serving file and the exports switch together, as one version (orchestration/publish.py)."""

from pathlib import Path

import dagster as dg

from orchestration.dbt_project import dbt_manifest
from orchestration.publish import SERVING_STORAGE_VERSION, publish
from orchestration.settings_resource import SettingsResource
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource


def mart_keys() -> list[dg.AssetKey]:
    """Every dbt model in the marts schema, from the manifest (one place: dbt_project.yml)."""
    manifest = dbt_manifest()
    return sorted(
        dg.AssetKey(["marts", node["name"]])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("schema") == "marts"
    )


@dg.asset(
    key=["serving", "lc_monitor"],
    deps=mart_keys(),
    group_name="serving",
    pool=DUCKDB_POOL,
    description=(
        "The marts for BI tools: a serving DuckDB file (DuckDB 1.4 storage format) and one "
        "Parquet file per mart, written to a new version folder and switched together "
        "(serving/current). Published only when every blocking check of the run passed."
    ),
)
def published_marts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsResource
) -> dg.MaterializeResult:
    resolved = settings.get()
    result = publish(
        Path(warehouse.database()),
        resolved.serving_path,
        resolved.exports_dir,
        keep=resolved.serving_keep,
    )
    if result.removed:
        context.log.info(f"removed {len(result.removed)}: {', '.join(result.removed)}")
    return dg.MaterializeResult(
        metadata={
            "serving_path": dg.MetadataValue.path(str(result.serving_path)),
            "exports_dir": dg.MetadataValue.path(str(result.exports_dir)),
            # The folder `current` names: this publish's serving file, exports and manifest.
            "version_dir": dg.MetadataValue.path(str(result.version_dir)),
            "removed": dg.MetadataValue.json(result.removed),
            "storage_version": SERVING_STORAGE_VERSION,
            "size_bytes": result.size_bytes,
            "publish_seconds": round(result.seconds, 2),
            # Each mart's columns and preview are on its own asset; here, what was published.
            "tables": dg.MetadataValue.table(
                records=[
                    dg.TableRecord(
                        {
                            "table": table,
                            "rows": rows,
                            "parquet": str(result.parquet[table]),
                        }
                    )
                    for table, rows in result.tables.items()
                ],
                schema=dg.TableSchema(
                    columns=[
                        dg.TableColumn("table", "string"),
                        dg.TableColumn("rows", "int"),
                        dg.TableColumn("parquet", "string"),
                    ]
                ),
            ),
            "dagster/row_count": sum(result.tables.values()),
        }
    )
