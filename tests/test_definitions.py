"""The Dagster code location loads and wires raw -> staging -> marts with its checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest
import yaml

from orchestration.definitions import defs as load_defs
from orchestration.defs.jobs import REFRESH_ALL
from orchestration.retries import source_retry_policy
from orchestration.settings import REPO_ROOT, SourceRetries, load_source_retries

RAW_PROJECTS = dg.AssetKey(["raw", "nwopen_projects"])
RAW_MEMBERS = dg.AssetKey(["raw", "nwopen_project_members"])
STG_PROJECTS = dg.AssetKey(["staging", "stg_nwopen__projects"])
STG_MEMBERS = dg.AssetKey(["staging", "stg_nwopen__project_members"])
FCT_PROJECT = dg.AssetKey(["marts", "fct_project"])
ACCEPTANCE = dg.AssetKey(["raw", "nwopen_acceptance"])
QUARANTINE = dg.AssetKey(["raw", "nwopen_quarantine"])


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return load_defs()


def test_definitions_validate(defs):
    dg.Definitions.validate_loadable(defs)


def test_lineage_is_one_graph(defs):
    graph = defs.resolve_asset_graph()
    # Staging reads the raw table and the raw layer's verdict and quarantine, which the
    # source's validation step writes: assets of their own, in the source's group.
    for stg, raw in ((STG_PROJECTS, RAW_PROJECTS), (STG_MEMBERS, RAW_MEMBERS)):
        assert graph.get(stg).parent_keys == {raw, ACCEPTANCE, QUARANTINE}
    for key in (ACCEPTANCE, QUARANTINE):
        assert graph.get(key).is_materializable and graph.get(key).group_name == "nwopen"
        assert {RAW_PROJECTS, RAW_MEMBERS} <= graph.get(key).parent_keys
    # No feedback loop: nothing upstream of the marts reads the checks' results table but
    # the data-quality mart's own staging model.
    results = dg.AssetKey(["quality", "validation_results"])
    assert graph.get(results).child_keys == {
        dg.AssetKey(["staging", "stg_quality__validation_results"])
    }
    assert FCT_PROJECT in graph.get_all_asset_keys()
    # The raw tables are materializable Python assets, not external stubs.
    assert graph.get(RAW_PROJECTS).is_materializable
    assert graph.get(RAW_PROJECTS).group_name == "nwopen"
    assert graph.get(STG_PROJECTS).group_name == "staging"
    assert graph.get(FCT_PROJECT).group_name == "marts"


def test_layers_flow_one_way(defs):
    """No model reads a later layer: the groups' lineage is acyclic, so the UI draws it left
    to right, and no intermediate model reads a mart or the history."""
    graph = defs.resolve_asset_graph()
    edges: dict[str, set[str]] = {}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        for parent in node.parent_keys:
            parent_group = graph.get(parent).group_name
            if parent_group != node.group_name:
                edges.setdefault(parent_group, set()).add(node.group_name)
    assert "intermediate" not in edges.get("marts", set()) | edges.get("history", set())
    assert "staging" not in edges.get("intermediate", set()) | edges.get("marts", set())
    assert "marts" not in edges.get("history", set())  # mart_project_changes is in history
    # Acyclic: repeatedly remove a group nothing points at.
    groups = set(edges) | {g for targets in edges.values() for g in targets}
    while groups:
        sources = {g for g in groups if not any(g in edges.get(o, ()) for o in groups)}
        assert sources, f"the groups feed each other: {sorted(groups)}"
        groups -= sources
    changes = graph.get(dg.AssetKey(["marts", "mart_project_changes"]))
    assert changes.group_name == "history"  # in the marts schema for BI, after the snapshots


def test_checks_are_attached(defs):
    graph = defs.resolve_asset_graph()
    checks = {key.asset_key: set() for key in graph.asset_check_keys}
    for key in graph.asset_check_keys:
        checks[key.asset_key].add(key.name)
    assert {
        "gx_raw_nwopen_projects",
        "gx_raw_nwopen_project_members",
        "gx_raw_nwopen_unfollowed_schemes",
    } == checks[ACCEPTANCE]
    assert "gx_fct_project" in checks[FCT_PROJECT]
    assert "unique_fct_project_project_key" in checks[FCT_PROJECT]  # a dbt test
    assert (
        "accepted_values_fct_project_lead_source__nwopen__tse__mooi_register__gvnl_register"
        in (checks[FCT_PROJECT])
    )


def test_gx_checks_are_blocking(defs):
    graph = defs.resolve_asset_graph()
    specs = [
        spec
        for key in graph.get_all_asset_keys()
        for spec in graph.get(key).assets_def.check_specs
        if spec.name.startswith("gx_")
    ] + [spec for checks in defs.asset_checks or [] for spec in checks.check_specs]
    names = {spec.name for spec in specs}
    assert {"gx_raw_tse_projects", "gx_dim_organisation", "gx_raw_gvnl_register_partners"} <= names
    assert all(spec.blocking for spec in specs)


def test_refresh_job_selects_everything(defs):
    job = defs.resolve_job_def(REFRESH_ALL)
    assert {RAW_PROJECTS, RAW_MEMBERS, FCT_PROJECT} <= job.asset_layer.executable_asset_keys


def test_instance_config_is_valid(tmp_path, monkeypatch):
    """The repository's dagster.yaml loads as an instance: SQLite, no telemetry, pool of 1."""
    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))  # read by `base_dir: env: DAGSTER_HOME`
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
        assert (tmp_path / "history" / "runs.db").exists()
        assert instance.get_settings("telemetry") == {"enabled": False}
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert instance.run_monitoring_enabled
        # Runs are retried when their process died, not when a step or a check failed.
        assert instance.run_retries_enabled
        assert not instance.run_retries_retry_on_asset_or_op_failure
    finally:
        instance.dispose()


RAW_BY_SOURCE = {
    "nwopen": ("nwopen_projects", "nwopen_project_members"),
    "tse": ("tse_projects", "tse_project_partners"),
    "mooi_register": ("mooi_register_projects", "mooi_register_partners"),
    "gvnl_register": ("gvnl_register_projects", "gvnl_register_partners"),
}


def test_every_source_has_its_group_staging_and_gx_checks(defs):
    graph = defs.resolve_asset_graph()
    check_names = {key.asset_key: set() for key in graph.asset_check_keys}
    for key in graph.asset_check_keys:
        check_names[key.asset_key].add(key.name)
    for group, tables in RAW_BY_SOURCE.items():
        for table in tables:
            key = dg.AssetKey(["raw", table])
            assert graph.get(key).group_name == group
            assert graph.get(key).is_materializable
            verdict = dg.AssetKey(["raw", f"{group}_acceptance"])
            assert f"gx_raw_{table}" in check_names[verdict]
            # each raw table feeds its source's validation step and staging models only
            children = graph.get(key).child_keys
            validation = {verdict, dg.AssetKey(["raw", f"{group}_quarantine"])}
            assert validation <= children, table
            assert all(c.path[0] == "staging" for c in children - validation), table
    job = defs.resolve_job_def(REFRESH_ALL)
    raw = {dg.AssetKey(["raw", t]) for tables in RAW_BY_SOURCE.values() for t in tables}
    assert raw <= job.asset_layer.executable_asset_keys


def test_nightly_schedule_runs_by_default(defs):
    (schedule,) = [s for s in defs.schedules if s.name == "nightly_refresh"]
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/Amsterdam"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.job_name == "refresh_all"


def test_a_job_per_source_with_run_retries(defs):
    for group in ("nwopen", "tse", "mooi_register", "gvnl_register"):
        job = defs.resolve_job_def(f"refresh_{group}")
        keys = job.asset_layer.executable_asset_keys
        graph = defs.resolve_asset_graph()
        assert {k for k in keys if graph.get(k).group_name == group}, group
        assert not {k for k in keys if graph.get(k).group_name in {"nwopen", "tse"} - {group}}
        assert job.tags["dagster/max_retries"] == "2"
    assert defs.resolve_job_def("refresh_all").tags["dagster/retry_strategy"] == "FROM_FAILURE"


def test_source_steps_retry_with_back_off(defs, monkeypatch):
    graph = defs.resolve_asset_graph()
    for group, tables in RAW_BY_SOURCE.items():
        policy = graph.get(dg.AssetKey(["raw", tables[0]])).assets_def.op.retry_policy
        assert policy is not None, group
        assert policy.max_retries == 2, group
    for name in ("LCM_SOURCE_RETRIES", "LCM_SOURCE_RETRY_DELAY"):
        monkeypatch.delenv(name, raising=False)
    assert load_source_retries() == SourceRetries(count=2, delay_s=600.0)
    # As documented: 10, then 20 minutes after the failure.
    default = source_retry_policy()
    assert [default.calculate_delay(n) for n in (1, 2)] == [600, 1200]


def test_sources_and_marts_have_freshness_policies(defs):
    graph = defs.resolve_asset_graph()
    for key in (dg.AssetKey(["raw", "nwopen_projects"]), dg.AssetKey(["marts", "fct_project"])):
        policy = graph.get(key).freshness_policy
        assert policy is not None and policy.warn_window.to_timedelta().total_seconds() == 26 * 3600


def test_instance_config_queues_runs_and_retries():
    config = yaml.safe_load((Path(__file__).resolve().parents[1] / "dagster.yaml").read_text())
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["run_retries"]["enabled"] is True
    assert config["telemetry"]["enabled"] is False


def test_dbt_resource_overrides_a_method_dagster_dbt_still_has(defs):
    """The dbt resource skips dagster-dbt's in-process adapter by overriding a method of
    DbtCliResource (orchestration/dbt_resource.py): an upgrade that renames it must fail here,
    not silently bring the two seconds per dbt step back."""
    from dagster_dbt import DbtCliResource

    from orchestration.dbt_resource import LcmDbtCliResource

    assert callable(vars(DbtCliResource).get("_initialize_dbt_core_adapter"))
    resource = defs.resources["dbt"]
    assert isinstance(resource, LcmDbtCliResource)
    assert resource._initialize_dbt_core_adapter(["build"]) is None
