"""The QIPP cumulative chart: valid standalone SVG with role="img", <title> and <desc>; every
piece of text escaped; the rows it draws (the page's data table) match the figures worked by
hand; its summary says the same in words."""

import xml.etree.ElementTree as ET
from decimal import Decimal as D

import pytest

from finance.charts import (
    cumulative_chart_svg,
    cumulative_rows,
    cumulative_summary,
    tick_labels,
)
from finance.presenters import chart_table
from finance.qipp_figures import Month, figures, roll_up

SVG = "{http://www.w3.org/2000/svg}"


def year(plans, actuals=(), forecasts=None):
    forecasts = forecasts or {}
    return [
        Month(n, D(plan), D(actuals[n - 1]) if n <= len(actuals) else None,
              D(forecasts[n]) if n in forecasts else None)
        for n, plan in enumerate(plans, start=1)
    ]  # fmt: skip


# Plan 1,000 a month; M1 to M3 saved 1,000, 1,000, 700; a forecast of 500 for M12.
SCHEME = figures(year(["1000"] * 12, ("1000", "1000", "700"), {12: "500"}))


def parse(svg: str):
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def test_the_chart_is_a_standalone_accessible_svg():
    root = parse(cumulative_chart_svg(SCHEME, title="RB01 savings", chart_id="qipp-rb01"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "qipp-rb01-title qipp-rb01-desc"
    assert root.get("viewBox") == "0 0 640 300"
    assert root.find(f"{SVG}title").text == "RB01 savings"
    desc = root.find(f"{SVG}desc").text
    assert desc == cumulative_summary(SCHEME, title="RB01 savings")
    assert "To the end of M3 (June): £2,700 saved against £3,000 planned, £300 behind plan" in desc
    assert "(−10%)" in desc and "Forecast outturn: £11,200." in desc


def test_the_chart_draws_plan_actual_and_forecast():
    root = parse(cumulative_chart_svg(SCHEME, chart_id="qipp-lines"))
    lines = {el.get("class"): el for el in root.iter(f"{SVG}polyline")}
    assert set(lines) == {"qipp-plan", "qipp-actual", "qipp-forecast"}
    assert len(lines["qipp-plan"].get("points").split()) == 12
    assert len(lines["qipp-actual"].get("points").split()) == 3  # M1 to M3
    assert len(lines["qipp-forecast"].get("points").split()) == 10  # M3 (joined) to M12
    assert lines["qipp-forecast"].get("stroke-dasharray") == "6 4"
    points = [el for el in root.iter(f"{SVG}circle") if el.get("class") == "qipp-actual-point"]
    assert [p.find(f"{SVG}title").text for p in points] == [
        "M1 (April): £1,000 saved against £1,000 planned",
        "M2 (May): £2,000 saved against £2,000 planned",
        "M3 (June): £2,700 saved against £3,000 planned",
    ]
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels[0] == "Cumulative QIPP savings"
    assert "Apr" in labels and "Mar" in labels
    assert labels[1:7] == ["£0", "£2.5k", "£5.0k", "£7.5k", "£10.0k", "£12.5k"]


def test_every_piece_of_text_is_escaped():
    title = "Scheme <script>alert(\"x\")</script> & 'quotes'\x01"
    svg = cumulative_chart_svg(SCHEME, title=title, chart_id="qipp-escape")
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;" in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "Scheme <script>alert(\"x\")</script> & 'quotes'"
    assert not list(root.iter(f"{SVG}script"))


def test_a_bad_chart_id_is_refused():
    with pytest.raises(ValueError, match="chart_id"):
        cumulative_chart_svg(SCHEME, chart_id='x" onload="alert(1)')


def test_the_rows_match_the_figures_worked_by_hand():
    rows = cumulative_rows(SCHEME)
    assert [(r.month, r.plan, r.actual, r.forecast) for r in rows[:4]] == [
        (1, D("1000"), D("1000"), None),
        (2, D("2000"), D("2000"), None),
        (3, D("3000"), D("2700"), D("2700")),  # the forecast starts where the actuals stop
        (4, D("4000"), None, D("3700")),
    ]
    assert rows[-1].plan == SCHEME.annual_plan == D("12000")
    assert rows[-1].forecast == SCHEME.forecast_outturn == D("11200")  # M12 forecast 500
    assert rows[2].actual == SCHEME.ytd_actual
    table = chart_table(rows)
    assert table[0] == {"label": "M1 (April)", "plan": "£1,000", "actual": "£1,000",
                        "forecast": "–"}  # fmt: skip
    assert table[11] == {"label": "M12 (March)", "plan": "£12,000", "actual": "–",
                         "forecast": "£11,200"}  # fmt: skip


def test_a_roll_up_and_a_scheme_with_no_month_reported():
    nothing = figures(year(["500"] * 12))
    rows = cumulative_rows(nothing)
    assert all(r.actual is None for r in rows)
    assert rows[-1].forecast == D("6000")
    root = parse(cumulative_chart_svg(nothing, chart_id="qipp-none"))
    classes = {el.get("class") for el in root.iter(f"{SVG}polyline")}
    assert classes == {"qipp-plan", "qipp-forecast"}
    assert "No month has been reported yet." in root.find(f"{SVG}desc").text

    combined = roll_up([year(["1000"] * 12, ("1000",)), year(["2000"] * 12, ("2500", "-100"))])
    rows = cumulative_rows(combined)
    assert (rows[1].plan, rows[1].actual) == (D("6000"), D("3400"))  # 1,000 + 0 + 2,500 − 100
    parse(cumulative_chart_svg(combined, chart_id="qipp-rollup"))


def test_negative_savings_keep_the_scale_below_zero():
    losing = figures(year(["100"] * 12, ("-400", "-400")))
    root = parse(cumulative_chart_svg(losing, chart_id="qipp-negative"))
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert any(label.startswith("\u2212£") for label in labels)


def test_a_chart_too_small_is_refused():
    with pytest.raises(ValueError, match="at least"):
        cumulative_chart_svg(SCHEME, width=100, height=100)


@pytest.mark.parametrize(
    ("ticks", "expected"),
    [
        ([0, 2500, 5000], ["£0", "£2.5k", "£5.0k"]),
        ([0, 5000, 10000], ["£0", "£5k", "£10k"]),
        ([0, 1_000_000, 1_500_000], ["£0", "£1.0m", "£1.5m"]),
        ([-200, 0, 200, 400], ["\u2212£200", "£0", "£200", "£400"]),
    ],
)
def test_tick_labels_keep_the_places_they_need(ticks, expected):
    assert tick_labels(ticks) == expected
