"""The four special-cause rules, applied within one segment.

Each rule returns, for every point, +1 (the point is part of a high pattern), -1 (low) or 0.
Rules never reach across a rebase: every segment is tested on its own, as NHS-R does.
They take values and lines of one exact kind: the engine passes whole numbers (values and
`ScaledLines` multiplied by one factor); Fractions with `Lines` give the same answers.
"""

from __future__ import annotations

from fractions import Fraction

from .limits import Lines, ScaledLines

Number = int | Fraction


def _sign(number: Number) -> int:
    return (number > 0) - (number < 0)


def outside_limits(values: list[Number], lines: Lines | ScaledLines) -> list[int]:
    """Strictly above the upper or below the lower process limit (a point on a limit is in)."""
    if not lines.has_limits:
        return [0] * len(values)
    upper, lower = lines.upper_limit, lines.lower_limit
    return [1 if v > upper else -1 if v < lower else 0 for v in values]


def _mark_streaks(signs: list[int], length: int, offset: int) -> list[int]:
    """Mark every point of a streak of at least `length` equal non-zero signs.

    `signs[i]` describes point `i + offset`, so a trend's steps (one fewer than its points)
    mark the point the trend starts from as well.
    """
    marks = [0] * (len(signs) + offset)
    count = 0
    for i, sign in enumerate(signs):
        count = count + 1 if sign and i and sign == signs[i - 1] else (1 if sign else 0)
        if count >= length:
            for j in range(i - length + 1, i + 1 + offset):
                marks[j] = sign
    return marks


def run(values: list[Number], lines: Lines | ScaledLines, length: int) -> list[int]:
    """`length` or more consecutive points on the same side of the mean.

    A point exactly on the mean is on neither side and breaks the run.
    """
    return _mark_streaks([_sign(v - lines.mean) for v in values], length, 0)


def trend(values: list[Number], length: int) -> list[int]:
    """`length` or more consecutive points each strictly above (or below) the one before.

    The count includes the point the trend starts from: 7 points make 6 rises. Two equal
    consecutive values break a trend.
    """
    if not values:
        return []
    steps = [_sign(later - earlier) for earlier, later in zip(values, values[1:], strict=False)]
    return _mark_streaks(steps, length - 1, 1)


def two_of_three(values: list[Number], lines: Lines | ScaledLines) -> list[int]:
    """Two of three consecutive points beyond the same 2-sigma ("near") line.

    A point beyond a process limit is also beyond the near line on that side and counts
    towards the two (the Western Electric reading). Only the points beyond the line are marked,
    not the third point of the window. Needs three points in the segment.
    """
    marks = [0] * len(values)
    if not lines.has_limits:
        return marks
    upper, lower = lines.upper_near, lines.lower_near
    zones = [1 if v > upper else -1 if v < lower else 0 for v in values]
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        for side in (1, -1):
            beyond = [i for i in window if zones[i] == side]
            if len(beyond) >= 2:
                for i in beyond:
                    marks[i] = side
    return marks
