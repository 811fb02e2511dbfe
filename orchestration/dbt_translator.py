"""How dbt nodes become Dagster assets: keys and groups by layer, sources onto raw assets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings


class LcmDbtTranslator(DagsterDbtTranslator):
    """Keys are ``<schema>/<name>``, so the graph reads raw -> staging -> intermediate -> marts.

    A dbt source ``source('raw', 'x')`` becomes ``raw/x``: the key of the Python asset that
    writes that raw table, which makes ingestion and dbt one lineage graph.
    """

    def __init__(self) -> None:
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        resource_type = dbt_resource_props["resource_type"]
        name = dbt_resource_props["name"]
        if resource_type == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], name])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return dg.AssetKey([schema, name])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The layer (schema), unless the model names its group in ``meta.dagster.group``: a
        mart read from history (mart_project_changes) sits in the history group, so the groups
        read left to right, marts -> history, and never feed each other."""
        if dbt_resource_props["resource_type"] == "source":
            return None  # the Python asset that writes the table owns its group
        config = dbt_resource_props.get("config", {})
        group = (config.get("meta", {}).get("dagster") or {}).get("group")
        return group or config.get("schema") or "dbt"
