"""How the report writes a mart value: Dutch notation for numbers, money, shares and dates.
The pages and the charts' tooltips use these same functions (one way to write a euro)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pandas as pd

UNKNOWN = "onbekend"


def is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def number(value: Any) -> str:
    """A number in Dutch notation: 1.234.567 and 12,5; 'onbekend' when the mart has none."""
    if is_missing(value):
        return UNKNOWN
    if float(value) == int(value):
        return f"{int(value):,}".replace(",", ".")
    text = f"{float(value):,.4f}".rstrip("0")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def euro(value: Any) -> str:
    """Money (DECIMAL(18,2)) as € 1.234.567 or € 1.234,50."""
    if is_missing(value):
        return UNKNOWN
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return "€ " + text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(value: Any) -> str:
    """A share (0-1) as a percentage with at most one decimal: 0.125 as 12,5 %."""
    return UNKNOWN if is_missing(value) else number(round(float(value) * 100, 1)) + " %"


def day(value: Any) -> str:
    """A date as the Dutch write it (31-08-2026); pandas hands DATE columns over as Timestamps."""
    return UNKNOWN if is_missing(value) else value.strftime("%d-%m-%Y")


def joined(value: Iterable[str] | None) -> str:
    """A LIST column (sorted, never empty; NULL when nothing) as comma-joined text."""
    return "" if value is None else ", ".join(str(v) for v in value)


def text(value: Any) -> str:
    return UNKNOWN if is_missing(value) else str(value)


FORMATS = {"number": number, "euro": euro, "percent": percent, "date": day, "text": text}
