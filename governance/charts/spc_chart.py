"""The SPC chart as a standalone SVG string: the same picture in a page and in a PDF.

No script, no web fonts, no CSS classes needed to look right (presentation attributes only,
so a strict Content-Security-Policy and WeasyPrint both draw it as the browser does).
"""

from __future__ import annotations

import math

from commissioning.charts.svg import (
    SECONDARY_TEXT,
    document,
    element,
    escape,
    make_id,
    nice_ticks,
    num,
    text,
    tick_decimals,
)
from governance.spc import COLOURS, COMMON_CAUSE, CONCERN, IMPROVEMENT, NEITHER, SpcResult

from .icons import icon_group
from .text import CLASSIFICATION_LABELS, chart_summary, format_value, period_label

MEAN_COLOUR = "#231F20"
LIMIT_COLOUR = "#4C6272"
TARGET_COLOUR = "#DA291C"
LINE_COLOUR = "#7B7D7D"
GRID_COLOUR = "#E8EDEE"
AXIS_COLOUR = "#AEB7BD"
CHAR_WIDTH = 6.2  # average width of an 11px Arial character, for laying out labels
LEGEND_ROW = 16
LIMIT_DASH = "6 4"
LEGEND_KINDS = (IMPROVEMENT, CONCERN, NEITHER, COMMON_CAUSE)
LEGEND_NAMES = {
    IMPROVEMENT: "Improvement",
    CONCERN: "Concern",
    NEITHER: "Neither",
    COMMON_CAUSE: "Common cause",
}


def spc_chart_svg(
    result: SpcResult,
    *,
    title: str = "Statistical process control chart",
    width: int = 640,
    height: int = 320,
    unit: str = "",
    decimals: int = 2,
    chart_id: str | None = None,
) -> str:
    """Points coloured by special cause, mean, dashed process limits, target, rebase markers,
    period labels, the variation and assurance icons, and `<title>`/`<desc>` for readers."""
    if width < 240 or height < 160:
        raise ValueError("An SPC chart needs at least 240 × 160")
    ident = make_id(chart_id, "spc-chart", title, width, height, unit, result.as_dict())
    summary = chart_summary(result, title=title, unit=unit, decimals=decimals)
    body = [text(title, 12, 22, size=14, font_weight="bold")]
    body.extend(_icons(result, width))
    if any(segment.trial for segment in result.segments):
        note = f"Trial limits: fewer than {result.settings.minimum_points} points"
        body.append(text(note, 12, 42, fill=SECONDARY_TEXT))
    if not result.points:
        body.append(text("No data to chart", width / 2, height / 2, text_anchor="middle"))
        return document(ident, width, height, title, summary, body)
    body.append(_Plot(result, width, height, unit, decimals).draw())
    return document(ident, width, height, title, summary, body)


def _icons(result: SpcResult, width: int) -> list[str]:
    icons = [icon for icon in (result.variation, result.assurance) if icon is not None]
    radius, gap = 15, 8
    parts = []
    for position, icon in enumerate(icons):
        cx = width - 12 - radius - (len(icons) - 1 - position) * (2 * radius + gap)
        parts.append(icon_group(icon, cx, 24, radius))
    return parts


class _Plot:
    """Scales and layout for the plotting area; `draw()` returns its SVG."""

    def __init__(self, result: SpcResult, width: int, height: int, unit: str, decimals: int):
        self.result, self.unit, self.decimals = result, unit, decimals
        self.width, self.height = width, height
        points = result.points
        lines = [p.mean for p in points] + [
            v for p in points for v in (p.upper_limit, p.lower_limit) if v is not None
        ]
        extra = [] if result.target is None else [result.target]
        values = [p.value for p in points] + lines + extra
        pad = (max(values) - min(values)) * 0.05  # keep points off the frame
        self.ticks = nice_ticks(min(values) - pad, max(values) + pad)
        tick_places = tick_decimals(self.ticks)
        self.tick_labels = [format_value(t, unit, tick_places) for t in self.ticks]
        self.labels = [period_label(p.period) for p in points]
        self.left = 12 + max(len(label) for label in self.tick_labels) * CHAR_WIDTH + 8
        self.right = width - 16
        self.top = 56
        self.legend = self._legend_items()
        legend_height = self._legend_rows() * LEGEND_ROW + 6
        self.rotate, self.label_step, label_space = self._x_label_layout()
        self.bottom = height - legend_height - label_space
        if self.bottom - self.top < 40:
            raise ValueError("The chart is too short for its labels: give it more height")

    # Scales --------------------------------------------------------------------------------
    def x(self, index: float) -> float:
        count = len(self.result.points)
        if count == 1:
            return (self.left + self.right) / 2
        pad = 10
        return self.left + pad + index * (self.right - self.left - 2 * pad) / (count - 1)

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.bottom - (value - low) / (high - low) * (self.bottom - self.top)

    # Layout --------------------------------------------------------------------------------
    def _x_label_layout(self) -> tuple[bool, int, float]:
        count = len(self.labels)
        longest = max(len(label) for label in self.labels) * CHAR_WIDTH
        slot = (self.right - self.left) / count
        if longest + 6 <= slot:
            return False, 1, 20
        step = max(1, math.ceil(count / max(1, (self.right - self.left) // 16)))
        return True, step, min(longest * 0.72 + 16, 80)

    def _legend_items(self) -> list[tuple[str, str, str]]:
        present = {p.special_cause for p in self.result.points}
        items = [("point", COLOURS[k], LEGEND_NAMES[k]) for k in LEGEND_KINDS if k in present]
        items.append(("mean", MEAN_COLOUR, "Mean"))
        if any(s.upper_limit is not None for s in self.result.segments):
            items.append(("limit", LIMIT_COLOUR, "Process limits"))
        if self.result.target is not None:
            items.append(("target", TARGET_COLOUR, "Target"))
        return items

    def _legend_positions(self):
        x, row = 12.0, 0
        for item in self.legend:
            item_width = 22 + len(item[2]) * CHAR_WIDTH + 14
            if x + item_width > self.width - 12 and x > 12:
                x, row = 12.0, row + 1
            yield item, x, row
            x += item_width

    def _legend_rows(self) -> int:
        return 1 + max(row for _, _, row in self._legend_positions())

    # Drawing -------------------------------------------------------------------------------
    def draw(self) -> str:
        parts = self._grid() + self._rebase_markers() + self._segment_lines()
        if self.result.target is not None:
            y = self.y(self.result.target)
            parts.append(_hline(self.left, self.right, y, TARGET_COLOUR, 1.5, None, "spc-target"))
        parts += self._series() + self._x_labels() + self._draw_legend()
        return element("g", "".join(parts), class_="spc-plot")

    def _grid(self) -> list[str]:
        parts = []
        for tick, label in zip(self.ticks, self.tick_labels, strict=True):
            y = self.y(tick)
            parts.append(_hline(self.left, self.right, y, GRID_COLOUR, 1, None, None))
            parts.append(text(label, self.left - 6, y + 4, text_anchor="end"))
        parts.append(
            element(
                "path", d=f"M{num(self.left)} {num(self.top)}V{num(self.bottom)}H{num(self.right)}",
                fill="none", stroke=AXIS_COLOUR, stroke_width=1.0,
            )
        )  # fmt: skip
        return parts

    def _rebase_markers(self) -> list[str]:
        parts = []
        for segment in self.result.segments[1:]:
            x = (self.x(segment.start - 1) + self.x(segment.start)) / 2
            parts.append(
                element(
                    "line", x1=x, y1=float(self.top), x2=x, y2=float(self.bottom),
                    stroke=SECONDARY_TEXT, stroke_width=1.0, stroke_dasharray="2 3",
                    class_="spc-rebase",
                )
            )  # fmt: skip
            parts.append(text("Rebased", x + 3, self.top + 10, size=10, fill=SECONDARY_TEXT))
        return parts

    def _segment_lines(self) -> list[str]:
        parts = []
        for segment in self.result.segments:
            start, end = self.x(segment.start), self.x(segment.end)
            if segment.start == segment.end:
                start, end = start - 8, end + 8
            parts.append(
                _hline(start, end, self.y(segment.mean), MEAN_COLOUR, 1.5, None, "spc-mean")
            )
            for limit in (segment.upper_limit, segment.lower_limit):
                if limit is not None:
                    y = self.y(limit)
                    parts.append(_hline(start, end, y, LIMIT_COLOUR, 1.25, LIMIT_DASH, "spc-limit"))
        return parts

    def _series(self) -> list[str]:
        points = self.result.points
        parts = []
        if len(points) > 1:
            coordinates = " ".join(f"{num(self.x(p.index))},{num(self.y(p.value))}" for p in points)
            parts.append(
                element(
                    "polyline", points=coordinates, fill="none", stroke=LINE_COLOUR,
                    stroke_width=1.5, stroke_linejoin="round",
                )
            )  # fmt: skip
        radius = 4.0 if len(points) <= 60 else 3.0
        for point, label in zip(points, self.labels, strict=True):
            value = format_value(point.value, self.unit, self.decimals)
            tooltip = f"{label}: {value} ({CLASSIFICATION_LABELS[point.special_cause]})"
            parts.append(
                element(
                    "circle", element("title", escape(tooltip)), cx=self.x(point.index),
                    cy=self.y(point.value), r=radius, fill=point.colour, stroke="#FFFFFF",
                    stroke_width=1.0, class_=f"spc-point spc-point--{point.special_cause}",
                )
            )  # fmt: skip
        return parts

    def _x_labels(self) -> list[str]:
        count = len(self.labels)
        parts = []
        for index, label in enumerate(self.labels):
            if (count - 1 - index) % self.label_step:
                continue
            x = self.x(index)
            if self.rotate:
                y = self.bottom + 12
                parts.append(
                    text(label, x, y, text_anchor="end", transform=f"rotate(-45 {num(x)} {num(y)})")
                )
            else:
                parts.append(text(label, x, self.bottom + 15, text_anchor="middle"))
        return parts

    def _draw_legend(self) -> list[str]:
        base = self.height - self._legend_rows() * LEGEND_ROW + 4
        parts = []
        for (kind, colour, name), x, row in self._legend_positions():
            y = base + row * LEGEND_ROW
            if kind == "point":
                swatch = element("circle", cx=x + 8, cy=y, r=4.0, fill=colour)
            else:
                dash = LIMIT_DASH if kind == "limit" else None
                swatch = _hline(x, x + 16, y, colour, 1.5, dash, None)
            parts.append(swatch + text(name, x + 22, y + 4))
        return [element("g", "".join(parts), class_="spc-legend")]


def _hline(x1, x2, y, colour, stroke_width, dash, css_class) -> str:
    return element(
        "line", x1=float(x1), y1=float(y), x2=float(x2), y2=float(y), stroke=colour,
        stroke_width=float(stroke_width), stroke_dasharray=dash, class_=css_class,
    )  # fmt: skip
