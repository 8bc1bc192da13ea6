"""Delivery pages of a plan: the tracker (its "Delivery" tab) and the progress of each action
and commitment, where planning managers record updates once the plan is approved or
published.

Reads go through `for_user(request.user)` (the plan through `plan_for`), writes through
`priorities.services`. A refusal shows its reason: on the page when only reading, as a
403 (the user's role) or 409 (the plan's state) page when they post.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.jinja2 import long_date
from plans.capabilities import is_planning_manager
from plans.errors import InvalidMove, NotAllowed, ReadOnly
from plans.page_context import is_internal, plan_for, plan_page_context, sign_in_first

from . import services, tracker
from .forms_delivery import ProgressForm, TrackerFilterForm
from .models import Action, Commitment, DeliveryStatus, ProgressUpdate
from .presenters_delivery import (
    ILLUSTRATIVE_TAG,
    OVERDUE_TAG,
    clean_back,
    count_table,
    status_tag,
    subject_facts,
    tracker_row,
    tracker_url,
    update_rows,
)
from .services.delivery import progress_refusal

TAB = "delivery"


def csv_url(plan) -> str:
    """The tracker as CSV, from the actions API."""
    return f"/api/v1/actions/?plan={plan.pk}&format=csv"


def refused(request, plan, reason: str, *, by_role: bool, title: str, back_url: str):
    """Why the user cannot do this: 403 when their role stands in the way, 409 when the
    plan's state does."""
    context = plan_page_context(request, plan, TAB) | {
        "title": title,
        "reason": reason,
        "back_url": back_url,
    }
    return render(
        request, "priorities/delivery/refused.jinja", context, status=403 if by_role else 409
    )


# --- The tracker ----------------------------------------------------------------------------


@require_GET
@sign_in_first
def plan_delivery(request, pk: int):
    plan = plan_for(request, pk)
    user = request.user
    today = timezone.localdate()
    options = tracker.options_for(user, plan)
    form = TrackerFilterForm(request.GET or None, options=options)
    board = tracker.build(user, plan, form.filters(), today=today, priorities=options.priorities)
    back = clean_back(request.GET.urlencode())
    context = plan_page_context(request, plan, TAB) | {
        "title": f"Delivery – {plan.title}",
        "form": form,
        "error_list": form.error_list(),
        "tracker": board,
        "rows": [tracker_row(row, plan, back) for row in board.rows],
        "counts": count_table(board),
        "today": today,
        "csv_url": csv_url(plan),
        "overdue_tag": OVERDUE_TAG,
        "illustrative_tag": ILLUSTRATIVE_TAG,
        "progress_refusal": progress_refusal(user, plan),
    }
    return render(request, "priorities/delivery/tracker.jinja", context)


# --- Progress of an action or a commitment ----------------------------------------------------


def _action(request, plan, action_id: int) -> Action:
    actions = Action.objects.for_user(request.user).for_plan(plan)
    return get_object_or_404(
        actions.select_related("commitment__priority__plan__ccg", "commitment__locality"),
        pk=action_id,
    )


def _commitment(request, plan, commitment_id: int) -> Commitment:
    commitments = Commitment.objects.for_user(request.user).for_plan(plan)
    return get_object_or_404(
        commitments.select_related("priority__plan__ccg", "locality"), pk=commitment_id
    )


@require_http_methods(["GET", "POST"])
@sign_in_first
def action_progress(request, pk: int, action_id: int):
    plan = plan_for(request, pk)
    return _progress(request, plan, _action(request, plan, action_id), "action")


@require_http_methods(["GET", "POST"])
@sign_in_first
def commitment_progress(request, pk: int, commitment_id: int):
    plan = plan_for(request, pk)
    return _progress(request, plan, _commitment(request, plan, commitment_id), "commitment")


def _progress(request, plan, subject, kind: str):
    user = request.user
    refusal = progress_refusal(user, plan)
    by_role = not is_planning_manager(user, plan)
    back = clean_back(request.POST.get("back", "") or request.GET.get("back", ""))
    here = tracker_url(plan, back, anchor=f"{kind}-{subject.pk}")
    form = ProgressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if refusal is not None:
            return refused(
                request,
                plan,
                refusal,
                by_role=by_role,
                title="You cannot record progress here",
                back_url=here,
            )
        if form.is_valid():
            try:
                update = services.record_progress(subject, user=user, **form.progress_values())
            except (NotAllowed, ReadOnly) as error:
                return refused(
                    request,
                    plan,
                    error.message,
                    by_role=isinstance(error, NotAllowed),
                    title="You cannot record progress here",
                    back_url=here,
                )
            except (InvalidMove, ValidationError) as error:
                form.add_service_error(error)
            else:
                label = DeliveryStatus(update.status).label.lower()
                messages.success(
                    request,
                    f"Progress recorded: {label} as of {long_date(update.reported_on)}.",
                )
                return redirect(here)
    updates = (
        ProgressUpdate.objects.for_user(user)
        .filter(**{kind: subject})
        .select_related("reported_by")
    )
    today = timezone.localdate()
    noun = "action" if kind == "action" else "commitment"
    context = plan_page_context(request, plan, TAB) | {
        "title": f"Progress of {noun}: {subject.text[:60]} – {plan.title}",
        "kind": kind,
        "noun": noun,
        "subject": subject,
        "facts": subject_facts(subject, kind, today),
        "status": status_tag(subject.status),
        "updates": update_rows(updates, internal=is_internal(user, plan)),
        "illustrative_tag": ILLUSTRATIVE_TAG,
        "form": form,
        "error_list": form.error_list(),
        "refusal": refusal,
        "back": back,
        "back_url": here,
        "action_url": request.path,
    }
    return render(request, "priorities/delivery/progress.jinja", context)
