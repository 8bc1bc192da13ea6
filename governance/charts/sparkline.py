"""A sparkline for table cells: a small line with the latest point marked."""

from __future__ import annotations

import math
from decimal import Decimal

from commissioning.charts.svg import document, element, make_id, num

from .text import format_value

LINE_COLOUR = "#425563"


def sparkline_svg(
    values,
    *,
    width: int = 120,
    height: int = 32,
    label: str = "Trend",
    unit: str = "",
    decimals: int = 2,
    colour: str = LINE_COLOUR,
    last_colour: str | None = None,
    chart_id: str | None = None,
) -> str:
    """`values` in time order (None leaves a gap). The latest value is drawn as a dot in
    `last_colour` (e.g. its SPC colour); the `<title>` says the range and the latest value."""
    numbers = [_number(v) for v in values]
    ident = make_id(chart_id, "sparkline", label, width, height, unit, numbers, colour, last_colour)
    present = [(i, v) for i, v in enumerate(numbers) if v is not None]
    if not present:
        return document(ident, width, height, f"{label}: no data", "", [])

    def fmt(value):
        return format_value(value, unit, decimals)

    low, high = min(v for _, v in present), max(v for _, v in present)
    latest = present[-1][1]
    title = (
        f"{label}: {len(present)} values from {fmt(low)} to {fmt(high)}, latest {fmt(latest)}"
        if len(present) > 1
        else f"{label}: 1 value, {fmt(latest)}"
    )
    pad = 3.5
    count = len(numbers)

    def x(index):
        if count == 1:
            return width / 2
        return pad + index * (width - 2 * pad) / (count - 1)

    def y(value):
        if high == low:
            return height / 2
        return height - pad - (value - low) / (high - low) * (height - 2 * pad)

    body = []
    for run in _runs(numbers):
        if len(run) > 1:
            coordinates = " ".join(f"{num(x(i))},{num(y(v))}" for i, v in run)
            body.append(
                element(
                    "polyline", points=coordinates, fill="none", stroke=colour,
                    stroke_width=1.5, stroke_linejoin="round", stroke_linecap="round",
                )
            )  # fmt: skip
    last_index, last_value = present[-1]
    body.append(
        element(
            "circle", cx=float(x(last_index)), cy=float(y(last_value)), r=2.5,
            fill=last_colour or colour, class_="sparkline-latest",
        )
    )  # fmt: skip
    return document(ident, width, height, title, "", body)


def _number(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("sparkline values must be numbers or None")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("sparkline values must be finite")
    return number


def _runs(numbers: list[float | None]) -> list[list[tuple[int, float]]]:
    """Stretches of consecutive values without gaps."""
    runs, current = [], []
    for index, value in enumerate(numbers):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((index, value))
    if current:
        runs.append(current)
    return runs
