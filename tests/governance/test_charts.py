"""SVG charts: well-formed, accessible, coloured by special cause, every text escaped."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from governance.charts import (
    COLUMNS,
    chart_summary,
    chart_table,
    format_value,
    icon_svg,
    period_label,
    sparkline_svg,
    spc_chart_svg,
)
from governance.spc import BLUE, GREY, ORANGE, PURPLE, SpcSettings, calculate

NS = {"svg": "http://www.w3.org/2000/svg"}
MONTHS = [datetime.date(2013 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(30)]
HIGH_SPIKE = [8, 12, 8, 12, 8, 12, 8, 12, 8, 30]  # mean 11.8, limits -4.16 / 27.76: 30 outside


def monthly(values):
    return list(zip(MONTHS, values, strict=False))


def parse(svg):
    return ET.fromstring(svg)


def points_of(root):
    return [c for c in root.iter(f"{{{NS['svg']}}}circle") if "spc-point" in c.get("class", "")]


def with_class(root, name):
    return [e for e in root.iter() if name in e.get("class", "").split()]


def texts(root):
    return [t.text for t in root.iter(f"{{{NS['svg']}}}text")]


# --- The SPC chart -------------------------------------------------------------------------


def test_chart_is_an_accessible_standalone_svg():
    result = calculate(monthly(HIGH_SPIKE), "higher", 25)
    svg = spc_chart_svg(result, title="A&E within 4 hours", unit="%", chart_id="ae-chart")
    root = parse(svg)
    assert root.tag == f"{{{NS['svg']}}}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 640 320"
    assert root.get("aria-labelledby") == "ae-chart-title ae-chart-desc"
    assert root.find("svg:title", NS).get("id") == "ae-chart-title"
    assert root.find("svg:title", NS).text == "A&E within 4 hours"
    assert root.find("svg:desc", NS).get("id") == "ae-chart-desc"
    assert root.find("svg:desc", NS).text == chart_summary(
        result, title="A&E within 4 hours", unit="%"
    )
    assert "<script" not in svg and "href" not in svg and "@font-face" not in svg


def test_every_point_is_drawn_once_with_its_period_on_the_axis():
    result = calculate(monthly(HIGH_SPIKE), "higher")
    root = parse(spc_chart_svg(result, width=900))
    assert len(points_of(root)) == 10
    labels = texts(root)
    assert "Apr 2013" in labels and "Jan 2014" in labels  # first and latest periods


def test_long_series_label_every_few_periods_but_always_the_latest():
    result = calculate(monthly([10, 12] * 15))
    root = parse(spc_chart_svg(result, width=320, height=240))
    labels = [t for t in texts(root) if t and t[:3] in {"Jan", "Apr", "Jul", "Oct", "Sep"}]
    assert len(points_of(root)) == 30
    assert "Sep 2015" in labels  # the 30th month
    assert len(labels) < 30


COLOUR_CASES = [
    # the spike (point 9) is outside the upper limit; every other point is common cause
    pytest.param(HIGH_SPIKE, "higher", {9: BLUE}, id="improvement-blue"),
    pytest.param(HIGH_SPIKE, "lower", {9: ORANGE}, id="concern-orange"),
    pytest.param(HIGH_SPIKE, "neither", {9: PURPLE}, id="neither-purple"),
    # [6, 14, 6, 14, 6, 14, 6, 11, 12, 11, 12, 11, 12, 11, 4]: mean 10, run of 7 at 7-13
    pytest.param(
        [6, 14, 6, 14, 6, 14, 6, 11, 12, 11, 12, 11, 12, 11, 4],
        "lower",
        dict.fromkeys(range(7, 14), ORANGE),
        id="run-concern-orange",
    ),  # fmt: skip
]


@pytest.mark.parametrize("values, direction, special", COLOUR_CASES)
def test_points_are_coloured_by_special_cause(values, direction, special):
    root = parse(spc_chart_svg(calculate(values, direction)))
    fills = [c.get("fill") for c in points_of(root)]
    assert fills == [special.get(i, GREY) for i in range(len(values))]


def test_mean_dashed_limits_target_and_rebase_markers():
    result = calculate([8, 12] * 7 + [28, 32] * 7, "higher", 21, rebase_at=[14])
    root = parse(spc_chart_svg(result))
    assert len(with_class(root, "spc-mean")) == 2  # one per segment
    limits = with_class(root, "spc-limit")
    assert len(limits) == 4 and all(line.get("stroke-dasharray") for line in limits)
    assert len(with_class(root, "spc-target")) == 1
    assert len(with_class(root, "spc-rebase")) == 1
    assert "Rebased" in texts(root)


def test_no_target_line_without_a_target_and_no_rebase_without_one():
    root = parse(spc_chart_svg(calculate([8, 12] * 7, "higher")))
    assert with_class(root, "spc-target") == [] and with_class(root, "spc-rebase") == []


@pytest.mark.parametrize(
    "values, direction, target, variation, assurance",
    [
        (HIGH_SPIKE, "higher", 25, ("improvement_high", "H"), ("hit_and_miss", "?")),
        ([12, 8] * 4 + [12, -10], "higher", -20, ("concern_low", "L"), ("consistently_pass", "P")),
        ([8, 12] * 5, "higher", 21, ("common_cause", None), ("consistently_fail", "F")),
        (HIGH_SPIKE, "neither", 25, ("neither_high", "H"), None),
    ],
)
def test_icons_are_drawn_with_their_letters(values, direction, target, variation, assurance):
    root = parse(spc_chart_svg(calculate(values, direction, target)))
    expected = [variation] + ([assurance] if assurance else [])
    icons = [e for e in root.iter() if "spc-icon" in e.get("class", "").split()]
    found = []
    for icon in icons:
        letter = icon.find("svg:text", NS)
        found.append((icon.get("class").split("--")[1], None if letter is None else letter.text))
    assert found == expected


def test_all_text_is_escaped():
    title = "A&E <4 hours> \"type 1\" & 'all'\x01"
    result = calculate([("Q1 <draft>", 1), ("Q2 & Q3", 2), ("Q4", 3)])
    svg = spc_chart_svg(result, title=title, unit="<u>")
    root = parse(svg)  # well-formed despite every special character
    assert root.find("svg:title", NS).text == "A&E <4 hours> \"type 1\" & 'all'"
    assert "Q1 <draft>" in texts(root) and "Q2 & Q3" in texts(root)
    assert "<4 hours>" not in svg and "<draft>" not in svg and "<u>" not in svg
    assert "A&amp;E &lt;4 hours&gt;" in svg


def test_empty_and_one_point_charts():
    empty = parse(spc_chart_svg(calculate([]), title="Nothing yet"))
    assert points_of(empty) == [] and "No data to chart" in texts(empty)
    assert empty.find("svg:desc", NS).text == "Nothing yet. No data to chart."
    one = parse(spc_chart_svg(calculate([(MONTHS[0], 94)], "higher", 95)))
    assert len(points_of(one)) == 1
    assert with_class(one, "spc-limit") == []  # one point: no moving range, no limits
    assert "Trial limits: fewer than 12 points" in texts(one)


def test_chart_ids_are_stable_and_checked():
    result = calculate(HIGH_SPIKE)
    assert spc_chart_svg(result, title="A") == spc_chart_svg(result, title="A")
    first = parse(spc_chart_svg(result, title="A")).get("id")
    second = parse(spc_chart_svg(result, title="B")).get("id")
    assert first != second and first.startswith("spc-chart-")
    with pytest.raises(ValueError):
        spc_chart_svg(result, chart_id='x" onload="alert(1)')
    with pytest.raises(ValueError):
        spc_chart_svg(result, width=100)


def test_weasyprint_draws_the_chart_as_vector_text():
    weasyprint = pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    import io

    svg = spc_chart_svg(calculate(monthly(HIGH_SPIKE), "higher", 25), title="A&E", unit="%")
    pdf = weasyprint.HTML(string=f"<html><body>{svg}</body></html>").write_pdf()
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "A&E" in text and "Jan 2014" in text


# --- Summary and data table ----------------------------------------------------------------


def test_summary_reads_the_chart_in_words():
    # mean 11.8, limits -4.16 and 27.76, 10 points (< 12: trial); the latest (30) is outside
    # the upper limit; target 25 lies between the limits
    result = calculate(monthly(HIGH_SPIKE), "higher", 25)
    assert chart_summary(result, title="A&E", unit="%") == (
        "A&E. 10 points from Apr 2013 to Jan 2014. Latest value 30% (Jan 2014). "
        "Mean 11.8%; process limits -4.16% to 27.76%. "
        "Trial limits: based on 10 points, fewer than 12. Direction: higher is better. "
        "Variation: Special cause variation: improvement (high values). "
        "Assurance against the target of 25%: "
        "Hit and miss: sometimes passes and sometimes fails the target. "
        "Special cause points: 1 (1 improvement)."
    )


def test_summary_mentions_rebases_baselines_and_missing_assurance():
    result = calculate(monthly([8, 12] * 7 + [28, 32] * 7), "neither", 21, rebase_at=[14])
    summary = chart_summary(result)
    assert "Limits rebased at Jun 2014." in summary
    assert "Target 21: no assurance without a direction of improvement." in summary
    fixed = chart_summary(calculate([8, 12] * 7, baseline_points=12))
    assert "Limits fixed from the first 12 points." in fixed and "No target." in fixed
    assert "No special cause points." in fixed


def test_data_table_rows_name_the_rules_hit():
    values = [6, 14, 6, 14, 6, 14, 6, 11, 12, 11, 12, 11, 12, 11, 4]  # run of 7 at 7-13
    result = calculate(monthly(values), "higher", settings=SpcSettings(trend_length=6))
    table = chart_table(result, title="Referrals", unit="%")
    assert table.caption == "Referrals: data"
    assert table.columns == COLUMNS
    assert len(table.rows) == 15
    # mean 150/15 = 10; MR 66/14 = 4.7143: limits 10 ± 12.54 = -2.54 and 22.54
    assert table.rows[7].cells() == (
        "Nov 2013",
        "11%",
        "10%",
        "-2.54%",
        "22.54%",
        "Special cause improvement",
        "Run of 7 or more points above the mean",
    )
    assert table.rows[7].colour == BLUE
    assert table.rows[0].rules == "None" and table.rows[0].variation == "Common cause"


def test_data_table_describes_each_rule_and_side():
    base = [9, 11] * 5  # fixed lines: mean 10, limits 4.68 / 15.32, near 6.45 / 13.55
    result = calculate(base + [16, 10, 14], "higher", baseline_points=10)
    rows = chart_table(result).rows
    assert rows[10].rules == (
        "Above the upper process limit; Two of three points close to the upper process limit"
    )
    assert rows[12].rules == "Two of three points close to the upper process limit"
    falling = calculate([13, 9, 13, 9, 13, 16, 15, 14, 13, 12, 11, 10, 12, 9, 13], "lower")
    assert chart_table(falling).rows[5].rules == "Trend of 7 or more falling points"
    one = chart_table(calculate([5]))
    assert one.rows[0].lower_limit == "–" and one.rows[0].upper_limit == "–"


@pytest.mark.parametrize(
    "period, label",
    [
        (datetime.date(2013, 4, 1), "Apr 2013"),
        (datetime.datetime(2014, 12, 31, 9, 30), "Dec 2014"),
        ("2013/14 Q1", "2013/14 Q1"),
        (7, "7"),
    ],
)
def test_period_labels(period, label):
    assert period_label(period) == label


@pytest.mark.parametrize(
    "value, unit, decimals, text",
    [
        (94.2, "%", 2, "94.2%"),
        (95.0, "%", 2, "95%"),
        (1234.5, "", 2, "1,234.5"),
        (0.005, "", 2, "0.01"),
        (-0.0001, "", 2, "0"),
        (3.14159, "per 1,000", 1, "3.1 per 1,000"),
        (None, "%", 2, "–"),
    ],
)
def test_format_value(value, unit, decimals, text):
    assert format_value(value, unit, decimals) == text


# --- Sparklines and icons ------------------------------------------------------------------


def test_sparkline_marks_the_latest_point():
    svg = sparkline_svg([1, 3, Decimal("2")], label="A&E <4h>", last_colour=ORANGE, unit="%")
    root = parse(svg)
    assert root.get("role") == "img" and root.get("viewBox") == "0 0 120 32"
    assert root.find("svg:title", NS).text == "A&E <4h>: 3 values from 1% to 3%, latest 2%"
    assert len(root.findall("svg:polyline", NS)) == 1
    (latest,) = root.findall("svg:circle", NS)
    assert latest.get("fill") == ORANGE
    assert float(latest.get("cx")) == pytest.approx(120 - 3.5)  # drawn at the right-hand end


def test_sparkline_gaps_split_the_line():
    root = parse(sparkline_svg([1, 2, None, 3, 4, None, 5]))
    assert len(root.findall("svg:polyline", NS)) == 2  # the lone 5 is just the latest dot
    assert root.find("svg:title", NS).text == "Trend: 5 values from 1 to 5, latest 5"


@pytest.mark.parametrize(
    "values, title",
    [([], "Trend: no data"), ([None, None], "Trend: no data"), ([7], "Trend: 1 value, 7")],
)
def test_sparkline_with_little_data(values, title):
    root = parse(sparkline_svg(values))
    assert root.find("svg:title", NS).text == title


def test_sparkline_refuses_what_is_not_a_number():
    with pytest.raises(ValueError):
        sparkline_svg([1, "2"])
    with pytest.raises(ValueError):
        sparkline_svg([1, float("inf")])


def test_icon_on_its_own():
    icon = calculate(HIGH_SPIKE, "lower", 5).assurance  # lower is better, 5 inside the limits
    root = parse(icon_svg(icon, size=24))
    assert root.get("viewBox") == "0 0 24 24"
    assert root.find("svg:title", NS).text == icon.label
    assert root.find(".//svg:text", NS).text == "?"
