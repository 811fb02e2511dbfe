"""The closing message of a failed run names the cause: `lc-monitor run` in its own process
against a local server and real files, and a real blocking check on a full disk.

- invalid JSON from the API: the source error (source, URL) is shown, not only the
  JSONDecodeError below it;
- a pull rejected by a blocking check: the rule and its description;
- a full disk (a small tmpfs; mounting needs root, else skipped) while landing: source and
  path; while a check records its results: it says so, and that it is no verdict on the data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.failures import failure_lines
from orchestration.quality.checks import run_mart_suite
from orchestration.quality.suites import load_suite
from orchestration.warehouse import WarehouseResource

from .conftest import NWOPEN_PATH, sample_pages, serve_pages

LC_MONITOR = Path(sys.executable).parent / "lc-monitor"


def lc_monitor_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`lc-monitor run` as a user types it, on its own Dagster instance."""
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.symlink_to(Path(__file__).resolve().parent.parent / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    return subprocess.run(
        [str(LC_MONITOR), "run", *args], capture_output=True, text=True, env=env, timeout=600
    )


def closing_message(run: subprocess.CompletedProcess[str]) -> str:
    """From the FAILED line on: what the console shows last."""
    assert run.returncode == 1, run.stdout + run.stderr
    return run.stderr[run.stderr.index(") FAILED after") :]


def test_invalid_json_names_the_source_and_url_not_only_the_decode_error(
    httpserver: Any, fast_http: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    httpserver.expect_request(NWOPEN_PATH).respond_with_data(
        '{"meta": {"count": 3, "pages": 1}, "projects": [', content_type="application/json"
    )
    url = httpserver.url_for(NWOPEN_PATH)
    monkeypatch.setenv("LCM_NWOPEN_URL", url)
    message = closing_message(lc_monitor_run(tmp_path, "--job", "refresh_nwopen"))
    print(message)
    line = next(line for line in message.splitlines() if "nwopen_raw:" in line)
    assert "SourceError: [NWOpen]" in line and url in line, message
    assert "not valid JSON" in line and "(caused by JSONDecodeError)" in line
    assert "Nothing was published" in message


def test_a_rejected_pull_names_the_rule_and_its_description(
    httpserver: Any, fast_http: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    pages = sample_pages()
    for page in pages:  # every file number unreadable: far more than a quarter set aside
        for project in page["projects"]:
            project["project_id"] = f"not a file number {project['project_id']}"
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, pages))
    message = closing_message(lc_monitor_run(tmp_path, "--job", "refresh_nwopen"))
    print(message)
    assert "blocking check failed" in message
    assert "check gx_raw_nwopen_projects on raw/nwopen_acceptance failed (ERROR)" in message
    assert "ERROR rule set_aside_share (share_of_records_set_aside)" in message
    # The rule's description, from the suite, under it.
    assert "of the records are set aside" in message and "snapshot is rejected" in message
    assert "DagsterAssetCheckFailedError" not in message


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs: a real file system that runs out of space."""
    mount = tmp_path / "small_disk"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> None:
    """Write until the file system refuses: ENOSPC from the kernel, nothing simulated."""
    with (disk / "filler").open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass


def test_a_full_disk_while_landing_names_the_source_and_path(
    httpserver: Any,
    fast_http: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    small_disk: Path,
):
    monkeypatch.setenv("LCM_DATA_DIR", str(small_disk / "data"))
    monkeypatch.setenv("LCM_WAREHOUSE", str(tmp_path / "warehouse" / "lc_monitor.duckdb"))
    monkeypatch.setenv("LCM_SOURCE_RETRIES", "0")  # retried, it would fail the same way
    monkeypatch.setenv("LCM_NWOPEN_URL", serve_pages(httpserver, sample_pages()))
    fill(small_disk)
    message = closing_message(lc_monitor_run(tmp_path, "--job", "refresh_nwopen"))
    print(message)
    line = next(line for line in message.splitlines() if "nwopen_raw:" in line)
    raw = small_disk / "data" / "raw" / "nwopen"
    assert f"SourceError: [nwopen] {raw}/" in line, message
    assert "cannot write the raw snapshot: No space left on device (ENOSPC)" in line


def mart_check_job(suite_path: Path, warehouse: Path) -> dg.JobDefinition:
    """A mart and its blocking GX check, run by the project's own mart-suite code."""
    suite = load_suite(suite_path)

    @dg.asset(key=["marts", "t"])
    def mart() -> None: ...

    @dg.asset_check(asset=mart, name=f"gx_{suite.name}", blocking=True)
    def check() -> dg.AssetCheckResult:
        return run_mart_suite(
            suite, WarehouseResource(path=str(warehouse)), "test-run",
            report_dir=warehouse.parent / "quality_report",
        )  # fmt: skip

    return dg.Definitions(
        assets=[mart], asset_checks=[check]
    ).resolve_implicit_global_asset_job_def()


def test_a_check_that_cannot_record_its_results_says_so(tmp_path: Path, small_disk: Path):
    suite_path = tmp_path / "t.json"
    suite_path.write_text(
        json.dumps(
            {
                "name": "t",
                "meta": {"asset_key": ["marts", "t"], "table": "marts.t"},
                "expectations": [
                    {
                        "rule": "has_rows",
                        "action": "block",
                        "description": "The mart holds rows: an empty mart means a model broke.",
                        "type": "expect_table_row_count_to_be_between",
                        "kwargs": {"min_value": 1},
                    }
                ],
            }
        )
    )
    # A mart that fails its rule, on a normal disk: the rule and its description.
    empty = tmp_path / "empty.duckdb"
    with duckdb.connect(str(empty)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t (id INTEGER)")
    result = mart_check_job(suite_path, empty).execute_in_process(raise_on_error=False)
    lines = "\n".join(failure_lines(result.all_events))
    print(lines)
    assert "check gx_t on marts/t failed (ERROR)" in lines
    assert "ERROR rule has_rows (expect_table_row_count_to_be_between): observed 0" in lines
    assert "The mart holds rows: an empty mart means a model broke." in lines

    # A mart that passes, on a full disk: the results cannot be written.
    full = small_disk / "warehouse.duckdb"
    with duckdb.connect(str(full)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT 1 AS id")
    fill(small_disk)
    result = mart_check_job(suite_path, full).execute_in_process(raise_on_error=False)
    lines = "\n".join(failure_lines(result.all_events))
    print(lines)
    assert not result.success
    assert "check gx_t on marts/t could not record its results" in lines
    assert "without a verdict on the data" in lines
    assert "No space left on device" in lines
    assert "failed (ERROR)" not in lines
