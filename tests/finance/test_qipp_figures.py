"""QIPP year to date, variance, forecast outturn, RAG boundaries and roll-ups, worked by hand."""

from decimal import Decimal as D

import pytest

from finance.qipp_figures import (
    Month,
    Rag,
    Thresholds,
    figures,
    month_label,
    rag,
    roll_up,
    twelve,
)


def plan_of(*amounts, actuals=(), forecasts=()):
    months = []
    for n, amount in enumerate(amounts, start=1):
        actual = actuals[n - 1] if n <= len(actuals) else None
        forecast = forecasts[n - 1] if n <= len(forecasts) else None
        months.append(Month(n, D(amount), None if actual is None else D(actual),
                            None if forecast is None else D(forecast)))  # fmt: skip
    return months


@pytest.mark.parametrize(
    ("variance_percent", "expected"),
    [
        (D("5"), Rag.GREEN),
        (D("0.00"), Rag.GREEN),  # on plan is green
        (D("-0.01"), Rag.AMBER),
        (D("-9.99"), Rag.AMBER),
        (D("-10.00"), Rag.AMBER),  # the amber boundary is amber
        (D("-10.01"), Rag.RED),
        (D("-100"), Rag.RED),
        (None, None),
    ],
)
def test_rag_boundaries_with_the_default_thresholds(variance_percent, expected):
    assert rag(variance_percent) == expected


@pytest.mark.parametrize(
    ("variance_percent", "expected"),
    [(D("-5"), Rag.GREEN), (D("-5.01"), Rag.AMBER), (D("-15"), Rag.AMBER), (D("-15.01"), Rag.RED)],
)
def test_rag_with_thresholds_from_data(variance_percent, expected):
    assert rag(variance_percent, Thresholds(D("-5"), D("-15"))) == expected


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        Thresholds(D("-20"), D("-10"))


def test_a_scheme_three_months_in():
    # £12,000 a year planned evenly; actuals 900, 1,000, 800 in M1-M3; forecast 1,100 in M4.
    months = plan_of(*["1000"] * 12, actuals=["900", "1000", "800"],
                     forecasts=[None, None, None, "1100"])  # fmt: skip
    result = figures(months)
    assert result.through == 3 and result.through_label == "M3 (June)"
    assert (result.ytd_plan, result.ytd_actual) == (D("3000"), D("2700"))
    assert result.variance == D("-300")
    assert result.variance_percent == D("-10.00")
    assert result.rag == Rag.AMBER
    # 2,700 done + 1,100 forecast for M4 + 8 × 1,000 planned
    assert result.forecast_outturn == D("11800")
    assert result.annual_plan == D("12000")
    assert result.cumulative()[:4] == [(1, D("1000"), D("900")), (2, D("2000"), D("1900")),
                                       (3, D("3000"), D("2700")), (4, D("4000"), None)]  # fmt: skip


def test_a_month_without_an_actual_before_the_last_reported_counts_as_nothing_saved():
    months = plan_of("100", "100", "100", actuals=["100", None, "100"])
    result = figures(months)
    assert (result.through, result.ytd_plan, result.ytd_actual) == (3, D("300"), D("200"))
    assert result.variance_percent == D("-33.33") and result.rag == Rag.RED


def test_through_can_be_named():
    result = figures(plan_of("100", "100", actuals=["150", "50"]), through=1)
    assert (result.ytd_plan, result.ytd_actual, result.variance_percent) == (
        D("100"), D("150"), D("50.00"))  # fmt: skip
    assert result.rag == Rag.GREEN
    assert result.forecast_outturn == D("250")  # M1 actual 150 + M2 plan 100 (not reported)


def test_nothing_reported_yet():
    result = figures(plan_of("100", "200"))
    assert (result.through, result.ytd_plan, result.variance, result.variance_percent) == (
        0, D("0"), D("0"), None)  # fmt: skip
    assert result.rag is None and result.forecast_outturn == D("300")
    assert result.through_label == "No month reported"


def test_months_outside_the_year_are_refused():
    with pytest.raises(ValueError, match="M1 to M12"):
        twelve([Month(13)])


def test_month_labels():
    assert month_label(1) == "M1 (April)" and month_label(12) == "M12 (March)"


def test_roll_up_of_two_schemes():
    a = plan_of("100", "100", "100", actuals=["100", "80"])
    b = plan_of("50", "50", "50", actuals=["60"], forecasts=[None, None, "40"])
    total = roll_up([a, b])
    assert total.through == 2
    # plan M1-M2: 200 + 100; actual: 100 + 80 + 60 + 0 (b did not report M2)
    assert (total.ytd_plan, total.ytd_actual, total.variance) == (D("300"), D("240"), D("-60"))
    assert total.variance_percent == D("-20.00") and total.rag == Rag.RED
    # outturn: 240 done, then M3: a plan 100 + b forecast 40
    assert total.forecast_outturn == D("380")
    assert total.annual_plan == D("450")


def test_roll_up_of_nothing():
    total = roll_up([])
    assert (total.through, total.ytd_plan, total.annual_plan, total.rag) == (0, 0, 0, None)


def test_roll_up_equals_the_sum_of_its_schemes_when_they_report_the_same_months():
    schemes = [plan_of(*[str(10 * k)] * 12, actuals=[str(9 * k)] * 6) for k in range(1, 6)]
    total = roll_up(schemes)
    parts = [figures(s) for s in schemes]
    assert total.ytd_plan == sum(p.ytd_plan for p in parts)
    assert total.ytd_actual == sum(p.ytd_actual for p in parts)
    assert total.forecast_outturn == sum(p.forecast_outturn for p in parts)
