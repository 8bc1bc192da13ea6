"""One cell at a time: periods, period types and numbers, and a measurement's value worked
out from (or checked against) its numerator and denominator. Pure: no database.

Each parser returns the parsed value or raises `CellError` with a message written for the
person who will correct the file.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..models import Measurement, PeriodType, Unit

PLACES = Measurement._meta.get_field("value").decimal_places
QUANTUM = Decimal(1).scaleb(-PLACES)  # 0.001
LIMIT = Decimal(10) ** (Measurement._meta.get_field("value").max_digits - PLACES)
HUNDRED = Decimal(100)
QUARTER_MONTHS = (1, 4, 7, 10)

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_QUARTER_RE = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2})\s*Q([1-4])$", re.IGNORECASE)
_NAMED_RE = re.compile(r"^([A-Za-z]{3,9})[\s-]+(\d{2}|\d{4})$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
PERIOD_HELP = "write a month as 2016-04, or a quarter as 2016/17 Q1"
PERIOD_TYPES = {
    "month": PeriodType.MONTH,
    "monthly": PeriodType.MONTH,
    "m": PeriodType.MONTH,
    "quarter": PeriodType.QUARTER,
    "quarterly": PeriodType.QUARTER,
    "q": PeriodType.QUARTER,
}


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def shown(raw) -> str:
    """A cell as the person sees it in their file."""
    if raw is None:
        return ""
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


# --- Periods ---------------------------------------------------------------------------------


def parse_period(raw) -> tuple[dt.date, str | None]:
    """The first day of the period, and the period type the notation implies (a financial
    year quarter like `2016/17 Q1` is a quarter; anything else says nothing)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise CellError(f"the period is blank: {PERIOD_HELP}")
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return _first_of_month(raw, raw.isoformat()), None
    if not isinstance(raw, str):
        raise CellError(f"'{shown(raw)}' is not a period: {PERIOD_HELP}")
    value = raw.strip()
    if match := _MONTH_RE.match(value):
        return _month(int(match[1]), int(match[2]), value), None
    if match := _DATE_RE.match(value):
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise CellError(f"'{value}' is not a real date: {PERIOD_HELP}") from None
        return _first_of_month(day, value), None
    if match := _QUARTER_RE.match(value):
        start, end, quarter = int(match[1]), int(match[2]), int(match[3])
        if end != (start + 1) % 100:
            raise CellError(
                f"'{value}' is not a financial year: {start}/{(start + 1) % 100:02d} follows "
                f"{start}; {PERIOD_HELP}"
            )
        month = 4 + 3 * (quarter - 1)
        year = start + (month - 1) // 12
        return dt.date(year, (month - 1) % 12 + 1, 1), PeriodType.QUARTER
    if (match := _NAMED_RE.match(value)) and match[1].lower() in _MONTHS:
        year = int(match[2]) + (2000 if len(match[2]) == 2 else 0)
        return _month(year, _MONTHS[match[1].lower()], value), None
    raise CellError(f"'{value}' is not a period: {PERIOD_HELP}")


def _month(year: int, month: int, shown_as: str) -> dt.date:
    if not 1 <= month <= 12:
        raise CellError(f"'{shown_as}' has no month {month}: {PERIOD_HELP}")
    if year < 1900:
        raise CellError(f"'{shown_as}' is not a year of NHS data: {PERIOD_HELP}")
    return dt.date(year, month, 1)


def _first_of_month(day: dt.date, shown_as: str) -> dt.date:
    if day.day != 1:
        raise CellError(
            f"'{shown_as}' is not the first day of a month: a period is a whole month or "
            f"quarter; {PERIOD_HELP}"
        )
    return _month(day.year, day.month, shown_as)


def parse_period_type(raw) -> str | None:
    """`month` or `quarter` (or monthly, quarterly); None when blank."""
    value = shown(raw).lower()
    if not value:
        return None
    if value not in PERIOD_TYPES:
        raise CellError(f"'{shown(raw)}' is not a period type: write month or quarter")
    return PERIOD_TYPES[value]


def check_period(start: dt.date, period_type: str, today: dt.date) -> None:
    """A quarter starts in January, April, July or October; no period is in the future."""
    if period_type == PeriodType.QUARTER and start.month not in QUARTER_MONTHS:
        raise CellError(
            f"a quarter starts in April, July, October or January, not in {start:%B %Y}"
        )
    if start > today.replace(day=1):
        raise CellError(f"{start:%Y-%m} is in the future")


def last_month(start: dt.date, period_type: str) -> dt.date:
    """The first day of the last month a period covers (a quarter covers three)."""
    if period_type != PeriodType.QUARTER:
        return start
    month = start.month + 2
    return dt.date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period_label(start: dt.date) -> str:
    return f"{start:%Y-%m}"


# --- Numbers ---------------------------------------------------------------------------------


def parse_number(raw, what: str) -> Decimal | None:
    """A number from a cell (None when blank). Accepts 1,234.5 and 95.2%."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise CellError(f"the {what} '{raw}' is not a number")
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int | float):
        number = Decimal(str(raw))
    else:
        value = str(raw).strip().replace(",", "").removesuffix("%").strip()
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise CellError(
                f"the {what} '{str(raw).strip()}' is not a number (leave out rows with no figure)"
            ) from None
    if not number.is_finite():
        raise CellError(f"the {what} '{shown(raw)}' is not a number")
    if abs(number) >= LIMIT:
        raise CellError(f"the {what} {shown(raw)} is too large (at most {LIMIT - 1:,})")
    return number


def quantize(number: Decimal | None) -> Decimal | None:
    return None if number is None else number.quantize(QUANTUM, rounding=ROUND_HALF_UP)


def tolerance(number: Decimal) -> Decimal:
    """How far a figure may be from the exact one and still be it rounded: half a unit in
    its last written place, and never less than the places stored."""
    exponent = number.as_tuple().exponent
    half_unit = Decimal(5).scaleb(exponent - 1) if isinstance(exponent, int) else QUANTUM
    return max(half_unit, QUANTUM / 2)


def _figure(number: Decimal) -> str:
    return f"{number.normalize():,f}"


def resolve_value(
    unit: str, numerator: Decimal | None, denominator: Decimal | None, value: Decimal | None
) -> tuple[Decimal | None, list[tuple[str, str]]]:
    """The value to store (3 places), and the problems as (column, message).

    For a percentage a blank value is numerator / denominator × 100, and a value given with
    both must agree with it to the places it is written to. For counts and rates the value
    must be given: their scale cannot be worked out.
    """
    problems: list[tuple[str, str]] = []
    for column, number in (("numerator", numerator), ("denominator", denominator)):
        if number is not None and number < 0:
            problems.append((column, f"the {column} {_figure(number)} is negative"))
    if problems:
        return None, problems

    worked_out = None
    if unit == Unit.PERCENT and numerator is not None and denominator is not None:
        if denominator == 0:
            if value is None:
                problems.append(
                    ("denominator", "the denominator is 0, so no percentage can be worked out")
                )
                return None, problems
        else:
            worked_out = numerator / denominator * HUNDRED

    if value is None:
        if worked_out is None:
            if unit == Unit.PERCENT:
                message = (
                    "the value is blank, and there is no numerator and denominator to work the "
                    "percentage out from"
                )
            else:
                message = (
                    f"the value is blank: give it for a {Unit(unit).label.lower()} (only a "
                    "percentage is worked out from the numerator and denominator)"
                )
            problems.append(("value", message))
            return None, problems
        value = worked_out
    elif worked_out is not None and abs(value - worked_out) > tolerance(value):
        problems.append(
            (
                "value",
                f"the value {_figure(value)} does not agree with the numerator and "
                f"denominator: {_figure(numerator)} / {_figure(denominator)} is "
                f"{worked_out.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%",
            )
        )
        return None, problems

    if unit == Unit.PERCENT and value is worked_out and value > HUNDRED:
        problems.append(
            (
                "numerator",
                f"the numerator {_figure(numerator)} is more than the denominator "
                f"{_figure(denominator)}: a percentage cannot be over 100",
            )
        )
    elif unit == Unit.PERCENT and not 0 <= value <= HUNDRED:
        problems.append(
            ("value", f"the value {_figure(quantize(value))} is not a percentage (0 to 100)")
        )
    elif unit == Unit.COUNT and value < 0:
        problems.append(("value", f"the value {_figure(value)} is negative; a count cannot be"))
    return (None if problems else quantize(value)), problems
