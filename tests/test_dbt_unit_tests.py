"""The marts' business rules as dbt unit tests (`unit_tests:` in dbt_project/models), run by
real dbt against a copy of the sample warehouse: dbt reads the column types of a tested model's
parents from the warehouse, and builds its fixtures there, so the shared sample stays as it was.
One dbt process runs them all; every one defined must run and pass."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = ROOT / "dbt_project"


def _defined_unit_tests() -> set[str]:
    names: set[str] = set()
    for path in sorted((DBT_DIR / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names.update(test["name"] for test in document.get("unit_tests") or [])
    return names


def test_unit_tests_pass(sample_run: Path, tmp_path: Path):
    defined = _defined_unit_tests()
    assert defined, "no unit_tests in dbt_project/models"
    warehouse = tmp_path / "lc_monitor.duckdb"
    shutil.copyfile(sample_run / "warehouse" / "lc_monitor.duckdb", warehouse)
    target = tmp_path / "target"
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [str(dbt), "test", "--select", "test_type:unit", "--profiles-dir", ".",
         "--vars", json.dumps({"warehouse": str(warehouse)}),
         "--target-path", str(target), "--log-path", str(tmp_path / "logs")],
        cwd=DBT_DIR, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-3000:]

    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    ran = {
        result["unique_id"].rsplit(".", 1)[-1]: result["status"]
        for result in results
        if result["unique_id"].startswith("unit_test.")
    }
    assert set(ran) == defined
    assert set(ran.values()) == {"pass"}
