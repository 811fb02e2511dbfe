"""The validation step of every source: its raw suites, its verdict and its quarantine.

One multi-asset per source (built from the suites in expectations/suites/ that name the
source) runs after the source's raw assets and writes two assets of the raw layer that staging
reads: ``raw/<source>_acceptance`` (the verdict per snapshot) and ``raw/<source>_quarantine``
(records set aside or flagged). Each suite is a blocking check ``gx_<suite>`` on the
acceptance asset: a ``block`` rule that fails rejects the snapshot and stops dbt in the run;
records set aside or flagged make it a WARN, and everything else flows on.

The step first (re)makes the warehouse's ``raw.*`` views over the record files the raw steps
wrote (sources/raw_tables.py), and after its verdict removes the source's raw folders past the
retention (orchestration/disk.py), which needs that verdict: the snapshot staging reads stays.
"""

import logging
from collections.abc import Iterator
from typing import Any

import dagster as dg
import duckdb

from orchestration.disk import Pruned, prune_raw_snapshots
from orchestration.metadata import table_metadata
from orchestration.quality.acceptance import (
    ACCEPTANCE_COLUMNS,
    QUARANTINE_COLUMNS,
    SourceValidation,
    acceptance_table,
    quarantine_table,
    record,
    validate_source,
)
from orchestration.quality.checks import check_result, rewrite_report
from orchestration.quality.reference import Reference
from orchestration.quality.suites import SuiteFile, load_suites, suites_by_source
from orchestration.settings import EXPECTATIONS_DIR, SEEDS_DIR, Settings
from orchestration.settings_resource import SettingsResource
from orchestration.warehouse import DUCKDB_POOL, WarehouseResource
from sources.raw_tables import attach_raw_views
from sources.redact import redact_text

QUARANTINE_SAMPLE = 20
SHOWN_QUARANTINE_COLUMNS = (
    "table_name", "record_key", "disposition", "rule", "column_name", "value", "problem",
)  # fmt: skip


def raw_key(table: str) -> dg.AssetKey:
    schema, name = table.split(".", 1)
    return dg.AssetKey([schema, name])


def acceptance_key(source: str) -> dg.AssetKey:
    return raw_key(acceptance_table(source))


def quarantine_key(source: str) -> dg.AssetKey:
    return raw_key(quarantine_table(source))


def _quarantine_rows(validation: SourceValidation) -> list[dict[str, Any]]:
    return [{c: getattr(e, c) for c in SHOWN_QUARANTINE_COLUMNS} for e in validation.entries]


def _counts_by_rule(validation: SourceValidation) -> dg.MetadataValue:
    counts: dict[tuple[str, str, str], int] = {}
    for e in validation.entries:
        key = (e.table_name, e.disposition, e.rule)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return dg.MetadataValue.md("No record set aside or flagged.")
    lines = [f"| {t} | {d} | `{r}` | {n} |" for (t, d, r), n in sorted(counts.items())]
    return dg.MetadataValue.md(
        "| table | disposition | rule | records |\n|---|---|---|---|\n" + "\n".join(lines)
    )


def build_validation_asset(source: str, suites: list[SuiteFile]) -> dg.AssetsDefinition:
    acceptance, quarantine = acceptance_key(source), quarantine_key(source)
    raw_tables = [raw_key(s.table) for s in suites]

    @dg.multi_asset(
        name=f"{source}_validation",
        specs=[
            dg.AssetSpec(
                acceptance,
                deps=raw_tables,
                group_name=source,
                kinds={"python", "duckdb"},
                description=f"Verdict on each {source} snapshot: accepted, or rejected by a "
                "source-wide rule (staging reads only the newest accepted snapshot). Written "
                "by the source's validation step, one row per validation.",
            ),
            dg.AssetSpec(
                quarantine,
                deps=raw_tables,
                group_name=source,
                kinds={"python", "duckdb"},
                description=f"Records of each validated {source} snapshot set aside (left out "
                "by staging) or flagged (kept), with the rule, column and value.",
            ),
        ],
        check_specs=[
            dg.AssetCheckSpec(
                f"gx_{suite.name}",
                asset=acceptance,
                blocking=True,
                description=suite.description,
                metadata={"suite_file": suite.path.name, "rules": suite.expectation_count},
            )
            for suite in suites
        ],
        pool=DUCKDB_POOL,
    )
    def _validate(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        settings: SettingsResource,
    ) -> Iterator[Any]:
        reference = Reference.from_seeds(SEEDS_DIR)
        resolved = settings.get()
        with warehouse.connect() as con:
            attach_raw_views(con, resolved.records_dir)
            validation = validate_source(con, source, suites, reference, context.run.run_id)
            record(con, validation)
            pruned = _prune(con, resolved, source)
        report = rewrite_report(warehouse, resolved.quality_report_dir)
        verdict = validation.verdict()
        counts = {k: verdict[k] for k in ("records_set_aside", "records_flagged")}
        by_rule = _counts_by_rule(validation)
        context.log.info(
            f"{source}: snapshot {verdict['snapshot_id']} {verdict['status']}; "
            f"{counts['records_set_aside']} records set aside, "
            f"{counts['records_flagged']} flagged"
        )
        yield dg.MaterializeResult(
            asset_key=acceptance,
            metadata={
                **table_metadata(acceptance_table(source), ACCEPTANCE_COLUMNS, 1, [verdict]),
                "snapshot_id": verdict["snapshot_id"] or "",
                "status": verdict["status"],
                "reason": verdict["reason"] or "",
                "records_validated": verdict["records_validated"],
                **counts,
                "quarantine_by_rule": by_rule,
                "raw_snapshots_removed": len(pruned.removed),
                "raw_bytes_freed": pruned.bytes_freed,
            },
        )
        rows = _quarantine_rows(validation)
        yield dg.MaterializeResult(
            asset_key=quarantine,
            metadata={
                **table_metadata(
                    quarantine_table(source),
                    {c: QUARANTINE_COLUMNS[c] for c in SHOWN_QUARANTINE_COLUMNS},
                    len(rows),
                    rows[:QUARANTINE_SAMPLE],
                ),
                **counts,
                "quarantine_by_rule": by_rule,
            },
        )
        report_path = {"report": dg.MetadataValue.path(str(report))} if report else {}
        for run in validation.runs:
            yield check_result(
                run.suite,
                run.outcome,
                error=run.error,
                extra={
                    "snapshot_id": run.check.snapshot_id or "",
                    # Volume and drift are compared with this pull (the last accepted one).
                    "baseline_snapshot_id": getattr(validation.baseline, "snapshot_id", ""),
                    **report_path,
                },
                check_name=f"gx_{run.suite.name}",
                asset_key=acceptance,
            )

    return _validate


def _prune(con: duckdb.DuckDBPyConnection, settings: Settings, source: str) -> Pruned:
    """The source's raw folders past the retention, removed once the verdict is recorded."""
    try:
        return prune_raw_snapshots(con, settings.raw_dir, source, settings.disk.raw_days)
    except OSError as exc:  # housekeeping: the snapshot is validated; try again next run
        logging.getLogger("lc_monitor").warning(
            redact_text(f"{source}: old raw snapshots not removed: {exc}")
        )
        return Pruned([], 0)


def validation_assets() -> list[dg.AssetsDefinition]:
    by_source = suites_by_source(load_suites(EXPECTATIONS_DIR))
    return [build_validation_asset(source, suites) for source, suites in by_source.items()]


@dg.definitions
def acceptance_assets() -> dg.Definitions:
    return dg.Definitions(assets=validation_assets())
