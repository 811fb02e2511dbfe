"""The register template: sheets, columns and what a valid cell holds.

One definition serves the parser, the template workbook and TEMPLATE.md, so the three cannot
drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sources import dutch

ORGANISATION_TYPES = ("bedrijf", "kennisinstelling", "mbo", "hbo", "wo", "overheid", "overig")
ROLES = ("penvoerder", "partner")
PROGRAMMES = {"mooi": "MOOI", "groenvermogennl": "GroenvermogenNL"}
POSTCODE = re.compile(r"^(\d{4})\s?([A-Za-z]{2})$")


class BadCell(ValueError):
    """A cell that does not hold what its column needs; the message says what it holds."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def text(value: Any) -> str | None:
    return _text(value)


def _no_bool(value: Any) -> None:
    # An xlsx TRUE/FALSE cell arrives as bool, which Python would happily count as 1 or 0.
    if isinstance(value, bool):
        raise BadCell(f"a TRUE/FALSE cell, not a number: {value!r}")


def whole_number(low: int, high: int | None = None) -> Callable[[Any], int | None]:
    def convert(value: Any) -> int | None:
        _no_bool(value)
        raw = _text(value)
        if raw is None:
            return None
        cleaned = raw.replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", raw) else raw
        try:
            number = float(cleaned)
        except ValueError:
            raise BadCell(f"not a whole number: {raw!r}") from None
        if not number.is_integer():
            raise BadCell(f"not a whole number: {raw!r}")
        if number < low or (high is not None and number > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise BadCell(f"{int(number)} is not {bounds}")
        return int(number)

    return convert


def a_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        # A date typed into a cell formatted as a number shows up as Excel's day count.
        raise BadCell(f"a number, not a date: {value!r} (format the cell as a date)")
    raw = _text(value)
    try:
        return dutch.parse_date(raw)
    except ValueError as exc:
        raise BadCell(str(exc)) from None


def amount(value: Any) -> float | None:
    _no_bool(value)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = dutch.parse_amount(_text(value))
        except ValueError as exc:
            raise BadCell(str(exc)) from None
    if number is not None and number < 0:
        raise BadCell(f"negative amount: {value!r}")
    return number


def one_of(values: tuple[str, ...] | dict[str, str]) -> Callable[[Any], str | None]:
    mapping = values if isinstance(values, dict) else {v: v for v in values}

    def convert(value: Any) -> str | None:
        raw = _text(value)
        if raw is None:
            return None
        found = mapping.get(raw.casefold())
        if found is None:
            raise BadCell(f"{raw!r} is not one of {', '.join(mapping.values())}")
        return found

    return convert


def grant(value: Any) -> str | None:
    """A related grant as a grant number is written: one token of capitals, digits, dots and
    hyphens (MOOI32005, NGF.1623.24.001). Blanks beside a digit, dot or hyphen are dropped and,
    when the value holds a digit, letters are capitalised ("mooi 32005", "NGF. 1623.24.001");
    anything else ("zie consortium") stays as written. Whether it is a grant number is the raw
    suites' rule (expectations/), not the connector's."""
    raw = _text(value)
    if raw is None:
        return None
    compact = re.sub(r"(?<=[\d.-])\s+|\s+(?=[\d.-])", "", raw)
    if " " in compact or not re.search(r"\d", compact):
        return raw
    return compact.upper()


def url(value: Any) -> str | None:
    raw = _text(value)
    if raw is not None and not re.match(r"^https?://\S+$", raw):
        raise BadCell(f"not a web address (http:// or https://): {raw!r}")
    return raw


def postcode(value: Any) -> str | None:
    raw = _text(value)
    if raw is None:
        return None
    match = POSTCODE.match(raw)
    if not match:
        raise BadCell(f"not a Dutch postcode (1234 AB): {raw!r}")
    return f"{match.group(1)} {match.group(2).upper()}"


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    convert: Callable[[Any], Any]
    sql_type: str
    meaning: str


PROJECT_SHEET = ("projects", "projecten")
PARTNER_SHEET = ("partners", "deelnemers")

PROJECT_SPEC = (
    Column("register_id", True, text, "VARCHAR",
           "the register's id of the Learning Community, unique in the file"),
    Column("programme", True, one_of(PROGRAMMES), "VARCHAR", "MOOI or GroenvermogenNL"),
    Column("lc_name", True, text, "VARCHAR", "name of the Learning Community"),
    Column("region", False, text, "VARCHAR", "region the LC serves (e.g. Zuidwest, Noord)"),
    Column("lc_municipality", False, text, "VARCHAR",
           "municipality (gemeente) where the LC itself works, e.g. its penvoerder's site"),
    Column("related_grant", False, grant, "VARCHAR",
           "grant the LC belongs to: MOOI grant number (MOOI12345) or NWO file number"),
    Column("call_round", False, whole_number(2015, 2035), "INTEGER", "year of the round"),
    Column("start_date", False, a_date, "DATE",
           "start (a date cell, 2024-09-01 or 1 september 2024)"),
    Column("end_date", False, a_date, "DATE", "end, not before the start"),
    Column("subsidy_eur", False, amount, "DOUBLE",
           "subsidy for the LC in euros (number or € 150.000); empty when unknown, never 0"),
    Column("students_reached", False, whole_number(0), "INTEGER",
           "students reached so far; empty when unknown"),
    Column("professionals_reached", False, whole_number(0), "INTEGER",
           "professionals (teachers, employees) reached so far; empty when unknown"),
    Column("teachers_reached", False, whole_number(0), "INTEGER",
           "teachers (docenten) involved so far, of the professionals; empty when unknown"),
    Column("website", False, url, "VARCHAR", "the LC's website"),
)  # fmt: skip
PARTNER_SPEC = (
    Column("register_id", True, text, "VARCHAR", "the LC (projects.register_id)"),
    Column("organisation", True, text, "VARCHAR", "organisation name as the office writes it"),
    Column("organisation_type", True, one_of(ORGANISATION_TYPES), "VARCHAR",
           "bedrijf, kennisinstelling, mbo, hbo, wo, overheid or overig"),
    Column("role", True, one_of(ROLES), "VARCHAR", "penvoerder (exactly one per LC) or partner"),
    Column("municipality", False, text, "VARCHAR", "municipality of the partner's location"),
    Column("postcode", False, postcode, "VARCHAR", "postcode of the location, 1234 AB"),
)  # fmt: skip

# call_id: the LC's call in the call catalogue (sources.calls), assigned while reading.
PROJECT_COLUMNS = {c.name: c.sql_type for c in PROJECT_SPEC} | {
    "call_id": "VARCHAR",
    "source_row": "INTEGER",
}
PARTNER_COLUMNS = (
    {"register_id": "VARCHAR", "partner_seq": "INTEGER"}
    | {c.name: c.sql_type for c in PARTNER_SPEC if c.name != "register_id"}
    | {"source_row": "INTEGER"}
)
