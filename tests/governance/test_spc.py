"""The SPC engine, one case a row, with the expected values worked by hand in the comments.

Lines: mean ± 2.66 × mean(MR) for the process limits, mean ± 1.7733 × mean(MR) for the near
(2 sigma) lines, where 1.7733 = 2 × 2.66 / 3.
"""

import datetime
import json
from decimal import Decimal
from fractions import Fraction

import pytest

from governance.spc import (
    BLUE,
    COMMON_CAUSE,
    CONCERN,
    CONSISTENTLY_FAIL,
    CONSISTENTLY_PASS,
    GREY,
    HIT_AND_MISS,
    IMPROVEMENT,
    NEITHER,
    ORANGE,
    PURPLE,
    RULES,
    SpcError,
    SpcSettings,
    calculate,
)

NO_RULES = {rule: [] for rule in RULES}
BASE = [9, 11] * 5  # mean 10, every MR 2: limits 4.68 / 15.32, near lines 6.4533 / 13.5467


def hits(result):
    return {rule: [p.index for p in result.points if getattr(p, rule)] for rule in RULES}


def classes(result):
    return {p.index: p.special_cause for p in result.points if p.is_special_cause}


# --- Lines ---------------------------------------------------------------------------------

LINES = [
    pytest.param(
        [8, 12] * 5, {},
        # mean 100/10 = 10; nine MRs of 4 -> 4; limits 10 ± 10.64; near 10 ± 7.0933
        (10, 4, -0.64, 20.64, 2.906667, 17.093333),
        id="alternating",
    ),
    pytest.param(
        [8, 12, 8, 12, 8, 12, 8, 12, 8, 30], {},
        # mean (40 + 48 + 30)/10 = 11.8; MRs 8 × 4 + 22 = 54, /9 = 6; limits 11.8 ± 15.96;
        # near 11.8 ± 10.64
        (11.8, 6, -4.16, 27.76, 1.16, 22.44),
        id="with-a-spike",
    ),
    pytest.param(
        [5, 5, 5, 5, 5], {},
        # no variation: every line on the mean
        (5, 0, 5, 5, 5, 5),
        id="constant",
    ),
    pytest.param(
        [*BASE, 30, 40, 50], {"baseline_points": 10},
        # fixed baseline: only the first 10 points count: mean 10, MR 2; 30, 40, 50 ignored
        (10, 2, 4.68, 15.32, 6.453333, 13.546667),
        id="fixed-baseline",
    ),
    pytest.param(
        [10, 12] * 4 + [10, 40], {},
        # screening off: mean 138/10 = 13.8; MRs 8 × 2 + 30 = 46, /9 = 5.1111;
        # limits 13.8 ± 13.5956
        (13.8, 5.111111, 0.204444, 27.395556, 4.736296, 22.863704),
        id="screening-off",
    ),
    pytest.param(
        [10, 12] * 4 + [10, 40], {"settings": SpcSettings(screen_moving_ranges=True)},
        # screening on: 30 >= 3.267 × 5.1111 = 16.70 is dropped; MR 16/8 = 2;
        # limits 13.8 ± 5.32; near 13.8 ± 3.5467
        (13.8, 2, 8.48, 19.12, 10.253333, 17.346667),
        id="screening-on",
    ),
]  # fmt: skip


@pytest.mark.parametrize("values, options, expected", LINES)
def test_centre_line_and_limits(values, options, expected):
    segment = calculate(values, "higher", **options).segments[0]
    got = (
        segment.mean,
        segment.mean_moving_range,
        segment.lower_limit,
        segment.upper_limit,
        segment.lower_near,
        segment.upper_near,
    )
    assert got == pytest.approx(expected, abs=1e-6)


def test_points_carry_their_segment_lines_past_a_fixed_baseline():
    result = calculate([*BASE, 30, 40], "higher", baseline_points=10)
    last = result.points[-1]
    assert (last.mean, last.lower_limit, last.upper_limit) == pytest.approx((10, 4.68, 15.32))
    # 30 and 40 are far above the baseline's upper limit 15.32
    assert hits(result)["outside_limits"] == [10, 11]


@pytest.mark.parametrize(
    "screen, big_range, dropped",
    [
        # Ten MRs of 1 and one of b: mean MR = (10 + b)/11. b is screened when
        # b >= 3.267 (10 + b)/11, i.e. b >= 32.67/7.733 = 4.2247...
        (False, Fraction(3267000, 773300), 0),
        (True, Fraction(3267000, 773300), 1),  # exactly on the screening line: dropped
        (True, Fraction(3267000, 773300) - Fraction(1, 1000), 0),  # just under: kept
    ],
)
def test_screening_drops_ranges_at_or_above_the_line(screen, big_range, dropped):
    values = [0, 1] * 5 + [0, big_range]
    segment = calculate(values, settings=SpcSettings(screen_moving_ranges=screen)).segments[0]
    assert segment.screened_moving_ranges == dropped
    expected_mr = 1 if dropped else float((10 + big_range) / 11)
    assert segment.mean_moving_range == pytest.approx(expected_mr)


# --- Rules, each in isolation ------------------------------------------------------------

RUN_7 = [6, 14, 6, 14, 6, 14, 6, 11, 12, 11, 12, 11, 12, 11, 4]
RUN_6 = [6, 14, 6, 14, 6, 14, 6, 11, 12, 11, 12, 11, 12, 5]
RUN_TIE = [6, 14, 6, 14, 6, 14, 6, 11, 12, 10, 12, 11, 12, 11, 5]
TREND_7 = [10, 14, 10, 14, 10, 7, 8, 9, 10, 11, 12, 13, 10, 14, 13]
TREND_6 = [10, 14, 10, 14, 10, 8, 9, 10, 11, 12, 13, 10, 14, 10]
TREND_TIE = [10, 14, 10, 14, 10, 7, 8, 9, 10, 10, 11, 12, 13, 14, 10]
FALLING = [13, 9, 13, 9, 13, 16, 15, 14, 13, 12, 11, 10, 12, 9, 13]


def settings(**kwargs):
    return {"settings": SpcSettings(**kwargs)}


RULE_CASES = [
    pytest.param(
        [8, 12, 8, 12, 8, 12, 8, 12, 8, 30], "higher", {},
        # mean 11.8, UPL 27.76 (above): 30 > 27.76. 8s below, 12s above the mean alternate
        # (no run), the zigzag has no trend, only 30 is beyond the near line 22.44.
        {"outside_limits": [9]}, {9: IMPROVEMENT},
        id="outside-upper-limit",
    ),
    pytest.param(
        [12, 8, 12, 8, 12, 8, 12, 8, 12, -10], "lower", {},
        # the mirror (20 - x): mean 8.2, MR 6, LPL 8.2 - 15.96 = -7.76; -10 < -7.76;
        # lower is better, so a low point is an improvement
        {"outside_limits": [9]}, {9: IMPROVEMENT},
        id="outside-lower-limit",
    ),
    pytest.param(
        [5, 5, 5, 5, 5], "higher", {},
        # limits and mean all 5: a point on a limit is inside; a point on the mean is on
        # neither side, so no run either
        {}, {},
        id="on-the-limits-and-mean",
    ),
    pytest.param(
        RUN_7, "higher", {},
        # mean 150/15 = 10; points 7-13 (11, 12) above it, 6 and 4 either side below: a run of
        # exactly 7. MR 66/14 = 4.714: near lines 1.64 / 18.36, nothing beyond them
        {"run": [7, 8, 9, 10, 11, 12, 13]}, dict.fromkeys(range(7, 14), IMPROVEMENT),
        id="run-of-7",
    ),
    pytest.param(
        RUN_7, "higher", settings(run_length=8),
        # the same 7 points are one short of a run of 8
        {}, {},
        id="run-of-7-is-not-8",
    ),
    pytest.param(
        RUN_6, "higher", {},
        # mean 140/14 = 10, MR 65/13 = 5; points 7-12 above: 6 is not a run of 7
        {}, {},
        id="six-above-with-run-length-7",
    ),
    pytest.param(
        RUN_6, "higher", settings(run_length=6),
        # NHS England's 2024 setting: the same 6 points are a run
        {"run": [7, 8, 9, 10, 11, 12]}, dict.fromkeys(range(7, 13), IMPROVEMENT),
        id="six-above-with-run-length-6",
    ),
    pytest.param(
        RUN_6, "lower", settings(run_length=6),
        # lower is better: a run above the mean is a concern
        {"run": [7, 8, 9, 10, 11, 12]}, dict.fromkeys(range(7, 13), CONCERN),
        id="run-above-when-lower-is-better",
    ),
    pytest.param(
        RUN_TIE, "higher", {},
        # mean 150/15 = 10 and point 9 is exactly 10: it breaks 11 12 | 10 | 12 11 12 11
        {}, {},
        id="point-on-the-mean-breaks-a-run",
    ),
    pytest.param(
        RUN_TIE, "higher", settings(run_length=4),
        # after the point on the mean, 4 points (10-13) above: a run of 4; 7 and 8 are only 2
        {"run": [10, 11, 12, 13]}, dict.fromkeys(range(10, 14), IMPROVEMENT),
        id="run-restarts-after-the-mean",
    ),
    pytest.param(
        TREND_7, "higher", {},
        # 7 8 9 10 11 12 13 (points 5-11) each above the one before: 7 points, 6 rises.
        # Mean 165/15 = 11: 7-10 are below it but part of a rising trend, so "high",
        # an improvement. MR 33/14: limits 4.73 / 17.27, near 6.82 / 15.18: none beyond.
        {"trend": [5, 6, 7, 8, 9, 10, 11]}, dict.fromkeys(range(5, 12), IMPROVEMENT),
        id="rising-trend-of-7",
    ),
    pytest.param(
        TREND_6, "higher", {},
        # 8 9 10 11 12 13: a trend of 6 is not a trend of 7
        {}, {},
        id="six-rising-with-trend-length-7",
    ),
    pytest.param(
        TREND_6, "higher", settings(trend_length=6),
        {"trend": [5, 6, 7, 8, 9, 10]}, dict.fromkeys(range(5, 11), IMPROVEMENT),
        id="six-rising-with-trend-length-6",
    ),
    pytest.param(
        TREND_TIE, "higher", {},
        # 7 8 9 10 10 11 12 13 14: the repeated 10 breaks it into 4 and 5 points
        {}, {},
        id="equal-values-break-a-trend",
    ),
    pytest.param(
        TREND_TIE, "higher", settings(trend_length=5),
        # the second 10 (point 9) starts 10 11 12 13 14; the first 10 (point 8) is not in it
        {"trend": [9, 10, 11, 12, 13]}, dict.fromkeys(range(9, 14), IMPROVEMENT),
        id="trend-starts-at-the-repeated-value",
    ),
    pytest.param(
        FALLING, "lower", {},
        # 16 15 14 13 12 11 10 (points 5-11) falling; mean 182/15 = 12.13, UPL 18.59:
        # a falling trend is "low": an improvement when lower is better
        {"trend": [5, 6, 7, 8, 9, 10, 11]}, dict.fromkeys(range(5, 12), IMPROVEMENT),
        id="falling-trend-lower-is-better",
    ),
    pytest.param(
        FALLING, "higher", {},
        {"trend": [5, 6, 7, 8, 9, 10, 11]}, dict.fromkeys(range(5, 12), CONCERN),
        id="falling-trend-higher-is-better",
    ),
    pytest.param(
        [20, 4, 20, 4, 20, 12, 20, 5, 6, 7, 8, 9, 10, 11, 20], "higher", {},
        # mean 176/15 = 11.73: 5..11 (points 7-13) are a run of 7 below it and, with the 20
        # after them, a rising trend of 8 (7-14). Where the two disagree the point's side of
        # the mean wins (low: a concern); point 14 is only in the trend (high: improvement).
        # MR 110/14 = 7.86: near line 25.67, UPL 32.63, so nothing else fires.
        {"run": list(range(7, 14)), "trend": list(range(7, 15))},
        dict.fromkeys(range(7, 14), CONCERN) | {14: IMPROVEMENT},
        id="run-below-inside-a-rising-trend",
    ),
    pytest.param(
        [*BASE, 14, 10, 14], "higher", {"baseline_points": 10},
        # fixed lines: near 13.5467 < 14 < 15.32: two of the three points 10-12 beyond the
        # upper near line; only those two are flagged, not the 10 between them
        {"two_of_three": [10, 12]}, {10: IMPROVEMENT, 12: IMPROVEMENT},
        id="two-of-three-near-upper",
    ),
    pytest.param(
        [*BASE, 14, 10, 6], "higher", {"baseline_points": 10},
        # 14 is beyond the upper near line, 6 beyond the lower one (6 < 6.4533): not the
        # same side
        {}, {},
        id="two-of-three-needs-the-same-side",
    ),
    pytest.param(
        [*BASE, 14, 10, 10, 14], "higher", {"baseline_points": 10},
        # the two 14s are four points apart: no window of three holds both
        {}, {},
        id="two-of-four-is-not-two-of-three",
    ),
    pytest.param(
        [*BASE, 16, 10, 14], "higher", {"baseline_points": 10},
        # 16 > 15.32 is outside the limit and also beyond the near line, so with 14 it makes
        # two of three
        {"outside_limits": [10], "two_of_three": [10, 12]}, {10: IMPROVEMENT, 12: IMPROVEMENT},
        id="a-point-outside-counts-towards-two-of-three",
    ),
    pytest.param(
        [9, 11] * 10 + [15, 12, 15], "higher", {},
        # mean 242/23 = 10.52; MRs 19 × 2 + 4 + 3 + 3 = 48, /22 = 2.18; upper near line
        # 10.52 + 3.87 = 14.39 < 15 < UPL 16.33: points 20 and 22
        {"two_of_three": [20, 22]}, {20: IMPROVEMENT, 22: IMPROVEMENT},
        id="two-of-three-free-limits",
    ),
    pytest.param(
        [*BASE, 6, 10, 6], "lower", {"baseline_points": 10},
        # 6 < 6.4533 twice: two of three below the lower near line, good when lower is better
        {"two_of_three": [10, 12]}, {10: IMPROVEMENT, 12: IMPROVEMENT},
        id="two-of-three-near-lower",
    ),
]  # fmt: skip


@pytest.mark.parametrize("values, direction, options, flagged, classified", RULE_CASES)
def test_special_cause_rules(values, direction, options, flagged, classified):
    result = calculate(values, direction, **options)
    assert hits(result) == NO_RULES | flagged
    assert classes(result) == classified


# --- Variation icon ------------------------------------------------------------------------

HIGH_SPIKE = [8, 12, 8, 12, 8, 12, 8, 12, 8, 30]
LOW_SPIKE = [12, 8, 12, 8, 12, 8, 12, 8, 12, -10]

VARIATION_CASES = [
    pytest.param(HIGH_SPIKE, "higher", ("improvement_high", BLUE, "H"), id="improvement-high"),
    pytest.param(LOW_SPIKE, "lower", ("improvement_low", BLUE, "L"), id="improvement-low"),
    pytest.param(HIGH_SPIKE, "lower", ("concern_high", ORANGE, "H"), id="concern-high"),
    pytest.param(LOW_SPIKE, "higher", ("concern_low", ORANGE, "L"), id="concern-low"),
    pytest.param(HIGH_SPIKE, "neither", ("neither_high", PURPLE, "H"), id="neither-high"),
    pytest.param(LOW_SPIKE, "neither", ("neither_low", PURPLE, "L"), id="neither-low"),
    pytest.param([8, 12] * 5, "higher", ("common_cause", GREY, ""), id="common-cause"),
    # points 7-13 are a run, but the latest point (4) is common cause: the icon says so
    pytest.param(RUN_7, "higher", ("common_cause", GREY, ""), id="latest-point-only"),
]


@pytest.mark.parametrize("values, direction, expected", VARIATION_CASES)
def test_variation_icon_comes_from_the_latest_point(values, direction, expected):
    icon = calculate(values, direction).variation
    assert (icon.code, icon.colour, icon.letter) == expected


def test_direction_neither_classifies_special_causes_as_neither():
    result = calculate(HIGH_SPIKE, "neither", target=10)
    assert classes(result) == {9: NEITHER}
    assert result.points[9].colour == PURPLE
    assert result.assurance is None  # no direction, no assurance


# --- Assurance icon ------------------------------------------------------------------------

# [8, 12] × 5: mean 10, mean MR 4, limits 10 ± 10.64 = -0.64 and 20.64
ASSURANCE_CASES = [
    pytest.param("higher", 20.64, CONSISTENTLY_FAIL, id="higher-target-on-upper-limit"),
    pytest.param("higher", 25, CONSISTENTLY_FAIL, id="higher-target-above-upper-limit"),
    pytest.param("higher", 20.63, HIT_AND_MISS, id="higher-target-just-inside"),
    pytest.param("higher", 10, HIT_AND_MISS, id="higher-target-on-mean"),
    pytest.param("higher", -0.63, HIT_AND_MISS, id="higher-target-just-above-lower"),
    pytest.param("higher", -0.64, CONSISTENTLY_PASS, id="higher-target-on-lower-limit"),
    pytest.param("higher", -5, CONSISTENTLY_PASS, id="higher-target-below-lower-limit"),
    pytest.param("lower", 20.64, CONSISTENTLY_PASS, id="lower-target-on-upper-limit"),
    pytest.param("lower", 20.63, HIT_AND_MISS, id="lower-target-just-inside"),
    pytest.param("lower", -0.64, CONSISTENTLY_FAIL, id="lower-target-on-lower-limit"),
    pytest.param("higher", Decimal("20.64"), CONSISTENTLY_FAIL, id="decimal-target-on-limit"),
    pytest.param("neither", 20.64, None, id="no-direction"),
    pytest.param("higher", None, None, id="no-target"),
]


@pytest.mark.parametrize("direction, target, expected", ASSURANCE_CASES)
def test_assurance_icon_against_the_limits(direction, target, expected):
    icon = calculate([8, 12] * 5, direction, target).assurance
    assert (icon.code if icon else None) == expected


@pytest.mark.parametrize("direction", ["higher", "lower"])
def test_target_on_the_limits_of_a_constant_process_is_always_met(direction):
    # [5] × 5: both limits are 5; every point equals the target, so it always passes
    assert calculate([5] * 5, direction, 5).assurance.code == CONSISTENTLY_PASS


def test_assurance_uses_the_latest_segment():
    # first segment [8, 12] × 5 has UPL 20.64 (target 21 above: fail); after rebasing, the
    # second [28, 32] × 5 has mean 30, limits 19.36 / 40.64: target 21 is in between
    result = calculate([8, 12] * 5 + [28, 32] * 5, "higher", 21, rebase_at=[10])
    assert result.assurance.code == HIT_AND_MISS
    assert calculate([8, 12] * 5, "higher", 21).assurance.code == CONSISTENTLY_FAIL


# --- Trial limits --------------------------------------------------------------------------

TRIAL_CASES = [
    pytest.param(11, {}, True, id="11-points"),
    pytest.param(12, {}, False, id="12-points"),
    pytest.param(12, settings(minimum_points=13), True, id="12-points-minimum-13"),
    pytest.param(20, {"baseline_points": 6}, True, id="baseline-of-6"),
    pytest.param(20, {"baseline_points": 12}, False, id="baseline-of-12"),
    pytest.param(20, {"rebase_at": [15]}, True, id="latest-segment-of-5"),
    pytest.param(20, {"rebase_at": [8]}, False, id="first-segment-short-latest-long"),
]


@pytest.mark.parametrize("count, options, trial", TRIAL_CASES)
def test_trial_limits_below_the_minimum_number_of_points(count, options, trial):
    result = calculate(([9, 11] * 10)[:count], **options)
    assert result.trial_limits is trial
    assert result.segments[-1].trial is trial


def test_each_segment_knows_whether_its_limits_are_trial():
    result = calculate([9, 11] * 10, rebase_at=[8])
    assert [(s.baseline_points, s.trial) for s in result.segments] == [(8, True), (12, False)]


# --- Rebasing ------------------------------------------------------------------------------

STEP = [9, 11] * 6 + [19, 21] * 6
MONTHS = [datetime.date(2013 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(24)]


def test_without_a_rebase_a_step_change_is_one_long_run():
    # mean 15, every point of the first half below and of the second half above it
    result = calculate(STEP, "higher")
    assert hits(result)["run"] == list(range(24))


@pytest.mark.parametrize(
    "periods, rebase_at",
    [
        pytest.param(None, [12], id="position"),
        pytest.param(MONTHS, [datetime.date(2014, 4, 1)], id="date-of-a-point"),
        pytest.param(MONTHS, [datetime.date(2014, 3, 15)], id="date-between-points"),
        pytest.param(MONTHS, [datetime.date(2014, 4, 1), 0, 12], id="repeats-and-zero"),
        pytest.param([f"M{i}" for i in range(24)], ["M12"], id="period-label"),
    ],
)
def test_rebase_gives_each_segment_its_own_lines(periods, rebase_at):
    points = STEP if periods is None else list(zip(periods, STEP, strict=True))
    result = calculate(points, "higher", rebase_at=rebase_at)
    # Segment 1: [9, 11] × 6: mean 10, MR 2, limits 4.68 / 15.32.
    # Segment 2: [19, 21] × 6: mean 20, MR 2 (the jump 11 -> 19 across the boundary is not
    # a moving range of either), limits 14.68 / 25.32. No rule fires in either.
    assert [(s.start, s.end) for s in result.segments] == [(0, 11), (12, 23)]
    lines = [(s.mean, s.mean_moving_range, s.lower_limit, s.upper_limit) for s in result.segments]
    assert lines[0] == pytest.approx((10, 2, 4.68, 15.32))
    assert lines[1] == pytest.approx((20, 2, 14.68, 25.32))
    assert result.rebase_indexes == (12,)
    assert hits(result) == NO_RULES
    assert result.points[11].upper_limit == pytest.approx(15.32)
    assert result.points[12].upper_limit == pytest.approx(25.32)


def test_runs_do_not_cross_a_rebase():
    values = [8, 12, 8, 12, 8, 12, 11, 11, 11, 11, 11, 11, 11, 8, 12, 8, 12, 8, 12]
    # One segment: mean 197/19 = 10.37; 12 (point 5) and the seven 11s above it: a run 5-12.
    assert hits(calculate(values))["run"] == list(range(5, 13))
    # Rebased at 10: means 104/10 = 10.4 and 93/9 = 10.33; 5 of the above-mean points fall in
    # the first segment (5-9) and 3 in the second (10-12): no run in either.
    assert hits(calculate(values, rebase_at=[10])) == NO_RULES


def test_trends_do_not_cross_a_rebase():
    values = [10, 14, 10, 14, 10, 7, 8, 9, 10, 11, 12, 13, 10, 14, 13]  # trend at 5-11
    assert hits(calculate(values, rebase_at=[8]))["trend"] == []  # 7 8 9 | 10 11 12 13


def test_rebase_at_the_last_point_leaves_a_segment_without_limits():
    result = calculate([8, 12] * 5 + [30], "higher", 25, rebase_at=[10])
    last = result.segments[-1]
    assert (last.start, last.end, last.mean, last.upper_limit) == (10, 10, 30, None)
    assert result.points[-1].special_cause == COMMON_CAUSE
    assert result.variation.code == COMMON_CAUSE
    assert result.assurance is None  # no limits to compare the target with
    assert result.trial_limits


# --- Empty and one point -------------------------------------------------------------------


def test_an_empty_series_gives_an_empty_result():
    result = calculate([], "higher", 95)
    assert result.points == () and result.segments == ()
    assert result.variation is None and result.assurance is None
    assert result.trial_limits
    assert json.loads(json.dumps(result.as_dict()))["points"] == []


def test_one_point_has_a_mean_but_no_limits():
    result = calculate([(datetime.date(2013, 4, 1), 94.5)], "higher", 95)
    (point,) = result.points
    assert (point.value, point.mean, point.upper_limit, point.lower_limit) == (
        94.5,
        94.5,
        None,
        None,
    )
    assert point.rules == ()
    assert result.variation.code == COMMON_CAUSE
    assert result.assurance is None
    assert result.trial_limits


# --- Input ---------------------------------------------------------------------------------


def test_values_may_be_decimals_floats_and_fractions_and_ties_are_exact():
    # 0.1, 0.2, 0.3 average to exactly 0.2 (not 0.20000000000000004), so the middle point is on
    # the mean and the runs of two either side of it are broken
    result = calculate([0.1, 0.2, 0.3], settings=SpcSettings(run_length=2))
    assert result.segments[0].mean == 0.2
    assert hits(result) == NO_RULES
    mixed = calculate([Decimal("1.5"), Fraction(5, 2), 3.5])
    assert mixed.segments[0].mean == 2.5


def test_result_is_json_friendly():
    points = list(zip(MONTHS, STEP, strict=True))
    data = json.loads(json.dumps(calculate(points, "higher", 20, rebase_at=[12]).as_dict()))
    assert data["points"][0]["period"] == "2013-04-01"
    assert data["points"][0]["rules"] == []
    assert data["rebase_indexes"] == [12]
    assert data["assurance"]["code"] == HIT_AND_MISS
    assert data["settings"] == {
        "run_length": 7,
        "trend_length": 7,
        "minimum_points": 12,
        "screen_moving_ranges": False,
    }
    assert {"outside_limits", "run", "trend", "two_of_three", "special_cause", "colour"} <= set(
        data["points"][0]
    )


ERRORS = [
    pytest.param({"points": [1, 2], "direction": "up"}, "direction", id="direction"),
    pytest.param({"points": [1, None, 3]}, "points", id="missing-value"),
    pytest.param({"points": [1, float("nan")]}, "points", id="nan"),
    pytest.param({"points": [1, Decimal("Infinity")]}, "points", id="infinity"),
    pytest.param({"points": [1, True]}, "points", id="boolean"),
    pytest.param({"points": [1, "2"]}, "points", id="text-value"),
    pytest.param({"points": [(1, 2, 3)]}, "points", id="triple"),
    pytest.param({"points": "123"}, "points", id="string-series"),
    pytest.param({"points": [1, 2], "target": "95"}, "target", id="text-target"),
    pytest.param({"points": [1, 2], "rebase_at": [5]}, "rebase_at", id="rebase-out-of-range"),
    pytest.param({"points": [1, 2], "rebase_at": ["Q9"]}, "rebase_at", id="rebase-unknown"),
    pytest.param(
        {"points": [1, 2], "rebase_at": [datetime.date(2013, 1, 1)]},
        "rebase_at",
        id="rebase-date-without-dates",
    ),  # fmt: skip
    pytest.param(
        {"points": list(zip(MONTHS, STEP, strict=True)), "rebase_at": [datetime.date(2016, 1, 1)]},
        "rebase_at",
        id="rebase-after-the-end",
    ),
    pytest.param({"points": [1, 2], "rebase_at": 1}, "rebase_at", id="rebase-not-a-list"),
    pytest.param({"points": [1, 2], "baseline_points": 1}, "baseline_points", id="baseline-1"),
]


@pytest.mark.parametrize("kwargs, field", ERRORS)
def test_input_it_cannot_chart_is_refused_clearly(kwargs, field):
    with pytest.raises(SpcError) as error:
        calculate(**kwargs)
    assert error.value.field == field
    assert error.value.message


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"run_length": 1}, "run_length"),
        ({"trend_length": 0}, "trend_length"),
        ({"minimum_points": 0}, "minimum_points"),
        ({"run_length": 6.5}, "run_length"),
        ({"screen_moving_ranges": "yes"}, "screen_moving_ranges"),
    ],
)
def test_settings_are_checked(kwargs, field):
    with pytest.raises(SpcError) as error:
        SpcSettings(**kwargs)
    assert error.value.field == field


@pytest.mark.parametrize("package", ["spc", "charts"])
def test_engine_and_charts_are_pure_python(package):
    """No Django: the API, pages, PDFs and other systems share the same code."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "governance" / package
    imported = set()
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                # The shared SVG primitives (commissioning.charts) are pure Python too.
                shared = node.module.startswith("commissioning.charts")
                imported.add("commissioning.charts" if shared else node.module.split(".")[0])
    assert "django" not in imported and "rest_framework" not in imported
    assert imported <= {"__future__", "collections", "dataclasses", "datetime", "decimal",
                        "fractions", "governance", "hashlib", "math", "re",
                        "commissioning.charts"}  # fmt: skip
