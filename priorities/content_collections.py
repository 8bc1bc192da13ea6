"""Priorities, commitments, actions, success measures, locality focus and programme
intentions join the plan's snapshot: versions freeze them, a refresh copies them (keys kept,
parents found by key), the diff compares them item by item."""

from __future__ import annotations

from simple_history.utils import bulk_create_with_history

from plans import snapshots
from plans.services.guards import change_reason

from .models import (
    Action,
    Commitment,
    LocalityFocus,
    PriorityArea,
    ProgrammeIntention,
    SuccessMeasure,
)


def _copy(model, items, source, user) -> None:
    bulk_create_with_history(
        items,
        model,
        default_user=user,
        default_change_reason=change_reason(f"Copied from {source.title}"),
    )


# --- Priorities ----------------------------------------------------------------------------


def _priorities(plan) -> list[dict]:
    return [
        {"key": str(p.key), "order": p.order, "title": p.title, "objective": p.objective,
         "end_state": p.end_state, "hwb_aims": p.hwb_aims}
        for p in PriorityArea.objects.filter(plan=plan).order_by("order", "id")
    ]  # fmt: skip


def _copy_priorities(source, target, user) -> None:
    items = [
        PriorityArea(plan=target, key=p.key, order=p.order, title=p.title,
                     objective=p.objective, end_state=p.end_state, hwb_aims=p.hwb_aims)
        for p in PriorityArea.objects.filter(plan=source).order_by("order", "id")
    ]  # fmt: skip
    _copy(PriorityArea, items, source, user)


# --- Commitments ---------------------------------------------------------------------------


def _commitments(plan) -> list[dict]:
    rows = (
        Commitment.objects.filter(priority__plan=plan)
        .select_related("priority", "locality")
        .order_by("priority__order", "order", "id")
    )
    return [
        {"key": str(c.key), "parent": str(c.priority.key), "order": c.order, "text": c.text,
         "lead": c.lead, "locality": c.locality.name if c.locality_id else ""}
        for c in rows
    ]  # fmt: skip


def _copy_commitments(source, target, user) -> None:
    priorities = {p.key: p for p in PriorityArea.objects.filter(plan=target)}
    items = [
        Commitment(priority=priorities[c.priority.key], key=c.key, order=c.order, text=c.text,
                   lead=c.lead, locality_id=c.locality_id)
        for c in Commitment.objects.filter(priority__plan=source).select_related("priority")
        .order_by("priority__order", "order", "id")
    ]  # fmt: skip
    _copy(Commitment, items, source, user)


# --- Actions -------------------------------------------------------------------------------


def _actions(plan) -> list[dict]:
    rows = (
        Action.objects.filter(commitment__priority__plan=plan)
        .select_related("commitment")
        .order_by("commitment__priority__order", "commitment__order", "order", "id")
    )
    return [
        {"key": str(a.key), "parent": str(a.commitment.key), "order": a.order, "text": a.text,
         "lead": a.lead, "due": a.due_label}
        for a in rows
    ]  # fmt: skip


def _copy_actions(source, target, user) -> None:
    commitments = {c.key: c for c in Commitment.objects.filter(priority__plan=target)}
    items = [
        Action(commitment=commitments[a.commitment.key], key=a.key, order=a.order, text=a.text,
               lead=a.lead, due_on=a.due_on, due_precision=a.due_precision)
        for a in Action.objects.filter(commitment__priority__plan=source)
        .select_related("commitment").order_by("order", "id")
    ]  # fmt: skip
    _copy(Action, items, source, user)


# --- Success measures, locality focus, programme intentions ---------------------------------


def _measures(plan) -> list[dict]:
    rows = SuccessMeasure.objects.filter(plan=plan).select_related("priority")
    return [
        {"key": str(m.key), "order": m.order, "measure": m.measure, "baseline": m.baseline,
         "aspiration": m.aspiration, "source": m.source,
         "priority": m.priority.title if m.priority_id else ""}
        for m in rows.order_by("order", "id")
    ]  # fmt: skip


def _copy_measures(source, target, user) -> None:
    priorities = {p.key: p for p in PriorityArea.objects.filter(plan=target)}
    items = [
        SuccessMeasure(plan=target, key=m.key, order=m.order, measure=m.measure,
                       baseline=m.baseline, aspiration=m.aspiration, source=m.source,
                       priority=priorities.get(m.priority.key) if m.priority_id else None)
        for m in SuccessMeasure.objects.filter(plan=source).select_related("priority")
    ]  # fmt: skip
    _copy(SuccessMeasure, items, source, user)


def _focus(plan) -> list[dict]:
    rows = LocalityFocus.objects.filter(plan=plan).select_related("locality")
    return [
        {"key": str(f.key), "order": f.order, "locality": f.locality.name, "text": f.text,
         "title": f"{f.locality.name}: {f.text}"}
        for f in rows.order_by("locality__name", "order", "id")
    ]  # fmt: skip


def _copy_focus(source, target, user) -> None:
    items = [
        LocalityFocus(plan=target, key=f.key, order=f.order, locality_id=f.locality_id,
                      text=f.text)
        for f in LocalityFocus.objects.filter(plan=source)
    ]  # fmt: skip
    _copy(LocalityFocus, items, source, user)


def _intentions(plan) -> list[dict]:
    rows = ProgrammeIntention.objects.filter(plan=plan).select_related("programme")
    return [
        {"key": str(i.key), "order": i.order, "programme": i.programme.name, "text": i.text,
         "title": f"{i.programme.name}: {i.text}"}
        for i in rows.order_by("programme__order", "programme__name", "order", "id")
    ]  # fmt: skip


def _copy_intentions(source, target, user) -> None:
    items = [
        ProgrammeIntention(plan=target, key=i.key, order=i.order, programme_id=i.programme_id,
                           text=i.text)
        for i in ProgrammeIntention.objects.filter(plan=source)
    ]  # fmt: skip
    _copy(ProgrammeIntention, items, source, user)


def register() -> None:
    C = snapshots.Collection
    snapshots.register(C(
        name="priorities", label="Priorities", item_label="priority", title_field="title",
        fields=(("title", "Title"), ("objective", "Objective"), ("end_state", "End state"),
                ("hwb_aims", "Health and Wellbeing strategy aims")),
        serialize=_priorities, copy=_copy_priorities, position=30,
        extra={"commentable": True, "history": [(PriorityArea, "plan_id", "title")]},
    ))  # fmt: skip
    snapshots.register(C(
        name="commitments", label="Commitments", item_label="commitment", title_field="text",
        fields=(("text", "We will"), ("lead", "Lead"), ("locality", "Locality")),
        serialize=_commitments, copy=_copy_commitments, position=31,
        parent_collection="priorities",
        extra={"history": [(Commitment, "priority__plan_id", "text")]},
    ))  # fmt: skip
    snapshots.register(C(
        name="actions", label="Actions", item_label="action", title_field="text",
        fields=(("text", "Action"), ("lead", "Lead"), ("due", "Due")),
        serialize=_actions, copy=_copy_actions, position=32, parent_collection="commitments",
        extra={"history": [(Action, "commitment__priority__plan_id", "text")]},
    ))  # fmt: skip
    snapshots.register(C(
        name="success-measures", label="Success measures", item_label="success measure",
        title_field="measure",
        fields=(("measure", "Measure"), ("baseline", "Baseline"), ("aspiration", "Aspiration"),
                ("priority", "Priority"), ("source", "Source")),
        serialize=_measures, copy=_copy_measures, position=33,
        extra={"history": [(SuccessMeasure, "plan_id", "measure")]},
    ))  # fmt: skip
    snapshots.register(C(
        name="locality-focus", label="Locality focus", item_label="locality focus area",
        title_field="title", fields=(("locality", "Locality"), ("text", "Focus")),
        serialize=_focus, copy=_copy_focus, position=34,
        extra={"history": [(LocalityFocus, "plan_id", "text")]},
    ))  # fmt: skip
    snapshots.register(C(
        name="programme-intentions", label="Programme intentions", item_label="intention",
        title_field="title", fields=(("programme", "Programme"), ("text", "Intention")),
        serialize=_intentions, copy=_copy_intentions, position=35,
        extra={"history": [(ProgrammeIntention, "plan_id", "text")]},
    ))  # fmt: skip
