"""Writes to standards and measurements, shared by the API, pages and commands.

National standards come from the catalogue (`governance.catalogue`); only staff change them
by hand. A CCG's local KPIs are created and changed by its planning managers. Measurements
come in through imports (`governance.measurement_import`); one by one, only staff change
them. Refusals are `plans.errors` (NotAllowed: 403; InvalidMove with a field: 400).
`user=None` is the system itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commissioning.access import Role, ccg_scope
from plans.errors import InvalidMove, NotAllowed

from .measurement_import.cells import CellError, check_period, quantize, resolve_value
from .models import Measurement, PeriodType, Standard, Unit

STANDARD_FIELDS = ("name", "group", "unit", "direction", "frequency", "description", "source")
MEASUREMENT_FIELDS = ("numerator", "denominator", "value", "source", "illustrative",
                      "period_start", "period_type", "provider")  # fmt: skip


def _is_staff(user) -> bool:
    return user is None or bool(getattr(user, "is_staff", False) or user.is_superuser)


def standard_refusal(user, ccg) -> str | None:
    """Why `user` may not add or change a standard of `ccg` (None: national), or None."""
    if _is_staff(user):
        return None
    if ccg is None:
        return "National standards come from the standards catalogue; only staff change them."
    if ccg_scope(user).role_in(ccg.pk) != Role.PLANNING_MANAGER:
        return f"Only planning managers of {ccg.display_name} can change its local KPIs."
    return None


def _require_standard(user, ccg) -> None:
    refusal = standard_refusal(user, ccg)
    if refusal:
        raise NotAllowed(refusal)


@transaction.atomic
def create_standard(*, user, code: str, name: str, group: str, direction: str,
                    unit: str = Unit.PERCENT, frequency: str = "monthly", description: str = "",
                    source: str = "", ccg=None) -> Standard:  # fmt: skip
    """A local KPI of `ccg` (or, by staff, a national standard outside the catalogue)."""
    _require_standard(user, ccg)
    code = (code or "").strip().lower()
    if Standard.objects.filter(code=code).exists():
        raise InvalidMove(f"A standard with the code {code} exists already.", field="code")
    standard = Standard(code=code, name=name.strip(), group=group, unit=unit,
                        direction=direction, frequency=frequency, description=description,
                        source=source, ccg=ccg)  # fmt: skip
    standard.full_clean()
    standard.save()
    return standard


@transaction.atomic
def update_standard(standard: Standard, *, user, **values) -> Standard:
    unknown = set(values) - set(STANDARD_FIELDS)
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    _require_standard(user, standard.ccg)
    changed = [name for name, value in values.items() if getattr(standard, name) != value]
    for name in changed:
        setattr(standard, name, values[name])
    if changed:
        standard.full_clean()
        standard.save(update_fields=changed)
    return standard


@transaction.atomic
def delete_standard(standard: Standard, *, user) -> None:
    _require_standard(user, standard.ccg)
    count = standard.measurements.count()
    if count:
        raise InvalidMove(
            f"{standard.name} has {count} measurement{'s' if count != 1 else ''}: a standard "
            "with measurements cannot be deleted."
        )
    standard.delete()


# --- Measurements ----------------------------------------------------------------------------


def measurement_refusal(user) -> str | None:
    if _is_staff(user):
        return None
    return (
        "Measurements come in through imports; only staff change them one by one. Import a "
        "file instead."
    )


def _require_measurement(user) -> None:
    refusal = measurement_refusal(user)
    if refusal:
        raise NotAllowed(refusal)


def _checked(measurement: Measurement) -> Measurement:
    """Check a measurement as an import checks a row; work out a blank percentage."""
    standard = measurement.standard
    if standard.ccg_id not in (None, measurement.ccg_id):
        raise InvalidMove(f"{standard.code} is another CCG's local KPI.", field="standard")
    try:
        check_period(measurement.period_start, measurement.period_type, timezone.localdate())
    except CellError as error:
        raise InvalidMove(error.message[:1].upper() + error.message[1:] + ".",
                          field="period") from None  # fmt: skip
    if measurement.period_start.day != 1:
        raise InvalidMove("A period starts on the first day of a month.", field="period")
    value, problems = resolve_value(
        standard.unit,
        _decimal(measurement.numerator),
        _decimal(measurement.denominator),
        _decimal(measurement.value),
    )
    if problems:
        field, message = problems[0]
        raise InvalidMove(message[:1].upper() + message[1:] + ".", field=field)
    measurement.value = value
    measurement.numerator = quantize(_decimal(measurement.numerator))
    measurement.denominator = quantize(_decimal(measurement.denominator))
    clash = Measurement.objects.filter(
        standard=standard,
        ccg_id=measurement.ccg_id,
        provider_id=measurement.provider_id,
        period_type=measurement.period_type,
        period_start=measurement.period_start,
    ).exclude(pk=measurement.pk)
    if clash.exists():
        raise InvalidMove(
            f"There is a measurement of {standard.code} for this CCG, provider and period "
            "already: change that one.",
            field="period",
        )
    measurement.full_clean()
    return measurement


def _decimal(number) -> Decimal | None:
    return None if number is None else Decimal(str(number))


@transaction.atomic
def create_measurement(*, user, standard: Standard, ccg, period_start: dt.date,
                       period_type: str = PeriodType.MONTH, value=None, numerator=None,
                       denominator=None, provider=None, source: str = "",
                       illustrative: bool = False) -> Measurement:  # fmt: skip
    _require_measurement(user)
    measurement = Measurement(
        standard=standard, ccg=ccg, provider=provider, period_start=period_start,
        period_type=period_type, numerator=numerator, denominator=denominator, value=value,
        source=source, illustrative=illustrative,
    )  # fmt: skip
    _checked(measurement).save()
    return measurement


@transaction.atomic
def update_measurement(measurement: Measurement, *, user, **values) -> Measurement:
    unknown = set(values) - set(MEASUREMENT_FIELDS)
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    _require_measurement(user)
    for name, value in values.items():
        setattr(measurement, name, value)
    _checked(measurement).save()
    return measurement


@transaction.atomic
def delete_measurement(measurement: Measurement, *, user) -> None:
    _require_measurement(user)
    measurement.delete()
