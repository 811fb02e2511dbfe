"""The single, cached DbtProject every dbt-related definition uses."""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path
from typing import Any

from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

_DBT_INPUTS = ("models", "seeds", "macros", "tests", "snapshots", "dbt_project.yml")


def manifest_is_stale(project: DbtProject) -> bool:
    """True when a dbt file is newer than the manifest (or there is no manifest)."""
    manifest = Path(project.manifest_path)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in _DBT_INPUTS:
        path = Path(project.project_dir) / name
        files = [path] if path.is_file() else path.rglob("*") if path.exists() else []
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return False


@functools.cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    # Under `dagster dev`, re-parse when a dbt file changed. Every run and step process of
    # `dagster dev` inherits the dev flag, so an unconditional re-parse would cost each of
    # them ~10 s and let them write the same manifest at once.
    if manifest_is_stale(project):
        project.prepare_if_dev()
    return project


def dbt_manifest(attempts: int = 20) -> dict[str, Any]:
    """The parsed manifest of the dbt project (nodes, their schemas and aliases).

    dbt rewrites the file in place (`dbt parse`, `make docs`, a re-parse under `dagster dev`),
    so a code server loading at that moment can read half a file: it reads again shortly.
    """
    path = Path(dbt_project().manifest_path)
    for attempt in range(attempts):
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")
