"""Planning-rule arithmetic on hand-worked cases, in Decimal (no float anywhere)."""

from decimal import Decimal as D

import pytest

from finance.rules import (
    Rule,
    Stated,
    difference,
    efficiency_gap,
    implied_amount,
    percent_of,
    rule_lines,
)

ALLOCATION = D("622700000.00")  # Southern Derbyshire 2013/14 (seed 003)


@pytest.mark.parametrize(
    ("basis", "rate", "allocation", "population", "expected"),
    [
        ("percent-of-allocation", D("1"), ALLOCATION, None, D("6227000.00")),
        ("percent-of-allocation", D("0.5"), ALLOCATION, None, D("3113500.00")),
        ("percent-of-allocation", D("2"), ALLOCATION, None, D("12454000.00")),
        ("percent-of-allocation", D("2.5"), ALLOCATION, None, D("15567500.00")),
        ("percent-of-allocation", D("1"), D("184300000"), None, D("1843000.00")),
        # half a penny rounds up: 0.125% of £1,000.04 is £1.25005
        ("percent-of-allocation", D("0.125"), D("1000.04"), None, D("1.25")),
        ("percent-of-allocation", D("0.125"), D("1000.40"), None, D("1.25")),
        ("percent-of-allocation", D("1"), D("50"), None, D("0.50")),
        ("percent-of-allocation", D("0"), ALLOCATION, None, D("0.00")),
        ("percent-of-allocation", D("1"), None, 525000, None),
        ("per-head", D("25"), ALLOCATION, 525000, D("13125000.00")),
        ("per-head", D("25"), None, 170774, D("4269350.00")),
        ("per-head", D("25"), ALLOCATION, None, None),
    ],
)
def test_implied_amount(basis, rate, allocation, population, expected):
    result = implied_amount(basis, rate, allocation=allocation, population=population)
    assert result == expected
    assert result is None or isinstance(result, D)


def test_an_unknown_basis_is_refused():
    with pytest.raises(ValueError, match="unknown rule basis"):
        implied_amount("per-practice", D("1"), allocation=ALLOCATION, population=None)


@pytest.mark.parametrize(
    ("stated", "implied", "expected"),
    [
        (D("6100000"), D("6227000.00"), D("-127000.00")),
        (D("3000000"), D("3113500.00"), D("-113500.00")),
        (D("15600000"), D("15567500.00"), D("32500.00")),
        (D("1"), D("1"), D("0.00")),
        (None, D("1"), None),
        (D("1"), None, None),
    ],
)
def test_difference_is_stated_minus_implied(stated, implied, expected):
    assert difference(stated, implied) == expected


@pytest.mark.parametrize(
    ("amount", "whole", "expected"),
    [
        (D("15600000"), ALLOCATION, D("2.505")),
        (D("6100000"), ALLOCATION, D("0.980")),
        (D("3332000"), D("184300000"), D("1.808")),
        (D("1"), D("0"), None),
        (None, ALLOCATION, None),
    ],
)
def test_percent_of(amount, whole, expected):
    assert percent_of(amount, whole) == expected


RULES = [
    Rule("transformation-reserve", "Transformation reserve (non-recurrent)",
         "percent-of-allocation", D("2")),
    Rule("surplus", "Surplus", "percent-of-allocation", D("1")),
    Rule("contingency", "Contingency", "percent-of-allocation", D("0.5")),
]  # fmt: skip


def test_rule_lines_put_the_stated_amount_beside_the_rule_and_never_overwrite_it():
    stated = [
        Stated("surplus", "A 1% surplus", D("6100000")),
        Stated("contingency", "A 0.5% contingency reserve", D("3000000")),
        Stated("", "Internal operational risk reserve", D("1655000")),
    ]
    lines = rule_lines(RULES, stated, allocation=ALLOCATION, population=None)
    by_code = {line.code or line.label: line for line in lines}
    reserve = by_code["transformation-reserve"]
    assert (reserve.implied, reserve.stated, reserve.difference) == (D("12454000.00"), None, None)
    surplus = by_code["surplus"]
    assert (surplus.implied, surplus.stated, surplus.difference) == (
        D("6227000.00"), D("6100000"), D("-127000.00"))  # fmt: skip
    assert surplus.label == "A 1% surplus" and surplus.differs
    other = by_code["Internal operational risk reserve"]
    assert other.rule is None and other.implied is None and other.stated == D("1655000")
    assert [line.code for line in lines] == ["transformation-reserve", "surplus", "contingency", ""]


def test_a_stated_amount_for_a_rule_the_year_lacks_is_kept_without_a_rule():
    lines = rule_lines(RULES[:1], [Stated("headroom", "1% headroom", D("5"))],
                       allocation=ALLOCATION, population=None)  # fmt: skip
    assert lines[-1].code == "headroom" and lines[-1].rule is None and lines[-1].stated == D("5")


@pytest.mark.parametrize(
    ("target", "savings", "planned", "gap", "covered"),
    [
        # Redditch and Bromsgrove 2012/13: 13 projects, £3,332k against £3.3m (seed 002)
        (
            D("3300000"),
            [D(k) * 1000 for k in (106, 700, 12, 203, 188, 24, 160, 49, 102, 152, 122, 966, 548)],
            D("3332000.00"),
            D("32000.00"),
            True,
        ),  # fmt: skip
        (D("15600000"), [D("15000000")], D("15000000.00"), D("-600000.00"), False),
        (D("1"), [], D("0.00"), D("-1.00"), False),
        (None, [D("5")], D("5.00"), None, None),
    ],
)
def test_efficiency_gap(target, savings, planned, gap, covered):
    result = efficiency_gap(target, savings)
    assert (result.planned, result.gap, result.covered) == (planned, gap, covered)
