"""Writing the plan content this app owns. One generic path for update, delete and reorder;
named functions to add each kind, so callers say what they mean."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from plans.capabilities import edit_refusal
from plans.errors import InvalidMove
from plans.services.guards import claim_revision, require, set_history_user

from ..models import (
    Action,
    Commitment,
    DuePrecision,
    LocalityFocus,
    PriorityArea,
    ProgrammeIntention,
    SuccessMeasure,
)

# What may change after creation, per kind of item.
EDITABLE_FIELDS = {
    PriorityArea: {"title", "objective", "end_state", "hwb_aims", "order"},
    Commitment: {"text", "lead", "locality", "order"},
    Action: {"text", "lead", "due_on", "due_precision", "order"},
    SuccessMeasure: {"measure", "baseline", "aspiration", "source", "priority", "order"},
    LocalityFocus: {"locality", "text", "order"},
    ProgrammeIntention: {"text", "order"},
}
# The siblings an item is ordered among (a locality's focus areas are ordered within it).
SIBLINGS = {
    PriorityArea: ("plan",),
    Commitment: ("priority",),
    Action: ("commitment",),
    SuccessMeasure: ("plan",),
    LocalityFocus: ("plan", "locality"),
    ProgrammeIntention: ("plan",),
}


def plan_of(item):
    return item.plan


def _siblings(item):
    parents = SIBLINGS[type(item)]
    return type(item)._base_manager.filter(
        **{f"{parent}_id": getattr(item, f"{parent}_id") for parent in parents}
    )


def _save_new(item, *, user, order: int | None, key) -> object:
    require(edit_refusal(user, plan_of(item)))
    item.order = order if order is not None else (
        (_siblings(item).aggregate(top=Max("order"))["top"] or 0) + 1
    )  # fmt: skip
    if key is not None:
        item.key = key
    item.full_clean()
    set_history_user(item, user)
    item.save()
    return item


@transaction.atomic
def add_priority(plan, *, user, title: str, objective: str = "", end_state: str = "",
                 hwb_aims: str = "", order: int | None = None,
                 key=None) -> PriorityArea:  # fmt: skip
    item = PriorityArea(plan=plan, title=title, objective=objective, end_state=end_state,
                        hwb_aims=hwb_aims)  # fmt: skip
    return _save_new(item, user=user, order=order, key=key)


@transaction.atomic
def add_commitment(priority: PriorityArea, *, user, text: str, lead: str = "", locality=None,
                   order: int | None = None, key=None) -> Commitment:  # fmt: skip
    item = Commitment(priority=priority, text=text, lead=lead, locality=locality)
    return _save_new(item, user=user, order=order, key=key)


@transaction.atomic
def add_action(commitment: Commitment, *, user, text: str, lead: str = "", due_on=None,
               due_precision: str = DuePrecision.DATE, order: int | None = None,
               key=None) -> Action:  # fmt: skip
    item = Action(commitment=commitment, text=text, lead=lead, due_on=due_on,
                  due_precision=due_precision)  # fmt: skip
    return _save_new(item, user=user, order=order, key=key)


@transaction.atomic
def add_success_measure(plan, *, user, measure: str, baseline: str = "", aspiration: str = "",
                        source: str = "", priority=None, order: int | None = None,
                        key=None) -> SuccessMeasure:  # fmt: skip
    item = SuccessMeasure(plan=plan, priority=priority, measure=measure, baseline=baseline,
                          aspiration=aspiration, source=source)  # fmt: skip
    return _save_new(item, user=user, order=order, key=key)


@transaction.atomic
def add_locality_focus(plan, *, user, locality, text: str, order: int | None = None,
                       key=None) -> LocalityFocus:  # fmt: skip
    item = LocalityFocus(plan=plan, locality=locality, text=text)
    return _save_new(item, user=user, order=order, key=key)


@transaction.atomic
def update_item(item, *, user, expected_revision: int | None, **values):
    """Change an item of plan content saved from `expected_revision` (EditConflict if someone
    saved it since; None skips the check)."""
    allowed = EDITABLE_FIELDS[type(item)]
    unknown = set(values) - allowed
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    require(edit_refusal(user, plan_of(item)))
    claim_revision(item, expected_revision, values)
    for name, value in values.items():
        setattr(item, name, value)
    item.full_clean()
    set_history_user(item, user)
    item.save()
    return item


@transaction.atomic
def delete_item(item, *, user) -> None:
    """Delete an item and what hangs under it (a priority's commitments and their actions)."""
    require(edit_refusal(user, plan_of(item)))
    set_history_user(item, user)
    item.delete()


@transaction.atomic
def move_item(item, *, user, direction: int) -> None:
    """Swap an item with its neighbour above (-1) or below (+1) among its siblings."""
    require(edit_refusal(user, plan_of(item)))
    siblings = list(_siblings(item).select_for_update().order_by("order", "id"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        if sibling.order != position:
            sibling.order = position
            sibling.revision += 1
            set_history_user(sibling, user)
            sibling.save(update_fields=["order", "revision", "updated_at"])
