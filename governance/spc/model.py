"""The SPC engine's vocabulary: settings, constants, errors and JSON-friendly results."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from fractions import Fraction

# Direction of improvement.
HIGHER, LOWER, NEITHER = "higher", "lower", "neither"
DIRECTIONS = (HIGHER, LOWER, NEITHER)

# Classification of a point (NEITHER doubles as "special cause, no direction of improvement").
COMMON_CAUSE, IMPROVEMENT, CONCERN = "common_cause", "improvement", "concern"
CLASSIFICATIONS = (COMMON_CAUSE, IMPROVEMENT, CONCERN, NEITHER)
HIGH, LOW = "high", "low"
RISING, FALLING = "rising", "falling"

# Special-cause rules, in the order they are reported.
OUTSIDE_LIMITS, RUN, TREND, TWO_OF_THREE = "outside_limits", "run", "trend", "two_of_three"
RULES = (OUTSIDE_LIMITS, RUN, TREND, TWO_OF_THREE)

# Making Data Count colours.
GREY, BLUE, ORANGE, PURPLE = "#A6A6A6", "#00B0F0", "#E46C0A", "#490092"
COLOURS = {COMMON_CAUSE: GREY, IMPROVEMENT: BLUE, CONCERN: ORANGE, NEITHER: PURPLE}

# Icons.
VARIATION, ASSURANCE = "variation", "assurance"
CONSISTENTLY_PASS, CONSISTENTLY_FAIL, HIT_AND_MISS = (
    "consistently_pass",
    "consistently_fail",
    "hit_and_miss",
)

# XmR constants, exact: limits at mean ± 2.66 × mean moving range (3 sigma), "near" lines at
# two thirds of the way (2 sigma), and NHS-R's screening of moving ranges of 3.267 × mean or more.
LIMIT_FACTOR = Fraction(266, 100)
NEAR_FACTOR = 2 * LIMIT_FACTOR / 3
SCREEN_FACTOR = Fraction(3267, 1000)


class SpcError(ValueError):
    """Input the engine cannot chart. `.message` is written for users; `.field` names the input."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SpcSettings:
    """Rule settings. NHS England's 2024 guidance uses 6 for runs and trends; the default is 7."""

    run_length: int = 7
    trend_length: int = 7
    minimum_points: int = 12
    screen_moving_ranges: bool = False

    def __post_init__(self):
        for name, lowest in (("run_length", 2), ("trend_length", 2), ("minimum_points", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
                raise SpcError(f"{name} must be a whole number of at least {lowest}", name)
        if not isinstance(self.screen_moving_ranges, bool):
            raise SpcError("screen_moving_ranges must be true or false", "screen_moving_ranges")

    def as_dict(self) -> dict:
        return {
            "run_length": self.run_length,
            "trend_length": self.trend_length,
            "minimum_points": self.minimum_points,
            "screen_moving_ranges": self.screen_moving_ranges,
        }


def json_period(period):
    """Dates become ISO strings; labels and numbers stay as they are."""
    if isinstance(period, datetime.date):
        return period.isoformat()
    return period


@dataclass(frozen=True)
class Segment:
    """A stretch of points sharing one mean and one set of limits (a new one at each rebase).

    `start` and `end` are point indexes, both included. Limits are None when the baseline has a
    single point (no moving range). `trial` is true when the baseline has fewer points than
    the minimum.
    """

    index: int
    start: int
    end: int
    baseline_points: int
    mean: float
    mean_moving_range: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_near: float | None
    lower_near: float | None
    screened_moving_ranges: int
    trial: bool

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class PointResult:
    """One point with its segment's lines, the rules it is part of and its classification.

    `side` is "high" or "low" for a special-cause point (which way it departs), else None;
    `trend_direction` is "rising" or "falling" when the point is part of a trend.
    """

    index: int
    period: object
    value: float
    segment: int
    mean: float
    upper_limit: float | None
    lower_limit: float | None
    upper_near: float | None
    lower_near: float | None
    outside_limits: bool
    run: bool
    trend: bool
    two_of_three: bool
    trend_direction: str | None
    special_cause: str
    side: str | None

    @classmethod
    def of(cls, fields: dict) -> PointResult:
        """`PointResult(**fields)` for a dict of every field, without the frozen dataclass's
        `object.__setattr__` per field: the engine makes 1,800 points for one dashboard, and
        this is seven times faster. The point is as frozen as any other."""
        if fields.keys() != _POINT_FIELDS:
            raise TypeError(f"PointResult fields: {sorted(fields.keys() ^ _POINT_FIELDS)}")
        point = object.__new__(cls)
        point.__dict__.update(fields)
        return point

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(rule for rule in RULES if getattr(self, rule))

    @property
    def is_special_cause(self) -> bool:
        return self.special_cause != COMMON_CAUSE

    @property
    def colour(self) -> str:
        return COLOURS[self.special_cause]

    def as_dict(self) -> dict:
        data = dict(self.__dict__)
        data["period"] = json_period(self.period)
        data["rules"] = list(self.rules)
        data["colour"] = self.colour
        return data


_POINT_FIELDS = frozenset(field.name for field in dataclasses.fields(PointResult))


@dataclass(frozen=True)
class Icon:
    """A variation or assurance icon: `code` for machines, `label` for people, `letter` drawn
    in the circle ("" for common cause, which is drawn as a flat line)."""

    kind: str
    code: str
    label: str
    colour: str
    letter: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SpcResult:
    points: tuple[PointResult, ...]
    segments: tuple[Segment, ...]
    direction: str
    target: float | None
    settings: SpcSettings
    baseline_points: int | None
    variation: Icon | None
    assurance: Icon | None

    @property
    def latest(self) -> PointResult | None:
        return self.points[-1] if self.points else None

    @property
    def latest_segment(self) -> Segment | None:
        return self.segments[-1] if self.segments else None

    @property
    def trial_limits(self) -> bool:
        """True when the limits in use now (the latest segment's) rest on too few points."""
        segment = self.latest_segment
        return True if segment is None else segment.trial

    @property
    def rebase_indexes(self) -> tuple[int, ...]:
        return tuple(segment.start for segment in self.segments[1:])

    def as_dict(self) -> dict:
        return {
            "direction": self.direction,
            "target": self.target,
            "settings": self.settings.as_dict(),
            "baseline_points": self.baseline_points,
            "rebase_indexes": list(self.rebase_indexes),
            "trial_limits": self.trial_limits,
            "variation": self.variation.as_dict() if self.variation else None,
            "assurance": self.assurance.as_dict() if self.assurance else None,
            "segments": [segment.as_dict() for segment in self.segments],
            "points": [point.as_dict() for point in self.points],
        }
