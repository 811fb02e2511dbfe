"""Build the monitoring report: a static Dutch site made from the serving file.

The site is written to a temporary folder beside the target and swapped in when complete, so
a reader sees the previous report or the new one, never half a site.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from orchestration.report import charts
from orchestration.report.marts import LC_FACTS, REACH_COLUMNS, read_marts

TEMPLATES = Path(__file__).parent / "templates"
# Tile positions (column, row) of the twelve provinces: geography, not data.
TILES = {
    "FR": (1, 0), "GR": (2, 0),
    "NH": (0, 1), "FL": (1, 1), "DR": (2, 1),
    "ZH": (0, 2), "UT": (1, 2), "OV": (2, 2),
    "ZE": (0, 3), "NB": (1, 3), "GE": (2, 3),
    "LI": (2, 4),
}  # fmt: skip


@dataclass(frozen=True)
class Report:
    path: Path  # the overview page
    pages: int
    charts: int
    seconds: float


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def number(value: Any) -> str:
    """A number in Dutch notation: 1.234.567 and 12,5; 'onbekend' when the mart has none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "onbekend"
    if float(value) == int(value):
        return f"{int(value):,}".replace(",", ".")
    text = f"{float(value):,.4f}".rstrip("0")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def euro(value: Any) -> str:
    text = number(value)
    return text if text == "onbekend" else f"€ {text}"


def metric(name: str, value: Any, fmt: str = "number", **scope: Any) -> Markup:
    """A figure with its mart identity, so the browser test can compare it with SQL."""
    attrs = "".join(
        f' data-{key}="{escape("" if v is None else v)}"' for key, v in sorted(scope.items())
    )
    shown = euro(value) if fmt == "euro" else number(value)
    return Markup(f'<span class="metric" data-metric="{escape(name)}"{attrs}>{shown}</span>')


def day(value: Any) -> str:
    """A date as the Dutch write it (31-08-2026); pandas hands DATE columns over as Timestamps."""
    return "onbekend" if value is None else value.strftime("%d-%m-%Y")


def round_label(value: Any) -> str:
    return "onbekend" if value is None else str(int(value))


def round_scope(value: Any) -> str:
    return "" if value is None else str(int(value))


def tile_map(regions: list[dict[str, Any]]) -> Markup:
    """The twelve provinces as tiles, shaded by their number of LCs (mart_region)."""
    size, gap = 92, 6
    most = max([r["lc_count"] or 0 for r in regions if r["province_code"] in TILES] + [1])
    cells = []
    for r in regions:
        code = r["province_code"]
        if code not in TILES:
            continue
        col, row = TILES[code]
        x, y = col * (size + gap), row * (size + gap)
        share = (r["lc_count"] or 0) / most
        fill = f"rgba(27,108,168,{0.12 + 0.78 * share:.2f})"
        ink = "#fff" if share > 0.55 else "#123"
        province = escape(r["province"])
        cells.append(
            f'<g class="tile" data-province="{province}"><title>{province}</title>'
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="6" fill="{fill}"/>'
            f'<text x="{x + 8}" y="{y + 22}" fill="{ink}" font-weight="bold">{code}</text>'
            f'<text x="{x + 8}" y="{y + 50}" fill="{ink}">'
            f'<tspan class="metric" data-metric="province_lc_count" data-province="{province}">'
            f"{number(r['lc_count'])}</tspan> LC</text>"
            f'<text x="{x + 8}" y="{y + 74}" fill="{ink}" font-size="12">'
            f'<tspan class="metric" data-metric="province_organisation_count"'
            f' data-province="{province}">{number(r["organisation_count"])}</tspan> org.</text>'
            "</g>"
        )
    columns = max(c for c, _ in TILES.values()) + 1
    rows = max(r for _, r in TILES.values()) + 1
    width, height = columns * (size + gap), rows * (size + gap)
    return Markup(
        f'<svg class="tilemap" xmlns="http://www.w3.org/2000/svg" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="Tegelkaart van de provincies" font-family="{charts.FONT}">'
        + "".join(cells)
        + "</svg>"
    )


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(metric=metric, round_label=round_label, round_scope=round_scope)
    env.filters.update(number=number, euro=euro, slug=slug, day=day)
    return env


def _write(target: Path, html: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def _render_site(serving_path: Path, site: Path) -> int:
    """Write every page into ``site``; returns the number of charts."""
    marts, rec = read_marts(serving_path)
    frames = marts.tables
    env = _environment()
    common = {
        "built_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "serving_path": str(serving_path),
        "programmes": rec["programmes"],
        "lcs": rec["lcs"],
        "reach_columns": marts.present("mart_reach", REACH_COLUMNS),
        "lc_reach_columns": marts.present("fct_project", REACH_COLUMNS),
        "lc_facts": {c: fact for c, fact in LC_FACTS.items() if marts.has("fct_project", c)},
    }
    chart_count = 0

    def page(template: str, target: str, depth: int, **context: Any) -> None:
        nonlocal chart_count
        html = env.get_template(template).render(root="../" * depth, **common, **context)
        chart_count += html.count('class="chart"')
        _write(site / target, html)

    latest_changes = [c for c in rec["changes"] if c["run_number"] == _latest_run(rec)]
    page(
        "index.html",
        "index.html",
        0,
        totals=rec["totals"][0],
        rounds=rec["rounds"],
        mix=rec["partner_mix"],
        regions=rec["regions"],
        reach=rec["reach"],
        top=rec["top_organisations"],
        change_counts=rec["latest_change_counts"],
        quality=rec["quality_totals"][0],
        quarantine_total=rec["quarantine_total"][0]["record_count"],
        chart_rounds=Markup(charts.subsidy_per_round(frames["rounds"])),
        chart_mix=Markup(charts.partner_mix(frames["partner_mix"])) if rec["partner_mix"] else "",
        chart_top=Markup(charts.top_organisations(frames["top_organisations"])),
        tiles=tile_map(rec["regions"]),
    )
    for programme in rec["programmes"]:
        code = programme["programme"]
        rounds = frames["rounds"][frames["rounds"]["programme"] == code]
        mix = frames["partner_mix"][frames["partner_mix"]["programme"] == code]
        page(
            "programme.html",
            f"programma/{slug(code)}.html",
            1,
            programme=programme,
            rounds=[r for r in rec["rounds"] if r["programme"] == code],
            reach=[r for r in rec["reach"] if r["programme"] == code],
            mix=[m for m in rec["partner_mix"] if m["programme"] == code],
            programme_lcs=[lc for lc in rec["lcs"] if lc["programme"] == code],
            chart_rounds=Markup(charts.subsidy_per_round(rounds)) if len(rounds) else "",
            chart_mix=Markup(charts.partner_mix(mix)) if len(mix) else "",
        )
    mix_by_project = frames["lc_mix"].set_index("project_key")
    for lc in rec["lcs"]:
        key = lc["project_key"]
        page(
            "lc.html",
            f"lc/{slug(key)}.html",
            1,
            lc=lc,
            partners=[p for p in rec["lc_partners"] if p["project_key"] == key],
            history=[c for c in rec["changes"] if c["project_key"] == key],
            chart_types=(
                Markup(charts.partner_types_of_lc(mix_by_project.loc[[key]]))
                if key in mix_by_project.index
                else ""
            ),
        )
    page(
        "kwaliteit.html",
        "kwaliteit.html",
        0,
        quality=rec["quality_totals"][0],
        suites=rec["quality"],
        quarantine=rec["quarantine"],
        quarantine_total=rec["quarantine_total"][0]["record_count"],
    )
    page(
        "wijzigingen.html",
        "wijzigingen.html",
        0,
        latest=latest_changes,
        change_counts=rec["latest_change_counts"],
        run=_latest_run(rec),
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
