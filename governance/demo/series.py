"""Illustrative monthly (and quarterly) series for the four demo CCGs: pure, no database.

Plausible levels and noise for each standard of the catalogue, April 2012 to March 2016,
made the same on every run (each series draws from its own seeded random generator), and
bent where the seeds say something: NHS England's letter after Rotherham's Q1 2013/14
assurance checkpoint (seed 001) says the A&E 4-hour standard was not met in Q1 ("below the
95% target", back to 95% year to date by the end of October), one general surgery patient
waited over 52 weeks at Doncaster and Bassetlaw Hospitals at the end of June and of July
2013, and the Friends and Family Test response rate missed 15% in Q1 "but there has been an
improvement in the response rate each month". Nothing else here is a published figure.

Percentages come as numerator / denominator (value = 100 × numerator / denominator), counts
as values alone. Where a CCG's figures are broken down by provider, the CCG's row is the sum
of its providers' numerators over the sum of their denominators.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import zlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FIRST_MONTH = dt.date(2012, 4, 1)
LAST_MONTH = dt.date(2016, 3, 1)
SOURCE = "Illustrative demo data"
THOUSANDTH = Decimal("0.001")

# Populations used only to size denominators (in hundreds of thousands). Rotherham and
# Coventry and Rugby state none in the seeds: round figures of the right order.
SCALE = {"03L": 2.6, "04R": 5.25, "05A": 4.3, "05L": 1.71}
# How each CCG's figures sit against the typical level (percentage points, plus or minus).
OFFSET = {"03L": -0.4, "04R": 0.3, "05A": -0.2, "05L": 0.5}


@dataclass(frozen=True)
class Spec:
    """How a standard's illustrative series behaves.

    `level` is the typical value (a percentage, or a count per month for counts), `noise`
    its month-to-month spread, `volume` the denominator per 100,000 people a month (per
    quarter for quarterly standards), `trend` the change a year, `winter` the dip in
    December to March (percentage points), `first` and `last` the months the series runs.
    """

    level: float
    noise: float
    volume: float = 0.0
    trend: float = 0.0
    winter: float = 0.0
    first: dt.date = FIRST_MONTH
    last: dt.date = LAST_MONTH


SPECS: dict[str, Spec] = {
    "rtt-admitted-18-weeks": Spec(91.8, 1.0, 330, trend=-0.3, last=dt.date(2015, 9, 1)),
    "rtt-non-admitted-18-weeks": Spec(96.6, 0.6, 900, trend=-0.2, last=dt.date(2015, 9, 1)),
    "rtt-incomplete-18-weeks": Spec(94.4, 0.5, 7000, trend=-0.4),
    "rtt-52-week-waits": Spec(0.15, 0.0),
    "diagnostics-6-weeks": Spec(99.3, 0.35, 1100, trend=-0.1, winter=0.3),
    "ae-4-hours": Spec(95.6, 0.7, 2400, trend=-0.5, winter=1.8),
    "cancer-2ww-urgent": Spec(95.2, 1.1, 230),
    "cancer-2ww-breast": Spec(94.6, 2.0, 30),
    "cancer-31-day-first": Spec(98.1, 1.0, 40),
    "cancer-31-day-surgery": Spec(96.4, 2.5, 8),
    "cancer-31-day-drug": Spec(99.4, 0.8, 15),
    "cancer-31-day-radiotherapy": Spec(97.6, 1.8, 10),
    "cancer-62-day-urgent": Spec(86.5, 3.5, 17),
    "cancer-62-day-screening": Spec(93.0, 5.0, 3),
    "cancer-62-day-upgrade": Spec(90.0, 6.0, 2),
    "ambulance-cat-a-8-min-red1": Spec(
        77.5, 2.2, 12, trend=-1.5, winter=2.5, first=dt.date(2012, 6, 1)
    ),  # fmt: skip
    "ambulance-cat-a-8-min-red2": Spec(
        76.2, 1.8, 300, trend=-1.8, winter=3.0, first=dt.date(2012, 6, 1)
    ),  # fmt: skip
    "ambulance-cat-a-19-min": Spec(96.8, 0.7, 310, trend=-0.4, winter=0.8),
    "mixed-sex-accommodation-breaches": Spec(0.4, 0.0),
    "cancelled-operations-28-days": Spec(0.8, 0.0),
    "cpa-7-day-follow-up": Spec(97.2, 1.5, 60),
    "fft-response-rate": Spec(17.0, 1.4, 1800, trend=2.0, first=dt.date(2013, 4, 1)),
    "iapt-recovery": Spec(44.0, 2.5, 60, trend=2.0),
    "eip-2-weeks": Spec(62.0, 8.0, 2, first=dt.date(2015, 4, 1)),
    "dementia-diagnosis-rate": Spec(48.0, 0.8, 650, trend=5.0),
}

# Seed 001: Rotherham (03L) in 2013/14. A&E: below 95% in each month of Q1 (April's demand
# was high), then back above it so that the year to date reaches 95% by the end of October.
# Values per provider: The Rotherham NHS Foundation Trust (RFR) and Sheffield Teaching
# Hospitals (RHQ), where some Rotherham patients attend.
AE_SHARES = {"RFR": 0.85, "RHQ": 0.15}
AE_FIXED = {
    "RFR": {(2013, 4): 93.1, (2013, 5): 94.0, (2013, 6): 94.4, (2013, 7): 95.9,
            (2013, 8): 96.6, (2013, 9): 96.2, (2013, 10): 95.8},
    "RHQ": {(2013, 4): 94.2, (2013, 5): 94.6, (2013, 6): 94.8, (2013, 7): 95.6,
            (2013, 8): 96.1, (2013, 9): 95.7, (2013, 10): 95.5},
}  # fmt: skip
# 52-week waits by provider: one general surgery patient at Doncaster and Bassetlaw (RP5)
# at the end of June and of July 2013; assurance from every other provider that there were
# none (so none anywhere else, in any month).
WAITS_PROVIDERS = ("RFR", "RHQ", "RP5")
WAITS_FIXED = {("RP5", 2013, 6): 1, ("RP5", 2013, 7): 1}
# Friends and Family Test response rate: under 15% in Q1 2013/14 and rising each month.
FFT_FIXED = {(2013, 4): 8.6, (2013, 5): 11.2, (2013, 6): 13.4, (2013, 7): 15.3}


@dataclass(frozen=True)
class Row:
    """One illustrative measurement: `provider` is an ODS code or None (the CCG's own)."""

    standard: str
    ccg: str
    provider: str | None
    period_type: str
    period_start: dt.date
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None


@dataclass
class Series:
    standard: str
    ccg: str
    rows: list[Row] = field(default_factory=list)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def periods(spec: Spec, quarterly: bool) -> list[dt.date]:
    """The months (or quarters' first months) a series covers."""
    step = 3 if quarterly else 1
    first = spec.first
    if quarterly:
        while first.month not in (1, 4, 7, 10):
            first = add_months(first, 1)
    out, month = [], first
    while month <= spec.last and add_months(month, step - 1) <= LAST_MONTH:
        out.append(month)
        month = add_months(month, step)
    return out


def generator(ccg: str, standard: str, provider: str | None = None) -> random.Random:
    """Its own generator for each series, seeded from its names: a series never changes
    because another one was added."""
    key = f"{ccg}:{standard}:{provider or ''}".encode()
    return random.Random(zlib.crc32(key))  # noqa: S311 - illustrative figures, not secrets


def is_winter(month: dt.date) -> bool:
    return month.month in (12, 1, 2, 3)


def percent_value(spec: Spec, ccg: str, month: dt.date, rng: random.Random) -> float:
    years = (month.year - spec.first.year) + (month.month - spec.first.month) / 12
    value = spec.level + OFFSET.get(ccg, 0.0) + spec.trend * years + rng.gauss(0, spec.noise)
    if is_winter(month):
        value -= spec.winter * (0.7 + 0.6 * rng.random())
    return min(100.0, max(0.0, value))


def as_fraction(percent: float, denominator: int) -> tuple[Decimal, Decimal, Decimal]:
    numerator = min(denominator, max(0, round(percent / 100 * denominator)))
    return (
        Decimal(numerator),
        Decimal(denominator),
        quantize(Decimal(numerator) * 100 / Decimal(denominator)),
    )


def quantize(value: Decimal) -> Decimal:
    return value.quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def denominator_for(spec: Spec, ccg: str, rng: random.Random, share: float = 1.0) -> int:
    expected = spec.volume * SCALE.get(ccg, 2.5) * share
    return max(1, round(expected * (0.9 + 0.2 * rng.random())))


def poisson(rate: float, rng: random.Random) -> int:
    """A small count (Knuth's method: fine for the low rates used here)."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def spec_for(code: str, unit: str, direction: str, target: float | None) -> Spec:
    """The spec of a catalogue standard; a generic one for a standard added to the file
    later (two points to the good side of its target, or 50%; a low count)."""
    if code in SPECS:
        return SPECS[code]
    if unit != "percent":
        return Spec(0.5, 0.0)
    good = 2.0 if direction == "higher" else -2.0
    level = 50.0 if target is None else min(99.0, max(1.0, target + good))
    return Spec(level, 1.5, 100)


def percent_series(code, ccg, spec, months, period_type, provider=None, share=1.0, fixed=None):
    rng = generator(ccg, code, provider)
    rows = []
    for month in months:
        value = percent_value(spec, ccg, month, rng)
        denominator = denominator_for(spec, ccg, rng, share)
        if fixed and (month.year, month.month) in fixed:
            value = fixed[(month.year, month.month)]
        numerator, denominator, exact = as_fraction(value, denominator)
        rows.append(Row(code, ccg, provider, period_type, month, exact, numerator, denominator))
    return rows


def count_series(code, ccg, spec, months, period_type, provider=None, fixed=None):
    rng = generator(ccg, code, provider)
    rows = []
    for month in months:
        count = poisson(spec.level * SCALE.get(ccg, 2.5) / 2.5, rng)
        if fixed is not None:
            count = fixed.get((provider, month.year, month.month), 0)
        rows.append(Row(code, ccg, provider, period_type, month, Decimal(count)))
    return rows


def aggregate(code, ccg, period_type, provider_rows: list[list[Row]], percent: bool):
    """The CCG's rows from its providers': summed counts, or pooled numerators and
    denominators."""
    rows = []
    for parts in zip(*provider_rows, strict=True):
        month = parts[0].period_start
        if percent:
            numerator = sum(part.numerator for part in parts)
            denominator = sum(part.denominator for part in parts)
            value = quantize(numerator * 100 / denominator)
            rows.append(Row(code, ccg, None, period_type, month, value, numerator, denominator))
        else:
            rows.append(Row(code, ccg, None, period_type, month, sum(p.value for p in parts)))
    return rows


def series_for(ccg: str, code: str, *, unit: str, direction: str, quarterly: bool,
               target: float | None = None) -> list[Row]:  # fmt: skip
    """Every illustrative row of one standard for one CCG (with its providers' rows where
    the seeds give a breakdown)."""
    spec = spec_for(code, unit, direction, target)
    months = periods(spec, quarterly)
    period_type = "quarter" if quarterly else "month"
    percent = unit == "percent"
    if ccg == "03L" and code == "ae-4-hours":
        parts = [
            percent_series(
                code, ccg, spec, months, period_type, provider, share, AE_FIXED[provider]
            )  # fmt: skip
            for provider, share in AE_SHARES.items()
        ]
        return [row for part in parts for row in part] + aggregate(
            code, ccg, period_type, parts, percent=True
        )
    if ccg == "03L" and code == "rtt-52-week-waits":
        parts = [
            count_series(code, ccg, spec, months, period_type, provider, WAITS_FIXED)
            for provider in WAITS_PROVIDERS
        ]
        return [row for part in parts for row in part] + aggregate(
            code, ccg, period_type, parts, percent=False
        )
    fixed = FFT_FIXED if (ccg == "03L" and code == "fft-response-rate") else None
    if percent:
        return percent_series(code, ccg, spec, months, period_type, fixed=fixed)
    return count_series(code, ccg, spec, months, period_type)


def providers_named() -> set[str]:
    """The providers the series break down by (the demo loads them with its organisations)."""
    return {*AE_SHARES, *WAITS_PROVIDERS}
