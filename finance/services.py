"""Every write to finance records, shared by pages, the API, imports and the demo loader.

Planning managers of a CCG (and staff) write its finance; `user=None` is the system itself
(the demo loader, the planning-rules loader). Refusals are `plans.errors`: NotAllowed (403),
InvalidMove naming a field for bad input (400), EditConflict for a stale revision (409/412).
Every change is kept by django-simple-history with who made it.

`create`, `update` and `delete` take any finance record; what may be set on each model, and
which of its links must stay inside the record's CCG, is declared once in `EDITABLE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from commissioning.access import Role, ccg_scope
from plans.errors import InvalidMove, NotAllowed
from plans.services.guards import claim_revision, set_history_user

from .models import (
    BudgetAssumption,
    Contract,
    ContractLine,
    FinancialChallenge,
    FinancialPlan,
    LocalityBudget,
    PooledBudget,
    PooledContribution,
    PooledScheme,
    QippMonth,
    QippProgramme,
    QippScheme,
    StatedAmount,
)
from .qipp_figures import MONTHS


@dataclass(frozen=True)
class Editable:
    """What may be written on a model: its fields, the path to its CCG, and the links (field
    -> lookup from the linked row to its CCG id) that must point inside the same CCG."""

    fields: tuple[str, ...]
    ccg_of: str  # attribute path from the record to its CCG
    links: dict[str, str]
    parent: str | None = None  # the field that sets the CCG for rows owned through a parent


EDITABLE: dict[type, Editable] = {
    FinancialPlan: Editable(
        ("year", "plan", "allocation", "population", "efficiency_target",
         "efficiency_target_percent", "stated_contract_total", "notes", "source",
         "illustrative"),
        "ccg", {"plan": "ccg_id"}),
    StatedAmount: Editable(
        ("financial_plan", "rule_code", "label", "stated_percent", "stated_amount", "note",
         "order"),
        "financial_plan.ccg", {}, parent="financial_plan"),
    BudgetAssumption: Editable(
        ("financial_plan", "name", "percent", "amount", "note", "order"),
        "financial_plan.ccg", {}, parent="financial_plan"),
    FinancialChallenge: Editable(
        ("first_year", "last_year", "amount", "description", "source"), "ccg", {}),
    QippProgramme: Editable(
        ("name", "lead", "description", "priority", "programme", "order"),
        "ccg", {"priority": "plan.ccg_id", "programme": "ccg_id"}),
    QippScheme: Editable(
        ("year", "qipp_programme", "reference", "project", "point_of_delivery", "provider",
         "lead", "priority", "programme", "activity_change", "activity_unit",
         "planned_saving", "status", "description", "source", "illustrative"),
        "ccg", {"qipp_programme": "ccg_id", "priority": "plan.ccg_id",
                "programme": "ccg_id"}),
    QippMonth: Editable(
        ("scheme", "month", "plan", "actual", "forecast", "illustrative"),
        "scheme.ccg", {}, parent="scheme"),
    Contract: Editable(
        ("year", "provider", "title", "value", "form", "cquin_value", "notes", "source",
         "illustrative"),
        "ccg", {}),
    ContractLine: Editable(("contract", "name", "value", "order"), "contract.ccg", {},
                           parent="contract"),
    PooledBudget: Editable(
        ("year", "name", "stated_total", "host", "description", "source"),
        "ccg", {"host": "ccg_id"}),
    PooledContribution: Editable(
        ("pooled_budget", "contributor", "partner", "amount_low", "amount_high", "note",
         "order"),
        "pooled_budget.ccg", {"partner": "ccg_id"}, parent="pooled_budget"),
    PooledScheme: Editable(
        ("pooled_budget", "name", "amount", "description", "order"),
        "pooled_budget.ccg", {}, parent="pooled_budget"),
    LocalityBudget: Editable(
        ("locality", "year", "month", "budget", "actual", "illustrative"),
        "locality.ccg", {}, parent="locality"),
}  # fmt: skip


# --- Who may write --------------------------------------------------------------------------


def finance_refusal(user, ccg) -> str | None:
    """Why `user` may not change the finance of `ccg`, or None (`user=None`: the system)."""
    if user is None or getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return None
    if ccg_scope(user).role_in(ccg.pk) != Role.PLANNING_MANAGER:
        return f"Only planning managers of {ccg.display_name} can change its finance."
    return None


def require_finance_writer(user, ccg) -> None:
    refusal = finance_refusal(user, ccg)
    if refusal:
        raise NotAllowed(refusal)


def ccg_of(record):
    spec = EDITABLE[type(record)]
    value = record
    for part in spec.ccg_of.split("."):
        value = getattr(value, part)
    return value


# --- Checks ---------------------------------------------------------------------------------


def _linked_ccg_id(target, lookup: str):
    value = target
    for part in lookup.split("."):
        value = getattr(value, part)
    return value


def _check_values(model, ccg, values: dict, *, creating: bool) -> None:
    spec = EDITABLE[model]
    unknown = set(values) - set(spec.fields)
    if unknown:
        raise InvalidMove(f"These fields cannot be set here: {', '.join(sorted(unknown))}",
                          field=sorted(unknown)[0])  # fmt: skip
    if not creating and spec.parent and spec.parent in values:
        raise InvalidMove("A record cannot be moved to another parent.", field=spec.parent)
    for name, lookup in spec.links.items():
        target = values.get(name)
        if target is not None and _linked_ccg_id(target, lookup) != ccg.pk:
            label = model._meta.get_field(name).verbose_name
            raise InvalidMove(f"Choose a {label} of {ccg.display_name}.", field=name)


def _full_clean(record) -> None:
    try:
        record.full_clean()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            field, messages = next(iter(error.message_dict.items()))
            raise InvalidMove(messages[0], field=None if field == "__all__" else field) from None
        raise InvalidMove(error.messages[0]) from None


def _save(record) -> None:
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as error:  # a race past full_clean's uniqueness check
        raise InvalidMove(f"This clashes with a record saved at the same time ({error}).") from None


# --- Create, update, delete -----------------------------------------------------------------


@transaction.atomic
def create(model, *, user, ccg=None, **values):
    """Add a finance record. Records owned by a CCG take `ccg`; records under a parent (a
    contract's line, a scheme's month) take the parent among `values`."""
    spec = EDITABLE[model]
    if spec.parent:
        parent = values.get(spec.parent)
        if parent is None:
            raise InvalidMove(f"Say which {spec.parent.replace('_', ' ')} this belongs to.",
                              field=spec.parent)  # fmt: skip
        record = model(**{spec.parent: parent})
        ccg = ccg_of(record)
    elif ccg is None:
        raise InvalidMove("Say which CCG this belongs to.", field="ccg")
    else:
        record = model(ccg=ccg)
    require_finance_writer(user, ccg)
    _check_values(model, ccg, values, creating=True)
    for name, value in values.items():
        setattr(record, name, value)
    _full_clean(record)
    set_history_user(record, user)
    _save(record)
    return record


@transaction.atomic
def update(record, *, user, expected_revision: int | None, **values):
    """Change a finance record; a stale `expected_revision` raises EditConflict."""
    ccg = ccg_of(record)
    require_finance_writer(user, ccg)
    _check_values(type(record), ccg, values, creating=False)
    claim_revision(record, expected_revision, values)
    for name, value in values.items():
        setattr(record, name, value)
    _full_clean(record)
    set_history_user(record, user)
    _save(record)
    return record


@transaction.atomic
def delete(record, *, user, expected_revision: int | None = None) -> None:
    ccg = ccg_of(record)
    require_finance_writer(user, ccg)
    claim_revision(record, expected_revision, {})
    set_history_user(record, user)
    try:
        record.delete()
    except ProtectedError as error:  # schemes still use a programme, say
        raise InvalidMove(f"{record} is still used by {len(error.protected_objects)} "
                          "other records: remove those first.") from None  # fmt: skip


# --- QIPP months ----------------------------------------------------------------------------

MONTH_FIELDS = ("plan", "actual", "forecast")


@transaction.atomic
def record_month(scheme: QippScheme, month: int, *, user, expected_revision: int | None = None,
                 **figures: Decimal | None) -> QippMonth:  # fmt: skip
    """Set a scheme's plan, actual and/or forecast for month M1..M12, creating the month when
    it has none. `expected_revision` guards an existing month against a stale edit."""
    unknown = set(figures) - set(MONTH_FIELDS) - {"illustrative"}
    if unknown:
        raise InvalidMove(f"These figures cannot be set: {', '.join(sorted(unknown))}",
                          field=sorted(unknown)[0])  # fmt: skip
    if not isinstance(month, int) or not 1 <= month <= MONTHS:
        raise InvalidMove(f"The month must be M1 (April) to M12 (March), not {month}.",
                          field="month")  # fmt: skip
    existing = QippMonth.objects.select_for_update().filter(scheme=scheme, month=month).first()
    if existing is None:
        return create(QippMonth, user=user, scheme=scheme, month=month, **figures)
    return update(existing, user=user, expected_revision=expected_revision, **figures)
