"""The words that go with a chart: labels, numbers, a text summary and the data table rows.

Pages and PDFs render `chart_table(...)` as an ordinary table next to the SVG, and the SVG's
`<desc>` carries `chart_summary(...)`, so nobody needs to see the picture to read the chart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from governance.spc import (
    COMMON_CAUSE,
    CONCERN,
    HIGHER,
    IMPROVEMENT,
    LOWER,
    NEITHER,
    RISING,
    PointResult,
    SpcResult,
)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MISSING = "–"

CLASSIFICATION_LABELS = {
    COMMON_CAUSE: "Common cause",
    IMPROVEMENT: "Special cause improvement",
    CONCERN: "Special cause concern",
    NEITHER: "Special cause (neither improvement nor concern)",
}
DIRECTION_WORDS = {HIGHER: "higher is better", LOWER: "lower is better", NEITHER: "no direction"}


def period_label(period) -> str:
    """ "Apr 2013" for a date (English month names, whatever the locale); else the text."""
    if isinstance(period, datetime.date):
        return f"{MONTHS[period.month - 1]} {period.year}"
    return str(period)


def format_value(value: float | None, unit: str = "", decimals: int = 2) -> str:
    """94.2%, 1,234.5, 3 per 1,000: at most `decimals` places, no trailing zeros."""
    if value is None:
        return MISSING
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def rule_descriptions(point: PointResult, result: SpcResult) -> list[str]:
    """The rules a point is part of, in words."""
    above = point.value > point.mean
    settings = result.settings
    words = []
    if point.outside_limits:
        words.append("Above the upper process limit" if above else "Below the lower process limit")
    if point.run:
        side = "above" if above else "below"
        words.append(f"Run of {settings.run_length} or more points {side} the mean")
    if point.trend:
        way = "rising" if point.trend_direction == RISING else "falling"
        words.append(f"Trend of {settings.trend_length} or more {way} points")
    if point.two_of_three:
        limit = "upper" if above else "lower"
        words.append(f"Two of three points close to the {limit} process limit")
    return words


@dataclass(frozen=True)
class TableRow:
    period: str
    value: str
    mean: str
    lower_limit: str
    upper_limit: str
    variation: str
    rules: str
    colour: str
    special_cause: str

    def cells(self) -> tuple[str, ...]:
        return (
            self.period,
            self.value,
            self.mean,
            self.lower_limit,
            self.upper_limit,
            self.variation,
            self.rules,
        )


@dataclass(frozen=True)
class ChartTable:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]


COLUMNS = (
    "Period",
    "Value",
    "Mean",
    "Lower process limit",
    "Upper process limit",
    "Variation",
    "Special cause rules",
)


def chart_table(result: SpcResult, *, title: str = "", unit: str = "", decimals: int = 2):
    """One row per point: period, value, mean, limits, classification and the rules hit."""

    def fmt(value):
        return format_value(value, unit, decimals)

    rows = tuple(
        TableRow(
            period=period_label(point.period),
            value=fmt(point.value),
            mean=fmt(point.mean),
            lower_limit=fmt(point.lower_limit),
            upper_limit=fmt(point.upper_limit),
            variation=CLASSIFICATION_LABELS[point.special_cause],
            rules="; ".join(rule_descriptions(point, result)) or "None",
            colour=point.colour,
            special_cause=point.special_cause,
        )
        for point in result.points
    )
    caption = f"{title}: data" if title else "Chart data"
    return ChartTable(caption=caption, columns=COLUMNS, rows=rows)


def chart_summary(result: SpcResult, *, title: str = "", unit: str = "", decimals: int = 2) -> str:
    """A few sentences saying what the chart shows, for `<desc>`, PDFs and screen readers."""

    def fmt(value):
        return format_value(value, unit, decimals)

    lead = f"{title}. " if title else ""
    points = result.points
    if not points:
        return f"{lead}No data to chart."
    first, latest = points[0], points[-1]
    if len(points) == 1:
        sentences = [f"1 point, {period_label(first.period)}."]
    else:
        sentences = [
            f"{len(points)} points from {period_label(first.period)} "
            f"to {period_label(latest.period)}."
        ]
    sentences.append(f"Latest value {fmt(latest.value)} ({period_label(latest.period)}).")
    segment = result.latest_segment
    if segment.upper_limit is None:
        sentences.append(f"Mean {fmt(segment.mean)}; too few points for process limits.")
    else:
        sentences.append(
            f"Mean {fmt(segment.mean)}; process limits {fmt(segment.lower_limit)} "
            f"to {fmt(segment.upper_limit)}."
        )
    if segment.trial:
        sentences.append(
            f"Trial limits: based on {segment.baseline_points} "
            f"{'point' if segment.baseline_points == 1 else 'points'}, "
            f"fewer than {result.settings.minimum_points}."
        )
    if result.baseline_points:
        sentences.append(f"Limits fixed from the first {result.baseline_points} points.")
    if len(result.segments) > 1:
        marks = ", ".join(period_label(points[s.start].period) for s in result.segments[1:])
        sentences.append(f"Limits rebased at {marks}.")
    sentences.append(f"Direction: {DIRECTION_WORDS[result.direction]}.")
    if result.variation is not None:
        sentences.append(f"Variation: {result.variation.label}.")
    sentences.append(_target_sentence(result, fmt))
    sentences.append(_special_cause_sentence(points))
    return lead + " ".join(s for s in sentences if s)


def _target_sentence(result: SpcResult, fmt) -> str:
    if result.target is None:
        return "No target."
    if result.assurance is not None:
        return f"Assurance against the target of {fmt(result.target)}: {result.assurance.label}."
    if result.direction == NEITHER:
        return f"Target {fmt(result.target)}: no assurance without a direction of improvement."
    return f"Target {fmt(result.target)}: too few points to give assurance."


def _special_cause_sentence(points) -> str:
    counts = {kind: 0 for kind in (IMPROVEMENT, CONCERN, NEITHER)}
    for point in points:
        if point.special_cause in counts:
            counts[point.special_cause] += 1
    total = sum(counts.values())
    if not total:
        return "No special cause points."
    names = {IMPROVEMENT: "improvement", CONCERN: "concern", NEITHER: "neither"}
    parts = ", ".join(f"{n} {names[kind]}" for kind, n in counts.items() if n)
    return f"Special cause points: {total} ({parts})."
