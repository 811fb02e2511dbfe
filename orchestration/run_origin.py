"""Runs executed outside the webserver (``lc-monitor run``) that the UI files under their job.

The Dagster UI finds a job's runs in two ways, and a run made by ``execute_in_process`` or
``dagster.execute_job`` satisfies neither, so it shows only in the flat Runs list:

- the job's run history (status dots in the job lists, the job's Runs tab, its latest run)
  asks for runs of that job name tagged ``.dagster/repository=<repository>@<location>``;
- the overview timeline places a run in a row by its ``repositoryOrigin`` (the run's
  ``remote_job_origin``) and leaves out runs without one.

Run storage writes the tag itself from the run's ``remote_job_origin``, so a run created with
that origin (``execute_job_in_location``) shows in both. ``ui_run_tags`` alone only fixes the
history, for runs created by an API that takes no origin.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

# Not public API (execute_job takes no origin); constraints.txt pins the exact Dagster version,
# and tests/test_run_origin.py shows an upgrade that changes them.
from dagster._core.definitions.reconstruct import ReconstructableJob
from dagster._core.definitions.repository_definition.valid_definitions import (
    SINGLETON_REPOSITORY_NAME,
)
from dagster._core.execution.api import _job_with_repository_load_data, execute_run
from dagster._core.remote_origin import (
    CodeLocationOrigin,
    RemoteJobOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.storage.tags import REPOSITORY_LABEL_TAG
from dagster._core.workspace.load import location_origin_from_module_name

from orchestration.settings import REPO_ROOT

# The code location's name: pyproject.toml's [tool.dg.project] code_location_name, which
# `dagster dev` (make dev) registers the location under; a test keeps the two equal.
LOCATION_NAME = "lc_monitor"
# A Definitions object is served as one repository under this name.
REPOSITORY_NAME = SINGLETON_REPOSITORY_NAME
DEFINITIONS_MODULE = "orchestration.definitions"


def ui_run_tags(location: str = LOCATION_NAME) -> dict[str, str]:
    """The tag the job's run history filters on: enough for the history, not the timeline."""
    return {REPOSITORY_LABEL_TAG: f"{REPOSITORY_NAME}@{location}"}


def code_location_origin(location: str) -> CodeLocationOrigin:
    # What `dagster dev` builds from pyproject's [tool.dg.project]: the UI goes by the location
    # name; the module lets the daemon (run retries) or a re-execution load the code again.
    return location_origin_from_module_name(
        DEFINITIONS_MODULE, None, str(REPO_ROOT), location_name=location
    )


def remote_job_origin(job_name: str, location: str = LOCATION_NAME) -> RemoteJobOrigin:
    repository = RemoteRepositoryOrigin(code_location_origin(location), REPOSITORY_NAME)
    return repository.get_job_origin(job_name)


def execute_job_in_location(
    job: ReconstructableJob,
    instance: dg.DagsterInstance,
    run_config: Mapping[str, object] | None = None,
    tags: Mapping[str, str] | None = None,
    raise_on_error: bool = False,
    *,
    location: str = LOCATION_NAME,
) -> dg.JobExecutionResult:
    """``dagster.execute_job`` (its arguments and defaults, no op or asset selection) with the
    run filed under the job of code location ``location``, as a run launched from the UI is."""
    job, repository_load_data = _job_with_repository_load_data(job)
    definition = job.get_definition()
    run = instance.create_run_for_job(
        job_def=definition,
        run_config=run_config,
        tags=tags,
        job_code_origin=job.get_python_origin(),
        remote_job_origin=remote_job_origin(definition.name, location),
        repository_load_data=repository_load_data,
    )
    return execute_run(job, run, instance, raise_on_error=raise_on_error)
