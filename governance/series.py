"""The SPC of a stored series: a standard's measurements for a CCG (or one of its providers),
in period order, charted with the threshold in force at the latest period as the target and
the standard's direction of improvement.

`series_spc()` reads the series (one query, plus the thresholds unless prefetched);
`spc_of()` charts measurements the caller already has (a page that prefetched many series).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from .models import Frequency, Measurement, PeriodType, Standard
from .spc import SpcResult, SpcSettings, calculate

PERIOD_TYPE_OF = {Frequency.MONTHLY: PeriodType.MONTH, Frequency.QUARTERLY: PeriodType.QUARTER}


def default_period_type(standard: Standard) -> str:
    """The period type of a standard's usual series: months for a monthly standard."""
    return PERIOD_TYPE_OF.get(standard.frequency, PeriodType.MONTH)


def target_on(standard: Standard, day: dt.date | None) -> Decimal | None:
    """The threshold value in force on `day` (None: no operational standard, or none known)."""
    if day is None:
        return None
    threshold = standard.threshold_on(day)
    return None if threshold is None else threshold.value


def series_measurements(
    standard: Standard,
    ccg,
    provider=None,
    *,
    period_type: str | None = None,
    up_to: dt.date | None = None,
    queryset=None,
) -> list[Measurement]:
    """The series in period order: the CCG's own figures when `provider` is None, else that
    provider's. `up_to` leaves out periods starting after it; `queryset` is where to read
    from (pass `Measurement.objects.for_user(user)` when answering a request)."""
    rows = (queryset if queryset is not None else Measurement.objects.all()).filter(
        standard=standard,
        ccg=ccg,
        period_type=period_type or default_period_type(standard),
    )
    if provider is None:
        rows = rows.filter(provider__isnull=True)
    else:
        rows = rows.filter(provider=provider)
    if up_to is not None:
        rows = rows.filter(period_start__lte=up_to)
    return list(rows.order_by("period_start"))


def spc_of(
    standard: Standard,
    measurements: Iterable[Measurement],
    *,
    settings: SpcSettings | None = None,
    rebase_at=(),
    baseline_points: int | None = None,
) -> SpcResult:
    """The SPC result of measurements (in period order) of `standard`: points are
    (period_start, value); the target is the threshold at the latest period."""
    points = [(m.period_start, m.value) for m in measurements]
    latest = points[-1][0] if points else None
    return calculate(
        points,
        standard.direction,
        target_on(standard, latest),
        rebase_at=rebase_at,
        baseline_points=baseline_points,
        settings=settings,
    )


def series_spc(
    standard: Standard,
    ccg,
    provider=None,
    *,
    period_type: str | None = None,
    up_to: dt.date | None = None,
    settings: SpcSettings | None = None,
    rebase_at=(),
    baseline_points: int | None = None,
    queryset=None,
) -> SpcResult:
    """The SPC of a stored series (see `series_measurements` for the arguments). Raises
    `SpcError` for settings or rebase points it cannot use."""
    rows = series_measurements(
        standard, ccg, provider, period_type=period_type, up_to=up_to, queryset=queryset
    )
    return spc_of(
        standard, rows, settings=settings, rebase_at=rebase_at, baseline_points=baseline_points
    )
