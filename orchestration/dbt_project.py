"""The single, cached DbtProject every dbt-related definition uses."""

from __future__ import annotations

import functools

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR


@functools.cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    # Re-parses under `dagster dev` only; elsewhere `make` has prepared the manifest already.
    project.prepare_if_dev()
    return project
