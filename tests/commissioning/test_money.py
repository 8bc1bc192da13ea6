from decimal import Decimal

import pytest

from commissioning.money import format_money


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("622700000"), "£622.7m"),  # seed 003: allocation
        (Decimal("15600000"), "£15.6m"),  # seed 003: efficiency target
        (Decimal("3000000"), "£3.0m"),  # seed 003 writes the contingency as £3.0m
        (Decimal("184300000.00"), "£184.3m"),  # seed 002: budget
        (Decimal("106000"), "£106k"),
        (Decimal("255000"), "£255k"),
        (Decimal("999499"), "£999k"),
        (Decimal("999500"), "£1.0m"),  # rounds up into millions, never "£1000k"
        (Decimal("950"), "£950"),
        (Decimal("0"), "£0"),
        (Decimal("-3000000"), "\u2212£3.0m"),
        ("6100000", "£6.1m"),
        (75_000_000, "£75.0m"),
        (None, ""),
    ],
)
def test_short_style(amount, expected):
    assert format_money(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("252173"), "£252,173"),  # seed 002: 2011/12 surplus
        (Decimal("252173.00"), "£252,173"),
        (Decimal("1234.5"), "£1,234.50"),
        (Decimal("-17.25"), "\u2212£17.25"),
        (Decimal("224200000"), "£224,200,000"),
    ],
)
def test_exact_style(amount, expected):
    assert format_money(amount, style="exact") == expected


def test_rejects_what_is_not_money():
    with pytest.raises(ValueError):
        format_money("lots")
    with pytest.raises(ValueError):
        format_money(1, style="fancy")
