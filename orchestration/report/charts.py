"""Charts as inline SVG: Altair specifications rendered by vl-convert, so the pages need no
JavaScript and no network to show them. Each chart comes with the rows it was drawn from, which
the page embeds as JSON beside the SVG (the browser test compares them with the marts)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from orchestration.report.formats import euro, percent
from orchestration.report.labels import LABELS, PARTNER_TYPE_COLUMNS
from orchestration.report.marts import SHARE_COLUMNS

# One palette for the partner types on every page (a type keeps its colour).
TYPE_COLOURS = [
    "#1b6ca8",
    "#5aa9e6",
    "#f4a259",
    "#e76f51",
    "#bc4b51",
    "#6a994e",
    "#9c89b8",
    "#b0b0b0",
]
TYPE_LABELS = [LABELS["organisation_type"][t] for t in PARTNER_TYPE_COLUMNS]
FONT = "DejaVu Sans, Arial, sans-serif"
UNKNOWN = "onbekend"


@dataclass(frozen=True)
class Chart:
    svg: str
    rows: list[dict[str, Any]]  # what the chart shows, by the marts' column names

    def data_json(self) -> str:
        """The rows as JSON safe inside <script type="application/json">."""
        return json.dumps(self.rows, ensure_ascii=False, default=_plain).replace("</", "<\\/")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"not JSON: {value!r}")


def _rows(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    out = []
    for row in frame[columns].to_dict(orient="records"):
        out.append({k: None if _is_missing(v) else _plain_scalar(v) for k, v in row.items()})
    return out


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _plain_scalar(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def svg(chart: alt.TopLevelMixin) -> str:
    spec = chart.configure(font=FONT).configure_view(stroke=None).to_dict()
    return vlc.vegalite_to_svg(spec)


def subsidy_per_round(rounds: pd.DataFrame) -> Chart:
    """LCs and their known subsidy per programme and round (mart_lc_rounds), side by side. A
    round whose LCs' subsidy no source gives has no bar but the word "onbekend" (a bar of 0
    would claim a sum); a round without LCs says "geen LC's"."""
    rows = _rows(rounds, ["programme", "call_round", "lc_count", "lc_total_subsidy_eur"])
    frame = pd.DataFrame(
        {
            "programme": [r["programme"] for r in rows],
            "ronde": [UNKNOWN if r["call_round"] is None else str(r["call_round"]) for r in rows],
            "lc_count": [r["lc_count"] for r in rows],
            "subsidie_mln": [
                None
                if r["lc_total_subsidy_eur"] is None
                else float(r["lc_total_subsidy_eur"]) / 1e6
                for r in rows
            ],
            "subsidie_lc": [euro(r["lc_total_subsidy_eur"]) for r in rows],
            "geen": ["geen LC's" if r["lc_count"] == 0 else UNKNOWN for r in rows],
        }
    )
    order = sorted(set(frame["ronde"]), key=lambda r: (r == UNKNOWN, r))
    base = alt.Chart(frame).encode(
        x=alt.X("ronde:N", title="ronde", sort=order),
        xOffset="programme:N",
        tooltip=[
            "programme",
            "ronde",
            "lc_count",
            alt.Tooltip("subsidie_lc:N", title="subsidie LC's"),
        ],
    )
    colour = alt.Color("programme:N", title="programma")
    lcs = (
        base.mark_bar()
        .encode(y=alt.Y("lc_count:Q", title="aantal LC's"), color=colour)
        .properties(width=320, height=200, title="Learning Communities per ronde")
    )
    known = base.transform_filter("datum.subsidie_mln != null")
    unknown = base.transform_filter("datum.subsidie_mln == null")
    money = alt.layer(
        known.mark_bar().encode(
            y=alt.Y("subsidie_mln:Q", title="bekende subsidie aan LC's (mln €)"), color=colour
        ),
        unknown.mark_text(angle=270, align="left", dx=4, fontSize=11, color="#555").encode(
            y=alt.datum(0), text="geen:N"
        ),
    ).properties(width=320, height=200, title="Bekende subsidie aan de LC's per ronde")
    return Chart(svg(alt.hconcat(lcs, money)), rows)


def partner_mix(programmes: pd.DataFrame) -> Chart:
    """The LCs' partners by type as stacked shares per programme (mart_programme_summary's
    lc_*_share columns; the tooltip writes each share as the page does)."""
    shares = list(SHARE_COLUMNS.values())
    long = programmes.melt(id_vars=["programme"], value_vars=shares, var_name="column")
    names = {c: LABELS["organisation_type"][t] for t, c in SHARE_COLUMNS.items()}
    long = long.assign(type=long["column"].map(names), share=long["value"].astype("float64"))
    long = long[long["share"] > 0]  # a type without partners draws no (empty) bar
    long = long.assign(aandeel=[percent(v) for v in long["share"]])
    chart = (
        alt.Chart(long[["programme", "type", "share", "aandeel"]])
        .mark_bar()
        .encode(
            y=alt.Y("programme:N", title=None),
            x=alt.X(
                "share:Q", stack="normalize", title="aandeel partners", axis=alt.Axis(format="%")
            ),
            color=alt.Color(
                "type:N",
                title="type partner",
                scale=alt.Scale(domain=TYPE_LABELS, range=TYPE_COLOURS),
            ),
            order=alt.Order("type_order:Q"),
            tooltip=["programme", "type", "aandeel"],
        )
        .transform_calculate(type_order=f"indexof({TYPE_LABELS!r}, datum.type)")
        .properties(width=520, height=30 * max(len(programmes), 1), title="Partnermix van de LC's")
    )
    return Chart(svg(chart), _rows(programmes, ["programme", *shares]))


def _long_mix(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    long = frame.melt(
        id_vars=keys, value_vars=list(PARTNER_TYPE_COLUMNS.values()), var_name="column"
    )
    names = {c: LABELS["organisation_type"][t] for t, c in PARTNER_TYPE_COLUMNS.items()}
    long = long.assign(type=long["column"].map(names), n=long["value"].astype("int64"))
    return long[long["n"] > 0]  # a type without partners draws no (empty) bar


def top_organisations(top: pd.DataFrame) -> Chart:
    chart = (
        alt.Chart(top[["organisation_name", "collaborator_count"]])
        .mark_bar(color="#1b6ca8")
        .encode(
            y=alt.Y("organisation_name:N", sort="-x", title=None),
            x=alt.X("collaborator_count:Q", title="aantal samenwerkingspartners"),
            tooltip=["organisation_name", "collaborator_count"],
        )
        .properties(width=360, height=18 * max(len(top), 1), title="Meest verbonden organisaties")
    )
    return Chart(svg(chart), _rows(top, ["organisation_key", "collaborator_count"]))


def partner_types_of_lc(mix_row: pd.DataFrame) -> Chart:
    """One LC's partners per type, from its mart_partner_mix row (types without partners are
    left out of the bars, not of the data)."""
    long = _long_mix(mix_row, ["project_key"])
    chart = (
        alt.Chart(long[["type", "n"]])
        .mark_bar()
        .encode(
            y=alt.Y("type:N", title=None, sort=TYPE_LABELS),
            x=alt.X("n:Q", title="partners", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "type:N", legend=None, scale=alt.Scale(domain=TYPE_LABELS, range=TYPE_COLOURS)
            ),
            tooltip=["type", "n"],
        )
        .properties(width=300, height=160, title="Partners naar type")
    )
    return Chart(svg(chart), _rows(mix_row, ["project_key", *PARTNER_TYPE_COLUMNS.values()]))
