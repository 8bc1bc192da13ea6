"""Milestone pages of a plan: its timeline, and for planning managers adding, changing,
marking done and deleting milestones. Everyone who can read the plan sees its milestones.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from commissioning.jinja2 import long_date

from . import capabilities, services
from .errors import EditConflict, InvalidMove, NotAllowed, ReadOnly
from .forms_consultation import MilestoneForm
from .models import Milestone
from .page_context import plan_for, plan_page_context, sign_in_first
from .presenters_consultation import paragraphs
from .views_consultation import refused


def milestone_row(milestone: Milestone, today) -> dict:
    if milestone.done_on:
        status = {"text": "Done", "classes": "nhsuk-tag--green"}
    elif milestone.is_overdue(today):
        status = {"text": "Overdue", "classes": "nhsuk-tag--red"}
    elif milestone.due_on == today:
        status = {"text": "Due today", "classes": "nhsuk-tag--orange"}
    else:
        status = {"text": "Not done", "classes": "nhsuk-tag--grey"}
    return {
        "milestone": milestone,
        "id": f"milestone-{milestone.pk}",
        "due": long_date(milestone.due_on),
        "done": long_date(milestone.done_on),
        "overdue": milestone.is_overdue(today),
        "status": status,
        "note": paragraphs(milestone.note),
    }


def _plan_milestones(user, plan):
    return Milestone.objects.for_user(user).for_plan(plan)


def _milestone(request, plan, milestone_id: int) -> Milestone:
    return get_object_or_404(_plan_milestones(request.user, plan), pk=milestone_id)


def _list_url(plan, milestone=None) -> str:
    url = reverse("plan-milestones", kwargs={"pk": plan.pk})
    return f"{url}#milestone-{milestone.pk}" if milestone is not None else url


@require_GET
@sign_in_first
def milestones(request, pk: int):
    plan = plan_for(request, pk)
    today = timezone.localdate()
    rows = [milestone_row(m, today) for m in _plan_milestones(request.user, plan)]
    context = plan_page_context(request, plan, "milestones") | {
        "title": f"Milestones – {plan.title}",
        "rows": rows,
        "today": today,
        "overdue_count": sum(1 for r in rows if r["overdue"]),
        "done_count": sum(1 for r in rows if r["milestone"].done_on),
        "manage_refusal": capabilities.manage_refusal(request.user, plan),
    }
    return render(request, "plans/milestones/list.jinja", context)


def _refused(request, plan, refusal, title):
    return refused(request, plan, refusal, tab="milestones", title=title)


def _form_page(request, plan, form, *, milestone=None, conflict=None):
    context = plan_page_context(request, plan, "milestones") | {
        "title": (
            f"Change milestone – {plan.title}" if milestone else f"Add a milestone – {plan.title}"
        ),
        "form": form,
        "milestone": milestone,
        "error_list": form.error_list(),
        "conflict": conflict,
    }
    return render(request, "plans/milestones/form.jinja", context)


@login_required
def milestone_create(request, pk: int):
    plan = plan_for(request, pk)
    refusal = capabilities.manage_refusal(request.user, plan)
    if refusal is not None:
        return _refused(request, plan, refusal, "You cannot add milestones to this plan")
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            milestone = services.add_milestone(plan, user=request.user, **form.milestone_values())
        except NotAllowed as error:
            return _refused(request, plan, error, "You cannot add milestones to this plan")
        except (InvalidMove, ReadOnly, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Milestone added: {milestone.title}.")
            return redirect(_list_url(plan, milestone))
    return _form_page(request, plan, form)


def _conflict_rows(current: Milestone, attempted: dict) -> list[dict]:
    def show(name, value):
        if name == "done_on":
            return long_date(value) if value else "Not done"
        if name == "due_on":
            return long_date(value)
        return value or "None"

    labels = (("title", "Milestone"), ("due_on", "Due"), ("done_on", "Done"), ("note", "Note"))
    return [
        {
            "label": label,
            "saved": show(name, getattr(current, name)),
            "yours": show(name, attempted.get(name)),
            "differs": getattr(current, name) != attempted.get(name),
        }
        for name, label in labels
    ]


@login_required
def milestone_edit(request, pk: int, milestone_id: int):
    plan = plan_for(request, pk)
    milestone = _milestone(request, plan, milestone_id)
    refusal = capabilities.manage_refusal(request.user, plan)
    if refusal is not None:
        return _refused(request, plan, refusal, "You cannot change this milestone")
    initial = {
        "title": milestone.title,
        "due_on": milestone.due_on,
        "done_on": milestone.done_on,
        "note": milestone.note,
        "revision": milestone.revision,
    }
    form = MilestoneForm(request.POST or None, initial=initial, editing=True)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = form.milestone_values()
        try:
            services.update_milestone(
                milestone,
                user=request.user,
                expected_revision=form.cleaned_data["revision"],
                **values,
            )
        except EditConflict as error:
            conflict = _conflict_rows(error.current, values)
            # Keep what they typed; saving again from here replaces the saved milestone.
            fresh = request.POST.copy()
            fresh["revision"] = str(error.current.revision)
            form = MilestoneForm(fresh, initial=initial, editing=True)
            form.is_valid()
            form.add_error(None, error.message)
        except NotAllowed as error:
            return _refused(request, plan, error, "You cannot change this milestone")
        except (InvalidMove, ReadOnly, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Milestone saved: {milestone.title}.")
            return redirect(_list_url(plan, milestone))
    return _form_page(request, plan, form, milestone=milestone, conflict=conflict)


@require_POST
@login_required
def milestone_done(request, pk: int, milestone_id: int):
    plan = plan_for(request, pk)
    milestone = _milestone(request, plan, milestone_id)
    refusal = capabilities.manage_refusal(request.user, plan)
    if refusal is not None:
        return _refused(request, plan, refusal, "You cannot change this milestone")
    if milestone.done_on:
        messages.info(
            request, f"{milestone.title} was already marked done on {long_date(milestone.done_on)}."
        )
        return redirect(_list_url(plan, milestone))
    revision = request.POST.get("revision", "")
    today = timezone.localdate()
    try:
        services.update_milestone(
            milestone,
            user=request.user,
            expected_revision=int(revision) if revision.isdigit() else None,
            done_on=today,
        )
    except EditConflict:
        messages.error(
            request,
            f"Someone else changed {milestone.title} after you opened this page, so it has not "
            "been marked done. Check it below, then mark it done again if it still needs it.",
        )
    except NotAllowed as error:
        return _refused(request, plan, error, "You cannot change this milestone")
    except (InvalidMove, ReadOnly) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{milestone.title} marked done on {long_date(today)}.")
    return redirect(_list_url(plan, milestone))


@login_required
def milestone_delete(request, pk: int, milestone_id: int):
    plan = plan_for(request, pk)
    milestone = _milestone(request, plan, milestone_id)
    refusal = capabilities.manage_refusal(request.user, plan)
    if refusal is not None:
        return _refused(request, plan, refusal, "You cannot delete this milestone")
    if request.method == "POST":
        try:
            services.delete_milestone(milestone, user=request.user)
        except NotAllowed as error:
            return _refused(request, plan, error, "You cannot delete this milestone")
        except (InvalidMove, ReadOnly) as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Milestone deleted: {milestone.title}.")
        return redirect(_list_url(plan))
    context = plan_page_context(request, plan, "milestones") | {
        "title": f"Delete milestone – {plan.title}",
        "row": milestone_row(milestone, timezone.localdate()),
    }
    return render(request, "plans/milestones/delete.jinja", context)
