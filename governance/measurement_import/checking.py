"""Checking every row of a measurements file against what the database knows, before
anything is written. The lookups (standards, CCGs, providers) are read once for the file."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from commissioning.access import Role, ccg_scope
from commissioning.models import CCG, Provider

from ..models import Frequency, Measurement, PeriodType, Standard
from .cells import (
    LIMIT,
    CellError,
    check_period,
    parse_number,
    parse_period,
    parse_period_type,
    period_label,
    quantize,
    resolve_value,
    shown,
)
from .reading import Sheet

SOURCE_MAX = Measurement._meta.get_field("source").max_length
DEFAULT_TYPE = {Frequency.MONTHLY: PeriodType.MONTH, Frequency.QUARTERLY: PeriodType.QUARTER}


@dataclass
class RowError:
    row: int | None
    column: str | None
    message: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value,
                "message": self.message}  # fmt: skip


def format_error(error: dict[str, Any]) -> str:
    """One stored error as a sentence: "Row 7, column period: '2016-13' has no month 13"."""
    where = []
    if error.get("row"):
        where.append(f"Row {error['row']}")
    if error.get("column"):
        where.append(f"column {error['column']}")
    prefix = ", ".join(where)
    return f"{prefix}: {error['message']}" if prefix else error["message"]


@dataclass(frozen=True, slots=True)
class StandardInfo:
    id: int
    code: str
    unit: str
    frequency: str
    ccg_id: int | None


@dataclass(slots=True)
class MeasurementRow:
    """One checked row, in the shape of a Measurement."""

    row: int
    standard_id: int
    ccg_id: int
    provider_id: int | None
    period_start: dt.date
    period_type: str
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal
    source: str

    @property
    def key(self) -> tuple:
        return (self.standard_id, self.ccg_id, self.provider_id, self.period_type,
                self.period_start)  # fmt: skip


def importable_ccgs(user) -> set[int] | None:
    """The CCG ids `user` may import measurements for; None means every CCG (the system,
    staff and assurers). Planning managers import for their own CCGs."""
    if user is None:
        return None
    scope = ccg_scope(user)
    if scope.everything:
        return None
    return scope.ccg_ids({Role.PLANNING_MANAGER})


def import_refusal(user, ccg: CCG | None = None) -> str | None:
    """Why `user` may not import measurements (for `ccg`), or None."""
    allowed = importable_ccgs(user)
    if allowed is None:
        return None
    if not allowed:
        return (
            "Only planning managers (for their own CCG), NHS England assurers and staff can "
            "import measurements."
        )
    if ccg is not None and ccg.pk not in allowed:
        return f"Only planning managers of {ccg.display_name} can import its measurements."
    return None


@dataclass
class Lookups:
    standards: dict[str, StandardInfo]
    ccgs: dict[str, int]
    providers: dict[str, int]
    allowed: set[int] | None
    allowed_codes: list[str]
    import_ccg: CCG | None
    today: dt.date

    @classmethod
    def load(cls, sheet: Sheet, *, user, ccg: CCG | None, today: dt.date) -> Lookups:
        """Everything the rows are checked against, in a fixed number of queries."""
        standards = {
            code: StandardInfo(pk, code, unit, frequency, ccg_id)
            for pk, code, unit, frequency, ccg_id in Standard.objects.values_list(
                "pk", "code", "unit", "frequency", "ccg_id"
            )
        }
        ccg_codes = {str(c).strip().upper() for c in _column(sheet, "ccg") if c is not None}
        ccgs = dict(CCG.objects.filter(ods_code__in=ccg_codes).values_list("ods_code", "pk"))
        provider_codes = {str(c).strip().upper() for c in _column(sheet, "provider") if shown(c)}
        providers = {}
        if provider_codes:
            providers = dict(
                Provider.objects.filter(ods_code__in=provider_codes).values_list("ods_code", "pk")
            )
        allowed = importable_ccgs(user)
        allowed_codes = []
        if allowed is not None:
            allowed_codes = sorted(
                CCG.objects.filter(pk__in=allowed).values_list("ods_code", flat=True)
            )
        return cls(standards, ccgs, providers, allowed, allowed_codes, ccg, today)


def _column(sheet: Sheet, name: str):
    position = sheet.columns.get(name)
    if position is None:
        return []
    return (cells[position] if position < len(cells) else None for _, cells in sheet.rows)


@dataclass
class CheckResult:
    rows_read: int = 0
    rows: list[MeasurementRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows_with_errors(self) -> int:
        return len({e.row for e in self.errors})


def check_sheet(sheet: Sheet, lookups: Lookups) -> CheckResult:
    result = CheckResult(rows_read=len(sheet.rows))
    seen: dict[tuple, int] = {}
    columns = sheet.columns
    fast = _FastPath(columns, lookups)
    for number, cells in sheet.rows:
        # The usual row is taken by the fast path; any other (and every row with a problem)
        # goes through _check_row, which finds and words every problem.
        row = fast.row(number, cells)
        cell = None
        errors: list[RowError] = []
        if row is None:
            cell = {name: (cells[i] if i < len(cells) else None) for name, i in columns.items()}
            row = _check_row(number, cell, lookups, errors)
        if row is not None:
            key = row.key
            first = seen.setdefault(key, number)
            if first != number:
                period = sheet.value(cells, "period") if cell is None else cell.get("period")
                errors.append(
                    RowError(
                        number,
                        "period",
                        f"row {first} has the same standard, CCG, provider and period "
                        f"({period_label(row.period_start)}): keep one of them",
                        shown(period),
                    )
                )
        if errors:
            result.errors.extend(errors)
        else:
            result.rows.append(row)
    return result


_SLOW = object()  # a cell the fast path leaves to _check_row
_FAR = 1 << 30  # the position of an absent column: past the end of every row
_KEY_TYPES = (str, dt.date, type(None))  # cells that are equal only when they are the same


class _FastPath:
    """`_check_row` for the usual row, several times faster: text codes, a period and period
    type that parse, numbers without thousands separators or % signs, no problem at all.
    It returns the MeasurementRow `_check_row` would return, or None to leave the row to
    `_check_row` (which then finds, and words, whatever is wrong). The standard, CCG,
    provider and period are worked out once per distinct cell, by the same functions."""

    __slots__ = ("ccgs", "lookups", "periods", "positions", "providers", "standards")

    def __init__(self, columns: dict[str, int], lookups: Lookups):
        names = ("standard", "ccg", "provider", "period", "period_type", "numerator",
                 "denominator", "value", "source")  # fmt: skip
        self.positions = tuple(columns.get(name, _FAR) for name in names)
        self.lookups = lookups
        self.standards: dict[str, Any] = {}
        self.ccgs: dict[str, Any] = {}
        self.providers: dict[str, Any] = {}
        self.periods: dict[tuple, Any] = {}

    def row(self, number: int, cells: tuple) -> MeasurementRow | None:
        n = len(cells)
        p_standard, p_ccg, p_provider, p_period, p_type, p_num, p_den, p_value, p_source = (
            self.positions
        )
        raw = cells[p_standard] if p_standard < n else None
        if type(raw) is not str:
            return None
        standard = self.standards.get(raw)
        if standard is None:
            standard = self.standards[raw] = self._standard(raw)
        if standard is _SLOW:
            return None

        raw = cells[p_ccg] if p_ccg < n else None
        if type(raw) is not str:
            return None
        ccg_id = self.ccgs.get(raw)
        if ccg_id is None:
            ccg_id = self.ccgs[raw] = self._ccg(raw)
        if ccg_id is _SLOW or standard.ccg_id not in (None, ccg_id):
            return None

        raw = cells[p_provider] if p_provider < n else None
        if raw is None:
            provider_id = None
        elif type(raw) is str:
            provider_id = self.providers.get(raw, _SLOW)
            if provider_id is _SLOW:
                provider_id = self.providers[raw] = self._provider(raw)
            if provider_id is _SLOW:
                return None
        else:
            return None

        raw = cells[p_period] if p_period < n else None
        raw_type = cells[p_type] if p_type < n else None
        if type(raw) not in _KEY_TYPES or type(raw_type) not in _KEY_TYPES:
            return None
        key = (raw, raw_type, standard.frequency)
        period = self.periods.get(key)
        if period is None:
            period = self.periods[key] = self._period(raw, raw_type, standard.frequency)
        if period is _SLOW:
            return None

        numerator = _number(cells[p_num] if p_num < n else None)
        denominator = _number(cells[p_den] if p_den < n else None)
        value = _number(cells[p_value] if p_value < n else None)
        if numerator is _SLOW or denominator is _SLOW or value is _SLOW:
            return None
        value, problems = resolve_value(standard.unit, numerator, denominator, value)
        if problems:
            return None

        raw = cells[p_source] if p_source < n else None
        if raw is None:
            source = ""
        elif type(raw) is str:
            source = raw.strip()
            if len(source) > SOURCE_MAX:
                return None
        else:
            return None
        return MeasurementRow(
            row=number,
            standard_id=standard.id,
            ccg_id=ccg_id,
            provider_id=provider_id,
            period_start=period[0],
            period_type=period[1],
            numerator=quantize(numerator),
            denominator=quantize(denominator),
            value=value,
            source=source,
        )

    # Each of these is what _check_row decides for the cell, or _SLOW when it has a problem.

    def _standard(self, raw: str):
        code = raw.strip().lower()
        return (self.lookups.standards.get(code) if code else None) or _SLOW

    def _ccg(self, raw: str):
        code = raw.strip().upper()
        lookups = self.lookups
        ccg_id = lookups.ccgs.get(code) if code else None
        if ccg_id is None:
            return _SLOW
        if lookups.import_ccg is not None and ccg_id != lookups.import_ccg.pk:
            return _SLOW
        if lookups.allowed is not None and ccg_id not in lookups.allowed:
            return _SLOW
        return ccg_id

    def _provider(self, raw: str):
        code = raw.strip().upper()
        if not code:
            return None
        provider_id = self.lookups.providers.get(code)
        return _SLOW if provider_id is None else provider_id

    def _period(self, raw, raw_type, frequency: str):
        try:
            start, implied = parse_period(raw)
            period_type = parse_period_type(raw_type)
        except CellError:
            return _SLOW
        if implied and period_type and period_type != implied:
            return _SLOW
        period_type = period_type or implied or DEFAULT_TYPE.get(frequency, PeriodType.MONTH)
        try:
            check_period(start, period_type, self.lookups.today)
        except CellError:
            return _SLOW
        return start, period_type


def _number(raw):
    """`parse_number` for the usual cell (blank, plain text digits, an int, float or Decimal),
    or _SLOW for any other, to be parsed (and refused in words) by parse_number itself."""
    if raw is None:
        return None
    kind = type(raw)
    if kind is str:
        if "," in raw or "%" in raw:
            return _SLOW
        text = raw.strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return _SLOW
    elif kind is Decimal:
        number = raw
    elif kind is int or kind is float:
        number = Decimal(str(raw))
    else:
        return _SLOW
    if not number.is_finite() or abs(number) >= LIMIT:
        return _SLOW
    return number


def _check_row(number: int, cell: dict, lookups: Lookups, errors: list[RowError]):
    def error(column: str, message: str) -> None:
        errors.append(RowError(number, column, message, shown(cell.get(column))))

    standard = _standard(cell.get("standard"), lookups, error)
    ccg_id = _ccg(cell.get("ccg"), lookups, error)
    if standard is not None and ccg_id is not None and standard.ccg_id not in (None, ccg_id):
        error("standard", f"'{standard.code}' is another CCG's local KPI")
        standard = None

    provider_id = None
    provider_code = shown(cell.get("provider")).upper()
    if provider_code:
        provider_id = lookups.providers.get(provider_code)
        if provider_id is None:
            error("provider", f"'{provider_code}' is not the ODS code of a provider known here")

    start = period_type = None
    try:
        start, implied = parse_period(cell.get("period"))
    except CellError as exc:
        error("period", exc.message)
        implied = None
    try:
        period_type = parse_period_type(cell.get("period_type"))
    except CellError as exc:
        error("period_type", exc.message)
    if implied and period_type and period_type != implied:
        error(
            "period_type",
            f"says {period_type} but the period '{shown(cell.get('period'))}' is a quarter",
        )
    period_type = period_type or implied
    if period_type is None and standard is not None:
        period_type = DEFAULT_TYPE.get(standard.frequency, PeriodType.MONTH)
    if start is not None and period_type is not None:
        try:
            check_period(start, period_type, lookups.today)
        except CellError as exc:
            error("period", exc.message)

    numbers = {}
    for column in ("numerator", "denominator", "value"):
        try:
            numbers[column] = parse_number(cell.get(column), column)
        except CellError as exc:
            error(column, exc.message)
    value = None
    if standard is not None and len(numbers) == 3:
        value, problems = resolve_value(standard.unit, **numbers)
        for column, message in problems:
            error(column, message)

    source = shown(cell.get("source"))
    if len(source) > SOURCE_MAX:
        error("source", f"the source is {len(source)} characters long; at most {SOURCE_MAX} fit")

    if errors:
        return None
    return MeasurementRow(
        row=number,
        standard_id=standard.id,
        ccg_id=ccg_id,
        provider_id=provider_id,
        period_start=start,
        period_type=period_type,
        numerator=quantize(numbers["numerator"]),
        denominator=quantize(numbers["denominator"]),
        value=value,
        source=source,
    )


def _standard(raw, lookups: Lookups, error) -> StandardInfo | None:
    code = shown(raw).lower()
    if not code:
        error("standard", "the standard is blank: give its code, e.g. ae-4-hours")
        return None
    standard = lookups.standards.get(code)
    if standard is None:
        near = difflib.get_close_matches(code, lookups.standards, n=1)
        hint = f"; did you mean {near[0]}?" if near else " (codes look like ae-4-hours)"
        error("standard", f"'{shown(raw)}' is not the code of a standard known here{hint}")
    return standard


def _ccg(raw, lookups: Lookups, error) -> int | None:
    code = shown(raw).upper()
    if not code:
        error("ccg", "the CCG is blank: give its ODS code, e.g. 03L")
        return None
    ccg_id = lookups.ccgs.get(code)
    if ccg_id is None:
        error("ccg", f"'{shown(raw)}' is not the ODS code of a CCG known here")
        return None
    if lookups.import_ccg is not None and ccg_id != lookups.import_ccg.pk:
        error(
            "ccg",
            f"this import is for {lookups.import_ccg.ods_code} only; the row is for {code}",
        )
        return None
    if lookups.allowed is not None and ccg_id not in lookups.allowed:
        own = ", ".join(lookups.allowed_codes)
        error(
            "ccg",
            f"you can import measurements only for {own} (where you are a planning manager); "
            f"the row is for {code}",
        )
        return None
    return ccg_id
