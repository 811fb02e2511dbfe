"""`lc-monitor status` against a real Dagster instance: nothing run yet, then real runs of
assets under the project's keys (one with a failing check), then the same state two days on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from orchestration.cli import main
from orchestration.defs.jobs import SOURCE_GROUPS
from orchestration.status import status_lines


def _project_like_assets() -> list[dg.AssetsDefinition]:
    """A raw projects asset per source and the serving asset, as the real ones report them."""

    def raw(source: str) -> dg.AssetsDefinition:
        @dg.asset(key=["raw", f"{source}_projects"])
        def _raw() -> dg.MaterializeResult:
            return dg.MaterializeResult(
                metadata={"snapshot_id": f"20261130T0200{source}", "content_changed": False}
            )

        return _raw

    @dg.asset(key=["serving", "lc_monitor"])
    def serving() -> None: ...

    return [raw(s) for s in SOURCE_GROUPS] + [serving]


@dg.asset_check(asset=dg.AssetKey(["raw", "nwopen_projects"]), name="row_drop")
def row_drop() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=False,
        severity=dg.AssetCheckSeverity.WARN,
        description="row count fell by 40% against the last accepted pull",
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").symlink_to(Path(__file__).resolve().parent.parent / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def test_status_of_a_new_instance_needs_attention(home: Path, capsys: pytest.CaptureFixture):
    assert main(["status"]) == 1
    out = capsys.readouterr().out
    assert "Recent runs: none yet" in out
    assert "Published for BI tools: never" in out
    for source in SOURCE_GROUPS:
        assert f"{source}" in out and "never pulled" in out


def test_status_after_runs_shows_runs_publication_freshness_and_failed_checks(
    home: Path, capsys: pytest.CaptureFixture
):
    instance = dg.DagsterInstance.get()
    definitions = dg.Definitions(assets=_project_like_assets(), asset_checks=[row_drop])
    job = definitions.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance)
    assert result.success

    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "SUCCESS" in out and result.run_id in out
    assert "Published for BI tools: " in out and "never" not in out
    assert out.count("fresh ") >= len(SOURCE_GROUPS)
    assert "WARN  raw/nwopen_projects row_drop: row count fell by 40%" in out

    # Two days and more later, without a refresh: every source is stale.
    later = datetime.now(UTC) + timedelta(hours=51)
    lines, healthy = status_lines(instance, home / "w.duckdb", home / "s.duckdb", now=later)
    assert not healthy
    assert sum("STALE (over 50 h)" in line for line in lines) == len(SOURCE_GROUPS)
    instance.dispose()


def test_run_refuses_an_unknown_job_and_names_the_jobs(home: Path, capsys: pytest.CaptureFixture):
    assert main(["run", "--job", "refresh_everything"]) == 2
    err = capsys.readouterr().err
    assert "no job 'refresh_everything'" in err
    assert "refresh_all" in err and "refresh_nwopen" in err
    assert dg.DagsterInstance.get().get_runs() == []  # nothing was started
