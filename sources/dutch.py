"""Parsing Dutch notations of amounts and dates as programme websites and registers write them."""

from __future__ import annotations

import re
from datetime import date, datetime

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4,
    "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

_MULTIPLIERS = {"miljoen": 1_000_000, "mln": 1_000_000, "mio": 1_000_000, "miljard": 1e9,
                "duizend": 1_000, "k": 1_000}  # fmt: skip

_AMOUNT = re.compile(
    r"^(?:€|eur|euro)?\s*(?P<number>\d[\d.,\s]*?)\s*(?:,-|,\u2013)?\s*"
    r"(?P<unit>miljoen|mln\.?|mio|miljard|duizend|k)?\s*(?:euro|eur)?$",
    re.IGNORECASE,
)


def parse_amount(text: str | float | int | None) -> float | None:
    """``€ 4.000.000``, ``€ 1,8 miljoen``, ``650.000,-``, ``2 mln`` -> euros; empty -> None.

    Raises ValueError for text that is not an amount, so the caller can name the field.
    """
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text)
    cleaned = text.strip().replace("\u00a0", " ")
    if not cleaned or cleaned in ("-", "\u2013", "onbekend", "n.b.", "nvt", "n.v.t."):
        return None
    match = _AMOUNT.match(cleaned)
    if not match:
        raise ValueError(f"not an amount: {text!r}")
    number = match.group("number").replace(" ", "")
    unit = (match.group("unit") or "").rstrip(".").lower()
    if "," in number:
        # Dutch: dots group thousands, the comma is the decimal mark.
        number = number.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", number):
        number = number.replace(".", "")
    elif number.count(".") == 1 and unit:
        pass  # "1.8 miljoen": a decimal point next to a unit
    elif "." in number:
        raise ValueError(f"ambiguous amount: {text!r}")
    value = float(number)
    return value * _MULTIPLIERS.get(unit, 1)


_DUTCH_LONG = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$")
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?\s+(\d{4})$")


def parse_date(text: str | date | datetime | None) -> date | None:
    """``1 juli 2022``, ``19-03-2024``, ``19/03/2024``, ``2024-03-19``, ``juli 2022`` -> date.

    A month without a day means its first day. Raises ValueError when not a date.
    """
    if text is None:
        return None
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    cleaned = re.sub(r"\s+", " ", text.strip().lower())
    if not cleaned:
        return None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    if match := _DUTCH_LONG.match(cleaned):
        day, month, year = match.groups()
        if month in MONTHS:
            return date(int(year), MONTHS[month], int(day))
    if match := _MONTH_YEAR.match(cleaned):
        month, year = match.groups()
        if month in MONTHS:
            return date(int(year), MONTHS[month], 1)
    raise ValueError(f"not a date: {text!r}")


_PERIOD_SPLIT = re.compile(r"\s+(?:-|\u2013|\u2014|t/m|tot en met|tot|to)\s+", re.IGNORECASE)


def parse_period(text: str | None) -> tuple[date | None, date | None]:
    """``1 juli 2022 - 30 juni 2026`` or ``01-07-2022 t/m 30-06-2026`` -> (start, end)."""
    if not text or not text.strip():
        return None, None
    parts = _PERIOD_SPLIT.split(text.strip(), maxsplit=1)
    if len(parts) != 2:
        raise ValueError(f"not a period 'start - end': {text!r}")
    return parse_date(parts[0]), parse_date(parts[1])
