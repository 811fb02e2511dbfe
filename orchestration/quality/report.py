"""A static HTML report of the latest validation of every suite and of every source's quarantine.

Written after each check (a few KB, well under a second): ``index.html`` lists every suite's
latest validation and, per source, the newest verdict on its snapshot with the records set
aside and flagged by rule; ``<suite>.html`` shows each of a suite's rules with the observed
value, the unexpected count and a sample of failing values; ``quarantine-<source>.html`` lists
the records of the newest verdict. Plain HTML, no scripts: it opens from disk and can be
published as is.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import duckdb

from orchestration.quality.results import TABLE, results_table_exists
from sources.redact import redact_text

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
    # Every value on the pages passes here: an exception's message may name a source URL.
    return "" if value is None else html.escape(redact_text(str(value)))


def _text(observed: str | None) -> str | None:
    """An observed value as recorded (JSON), a string shown without its quotes."""
    try:
        value = json.loads(observed) if observed else observed
    except json.JSONDecodeError:
        return observed
    return value if isinstance(value, str) else observed


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{_e(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>\n"
    )


def suite_page_name(suite: str) -> str:
    return f"{suite}.html"


def quarantine_page_name(source: str) -> str:
    return f"quarantine-{source}.html"


QUARANTINE_ROWS_SHOWN = 500


def _sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sources that have a validation step (a raw.<source>_acceptance table)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'"
        " AND ends_with(table_name, '_acceptance') ORDER BY 1"
    ).fetchall()
    return [name.removesuffix("_acceptance") for (name,) in rows]


def _quarantine_section(con: duckdb.DuckDBPyConnection, folder: Path) -> str:
    """Per source: the newest verdict, counts by rule, and a page of its records."""
    rows = []
    for source in _sources(con):
        verdict = con.execute(
            f"SELECT acceptance_id, snapshot_id, status, reason, records_validated,"
            f" records_set_aside, records_flagged, validated_at FROM raw.{source}_acceptance"
            f" ORDER BY validated_at DESC LIMIT 1"
        ).fetchone()
        if verdict is None:
            continue
        acceptance_id, snapshot, status, reason, validated, set_aside, flagged, at = verdict
        entries = con.execute(
            f"SELECT table_name, disposition, rule, column_name, value, problem, record_key,"
            f" rule_description FROM raw.{source}_quarantine WHERE acceptance_id = ?"
            f" ORDER BY rule = 'parent_set_aside', disposition DESC, table_name, rule, record_no",
            [acceptance_id],
        ).fetchall()
        by_rule: dict[tuple[str, str], int] = {}
        for entry in entries:
            by_rule[(entry[1], entry[2])] = by_rule.get((entry[1], entry[2]), 0) + 1
        status_class = "ok" if status == "accepted" else "ERROR"
        counts = "<br>".join(
            f"{_e(d)}: <code>{_e(r)}</code> {n}" for (d, r), n in sorted(by_rule.items())
        )
        rows.append(
            f"<tr><td><a href='{_e(quarantine_page_name(source))}'>{_e(source)}</a></td>"
            f"<td>{_e(snapshot)}</td><td class='{status_class}'>{_e(status)}</td>"
            f"<td>{_e(validated)}</td><td>{_e(set_aside)}</td><td>{_e(flagged)}</td>"
            f"<td>{counts}{'<br>' + _e(reason) if reason else ''}</td></tr>"
        )
        detail = "".join(
            f"<tr><td>{_e(t)}</td><td class='{'WARN' if d == 'set_aside' else 'ok'}'>{_e(d)}</td>"
            f"<td><code>{_e(r)}</code></td><td>{_e(c)}</td><td>{_e(v)}</td><td>{_e(p)}</td>"
            f"<td><code>{_e(k)}</code></td><td>{_e(desc)}</td></tr>"
            for t, d, r, c, v, p, k, desc in entries[:QUARANTINE_ROWS_SHOWN]
        )
        more = (
            f"<p>{len(entries) - QUARANTINE_ROWS_SHOWN} more in table raw.{_e(source)}_quarantine"
            " and marts.mart_quarantine.</p>"
            if len(entries) > QUARANTINE_ROWS_SHOWN
            else ""
        )
        (folder / quarantine_page_name(source)).write_text(
            _page(
                f"{source} quarantine - data quality",
                f"<p><a href='index.html'>Data quality</a></p><h1>Quarantine: {_e(source)}</h1>"
                f"<p>Snapshot {_e(snapshot)}, {_e(status)}, validated {_e(at)}: "
                f"{_e(set_aside)} records set aside (left out of the marts), {_e(flagged)} "
                "flagged (kept).</p><table><tr><th>table</th><th>disposition</th><th>rule</th>"
                "<th>column</th><th>value</th><th>problem</th><th>record</th><th>rule says</th>"
                f"</tr>{detail}</table>{more}",
            ),
            encoding="utf-8",
        )
    if not rows:
        return ""
    return (
        "<h2>Sources: newest snapshot and quarantine</h2><table><tr><th>source</th>"
        "<th>snapshot</th><th>verdict</th><th>records</th><th>set aside</th><th>flagged</th>"
        f"<th>by rule</th></tr>{''.join(rows)}</table>"
    )


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
            f"<td><code>{_e(r['rule'] or r['expectation'])}</code> ({_e(r['action'])})</td>"
            f"<td>{_e(r['column_name'])}</td>"
            f"<td>{_e(_text(r['observed_value']))}</td><td>{_e(r['unexpected_count'])}</td>"
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
                "<table><tr><th>result</th><th>severity</th><th>rule (action)</th><th>column</th>"
                "<th>observed</th><th>unexpected</th><th>sample of failing values</th>"
                f"<th>exception</th></tr>{detail}</table>",
            ),
            encoding="utf-8",
        )
    drift = [
        r for rows_of in by_suite.values() for r in rows_of
        if not r["success"] and (r["rule"] or "").startswith("drift_")
    ]  # fmt: skip
    drift_section = (
        "<h2>Drift against the last accepted pull</h2><table><tr><th>suite</th><th>severity"
        "</th><th>rule</th><th>column</th><th>before and now</th><th>values</th></tr>"
        + "".join(
            f"<tr><td>{_e(r['suite'])}</td><td class='{_e(r['severity'])}'>{_e(r['severity'])}"
            f"</td><td><code>{_e(r['rule'])}</code></td><td>{_e(r['column_name'])}</td>"
            f"<td>{_e(_text(r['observed_value']))}</td><td>{_e(r['sample_unexpected'])}</td></tr>"
            for r in drift
        )
        + "</table>"
        if drift
        else ""
    )
    index = folder / "index.html"
    index.write_text(
        _page(
            "LC Monitor - data quality",
            "<h1>LC Monitor - data quality</h1><p>Latest validation of every suite "
            "(expectations/suites/*.json). ERROR rejects a source's snapshot or stops "
            "publishing; WARN reports records set aside or flagged, or a warning. History: table"
            " <code>quality.validation_results</code>, summarised in "
            "<code>marts.mart_data_quality</code>; the records in "
            "<code>marts.mart_quarantine</code>.</p>"
            "<table><tr><th>suite</th><th>asset</th><th>snapshot</th><th>validated at (UTC)</th>"
            "<th>rows</th><th>expectations</th><th>status</th><th>failed ERROR</th>"
            f"<th>failed WARN</th></tr>{''.join(index_rows)}</table>"
            + drift_section
            + _quarantine_section(con, folder),
        ),
        encoding="utf-8",
    )
    return index
