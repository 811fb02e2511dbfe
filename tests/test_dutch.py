"""Dutch notations of amounts, dates and periods as the sources print them."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sources.dutch import parse_amount, parse_date, parse_period


@pytest.mark.parametrize(
    ("text", "euros"),
    [
        ("€ 4.000.000", 4_000_000),
        ("€ 1,8 miljoen", 1_800_000),
        ("€ 81,4 miljoen", 81_400_000),
        ("€\u00a02.345.678,-", 2_345_678),
        ("EUR 950.000", 950_000),
        ("650.000,00", 650_000),
        ("2 mln", 2_000_000),
        ("1.8 miljoen", 1_800_000),
        ("175000", 175_000),
        (165000, 165_000),
        (1.5e5, 150_000),
    ],
)
def test_amounts(text, euros):
    assert parse_amount(text) == pytest.approx(euros)


@pytest.mark.parametrize("text", [None, "", "  ", "-", "n.v.t.", "onbekend"])
def test_no_amount_is_none_never_zero(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("text", ["veel", "€ 1.5", "12 appels"])
def test_not_an_amount_raises(text):
    with pytest.raises(ValueError, match="amount"):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 juli 2022", date(2022, 7, 1)),
        ("19-03-2024", date(2024, 3, 19)),
        ("19/03/2024", date(2024, 3, 19)),
        ("2024-03-19", date(2024, 3, 19)),
        ("2022-09-01T00:00:00", date(2022, 9, 1)),
        ("September 2021", date(2021, 9, 1)),
        ("1 sept. 2021", date(2021, 9, 1)),
        (datetime(2023, 1, 2, 10, 0), date(2023, 1, 2)),
        (date(2023, 1, 2), date(2023, 1, 2)),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31-02-2024", "1 juliet 2022", "binnenkort"])
def test_not_a_date_raises(text):
    with pytest.raises(ValueError, match="not a date"):
        parse_date(text)


def test_periods():
    assert parse_period("1 juli 2022 - 30 juni 2026") == (date(2022, 7, 1), date(2026, 6, 30))
    assert parse_period("01-07-2022 t/m 30-06-2026") == (date(2022, 7, 1), date(2026, 6, 30))
    assert parse_period("maart 2023 \u2013 2025-12-31") == (date(2023, 3, 1), date(2025, 12, 31))
    assert parse_period("") == (None, None)
    with pytest.raises(ValueError, match="not a period"):
        parse_period("vier jaar")
