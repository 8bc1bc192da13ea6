"""QIPP arithmetic, pure and in Decimal: year to date plan against actual, variance and
variance %, forecast outturn and RAG, for a scheme or any roll-up of schemes.

- Months run M1 (April) to M12 (March). "Through" is the last month reported: the latest
  month with an actual, unless the caller names one.
- Year to date plan and actual sum M1..through; a month with no actual counts as 0 saved.
- Variance = actual − plan (savings: positive is ahead of plan); variance % = variance /
  plan × 100, none when the plan to date is zero.
- Forecast outturn sums, for each month, the actual when the month is reported, else the
  forecast when one is made, else the plan.
- RAG from the variance %: at or above `green_from` green, at or above `amber_from` amber,
  below it red (thresholds are data; the default is 0% and −10%).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MONTHS = 12
ZERO = Decimal("0.00")
MONTH_NAMES = ("April", "May", "June", "July", "August", "September", "October", "November",
               "December", "January", "February", "March")  # fmt: skip


def month_label(month: int) -> str:
    """`M1 (April)`."""
    return f"M{month} ({MONTH_NAMES[month - 1]})"


@dataclass(frozen=True)
class Thresholds:
    green_from: Decimal = Decimal("0")
    amber_from: Decimal = Decimal("-10")

    def __post_init__(self):
        if self.green_from < self.amber_from:
            raise ValueError("green must start at or above amber")


DEFAULT_THRESHOLDS = Thresholds()


class Rag:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    LABELS = {GREEN: "Green: on or ahead of plan", AMBER: "Amber: behind plan",
              RED: "Red: well behind plan"}  # fmt: skip


def rag(variance_percent: Decimal | None, thresholds: Thresholds = DEFAULT_THRESHOLDS):
    """green, amber or red; None when there is no variance % (no plan to date)."""
    if variance_percent is None:
        return None
    if variance_percent >= thresholds.green_from:
        return Rag.GREEN
    if variance_percent >= thresholds.amber_from:
        return Rag.AMBER
    return Rag.RED


@dataclass(frozen=True)
class Month:
    month: int
    plan: Decimal = ZERO
    actual: Decimal | None = None
    forecast: Decimal | None = None


@dataclass(frozen=True)
class Figures:
    """A scheme's (or a roll-up's) year: its twelve months and what follows from them."""

    months: tuple[Month, ...]
    through: int  # 0 when no month is reported yet
    ytd_plan: Decimal
    ytd_actual: Decimal
    variance: Decimal
    variance_percent: Decimal | None
    forecast_outturn: Decimal
    annual_plan: Decimal
    rag: str | None

    @property
    def through_label(self) -> str:
        return month_label(self.through) if self.through else "No month reported"

    def cumulative(self) -> list[tuple[int, Decimal, Decimal | None]]:
        """(month, cumulative plan, cumulative actual or None after `through`)."""
        rows, plan, actual = [], ZERO, ZERO
        for m in self.months:
            plan += m.plan
            if m.month <= self.through:
                actual += m.actual or ZERO
            rows.append((m.month, plan, actual if m.month <= self.through else None))
        return rows


def twelve(months: Iterable[Month]) -> tuple[Month, ...]:
    """Months 1..12, filling those not given with a zero plan; adding duplicates together."""
    by_month: dict[int, Month] = {}
    for m in months:
        if not 1 <= m.month <= MONTHS:
            raise ValueError(f"month {m.month} is not M1 to M12")
        if m.month in by_month:
            m = combine([by_month[m.month], m])
        by_month[m.month] = m
    return tuple(by_month.get(n, Month(n)) for n in range(1, MONTHS + 1))


def combine(months: list[Month]) -> Month:
    """Months of several schemes added together: an actual (or forecast) is known when any
    scheme has one; the others count their actual as 0 and their forecast as their plan."""

    def total(attr, fallback):
        values = [getattr(m, attr) for m in months]
        if all(v is None for v in values):
            return None
        pairs = zip(values, months, strict=True)
        return sum((v if v is not None else fallback(m) for v, m in pairs), ZERO)

    return Month(
        month=months[0].month,
        plan=sum((m.plan for m in months), ZERO),
        actual=total("actual", lambda m: ZERO),
        forecast=total("forecast", lambda m: m.plan if m.actual is None else m.actual),
    )


def last_reported(months: Iterable[Month]) -> int:
    return max((m.month for m in months if m.actual is not None), default=0)


def figures(months: Iterable[Month], *, through: int | None = None,
            thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Figures:  # fmt: skip
    year = twelve(months)
    through = last_reported(year) if through is None else through
    if not 0 <= through <= MONTHS:
        raise ValueError(f"through month {through} is not 0 to 12")
    done = [m for m in year if m.month <= through]
    ytd_plan = sum((m.plan for m in done), ZERO)
    ytd_actual = sum((m.actual or ZERO for m in done), ZERO)
    variance = ytd_actual - ytd_plan
    variance_percent = (
        None if not ytd_plan
        else (variance * 100 / ytd_plan).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    )  # fmt: skip
    outturn = ZERO
    for m in year:
        if m.month <= through:
            outturn += m.actual or ZERO
        elif m.forecast is not None:
            outturn += m.forecast
        else:
            outturn += m.plan
    return Figures(
        months=year, through=through, ytd_plan=ytd_plan, ytd_actual=ytd_actual,
        variance=variance, variance_percent=variance_percent, forecast_outturn=outturn,
        annual_plan=sum((m.plan for m in year), ZERO), rag=rag(variance_percent, thresholds),
    )  # fmt: skip


def roll_up(schemes: Iterable[Iterable[Month]], *, through: int | None = None,
            thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Figures:  # fmt: skip
    """The figures of several schemes together (a programme, or the CCG). `through` defaults
    to the latest month any of them has reported."""
    years = [twelve(s) for s in schemes]
    if through is None:
        through = max((last_reported(y) for y in years), default=0)
    # Within the reported months, a scheme without an actual counts as 0 saved.
    merged = []
    for n in range(MONTHS):
        parts = [y[n] for y in years]
        if not parts:
            merged.append(Month(n + 1))
            continue
        if n + 1 <= through:
            parts = [Month(p.month, p.plan, p.actual if p.actual is not None else ZERO,
                           p.forecast) for p in parts]  # fmt: skip
        merged.append(combine(parts))
    return figures(merged, through=through, thresholds=thresholds)
