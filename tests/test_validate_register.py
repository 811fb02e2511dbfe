"""`lc-monitor validate-register FILE`: the register asset's reading and its raw suites on a
local file, with the pipeline's own messages, and nothing written anywhere."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from orchestration.cli import main
from orchestration.quality.results import CheckRun, ensure_results_table, record_outcome
from orchestration.quality.suites import load_suites
from orchestration.quality.validation import RuleOutcome, SuiteOutcome
from orchestration.settings import EXPECTATIONS_DIR
from sources.registers import GVNL_SAMPLE, MOOI_SAMPLE


def validate(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["validate-register", *(str(a) for a in args)])
    out, err = capsys.readouterr()
    return code, out, err


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes (nothing when it does not exist)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def mooi_copy(tmp_path: Path, name: str, cells: dict[tuple[str, str], object]) -> Path:
    workbook = openpyxl.load_workbook(MOOI_SAMPLE)
    for (sheet, cell), value in cells.items():
        workbook[sheet][cell] = value
    path = tmp_path / name
    workbook.save(path)
    return path


def partners_of(register_id: str) -> int:
    workbook = openpyxl.load_workbook(MOOI_SAMPLE, read_only=True)
    return sum(row[0] == register_id for row in workbook["Partners"].iter_rows(values_only=True))


def test_the_bundled_samples_are_accepted_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str], isolated_data: Path
):
    code, out, err = validate(capsys, MOOI_SAMPLE)
    assert code == 0, out + err
    assert f"Register: {MOOI_SAMPLE}\n" in out
    assert "Rules: mooi_register, the MOOI Learning Community supplements" in out
    assert "(--programme mooi, inferred from its programme column)" in out
    assert "Read (xlsx): 6 Learning Communities, 38 partners" in out
    assert f"not compared with an earlier register: no warehouse at {isolated_data}" in out
    assert "column 'Projects.opmerking' is not in the template; ignored" in out
    assert "Rows set aside" not in out and "Problems of the whole register" not in out
    assert out.rstrip().endswith(
        "Verdict: ACCEPTED, 0 of 6 Learning Communities and 0 of 38 partners set aside. "
        "Nothing was written."
    )
    code, out, _ = validate(capsys, GVNL_SAMPLE, "--programme", "gvnl")
    assert code == 0 and "Read (csv): 7 Learning Communities" in out
    assert "(--programme gvnl, as given)" in out and "Verdict: ACCEPTED" in out
    assert not isolated_data.exists()  # no raw snapshot, no warehouse


def test_a_bad_row_is_set_aside_with_its_row_key_column_value_and_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_data: Path
):
    register = mooi_copy(tmp_path, "one_bad_row.xlsx", {("Projects", "I3"): "ongeveer een ton"})
    code, out, err = validate(capsys, register, "--programme", "mooi")
    assert code == 0, out + err
    assert (
        "Rows set aside (a run leaves them out and loads the rest):\n"
        "  projects row 3 (MOOI-LC-2024-02): column subsidy_eur, value 'ongeveer een ton'\n"
        "      rule unreadable_value: sheet 'Projects' row 3: not an amount: 'ongeveer een ton'\n"
    ) in out
    # Its partners go with it, as in the validation step.
    partners = partners_of("MOOI-LC-2024-02")
    assert out.count("rule parent_set_aside: parent set aside: unreadable_value") == partners
    assert (
        f"Verdict: ACCEPTED, 1 of 6 Learning Communities and {partners} of 38 partners set "
        "aside. Nothing was written."
    ) in out
    assert not isolated_data.exists()


def test_the_raw_suites_rules_apply_and_too_many_rows_set_aside_refuse_the_register(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    # A rule of the suites, not of the connector: the end before the start.
    folder = Path(shutil.copytree(GVNL_SAMPLE, tmp_path / "gvnl"))
    projects = folder / "projects.csv"
    with projects.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    rows[1][rows[0].index("end_date")] = "2024-01-01"
    with projects.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    code, out, _ = validate(capsys, folder)
    assert code == 0
    assert "  projects row 2 (GVNL-LC-ZW): column end_date, start_date, value " in out
    assert "rule end_not_before_start: " in out

    # Three of six LCs set aside is more than the suites' quarter: the register is refused.
    bad = {("Projects", f"I{row}"): "veel" for row in (2, 3, 4)}
    code, out, _ = validate(capsys, mooi_copy(tmp_path, "three_bad.xlsx", bad))
    assert code == 1
    assert "Problems of the whole register (each refuses it):\n" in out
    assert "  raw_mooi_register_projects: set_aside_share: 3 unexpected" in out
    assert "Verdict: REFUSED (3 of 6 Learning Communities" in out
    assert "a run would not load this register" in out


def test_a_missing_required_column_refuses_the_register_naming_file_and_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, isolated_data: Path
):
    register = mooi_copy(tmp_path, "no_type.xlsx", {("Partners", "C1"): "soort"})
    code, out, _ = validate(capsys, register, "--programme", "mooi")
    assert code == 1
    assert (
        f"  [mooi_register] {register}: field 'organisation_type': sheet 'Partners' has no "
        "column 'organisation_type'"
    ) in out
    assert "Verdict: REFUSED: a run would not load this register" in out
    # Without --programme the file fails the same way: its structure is every register's.
    code, out, _ = validate(capsys, register)
    assert code == 1 and f"[register] {register}: field 'organisation_type'" in out
    assert not isolated_data.exists()


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    code, out, err = validate(capsys, tmp_path / "missing.xlsx")
    assert (code, out) == (2, "")
    assert err == f"error: no such file or folder: {tmp_path / 'missing.xlsx'} (give a local " \
        ".xlsx file or csv folder)\n"  # fmt: skip
    code, _, err = validate(capsys, "https://office.example.org/register.xlsx")
    assert code == 2 and "is a URL: download the register and give the local file" in err
    # An LC of the other programme makes the file's programme unclear: it must be given.
    mixed = mooi_copy(tmp_path, "mixed.xlsx", {("Projects", "B3"): "GroenvermogenNL"})
    code, _, err = validate(capsys, mixed)
    assert code == 2
    assert "its programme column holds GroenvermogenNL, MOOI): give --programme mooi or gvnl" in err
    code, out, _ = validate(capsys, mixed, "--programme", "mooi")
    assert code == 0 and "rule programme_of_call: " in out
    with pytest.raises(SystemExit) as exited:
        main(["validate-register", str(MOOI_SAMPLE), "--programme", "kic"])
    assert exited.value.code == 2


def test_row_counts_are_compared_with_the_warehouse_which_is_only_read(
    capsys: pytest.CaptureFixture[str], isolated_data: Path
):
    # The warehouse's last accepted MOOI register had 20 LCs: 6 is a collapse that blocks.
    warehouse = isolated_data / "warehouse" / "lc_monitor.duckdb"
    warehouse.parent.mkdir(parents=True)
    (suite,) = [s for s in load_suites(EXPECTATIONS_DIR) if s.name == "raw_mooi_register_projects"]
    with duckdb.connect(str(warehouse)) as con:
        ensure_results_table(con)
        check = CheckRun.new("earlier-run", suite.name, "raw/x", suite.table, snapshot_id="s1")
        record_outcome(
            con, check, SuiteOutcome(suite.name, 20, [RuleOutcome(suite.rules[0], True)])
        )
    before = tree(isolated_data)
    code, out, _ = validate(capsys, MOOI_SAMPLE)
    assert code == 1
    assert f"compared with the last accepted register (20 projects rows) in {warehouse}" in out
    assert "  raw_mooi_register_projects: volume_collapsed: observed 6" in out
    assert "Verdict: REFUSED" in out
    assert tree(isolated_data) == before
