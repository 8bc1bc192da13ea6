"""XmR centre line and limits for one segment, in exact arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .model import LIMIT_FACTOR, NEAR_FACTOR, SCREEN_FACTOR


@dataclass(frozen=True)
class Lines:
    """A segment's lines. Limits are None when the baseline has no moving range."""

    baseline_points: int
    mean: Fraction
    mean_moving_range: Fraction | None
    screened: int

    @property
    def has_limits(self) -> bool:
        return self.mean_moving_range is not None

    def _offset(self, factor: Fraction) -> Fraction | None:
        return None if self.mean_moving_range is None else factor * self.mean_moving_range

    @property
    def upper_limit(self) -> Fraction | None:
        offset = self._offset(LIMIT_FACTOR)
        return None if offset is None else self.mean + offset

    @property
    def lower_limit(self) -> Fraction | None:
        offset = self._offset(LIMIT_FACTOR)
        return None if offset is None else self.mean - offset

    @property
    def upper_near(self) -> Fraction | None:
        offset = self._offset(NEAR_FACTOR)
        return None if offset is None else self.mean + offset

    @property
    def lower_near(self) -> Fraction | None:
        offset = self._offset(NEAR_FACTOR)
        return None if offset is None else self.mean - offset


def moving_ranges(values: list[Fraction]) -> list[Fraction]:
    """|x(i) - x(i-1)| for each point after the first."""
    return [abs(later - earlier) for earlier, later in zip(values, values[1:], strict=False)]


def segment_lines(values: list[Fraction], baseline_points: int | None, screen: bool) -> Lines:
    """Mean and mean moving range of the segment's baseline (its first `baseline_points`).

    With `screen`, moving ranges of 3.267 × their mean or more are dropped before averaging
    again (NHS-R's option). A baseline whose moving ranges are all zero is never screened:
    there is nothing unusual to drop.
    """
    baseline = values[:baseline_points] if baseline_points else values
    mean = sum(baseline, Fraction(0)) / len(baseline)
    ranges = moving_ranges(baseline)
    if not ranges:
        return Lines(len(baseline), mean, None, 0)
    mean_range = sum(ranges, Fraction(0)) / len(ranges)
    screened = 0
    if screen and mean_range > 0:
        # At least one range is at or below the mean, so something is always kept.
        kept = [r for r in ranges if r < SCREEN_FACTOR * mean_range]
        screened = len(ranges) - len(kept)
        mean_range = sum(kept, Fraction(0)) / len(kept)
    return Lines(len(baseline), mean, mean_range, screened)
