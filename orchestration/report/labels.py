"""How the marts' Dutch category codes read on the report's pages: the one place that maps a
code to its label. A code the marts carry but this file does not know stops the build (the
convention of docs/marts.md changed; the page must not guess)."""

from __future__ import annotations

import yaml

from orchestration.settings import DBT_PROJECT_DIR

DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"

PROVINCES = (
    "Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland",
    "Utrecht", "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
)  # fmt: skip
LABELS: dict[str, dict[str, str]] = {
    "status": {
        "gepland": "Gepland",
        "lopend": "Lopend",
        "afgelopen": "Afgelopen",
        "onbekend": "Onbekend",
    },
    "change_type": {
        "nieuw": "Nieuw",
        "gewijzigd": "Gewijzigd",
        "verdwenen": "Verdwenen",
    },
    "organisation_type": {
        "bedrijf": "Bedrijf",
        "kennisinstelling": "Kennisinstelling",
        "mbo": "MBO",
        "hbo": "HBO",
        "wo": "WO",
        "overheid": "Overheid",
        "overig": "Overig",
        "onbekend": "Onbekend",
    },
    "kic_context": {
        "energie": "Energie",
        "gezondheid_zorg": "Gezondheid en zorg",
        "ict": "ICT",
        "landbouw_voedsel": "Landbouw, water en voedsel",
        "onbekend": "Onbekend",
    },
    # Where a figure comes from: source_system, lc_location_source, reach_source.
    "source": {
        "nwopen": "NWOpen",
        "tse": "Topsector Energie",
        "mooi_register": "MOOI-register",
        "gvnl_register": "GroenvermogenNL-register",
        "warehouse": "Datawarehouse (eigen modellen)",  # checks on the marts themselves
    },
    "role": {"penvoerder": "Penvoerder", "partner": "Partner"},
    "disposition": {"set_aside": "Apart gezet", "flagged": "Gemarkeerd"},
    # The twelve provinces (seed provinces.csv) read as they are written.
    "province": {**{p: p for p in PROVINCES}, "onbekend": "Onbekend"},
}
# The columns that carry each kind of code (the pages and the browser test use this map).
COLUMN_KINDS = {
    "status": "status",
    "change_type": "change_type",
    "organisation_type": "organisation_type",
    "kic_context": "kic_context",
    "source_system": "source",
    "lc_location_source": "source",
    "reach_source": "source",
    "role": "role",
    "disposition": "disposition",
    "province": "province",
    "lc_province": "province",
    "lead_province": "province",
}
# mart_partner_mix's count column of each organisation type, in the order the pages show them:
# the dbt var that builds the marts (one place, dbt_project.yml).
PARTNER_TYPE_COLUMNS: dict[str, str] = dict(
    yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))["vars"]["partner_type_columns"]
)


class UnknownCode(ValueError):
    pass


def label(kind: str, code: str | None) -> str:
    """The display label of a category code (``kind`` is the marts' column name)."""
    if code is None:  # the marts write 'onbekend'; NULL means "does not apply"
        return ""
    try:
        return LABELS[kind][code]
    except KeyError:
        raise UnknownCode(
            f"the report has no label for {kind} = {code!r} (known: {sorted(LABELS[kind])});"
            " add it to orchestration/report/labels.py"
        ) from None
