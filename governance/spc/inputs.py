"""Turning what callers pass (pairs, numbers, dates, labels) into exact values and positions.

Values become `Fraction`s: a float is read as the decimal it prints as (0.1 is 1/10), so a
point or target that equals a mean or a limit on paper equals it here too.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence, Set
from decimal import Decimal
from fractions import Fraction

from .model import DIRECTIONS, SpcError


def exact(value, what: str, field: str) -> Fraction:
    """A finite int, float, Decimal or Fraction as a Fraction; anything else is refused."""
    if isinstance(value, bool) or value is None:
        raise SpcError(f"{what} must be a number", field)
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SpcError(f"{what} must be a finite number", field)
        return Fraction(Decimal(repr(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise SpcError(f"{what} must be a finite number", field)
        return Fraction(value)
    raise SpcError(f"{what} must be a number", field)


def parse_points(points) -> tuple[list[object], list[Fraction]]:
    """Periods and values from (period, value) pairs or bare values (numbered from 1)."""
    problem = SpcError("points must be a list of values or (period, value) pairs", "points")
    if points is None or isinstance(points, str | bytes | Mapping):
        raise problem
    try:
        points = list(points)
    except TypeError:
        raise problem from None
    periods, values = [], []
    for position, point in enumerate(points, start=1):
        if isinstance(point, tuple | list):
            if len(point) != 2:
                raise SpcError(f"Point {position} must be a (period, value) pair", "points")
            period, value = point
        else:
            period, value = position, point
        periods.append(period)
        values.append(exact(value, f"The value of point {position}", "points"))
    return periods, values


def check_direction(direction) -> str:
    if direction not in DIRECTIONS:
        raise SpcError("direction must be one of " + ", ".join(DIRECTIONS), "direction")
    return direction


def check_baseline(baseline_points) -> int | None:
    if baseline_points is None:
        return None
    if isinstance(baseline_points, bool) or not isinstance(baseline_points, int):
        raise SpcError("baseline_points must be a whole number", "baseline_points")
    if baseline_points < 2:
        raise SpcError("A fixed baseline needs at least 2 points", "baseline_points")
    return baseline_points


def rebase_positions(periods: list[object], rebase_at) -> list[int]:
    """Indexes where a new segment starts, sorted, without 0 and without repeats.

    An int is a 0-based position. A date starts the new segment at the first point dated on or
    after it (periods must then be dates). Anything else must equal one point's period.
    """
    if isinstance(rebase_at, str | bytes) or not isinstance(rebase_at, Sequence | Set):
        raise SpcError("rebase_at must be a list of positions, dates or periods", "rebase_at")
    positions = set()
    for mark in rebase_at:
        positions.add(_position(periods, mark))
    positions.discard(0)
    return sorted(positions)


def _position(periods: list[object], mark) -> int:
    if isinstance(mark, bool) or mark is None:
        raise SpcError("rebase_at must list positions, dates or periods", "rebase_at")
    if isinstance(mark, int):
        if not 0 <= mark < len(periods):
            raise SpcError(f"Cannot rebase at position {mark}: there is no such point", "rebase_at")
        return mark
    if isinstance(mark, datetime.date):
        return _date_position(periods, mark)
    for index, period in enumerate(periods):
        if period == mark:
            return index
    raise SpcError(f"Cannot rebase at {mark}: no point has that period", "rebase_at")


def _date_position(periods: list[object], mark: datetime.date) -> int:
    def as_date(value):
        return value.date() if isinstance(value, datetime.datetime) else value

    day = as_date(mark)
    for index, period in enumerate(periods):
        if not isinstance(period, datetime.date):
            raise SpcError("Rebasing at a date needs every period to be a date", "rebase_at")
        if as_date(period) >= day:
            return index
    raise SpcError(f"Cannot rebase at {day.isoformat()}: it is after the last point", "rebase_at")
