"""The QIPP cumulative chart: plan against actual month by month, and the forecast to the
year end, as a standalone SVG drawn with `commissioning.charts.svg` (the same picture in a
page and a PDF; no script, no web fonts).

`cumulative_rows(figures)` are the numbers the chart draws (pages show them as a data table
beside it) and `cumulative_summary(figures, ...)` says the same in words (the SVG's `<desc>`
and the text beside the chart). Every piece of text in the SVG is XML-escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
from commissioning.money import format_money

from .qipp_figures import MONTH_NAMES, ZERO, Figures

PLAN_COLOUR = "#005EB8"  # NHS blue
ACTUAL_COLOUR = "#007F3B"  # NHS green
FORECAST_COLOUR = "#8A1538"  # NHS dark pink, dashed
GRID_COLOUR = "#E8EDEE"
AXIS_COLOUR = "#AEB7BD"
CHAR_WIDTH = 6.2
FORECAST_DASH = "6 4"


@dataclass(frozen=True)
class CumulativeRow:
    """One month of the chart: cumulative plan, actual (to the last month reported) and
    forecast (from the last month reported to the year end)."""

    month: int
    label: str  # "M1 (April)"
    plan: Decimal
    actual: Decimal | None
    forecast: Decimal | None


def cumulative_rows(figures: Figures) -> list[CumulativeRow]:
    """Month by month: the plan added up; the actuals added up to `through`; after it, the
    actuals so far plus each later month's forecast (its plan when none is made), which ends
    at the forecast outturn. The forecast starts at the last month reported so the two lines
    join."""
    rows, plan, running = [], ZERO, ZERO
    for month in figures.months:
        plan += month.plan
        if month.month <= figures.through:
            running += month.actual or ZERO
            actual = running
            forecast = running if month.month == figures.through else None
        else:
            running += month.forecast if month.forecast is not None else month.plan
            actual, forecast = None, running
        label = f"M{month.month} ({MONTH_NAMES[month.month - 1]})"
        rows.append(CumulativeRow(month.month, label, plan, actual, forecast))
    return rows


def cumulative_summary(figures: Figures, *, title: str) -> str:
    """The chart in words: the plan for the year, where actuals stand against the plan to
    date, and the forecast outturn."""
    money = _exact
    parts = [f"{title}. Planned savings for the year: {money(figures.annual_plan)}."]
    if figures.through:
        ahead = "ahead of" if figures.variance > 0 else "behind"
        variance = money(abs(figures.variance))
        percent = (
            "" if figures.variance_percent is None else f" ({_percent(figures.variance_percent)})"
        )
        parts.append(
            f"To the end of {figures.through_label}: {money(figures.ytd_actual)} saved against "
            f"{money(figures.ytd_plan)} planned, "
            + (f"{variance} {ahead} plan{percent}." if figures.variance else "on plan.")
        )
    else:
        parts.append("No month has been reported yet.")
    parts.append(f"Forecast outturn: {money(figures.forecast_outturn)}.")
    return " ".join(parts)


def cumulative_chart_svg(figures: Figures, *, title: str = "Cumulative QIPP savings",
                         width: int = 640, height: int = 300,
                         chart_id: str | None = None) -> str:  # fmt: skip
    """Cumulative plan (solid blue), actual (solid green with points) and forecast (dashed)
    for M1 to M12, with money ticks, month labels and a legend."""
    if width < 320 or height < 200:
        raise ValueError("A QIPP chart needs at least 320 × 200")
    rows = cumulative_rows(figures)
    ident = make_id(chart_id, "qipp-chart", title, width, height,
                    [(r.plan, r.actual, r.forecast) for r in rows])  # fmt: skip
    summary = cumulative_summary(figures, title=title)
    body = [text(title, 12, 22, size=14, font_weight="bold")]
    body.append(_Plot(rows, width, height).draw())
    return document(ident, width, height, title, summary, body)


def tick_labels(ticks: list[float]) -> list[str]:
    """Money ticks in one unit, with the places they need: £0, £2.5k, £5k ... or £1.5m."""
    largest = max(abs(t) for t in ticks)
    scale, suffix = (1e6, "m") if largest >= 1e6 else ((1e3, "k") if largest >= 1e3 else (1, ""))
    scaled = [t / scale for t in ticks]
    places = tick_decimals(scaled)
    labels = []
    for value in scaled:
        sign = "\u2212" if value < 0 else ""
        number = f"{abs(value):,.{places}f}"
        labels.append("£0" if value == 0 else f"{sign}£{number}{suffix}")
    return labels


class _Plot:
    def __init__(self, rows: list[CumulativeRow], width: int, height: int):
        self.rows = rows
        values = [float(v) for r in rows for v in (r.plan, r.actual, r.forecast) if v is not None]
        low, high = min([0.0, *values]), max([0.0, *values])
        self.ticks = nice_ticks(low, high)
        self.tick_labels = tick_labels(self.ticks)
        self.left = 12 + max(len(label) for label in self.tick_labels) * CHAR_WIDTH + 8
        self.right = width - 16
        self.top = 40
        self.bottom = height - 56
        self.width, self.height = width, height

    def x(self, month: int) -> float:
        pad = 12
        return self.left + pad + (month - 1) * (self.right - self.left - 2 * pad) / 11

    def y(self, value) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.bottom - (float(value) - low) / (high - low) * (self.bottom - self.top)

    def draw(self) -> str:
        parts = self._grid() + self._x_labels()
        parts.append(self._line("plan", PLAN_COLOUR, None))
        parts.append(self._line("forecast", FORECAST_COLOUR, FORECAST_DASH))
        parts.append(self._line("actual", ACTUAL_COLOUR, None))
        parts += self._points()
        parts += self._legend()
        return element("g", "".join(parts), class_="qipp-plot")

    def _grid(self) -> list[str]:
        parts = []
        for tick, label in zip(self.ticks, self.tick_labels, strict=True):
            y = self.y(tick)
            parts.append(element("line", x1=float(self.left), y1=y, x2=float(self.right), y2=y,
                                 stroke=GRID_COLOUR, stroke_width=1.0))  # fmt: skip
            parts.append(text(label, self.left - 6, y + 4, text_anchor="end"))
        path = f"M{num(self.left)} {num(self.top)}V{num(self.bottom)}H{num(self.right)}"
        parts.append(element("path", d=path, fill="none", stroke=AXIS_COLOUR, stroke_width=1.0))
        return parts

    def _x_labels(self) -> list[str]:
        return [
            text(MONTH_NAMES[r.month - 1][:3], self.x(r.month), self.bottom + 16,
                 text_anchor="middle")
            for r in self.rows
        ]  # fmt: skip

    def _line(self, attr: str, colour: str, dash: str | None) -> str:
        points = [(r.month, getattr(r, attr)) for r in self.rows if getattr(r, attr) is not None]
        if len(points) < 2:
            return ""
        coordinates = " ".join(f"{num(self.x(m))},{num(self.y(v))}" for m, v in points)
        return element(
            "polyline", points=coordinates, fill="none", stroke=colour, stroke_width=2.0,
            stroke_dasharray=dash, stroke_linejoin="round", class_=f"qipp-{attr}",
        )  # fmt: skip

    def _points(self) -> list[str]:
        parts = []
        for row in self.rows:
            if row.actual is None:
                continue
            tooltip = f"{row.label}: {_exact(row.actual)} saved against {_exact(row.plan)} planned"
            parts.append(element(
                "circle", element("title", escape(tooltip)), cx=self.x(row.month),
                cy=self.y(row.actual), r=3.5, fill=ACTUAL_COLOUR, stroke="#FFFFFF",
                stroke_width=1.0, class_="qipp-actual-point",
            ))  # fmt: skip
        return parts

    def _legend(self) -> list[str]:
        y = self.height - 14
        x = 12.0
        parts = []
        for name, colour, dash in (("Plan", PLAN_COLOUR, None),
                                   ("Actual", ACTUAL_COLOUR, None),
                                   ("Forecast", FORECAST_COLOUR, FORECAST_DASH)):  # fmt: skip
            parts.append(element("line", x1=x, y1=float(y), x2=x + 18, y2=float(y), stroke=colour,
                                 stroke_width=2.0, stroke_dasharray=dash))  # fmt: skip
            parts.append(text(name, x + 24, y + 4, fill=SECONDARY_TEXT))
            x += 24 + len(name) * CHAR_WIDTH + 20
        return [element("g", "".join(parts), class_="qipp-legend")]


def _exact(value: Decimal) -> str:
    return format_money(value, "exact")


def _percent(value: Decimal) -> str:
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "")
    return f"{sign}{abs(value).normalize():f}%"
