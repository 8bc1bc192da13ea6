"""Checking every row of a measurements file against what the database knows, before
anything is written. The lookups (standards, CCGs, providers) are read once for the file."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from commissioning.access import Role, ccg_scope
from commissioning.models import CCG, Provider

from ..models import Frequency, Measurement, PeriodType, Standard
from .cells import (
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
    for number, cells in sheet.rows:
        cell = {name: (cells[i] if i < len(cells) else None) for name, i in columns.items()}
        errors: list[RowError] = []
        row = _check_row(number, cell, lookups, errors)
        if row is not None:
            first = seen.get(row.key)
            if first is not None:
                errors.append(
                    RowError(
                        number,
                        "period",
                        f"row {first} has the same standard, CCG, provider and period "
                        f"({period_label(row.period_start)}): keep one of them",
                        shown(cell.get("period")),
                    )
                )
            else:
                seen[row.key] = number
        if errors:
            result.errors.extend(errors)
        else:
            result.rows.append(row)
    return result


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
