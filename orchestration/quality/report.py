"""A static HTML report of the latest validation of every suite, from quality.validation_results.

Written after each check (a few KB, well under a second): ``index.html`` lists every suite's
latest validation, ``<suite>.html`` shows each of its expectations with the observed value,
the unexpected count and a sample of failing values. Plain HTML, no scripts: it opens from
disk and can be published as is.
"""

from __future__ import annotations

import html
from pathlib import Path

import duckdb

from orchestration.quality.results import TABLE, results_table_exists

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin-top:1rem}
td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}.ok{color:#176b2c}.ERROR{color:#b00020;font-weight:bold}
.WARN{color:#a15c00;font-weight:bold}code{font-size:.9em}
"""

_LATEST = f"""
WITH validations AS (
    SELECT suite, validation_id, max(validated_at) AS validated_at
    FROM {TABLE} GROUP BY suite, validation_id
), latest AS (
    SELECT * FROM validations
    QUALIFY row_number() OVER (PARTITION BY suite ORDER BY validated_at DESC) = 1
)
SELECT r.* FROM {TABLE} r JOIN latest USING (suite, validation_id)
ORDER BY r.suite, r.success, r.severity, r.expectation, r.column_name
"""


def _e(value: object) -> str:
    return "" if value is None else html.escape(str(value))


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>\n"
    )


def suite_page_name(suite: str) -> str:
    return f"{suite}.html"


def write_report(con: duckdb.DuckDBPyConnection, folder: Path) -> Path:
    """(Re)write the report from the results table; returns the index page."""
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    if results_table_exists(con):
        cursor = con.execute(_LATEST)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    by_suite: dict[str, list[dict]] = {}
    for row in rows:
        by_suite.setdefault(row["suite"], []).append(row)

    index_rows = []
    for suite, results in sorted(by_suite.items()):
        first = results[0]
        errors = sum(1 for r in results if not r["success"] and r["severity"] == "ERROR")
        warnings = sum(1 for r in results if not r["success"] and r["severity"] == "WARN")
        status = "ERROR" if errors else "WARN" if warnings else "ok"
        index_rows.append(
            f"<tr><td><a href='{_e(suite_page_name(suite))}'>{_e(suite)}</a></td>"
            f"<td>{_e(first['asset_key'])}</td><td>{_e(first['snapshot_id'])}</td>"
            f"<td>{_e(first['validated_at'])}</td><td>{_e(first['rows_validated'])}</td>"
            f"<td>{len(results)}</td><td class='{status}'>{status}</td>"
            f"<td>{errors}</td><td>{warnings}</td></tr>"
        )
        detail = "".join(
            f"<tr><td class='{'ok' if r['success'] else r['severity']}'>"
            f"{'met' if r['success'] else 'FAILED'}</td><td>{_e(r['severity'])}</td>"
            f"<td><code>{_e(r['expectation'])}</code></td><td>{_e(r['column_name'])}</td>"
            f"<td>{_e(r['observed_value'])}</td><td>{_e(r['unexpected_count'])}</td>"
            f"<td>{_e(r['sample_unexpected'])}</td><td>{_e(r['exception'])}</td></tr>"
            for r in results
        )
        (folder / suite_page_name(suite)).write_text(
            _page(
                f"{suite} - data quality",
                f"<p><a href='index.html'>All suites</a></p><h1>{_e(suite)}</h1>"
                f"<p>Asset <code>{_e(first['asset_key'])}</code>, table "
                f"<code>{_e(first['table_name'])}</code>, snapshot {_e(first['snapshot_id'])},"
                f" run {_e(first['run_id'])} at {_e(first['validated_at'])};"
                f" {_e(first['rows_validated'])} rows.</p>"
                "<table><tr><th>result</th><th>severity</th><th>expectation</th><th>column</th>"
                "<th>observed</th><th>unexpected</th><th>sample of failing values</th>"
                f"<th>exception</th></tr>{detail}</table>",
            ),
            encoding="utf-8",
        )
    index = folder / "index.html"
    index.write_text(
        _page(
            "LC Monitor - data quality",
            "<h1>LC Monitor - data quality</h1><p>Latest validation of every suite "
            "(expectations/*.json). ERROR blocks everything downstream in the run; WARN "
            "annotates. History: table <code>quality.validation_results</code>, summarised in "
            "<code>marts.mart_data_quality</code>.</p>"
            "<table><tr><th>suite</th><th>asset</th><th>snapshot</th><th>validated at (UTC)</th>"
            "<th>rows</th><th>expectations</th><th>status</th><th>failed ERROR</th>"
            f"<th>failed WARN</th></tr>{''.join(index_rows)}</table>",
        ),
        encoding="utf-8",
    )
    return index
