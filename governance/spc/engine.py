"""`calculate`: from a series to points, segments and icons."""

from __future__ import annotations

from fractions import Fraction

from . import rules
from .icons import assurance_icon, variation_icon
from .inputs import check_baseline, check_direction, exact, parse_points, rebase_positions
from .limits import Lines, integer_values, segment_lines
from .model import (
    COMMON_CAUSE,
    CONCERN,
    FALLING,
    HIGH,
    HIGHER,
    IMPROVEMENT,
    LOW,
    NEITHER,
    RISING,
    PointResult,
    Segment,
    SpcResult,
    SpcSettings,
)


def calculate(
    points,
    direction: str = NEITHER,
    target=None,
    *,
    rebase_at=(),
    baseline_points: int | None = None,
    settings: SpcSettings | None = None,
) -> SpcResult:
    """Run the XmR chart and the special-cause rules over a series.

    `points`: (period, value) pairs in time order, or bare values (periods 1, 2, 3 ...).
    Periods may be dates or labels. Values are ints, floats, Decimals or Fractions.
    `direction`: "higher", "lower" or "neither" is better. `target`: a number or None.
    `rebase_at`: where new segments start: 0-based positions, dates (the first point on or
    after it) or periods. `baseline_points`: compute each segment's lines from its first N
    points and extend them over the rest. Raises `SpcError` for input it cannot chart.
    An empty series gives an empty result (no icons); one point gives a mean but no limits.
    """
    settings = settings or SpcSettings()
    if not isinstance(settings, SpcSettings):
        raise TypeError("settings must be an SpcSettings")
    direction = check_direction(direction)
    exact_target = None if target is None else exact(target, "The target", "target")
    baseline_points = check_baseline(baseline_points)
    periods, values = parse_points(points)
    integers, denominator = integer_values(values)
    starts = [0, *rebase_positions(periods, rebase_at)] if values else []
    ends = [*starts[1:], len(values)] if values else []

    point_results: list[PointResult] = []
    segments: list[Segment] = []
    lines = None
    for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
        chunk = integers[start:end]
        lines = segment_lines(chunk, baseline_points, settings.screen_moving_ranges, denominator)
        segments.append(_segment(number, start, end - 1, lines, settings))
        span = periods[start:end], chunk
        point_results.extend(_points(number, start, *span, lines, direction, settings))

    return SpcResult(
        points=tuple(point_results),
        segments=tuple(segments),
        direction=direction,
        target=None if exact_target is None else float(exact_target),
        settings=settings,
        baseline_points=baseline_points,
        variation=variation_icon(point_results[-1] if point_results else None),
        assurance=assurance_icon(direction, exact_target, lines),
    )


def _float(number: Fraction | None) -> float | None:
    return None if number is None else float(number)


def _segment(number: int, start: int, end: int, lines: Lines, settings: SpcSettings) -> Segment:
    return Segment(
        index=number,
        start=start,
        end=end,
        baseline_points=lines.baseline_points,
        mean=float(lines.mean),
        mean_moving_range=_float(lines.mean_moving_range),
        upper_limit=_float(lines.upper_limit),
        lower_limit=_float(lines.lower_limit),
        upper_near=_float(lines.upper_near),
        lower_near=_float(lines.lower_near),
        screened_moving_ranges=lines.screened,
        trial=lines.baseline_points < settings.minimum_points,
    )


def _points(number, start, periods, integers, lines: Lines, direction, settings):
    """The segment's points. The rules run on whole numbers (`Lines.scaled`). A point's
    float is its integer ÷ the denominator: int division rounds correctly, as float(Fraction)."""
    scaled = lines.scaled()
    whole = [x * scaled.factor for x in integers]
    outside = rules.outside_limits(whole, scaled)
    run = rules.run(whole, scaled, settings.run_length)
    trend = rules.trend(whole, settings.trend_length)
    two_of_three = rules.two_of_three(whole, scaled)
    shared = {
        "segment": number,
        "mean": float(lines.mean),
        "upper_limit": _float(lines.upper_limit),
        "lower_limit": _float(lines.lower_limit),
        "upper_near": _float(lines.upper_near),
        "lower_near": _float(lines.lower_near),
    }
    denominator = lines.denominator
    for i, (period, value) in enumerate(zip(periods, integers, strict=True)):
        side = _side(outside[i] or run[i] or two_of_three[i], trend[i])
        yield PointResult.of(
            {
                "index": start + i,
                "period": period,
                "value": value / denominator,
                **shared,
                "outside_limits": bool(outside[i]),
                "run": bool(run[i]),
                "trend": bool(trend[i]),
                "two_of_three": bool(two_of_three[i]),
                "trend_direction": {1: RISING, -1: FALLING}.get(trend[i]),
                "special_cause": _classify(side, direction),
                "side": side,
            }
        )


def _side(position: int, trend: int) -> str | None:
    """Which way a special-cause point departs.

    The rules about position (outside the limits, run, two of three) all agree with the side
    of the mean the point lies on, and they win; a point flagged only by a trend takes the
    trend's direction (a rising trend is "high" even where it is still below the mean).
    """
    sign = position or trend
    return HIGH if sign > 0 else LOW if sign < 0 else None


def _classify(side: str | None, direction: str) -> str:
    if side is None:
        return COMMON_CAUSE
    if direction == NEITHER:
        return NEITHER
    return IMPROVEMENT if (side == HIGH) == (direction == HIGHER) else CONCERN
