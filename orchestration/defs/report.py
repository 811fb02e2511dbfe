"""The monitoring report: a static Dutch site made from the serving file after every publish
(orchestration/report/). It reads only the published file, never the build warehouse."""

import dagster as dg

from orchestration.report import build_report
from orchestration.settings_resource import SettingsResource


@dg.asset(
    key=["report", "monitoring_report"],
    deps=[dg.AssetKey(["serving", "lc_monitor"])],
    group_name="serving",
    description=(
        "A static site in Dutch for the evaluators (opens from disk, works offline): LCs, "
        "subsidy, partner mix, provinces, network, reach, changes and data quality, with a "
        "page per programme and per LC. Rebuilt from the serving file after every publish "
        "and swapped in whole; a mart column it needs that is missing stops it, named."
    ),
)
def monitoring_report(settings: SettingsResource) -> dg.MaterializeResult:
    resolved = settings.get()
    report = build_report(resolved.serving_path, resolved.report_dir)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report.path)),
            "pages": report.pages,
            "charts": report.charts,
            "build_seconds": round(report.seconds, 2),
        }
    )
