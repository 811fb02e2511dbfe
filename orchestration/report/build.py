"""Build the monitoring report: a static Dutch site made from the serving file.

The site is written to a temporary folder beside the target and swapped in when complete, so
a reader sees the previous report or the new one, never half a site.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from orchestration.report import charts
from orchestration.report.formats import (
    FORMATS,
    UNKNOWN,
    day,
    euro,
    is_missing,
    joined,
    number,
    percent,
)
from orchestration.report.labels import LABELS, PARTNER_TYPE_COLUMNS, label
from orchestration.report.marts import REACH_COLUMNS, SHARE_COLUMNS, read_marts

TEMPLATES = Path(__file__).parent / "templates"
# Tile positions (column, row) of the twelve provinces: geography, not data.
TILES = {
    "FR": (1, 0), "GR": (2, 0),
    "NH": (0, 1), "FL": (1, 1), "DR": (2, 1),
    "ZH": (0, 2), "UT": (1, 2), "OV": (2, 2),
    "ZE": (0, 3), "NB": (1, 3), "GE": (2, 3),
    "LI": (2, 4),
}  # fmt: skip
__all__ = ["Report", "build_report", "euro", "number", "page_names", "percent", "slug"]


@dataclass(frozen=True)
class Report:
    path: Path  # the overview page
    pages: int
    charts: int
    seconds: float


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def page_names(keys: Iterable[str]) -> dict[str, str]:
    """A file name per project key: its slug, plus a short hash of the key where two keys share
    a slug (keys that differ only in punctuation must not overwrite each other's page)."""
    keys = sorted(set(keys))
    slugs = {key: slug(key) or "lc" for key in keys}
    taken: dict[str, int] = {}
    for s in slugs.values():
        taken[s] = taken.get(s, 0) + 1
    names = {
        key: f"{s}-{hashlib.sha1(key.encode()).hexdigest()[:8]}" if taken[s] > 1 else s
        for key, s in slugs.items()
    }
    if len(set(names.values())) != len(names):  # a hash that collides with another slug
        raise ValueError(f"two LC pages would share a file name: {sorted(names.items())}")
    return {key: f"{name}.html" for key, name in names.items()}


def metric(name: str, value: Any, fmt: str = "number", **scope: Any) -> Markup:
    """A figure or fact with its mart identity (data-metric, data-column and the row's key), so
    the browser test can compare it with the mart's row. ``fmt`` is a format or a label kind
    (labels.py); a code without a label stops the build."""
    attrs = "".join(
        f' data-{key}="{escape("" if v is None else v)}"' for key, v in sorted(scope.items())
    )
    if fmt in FORMATS:
        shown = FORMATS[fmt](value)
    else:  # NULL: no source gives it (mission and tki, which may not apply, are left out)
        shown = UNKNOWN if is_missing(value) else label(fmt, value)
    return Markup(
        f'<span class="metric" data-metric="{escape(name)}"{attrs}>{escape(shown)}</span>'
    )


def figure(name: str, chart: charts.Chart) -> Markup:
    """A chart's SVG with the rows it was drawn from as JSON (not run: no JavaScript)."""
    return Markup(
        f'<figure class="chart" data-chart="{escape(name)}">{chart.svg}'
        f'<script type="application/json" class="chart-data">{chart.data_json()}</script>'
        "</figure>"
    )


def round_label(value: Any) -> str:
    return UNKNOWN if is_missing(value) else str(int(value))


def round_scope(value: Any) -> str:
    return "" if is_missing(value) else str(int(value))


def tile_map(regions: list[dict[str, Any]]) -> charts.Chart:
    """The twelve provinces as tiles (mart_region), shaded by the LCs with a partner there;
    each tile also gives the LCs located there (the register's place) and the organisations."""
    width_, height_, gap = 172, 110, 6
    most = max([r["lc_count"] or 0 for r in regions if r["province_code"] in TILES] + [1])
    cells, rows = [], []
    lines = (
        ("lc_located_count", "LC's gevestigd hier", 48, 11),
        ("lc_count", "LC's met partner hier", 70, 11),
        ("organisation_count", "organisaties", 92, 11),
    )
    for r in regions:
        code = r["province_code"]
        if code not in TILES:
            continue
        rows.append({"province": r["province"], **{c: int(r[c]) for c, *_ in lines}})
        col, row = TILES[code]
        x, y = col * (width_ + gap), row * (height_ + gap)
        share = (r["lc_count"] or 0) / most
        fill = f"rgba(27,108,168,{0.12 + 0.78 * share:.2f})"
        ink = "#fff" if share > 0.55 else "#123"
        province = escape(r["province"])
        texts = "".join(
            f'<text x="{x + 8}" y="{y + dy}" fill="{ink}" font-size="{font}">'
            f'<tspan class="metric" data-metric="region" data-column="{column}"'
            f' data-province="{province}" font-weight="bold">{number(r[column])}</tspan>'
            f" {words}</text>"
            for column, words, dy, font in lines
        )
        cells.append(
            f'<g class="tile" data-province="{province}"><title>{province}</title>'
            f'<rect x="{x}" y="{y}" width="{width_}" height="{height_}" rx="6" fill="{fill}"/>'
            f'<text x="{x + 8}" y="{y + 22}" fill="{ink}" font-weight="bold">{code}'
            f' <tspan font-weight="normal" font-size="12">{province}</tspan></text>'
            f"{texts}</g>"
        )
    columns = max(c for c, _ in TILES.values()) + 1
    height_rows = max(r for _, r in TILES.values()) + 1
    width, height = columns * (width_ + gap), height_rows * (height_ + gap)
    svg = (
        f'<svg class="tilemap" xmlns="http://www.w3.org/2000/svg" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="Tegelkaart van de provincies" font-family="{charts.FONT}">'
        + "".join(cells)
        + "</svg>"
    )
    return charts.Chart(svg, rows)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        metric=metric,
        round_label=round_label,
        round_scope=round_scope,
        label=label,
        reach_columns=REACH_COLUMNS,
        partner_types={
            t: (LABELS["organisation_type"][t], c) for t, c in PARTNER_TYPE_COLUMNS.items()
        },
        share_columns=SHARE_COLUMNS,
    )
    env.filters.update(number=number, euro=euro, percent=percent, slug=slug, day=day, joined=joined)
    return env


def _write(target: Path, html: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def _render_site(serving_path: Path, site: Path) -> int:
    """Write every page into ``site``; returns the number of charts."""
    marts = read_marts(serving_path)
    frames, rec = marts.frames, marts.records
    env = _environment()
    lc_pages = page_names(lc["project_key"] for lc in rec["lcs"])
    common = {
        "built_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "serving_path": str(serving_path),
        "programmes": rec["programmes"],
        "lc_pages": lc_pages,
    }
    chart_count = 0

    def page(template: str, target: str, depth: int, **context: Any) -> None:
        nonlocal chart_count
        html = env.get_template(template).render(root="../" * depth, **common, **context)
        chart_count += html.count('class="chart"')
        _write(site / target, html)

    latest_run = _latest_run(rec)
    with_lcs = frames["programmes"][frames["programmes"]["lc_count"] > 0]
    page(
        "index.html",
        "index.html",
        0,
        totals=rec["totals"][0],
        organisation_count=rec["organisation_count"][0]["organisation_count"],
        rounds=rec["rounds"],
        regions=rec["regions"],
        reach=rec["reach"],
        top=rec["top_organisations"],
        change_counts=rec["latest_change_counts"],
        run=latest_run,
        quality=rec["quality_totals"][0],
        quarantine=rec["quarantine_by_disposition"],
        chart_rounds=figure("rondes", charts.subsidy_per_round(frames["rounds"])),
        chart_mix=figure("partnermix", charts.partner_mix(with_lcs)) if len(with_lcs) else "",
        chart_top=figure("netwerk", charts.top_organisations(frames["top_organisations"])),
        tiles=figure("tegelkaart", tile_map(rec["regions"])),
    )
    for programme in rec["programmes"]:
        code = programme["programme"]
        rounds = frames["rounds"][frames["rounds"]["programme"] == code]
        mix = with_lcs[with_lcs["programme"] == code]
        page(
            "programme.html",
            f"programma/{slug(code)}.html",
            1,
            programme=programme,
            rounds=[r for r in rec["rounds"] if r["programme"] == code],
            reach=[r for r in rec["reach"] if r["programme"] == code],
            programme_lcs=[lc for lc in rec["lcs"] if lc["programme"] == code],
            chart_rounds=figure("rondes", charts.subsidy_per_round(rounds)) if len(rounds) else "",
            chart_mix=figure("partnermix", charts.partner_mix(mix)) if len(mix) else "",
        )
    mix_by_project = frames["lc_mix"].set_index("project_key", drop=False)
    for lc in rec["lcs"]:
        key = lc["project_key"]
        types = ""
        if key in mix_by_project.index:
            types = figure("partnertypes", charts.partner_types_of_lc(mix_by_project.loc[[key]]))
        page(
            "lc.html",
            f"lc/{lc_pages[key]}",
            1,
            lc=lc,
            partners=[p for p in rec["lc_partners"] if p["project_key"] == key],
            history=[c for c in rec["changes"] if c["project_key"] == key],
            chart_types=types,
        )
    page(
        "kwaliteit.html",
        "kwaliteit.html",
        0,
        quality=rec["quality_totals"][0],
        suites=rec["quality"],
        quarantine=rec["quarantine_by_disposition"],
        quarantine_sources=rec["quarantine"],
    )
    page(
        "wijzigingen.html",
        "wijzigingen.html",
        0,
        latest=[c for c in rec["changes"] if c["run_number"] == latest_run],
        change_counts=rec["latest_change_counts"],
        run=latest_run,
    )
    shutil.copyfile(TEMPLATES / "style.css", site / "style.css")
    return chart_count


def _latest_run(rec: dict[str, list[dict[str, Any]]]) -> int | None:
    runs = [c["run_number"] for c in rec["changes"]]
    return max(runs) if runs else None


def build_report(serving_path: Path, report_dir: Path) -> Report:
    """Build the site from ``serving_path`` and swap it into ``report_dir``."""
    started = time.monotonic()
    report_dir.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:8]
    fresh = report_dir.with_name(f".{report_dir.name}.{token}.tmp")
    old = report_dir.with_name(f".{report_dir.name}.{token}.old")
    try:
        fresh.mkdir()
        chart_count = _render_site(serving_path, fresh)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    pages = sum(1 for _ in fresh.rglob("*.html"))
    # Two renames: between them the folder is briefly absent, never partly written.
    if report_dir.exists():
        os.replace(report_dir, old)
    os.replace(fresh, report_dir)
    shutil.rmtree(old, ignore_errors=True)
    return Report(
        path=report_dir / "index.html",
        pages=pages,
        charts=chart_count,
        seconds=time.monotonic() - started,
    )
