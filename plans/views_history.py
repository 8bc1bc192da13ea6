"""The history tab: who changed what and when, for the plan and every record under it.

Read from django-simple-history. Two queries for each kind of record (its latest changes,
then the row each of them follows), whatever the number of rows: the latest changes of
every kind are merged, the newest LIMIT kept, and each compared with the row before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import presenters, snapshots
from .models import Consultation, ConsultationComment, Milestone, Plan, PlanStatement, Section
from .page_context import is_internal, plan_for, plan_page_context, sign_in_first

LIMIT = 200


@dataclass(frozen=True)
class Tracked:
    model: type
    label: str
    by_plan: str  # how its history rows name the plan
    describe: Callable
    excluded: tuple[str, ...] = ()


def _text(limit: int = 80):
    def describe(record, field: str) -> str:
        text = str(getattr(record, field) or "")
        return text if len(text) <= limit else text[: limit - 1] + "…"

    return describe


TRACKED = (
    Tracked(Plan, "Plan", "id", lambda r: r.title),
    Tracked(Section, "Section", "plan_id", lambda r: r.title),
    Tracked(PlanStatement, "Statement", "plan_id",
            lambda r: f"{r.get_kind_display()}: {_text()(r, 'title') or _text()(r, 'text')}"),
    Tracked(Milestone, "Milestone", "plan_id", lambda r: r.title),
    Tracked(Consultation, "Consultation", "plan_id",
            lambda r: f"{r.opens_on:%-d %b %Y} to {r.closes_on:%-d %b %Y}",
            excluded=("invited_users", "invited_partners", "invited_localities")),
    Tracked(ConsultationComment, "Consultation comment", "plan_id",
            lambda r: _text(60)(r, "body")),
)  # fmt: skip


def _registered() -> list[Tracked]:
    """Records of the apps above plans, from their snapshot collections: each collection's
    `extra["history"]` lists (model or its historical model, the lookup from a history row
    to the plan's id, and optionally the field that names a record)."""
    tracked = []
    for collection in snapshots.collections():
        for entry in collection.extra.get("history", ()):
            model, by_plan, *rest = entry
            model = getattr(model, "instance_type", model)  # a historical model's own model
            name_field = rest[0] if rest else collection.title_field
            label = collection.item_label[:1].upper() + collection.item_label[1:]
            tracked.append(Tracked(model, label, by_plan, lambda r, f=name_field: _text()(r, f)))
    return tracked


def tracked_kinds() -> list[Tracked]:
    """Every kind of record the history tab lists: the plan's own and those registered."""
    return [*TRACKED, *_registered()]


def _latest(tracked: Tracked, plan: Plan):
    """The newest LIMIT history rows of one kind of record, each with `previous_id`: the
    row of the same record just before it."""
    earlier = tracked.model.history.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        id=OuterRef("id"),
    ).order_by("-history_date", "-history_id")
    return (
        tracked.model.history.filter(**{tracked.by_plan: plan.pk})
        .annotate(previous_id=Subquery(earlier.values("history_id")[:1]))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:LIMIT]
    )


def history_rows(plan: Plan) -> tuple[list[dict], bool]:
    """The newest LIMIT changes to the plan and its records, newest first; and whether there
    are older ones not shown."""
    entries = []
    previous = {}
    for tracked in tracked_kinds():
        latest = _latest(tracked, plan)
        entries.extend((tracked, r) for r in latest)
        before = tracked.model.history.filter(history_id__in=latest.values("previous_id"))
        previous.update({(tracked.model, r.history_id): r for r in before})
    entries.sort(key=lambda e: (e[1].history_date, e[1].history_id), reverse=True)
    more = len(entries) > LIMIT
    entries = entries[:LIMIT]
    rows = []
    for tracked, record in entries:
        before = previous.get((tracked.model, record.previous_id))
        changes = []
        if record.history_type == "~" and before is not None:
            delta = record.diff_against(before, excluded_fields=tracked.excluded)
            changes = presenters.field_change_rows(tracked.model, delta.changes)
        unrecorded = record.history_type == "~" and before is None
        user = record.history_user
        rows.append(
            {
                "when": record.history_date,
                "who": (user.get_full_name() or user.get_username()) if user else "The system",
                "what": tracked.label,
                "name": tracked.describe(record),
                "action": presenters.HISTORY_ACTIONS.get(record.history_type, "Changed"),
                "reason": record.history_change_reason or "",
                "changes": changes,
                # Copied in bulk (a refresh's content) with no earlier row to compare with.
                "unrecorded": unrecorded,
            }
        )
    return rows, more


@require_GET
@sign_in_first
def plan_history(request, pk: int):
    plan = plan_for(request, pk)
    if not is_internal(request.user, plan):
        raise Http404("The history is for people with a role in the plan's CCG")
    rows, more = history_rows(plan)
    context = plan_page_context(request, plan, "history")
    context.update({"rows": rows, "more": more, "limit": LIMIT,
                    "title": f"History – {plan.title}"})  # fmt: skip
    return render(request, "plans/history.jinja", context)
