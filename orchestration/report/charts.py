"""Charts as inline SVG: Altair specifications rendered by vl-convert, so the pages need no
JavaScript and no network to show them."""

from __future__ import annotations

import altair as alt
import pandas as pd
import vl_convert as vlc

from orchestration.report.marts import PARTNER_TYPES

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
FONT = "DejaVu Sans, Arial, sans-serif"


def svg(chart: alt.TopLevelMixin) -> str:
    spec = chart.configure(font=FONT).configure_view(stroke=None).to_dict()
    return vlc.vegalite_to_svg(spec)


def subsidy_per_round(rounds: pd.DataFrame) -> str:
    """LCs and known subsidy per programme and round, side by side."""
    frame = rounds.assign(
        ronde=rounds["call_round"].map(lambda r: "onbekend" if pd.isna(r) else str(int(r))),
        subsidie_mln=rounds["subsidy_eur"].fillna(0) / 1e6,
    )
    order = sorted(set(frame["ronde"]), key=lambda r: (r == "onbekend", r))
    base = alt.Chart(frame).encode(
        x=alt.X("ronde:N", title="ronde", sort=order),
        color=alt.Color("programme:N", title="programma"),
        xOffset="programme:N",
        tooltip=["programme", "ronde", "lc_count", "subsidy_eur"],
    )
    lcs = (
        base.mark_bar()
        .encode(y=alt.Y("lc_count:Q", title="aantal LC's"))
        .properties(width=320, height=200, title="Learning Communities per ronde")
    )
    money = (
        base.mark_bar()
        .encode(y=alt.Y("subsidie_mln:Q", title="bekende subsidie (mln €)"))
        .properties(width=320, height=200, title="Bekende subsidie per ronde (alle projecten)")
    )
    return svg(alt.hconcat(lcs, money))


def partner_mix(mix: pd.DataFrame) -> str:
    """Partner types as stacked shares per programme (LC partnerships)."""
    long = mix.melt(
        id_vars=["programme"], value_vars=list(PARTNER_TYPES), var_name="type", value_name="n"
    )
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("programme:N", title=None),
            x=alt.X("n:Q", stack="normalize", title="aandeel partners", axis=alt.Axis(format="%")),
            color=alt.Color(
                "type:N",
                title="type partner",
                scale=alt.Scale(domain=list(PARTNER_TYPES), range=TYPE_COLOURS),
            ),
            order=alt.Order("type_order:Q"),
        )
        .transform_calculate(type_order=f"indexof({list(PARTNER_TYPES)!r}, datum.type)")
        .properties(width=520, height=30 * max(len(mix), 1), title="Partnermix van de LC's")
    )
    return svg(chart)


def top_organisations(top: pd.DataFrame) -> str:
    chart = (
        alt.Chart(top)
        .mark_bar(color="#1b6ca8")
        .encode(
            y=alt.Y("organisation_name:N", sort="-x", title=None),
            x=alt.X("collaborator_count:Q", title="aantal samenwerkingspartners"),
        )
        .properties(width=360, height=18 * max(len(top), 1), title="Meest verbonden organisaties")
    )
    return svg(chart)


def partner_types_of_lc(mix_row: pd.DataFrame) -> str:
    """One LC's partners per type, from its mart_partner_mix row."""
    counts = mix_row.melt(value_vars=list(PARTNER_TYPES), var_name="type", value_name="n")
    chart = (
        alt.Chart(counts[counts["n"] > 0])
        .mark_bar()
        .encode(
            y=alt.Y("type:N", title=None, sort=list(PARTNER_TYPES)),
            x=alt.X("n:Q", title="partners", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "type:N",
                legend=None,
                scale=alt.Scale(domain=list(PARTNER_TYPES), range=TYPE_COLOURS),
            ),
        )
        .properties(width=300, height=160, title="Partners naar type")
    )
    return svg(chart)
