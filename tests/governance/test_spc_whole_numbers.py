"""The SPC engine runs its rules on whole numbers (governance/spc/limits.py): the same answers
as the rules on exact Fractions, for every kind of series, including points exactly on a mean,
a near line or a limit."""

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from governance.spc import engine, rules
from governance.spc.inputs import parse_points
from governance.spc.limits import Lines, integer_values, segment_lines
from governance.spc.model import LIMIT_FACTOR, NEAR_FACTOR, SpcSettings


def fraction_flags(values, lines: Lines, settings: SpcSettings) -> list[tuple]:
    """The four rules on the exact Fractions and the Fraction lines: the reference."""
    outside = rules.outside_limits(values, lines)
    run = rules.run(values, lines, settings.run_length)
    trend = rules.trend(values, settings.trend_length)
    two = rules.two_of_three(values, lines)
    return [
        (bool(o), bool(r), bool(t), bool(w))
        for o, r, t, w in zip(outside, run, trend, two, strict=True)
    ]


def series(rng: random.Random) -> list:
    kind = rng.choice(["small ints", "decimals", "floats", "fractions", "flat"])
    length = rng.randint(1, 40)
    if kind == "small ints":  # few distinct values: ties with the mean and lines are common
        return [rng.randint(0, 4) for _ in range(length)]
    if kind == "decimals":
        return [Decimal(rng.randint(0, 2000)) / 100 for _ in range(length)]
    if kind == "floats":
        return [round(rng.uniform(50, 100), rng.randint(0, 3)) for _ in range(length)]
    if kind == "fractions":
        return [Fraction(rng.randint(0, 30), rng.choice([1, 3, 7, 12])) for _ in range(length)]
    return [rng.choice([5, 5, 5, 6])] * length


@pytest.mark.parametrize("seed", range(6))
def test_whole_number_rules_agree_with_fraction_rules(seed):
    rng = random.Random(seed)
    checked = 0
    for _ in range(400):
        points = series(rng)
        settings = SpcSettings(
            run_length=rng.choice([6, 7]),
            trend_length=rng.choice([6, 7]),
            screen_moving_ranges=rng.random() < 0.5,
        )
        baseline = rng.choice([None, None, 2, 5]) if len(points) > 5 else None
        result = engine.calculate(points, settings=settings, baseline_points=baseline)
        _periods, values = parse_points(points)
        integers, denominator = integer_values(values)
        lines = segment_lines(integers, baseline, settings.screen_moving_ranges, denominator)
        expected = fraction_flags(values, lines, settings)
        got = [(p.outside_limits, p.run, p.trend, p.two_of_three) for p in result.points]
        assert got == expected, points
        checked += len(points)
    assert checked > 1000


def test_lines_are_exact_fractions_of_the_values():
    values = [Fraction(1, 10), Fraction(2, 10), Fraction(3, 10), Fraction(1, 3)]
    integers, denominator = integer_values(values)
    assert denominator == 30
    assert integers == [3, 6, 9, 10]
    lines = segment_lines(integers, None, False, denominator)
    assert lines.mean == sum(values) / 4
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    assert lines.mean_moving_range == sum(ranges) / 3
    assert lines.upper_limit == lines.mean + LIMIT_FACTOR * sum(ranges) / 3
    assert lines.lower_near == lines.mean - NEAR_FACTOR * sum(ranges) / 3


def test_scaled_lines_are_the_lines_times_the_factor():
    values = [Fraction(v) for v in (3, 8, 4, 10, 2, 9)]
    integers, denominator = integer_values(values)
    lines = segment_lines(integers, None, False, denominator)
    scaled = lines.scaled()
    # A value v is compared as v × denominator × factor: so are the mean and the lines.
    for name in ("upper_limit", "lower_limit", "upper_near", "lower_near"):
        assert getattr(scaled, name) == getattr(lines, name) * scaled.factor * denominator
    assert scaled.mean == lines.mean * scaled.factor * denominator


def test_a_point_exactly_on_the_upper_limit_is_inside_in_whole_numbers():
    # The baseline's upper limit, appended as a point: on the limit, so not outside.
    values = [Fraction(0), Fraction(0), Fraction(133, 50)]  # mean 133/150, mR 133/100
    integers, denominator = integer_values(values)
    lines = segment_lines(integers, None, False, denominator)
    point = lines.mean + LIMIT_FACTOR * lines.mean_moving_range
    result = engine.calculate([*values, point], baseline_points=3)
    assert result.points[-1].value == float(point)
    assert not result.points[-1].outside_limits  # on the limit is inside
    above = engine.calculate([*values, point + Fraction(1, 10**9)], baseline_points=3)
    assert above.points[-1].outside_limits


def test_an_empty_series_and_one_point():
    assert engine.calculate([]).points == ()
    one = engine.calculate([Decimal("4.5")])
    assert one.points[0].mean == 4.5
    assert one.points[0].upper_limit is None


def test_point_result_of_makes_the_same_frozen_point():
    import dataclasses

    from governance.spc.model import PointResult

    point = engine.calculate([1, 5, 2, 8]).points[2]
    fields = {f.name: getattr(point, f.name) for f in dataclasses.fields(PointResult)}
    made = PointResult.of(fields)
    assert made == PointResult(**fields) == point
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.value = 3.0
    with pytest.raises(TypeError, match="side"):
        PointResult.of({k: v for k, v in fields.items() if k != "side"})
