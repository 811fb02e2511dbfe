"""Runs executed in process (`lc-monitor run`) are filed under their job as the UI looks them up:
the job's run history filters on job name plus the repository label tag, the overview timeline
needs the run's repository origin. Real SQLite instance, no webserver."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster._core.remote_origin import RemoteRepositoryOrigin
from dagster._core.storage.tags import REPOSITORY_LABEL_TAG
from dagster._core.workspace.load_target import PyProjectFileTarget

from orchestration.run_origin import (
    DEFINITIONS_MODULE,
    LOCATION_NAME,
    REPOSITORY_NAME,
    execute_job_in_location,
    ui_run_tags,
)
from orchestration.settings import REPO_ROOT


@dg.op
def tiny() -> int:
    return 1


@dg.job
def tiny_job() -> None:
    tiny()


@pytest.fixture
def instance(tmp_path: Path):
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        yield instance


def ui_repository_label() -> str:
    # The code location `make dev` serves: what `dagster dev` builds from pyproject.toml.
    (origin,) = PyProjectFileTarget(str(REPO_ROOT / "pyproject.toml")).create_origins()
    return RemoteRepositoryOrigin(origin, REPOSITORY_NAME).get_label()


def job_history(instance: dg.DagsterInstance) -> list[str]:
    # The filter of the job's run history (dagster-graphql GraphenePipeline.resolve_runs, the
    # UI's job Runs tab and latest-run tag): job name and repository label.
    runs_filter = dg.RunsFilter(
        job_name="tiny_job", tags={REPOSITORY_LABEL_TAG: ui_repository_label()}
    )
    return [run.run_id for run in instance.get_runs(filters=runs_filter)]


def timeline_row(run: dg.DagsterRun) -> tuple[str, str] | None:
    # The overview timeline's row: the run's repositoryOrigin (None: left out).
    origin = run.remote_job_origin
    if origin is None:
        return None
    return origin.repository_origin.repository_name, origin.location_name


def test_location_name_is_the_one_make_dev_serves() -> None:
    (origin,) = PyProjectFileTarget(str(REPO_ROOT / "pyproject.toml")).create_origins()
    assert origin.location_name == LOCATION_NAME
    assert origin.loadable_target_origin.module_name == DEFINITIONS_MODULE
    assert ui_run_tags() == {REPOSITORY_LABEL_TAG: ui_repository_label()}


def test_run_with_origin_shows_in_job_history_and_timeline(instance: dg.DagsterInstance) -> None:
    result = execute_job_in_location(
        dg.reconstructable(tiny_job), instance, tags={"lc_monitor/launched_by": "test"}
    )
    assert result.success
    run = instance.get_run_by_id(result.run_id)
    assert job_history(instance) == [result.run_id]
    assert timeline_row(run) == ("__repository__", "lc_monitor")
    assert run.tags["lc_monitor/launched_by"] == "test"


def test_plain_run_is_missing_and_tags_fix_only_the_history(
    instance: dg.DagsterInstance,
) -> None:
    plain = dg.execute_job(dg.reconstructable(tiny_job), instance)
    in_process = tiny_job.execute_in_process(instance=instance)
    assert job_history(instance) == []
    assert timeline_row(instance.get_run_by_id(plain.run_id)) is None
    assert timeline_row(instance.get_run_by_id(in_process.run_id)) is None

    tagged = tiny_job.execute_in_process(instance=instance, tags=ui_run_tags())
    assert job_history(instance) == [tagged.run_id]
    assert timeline_row(instance.get_run_by_id(tagged.run_id)) is None
