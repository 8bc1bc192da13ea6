"""Statistical process control as NHS England's "Making Data Count" teaches it (XmR charts).

Pure Python, no Django: pages, the API, the dashboard and PDFs all call `calculate`.
Reference: NHS-R's NHSRplotthedots. Definitions are in the domain notes; the choices made
where the guidance leaves room are:

- Centre line = mean of the segment's baseline; moving range MR = |x(i) - x(i-1)|; process
  limits = mean ± 2.66 × mean(MR); "near" lines = mean ± 2 × (2.66 / 3) × mean(MR) (2 sigma).
  Arithmetic is exact (fractions), so a value or target equal to a line on paper equals it.
- Screening (off by default, as in NHS England's own tools): drop moving ranges of
  3.267 × mean(MR) or more, then average again.
- Rules, each within one segment: a point strictly outside a limit (on the limit is inside);
  a run of `run_length` points on one side of the mean (a point on the mean breaks it); a trend
  of `trend_length` points each strictly above (below) the one before, counting the point it
  starts from (equal consecutive values break it); two of three consecutive points beyond the
  same near line, where a point beyond the limit counts too. Every point of a pattern is
  flagged (for two of three: the points beyond the line).
- A special-cause point is "high" or "low": the side of the mean for the position rules, the
  trend's direction when only a trend flags it. With a direction, high is improvement when
  higher is better and concern when lower is better; with none it is "neither".
- Variation icon: from the latest point. Assurance icon: the target against the latest
  segment's limits, inclusive at the limits (target on the lower limit, higher is better:
  consistently pass). NHS-R compares strictly; the domain notes say "at or below".
- Trial limits: a segment whose baseline has fewer than `minimum_points` points (NHS-R counts
  the whole segment; with a fixed baseline we count the points the limits come from).
- Rebasing starts a new segment with its own mean and limits; a fixed baseline computes each
  segment's lines from its first N points and extends them.
- Edge cases: no points gives an empty result (no icons, trial limits); a segment of one point
  has a mean but no limits (no moving range), so only its mean is drawn and no assurance is
  given. Missing values are refused (`SpcError`): an XmR chart has no gaps.
"""

from .engine import calculate
from .model import (
    ASSURANCE,
    BLUE,
    CLASSIFICATIONS,
    COLOURS,
    COMMON_CAUSE,
    CONCERN,
    CONSISTENTLY_FAIL,
    CONSISTENTLY_PASS,
    DIRECTIONS,
    FALLING,
    GREY,
    HIGH,
    HIGHER,
    HIT_AND_MISS,
    IMPROVEMENT,
    LOW,
    LOWER,
    NEITHER,
    ORANGE,
    OUTSIDE_LIMITS,
    PURPLE,
    RISING,
    RULES,
    RUN,
    TREND,
    TWO_OF_THREE,
    VARIATION,
    Icon,
    PointResult,
    Segment,
    SpcError,
    SpcResult,
    SpcSettings,
)

__all__ = [
    "ASSURANCE",
    "BLUE",
    "CLASSIFICATIONS",
    "COLOURS",
    "COMMON_CAUSE",
    "CONCERN",
    "CONSISTENTLY_FAIL",
    "CONSISTENTLY_PASS",
    "DIRECTIONS",
    "FALLING",
    "GREY",
    "HIGH",
    "HIGHER",
    "HIT_AND_MISS",
    "IMPROVEMENT",
    "LOW",
    "LOWER",
    "NEITHER",
    "ORANGE",
    "OUTSIDE_LIMITS",
    "PURPLE",
    "RISING",
    "RULES",
    "RUN",
    "TREND",
    "TWO_OF_THREE",
    "VARIATION",
    "Icon",
    "PointResult",
    "Segment",
    "SpcError",
    "SpcResult",
    "SpcSettings",
    "calculate",
]
