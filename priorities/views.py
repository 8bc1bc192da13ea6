"""The priorities tab of a plan and the plan on a page.

The priorities tab shows each priority area with its "We will ..." commitments, their actions
and delivery status, the success measures and each locality's focus; planning managers edit
them while the plan is editable (views_editing). Pages work without JavaScript; with htmx, the
editing views answer with just the fragment that changed (`fragment_response`).

Reads go through `for_user(request.user)` (the plan through `plan_for`).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from plans import capabilities
from plans.models import PlanStatement, Section, StatementKind
from plans.page_context import plan_for, plan_page_context, sign_in_first

from . import presenters
from .models import Action, Commitment, LocalityFocus, PriorityArea, SuccessMeasure

# The fragments of the priorities tab that an edit can change: the whole list of priorities,
# one priority ("priority-<id>"), the success measures, the locality focus.
PRIORITIES = "priorities"
MEASURES = "success-measures"
FOCUS = "locality-focus"
FRAGMENT_TEMPLATES = {
    PRIORITIES: "priorities/_priorities.jinja",
    MEASURES: "priorities/_measures.jinja",
    FOCUS: "priorities/_focus.jinja",
}


def priority_fragment(priority_id: int) -> str:
    return f"priority-{priority_id}"


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def priorities_url(plan, anchor: str = "") -> str:
    url = reverse("plan-priorities", kwargs={"pk": plan.pk})
    return f"{url}#{anchor}" if anchor else url


# --- Reading -----------------------------------------------------------------------------


def priorities_for(user, plan):
    """The plan's priorities with their commitments (and localities) and actions, in order:
    three queries however many there are."""
    commitments = (
        Commitment.objects.for_user(user).select_related("locality").order_by("order", "id")
    )
    actions = Action.objects.for_user(user).order_by("order", "id")
    return (
        PriorityArea.objects.for_user(user)
        .for_plan(plan)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch("commitments", queryset=commitments),
            Prefetch("commitments__actions", queryset=actions),
        )
    )


def measures_for(user, plan):
    return (
        SuccessMeasure.objects.for_user(user)
        .for_plan(plan)
        .select_related("priority")
        .order_by("order", "id")
    )


def focus_for(user, plan):
    return (
        LocalityFocus.objects.for_user(user)
        .for_plan(plan)
        .select_related("locality")
        .order_by("locality__name", "locality_id", "order", "id")
    )


def _fragment_data(request, plan, name: str) -> dict:
    user, today = request.user, timezone.localdate()
    if name == PRIORITIES:
        return {"rows": presenters.priority_rows(priorities_for(user, plan), today=today)}
    if name == MEASURES:
        return {"measures": presenters.measure_rows(measures_for(user, plan))}
    if name == FOCUS:
        return {"focus_groups": presenters.focus_groups(focus_for(user, plan))}
    priority_id = int(name.removeprefix("priority-"))
    order = list(
        PriorityArea.objects.for_user(user)
        .for_plan(plan)
        .order_by("order", "id")
        .values_list("pk", flat=True)
    )
    rows = presenters.priority_rows(
        priorities_for(user, plan).filter(pk=priority_id),
        today=today,
        siblings=len(order),
        position=order.index(priority_id) if priority_id in order else 0,
    )
    return {"row": rows[0] if rows else None}


def _template(name: str) -> str:
    return FRAGMENT_TEMPLATES.get(name, "priorities/_priority.jinja")


def tab_context(request, plan) -> dict:
    context = plan_page_context(request, plan, "priorities")
    for name in FRAGMENT_TEMPLATES:
        context.update(_fragment_data(request, plan, name))
    return context


# --- Fragments (htmx) ----------------------------------------------------------------------


def fragment_response(request, plan, main: str, *, also: tuple[str, ...] = ()) -> HttpResponse:
    """The fragment `main` of the priorities tab as it is now, replacing itself on the page
    (whatever element asked), with `also` swapped out of band and the action's message."""
    base = {
        "plan": plan,
        "can_edit": capabilities.can_edit(request.user, plan),
        "fragment": True,
    }
    parts = [
        render_to_string(
            _template(main), {**base, **_fragment_data(request, plan, main)}, request=request
        )
    ]
    for name in also:
        context = {**base, **_fragment_data(request, plan, name), "oob": True}
        parts.append(render_to_string(_template(name), context, request=request))
    parts.append(render_to_string("priorities/_status.jinja", base, request=request))
    response = HttpResponse("".join(parts))
    response["HX-Retarget"] = f"#{main}"
    response["HX-Reswap"] = "outerHTML"
    return response


# --- Pages ---------------------------------------------------------------------------------


@require_GET
@sign_in_first
def plan_priorities(request, pk: int):
    plan = plan_for(request, pk)
    context = tab_context(request, plan)
    context.update(
        {
            "title": f"Priorities – {plan.title}",
            # Why a planning manager cannot change them now (the plan's state), if they cannot.
            "edit_note": context["edit_refusal"]
            if capabilities.is_planning_manager(request.user, plan)
            else None,
        }
    )
    return render(request, "priorities/priorities.jinja", context)


@require_GET
@sign_in_first
def plan_on_a_page(request, pk: int):
    """Mission, each priority with this year's delivery and its end state, context,
    principles and the finance headline, on one screen (and one printed page)."""
    plan = plan_for(request, pk)
    user, today = request.user, timezone.localdate()
    sections = list(Section.objects.for_user(user).for_plan(plan).order_by("order", "id"))
    principles = (
        PlanStatement.objects.for_user(user)
        .for_plan(plan)
        .filter(kind=StatementKind.PRINCIPLE)
        .order_by("order", "id")
    )
    context_section, context_html = presenters.section_excerpt(sections, "context")
    finance_section, finance_html = presenters.section_excerpt(sections, "finance")
    context = plan_page_context(request, plan, "on-a-page")
    context.update(
        {
            "rows": presenters.priority_rows(priorities_for(user, plan), today=today),
            "year": presenters.delivery_year(plan, today),
            "today": today,
            "principle_groups": presenters.principle_groups(principles),
            "context_section": context_section,
            "context_html": context_html,
            "finance_section": finance_section,
            "finance_html": finance_html,
            "title": f"Plan on a page – {plan.title}",
        }
    )
    return render(request, "priorities/on_a_page.jinja", context)
