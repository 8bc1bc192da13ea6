"""Making Data Count's two icons: variation (from the latest point) and assurance (target)."""

from __future__ import annotations

from fractions import Fraction

from .limits import Lines
from .model import (
    ASSURANCE,
    BLUE,
    COLOURS,
    COMMON_CAUSE,
    CONCERN,
    CONSISTENTLY_FAIL,
    CONSISTENTLY_PASS,
    GREY,
    HIGH,
    HIGHER,
    HIT_AND_MISS,
    IMPROVEMENT,
    LOWER,
    NEITHER,
    ORANGE,
    VARIATION,
    Icon,
    PointResult,
)

_KIND_WORDS = {
    IMPROVEMENT: "improvement",
    CONCERN: "concern",
    NEITHER: "neither improvement nor concern",
}
_SIDE_WORDS = {HIGH: "high", "low": "low"}


def variation_icon(latest: PointResult | None) -> Icon | None:
    """Common cause, or special cause improvement / concern / neither, high or low."""
    if latest is None:
        return None
    if latest.special_cause == COMMON_CAUSE:
        return Icon(VARIATION, COMMON_CAUSE, "Common cause variation", COLOURS[COMMON_CAUSE], "")
    kind, side = latest.special_cause, latest.side
    return Icon(
        VARIATION,
        f"{kind}_{side}",
        f"Special cause variation: {_KIND_WORDS[kind]} ({_SIDE_WORDS[side]} values)",
        COLOURS[kind],
        "H" if side == HIGH else "L",
    )


_ASSURANCE = {
    CONSISTENTLY_PASS: ("Consistently passes the target", BLUE, "P"),
    CONSISTENTLY_FAIL: ("Consistently fails the target", ORANGE, "F"),
    HIT_AND_MISS: (
        "Hit and miss: sometimes passes and sometimes fails the target",
        GREY,
        "?",
    ),
}


def assurance_code(direction: str, target: Fraction | None, lines: Lines | None) -> str | None:
    """Where the target sits against the process limits now in use.

    Higher is better: target at or below the lower limit = consistently pass; at or above the
    upper limit = consistently fail; in between = hit and miss. Lower is better mirrors it.
    None without a target, without a direction, or without limits. When the limits coincide
    (no variation at all), a target on them is met every time: pass.
    """
    if target is None or direction == NEITHER or lines is None or not lines.has_limits:
        return None
    upper, lower = lines.upper_limit, lines.lower_limit
    if direction == HIGHER:
        if target <= lower:
            return CONSISTENTLY_PASS
        return CONSISTENTLY_FAIL if target >= upper else HIT_AND_MISS
    assert direction == LOWER
    if target >= upper:
        return CONSISTENTLY_PASS
    return CONSISTENTLY_FAIL if target <= lower else HIT_AND_MISS


def assurance_icon(direction: str, target: Fraction | None, lines: Lines | None) -> Icon | None:
    code = assurance_code(direction, target, lines)
    if code is None:
        return None
    label, colour, letter = _ASSURANCE[code]
    return Icon(ASSURANCE, code, label, colour, letter)
