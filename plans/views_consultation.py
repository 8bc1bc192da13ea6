"""Consultation pages of a plan: the consultation tab, opening consultation on a draft,
commenting, responding to comments, and the CSV export of comments and responses.

Consultation records are for people holding a role in the plan's CCG (and NHS England and
staff): others get a 404, as if the page were not there. Writes go through plans.services;
a refusal because of the user's role is a 403 page saying why, one because of the plan's
state (not out for consultation, window not open) a page saying so (200, or 409 on POST).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from commissioning.access import Role
from commissioning.jinja2 import long_date
from commissioning.models import Locality, Membership, PartnerOrganisation

from . import capabilities, exports, lifecycle, services
from .errors import EditConflict, InvalidMove, NotAllowed, ReadOnly
from .forms_consultation import (
    CommentForm,
    OpenConsultationForm,
    ResponseForm,
    person_name,
)
from .models import Consultation, ConsultationComment, Outcome, PlanState
from .page_context import TABS, plan_for, plan_page_context, visible_tabs
from .presenters_consultation import (
    AWAITING,
    about_groups,
    about_key,
    comment_counts,
    comment_row,
    conflict_row,
    paragraphs,
    roles_by_user,
    window_status,
)

TAB_URLS = {tab.name: tab.url_name for tab in TABS}
TAB_LABELS = {tab.name: tab.label for tab in TABS}


# --- Shared ---------------------------------------------------------------------------------


def can_read_comments(user, plan) -> bool:
    """The consultation tab is shown to exactly the people who may read its records."""
    return any(tab.name == "consultation" for tab in visible_tabs(user, plan))


def consultation_plan(request, pk: int):
    plan = plan_for(request, pk)
    if not can_read_comments(request.user, plan):
        raise Http404("No consultation here, or you cannot see it")
    return plan


def refused(request, plan, reason, *, tab: str, title: str, back_url: str = "", by_role=None):
    """The page saying why the user cannot do this: 403 when their role stands in the way,
    otherwise (the plan's state, the window's dates) 200 on GET and 409 on POST."""
    if by_role is None:
        by_role = getattr(reason, "by_role", False) or isinstance(reason, NotAllowed)
    status = 403 if by_role else (409 if request.method == "POST" else 200)
    context = plan_page_context(request, plan, tab) | {
        "title": title,
        "reason": getattr(reason, "message", None) or str(reason),
        "back_url": back_url or reverse(TAB_URLS[tab], kwargs={"pk": plan.pk}),
        "back_label": f"Back to {TAB_LABELS[tab].lower()}",
    }
    return render(request, "plans/consultation/refused.jinja", context, status=status)


# --- The consultation tab -------------------------------------------------------------------


@require_GET
@login_required
def consultation(request, pk: int):
    user = request.user
    plan = consultation_plan(request, pk)
    today = timezone.localdate()
    windows = list(
        Consultation.objects.for_user(user)
        .for_plan(plan)
        .prefetch_related("invited_users", "invited_partners", "invited_localities")
        .order_by("-opens_on", "-id")
    )
    current = next((c for c in windows if not c.is_closed), windows[0] if windows else None)
    roles = roles_by_user(user, plan)
    comments = (
        ConsultationComment.objects.for_user(user)
        .for_plan(plan)
        .select_related("author", "partner", "locality", "responded_by", "consultation")
    )
    all_comments = list(comments)
    groups = about_groups(plan, all_comments)
    about = request.GET.get("about", "")
    outcome = request.GET.get("outcome", "")
    if about and about not in dict(groups):
        about = ""
    if outcome not in {AWAITING, *Outcome.values}:
        outcome = ""
    chosen = [
        c
        for c in all_comments
        if (not about or about_key(c) == about)
        and (not outcome or c.outcome == ("" if outcome == AWAITING else outcome))
    ]
    can_respond = capabilities.manage_refusal(user, plan) is None
    several = len({c.consultation_id for c in all_comments}) > 1
    grouped = []
    for value, label in groups:
        rows = [
            comment_row(c, several_windows=several, can_respond=can_respond, plan=plan)
            for c in chosen
            if about_key(c) == value
        ]
        if rows:
            grouped.append({"label": label, "rows": rows})
    user_roles = capabilities.roles_in(user, plan)
    can_open, can_close = (
        lifecycle.check_move(
            state=plan.state, target=target, roles=user_roles, ccg_name=plan.ccg.display_name
        ).allowed
        and plan.state == source
        for source, target in (
            (PlanState.DRAFT, PlanState.CONSULTATION),
            (PlanState.CONSULTATION, PlanState.DRAFT),
        )
    )
    context = plan_page_context(request, plan, "consultation") | {
        "title": f"Consultation – {plan.title}",
        "current": current,
        "status": window_status(current, today) if current else None,
        "earlier": [c for c in windows if c is not current],
        "invited_people": (
            [
                {"name": person_name(u), "role": roles.get(u.pk, "No longer has a role")}
                for u in sorted(current.invited_users.all(), key=person_name)
            ]
            if current
            else []
        ),
        "counts": comment_counts(comments),
        "groups": grouped,
        "about_items": [{"value": "", "text": "Everything"}]
        + [{"value": v, "text": label} for v, label in groups],
        "outcome_items": [{"value": "", "text": "Any outcome"}]
        + [{"value": AWAITING, "text": "Awaiting response"}]
        + [{"value": v, "text": label} for v, label in Outcome.choices],
        "about": about,
        "outcome": outcome,
        "filtered": bool(about or outcome),
        "comment_count": len(all_comments),
        "shown_count": len(chosen),
        "comment_refusal": capabilities.comment_refusal(user, plan),
        "can_open": can_open,
        "can_close": can_close,
        "can_respond": can_respond,
    }
    return render(request, "plans/consultation/tab.jinja", context)


# --- Opening consultation -------------------------------------------------------------------

ROLE_ORDER = [Role.SCRUTINY, Role.GOVERNING_BODY, Role.VIEWER, Role.PLANNING_MANAGER]


@login_required
def consultation_open(request, pk: int):
    user = request.user
    plan = plan_for(request, pk)
    if not capabilities.is_planning_manager(user, plan):
        return refused(
            request,
            plan,
            f"Only planning managers of {plan.ccg.display_name} can open consultation.",
            tab="consultation" if can_read_comments(user, plan) else "overview",
            title="You cannot open consultation on this plan",
            by_role=True,
        )
    check = lifecycle.check_move(
        state=plan.state,
        target=PlanState.CONSULTATION,
        roles=capabilities.roles_in(user, plan),
        ccg_name=plan.ccg.display_name,
    )
    if not check.allowed:
        return refused(
            request,
            plan,
            f"Consultation can only be opened on a draft. {check.reason}",
            tab="consultation",
            title="You cannot open consultation on this plan",
        )
    memberships = sorted(
        Membership.objects.for_user(user)
        .for_ccg(plan.ccg)
        .exclude(role=Role.ASSURER)
        .select_related("user"),
        key=lambda m: (
            ROLE_ORDER.index(m.role) if m.role in ROLE_ORDER else 9,
            person_name(m.user).lower(),
        ),
    )
    form = OpenConsultationForm(
        request.POST or None,
        memberships=memberships,
        partners=PartnerOrganisation.objects.for_user(user).for_ccg(plan.ccg).order_by("name"),
        localities=Locality.objects.for_user(user).for_ccg(plan.ccg).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        window = form.window()
        try:
            services.open_consultation(plan, user=user, note=form.cleaned_data["note"], **window)
        except NotAllowed as error:
            return refused(
                request,
                plan,
                error,
                tab="consultation",
                title="You cannot open consultation on this plan",
            )
        except (InvalidMove, ReadOnly, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Consultation opened. Invited people can comment from "
                f"{long_date(window['opens_on'])} to {long_date(window['closes_on'])}.",
            )
            return redirect("plan-consultation", pk=plan.pk)
    context = plan_page_context(request, plan, "consultation") | {
        "title": f"Open consultation – {plan.title}",
        "form": form,
        "error_list": form.error_list(),
    }
    return render(request, "plans/consultation/open.jinja", context)


# --- Comments -------------------------------------------------------------------------------


@login_required
def comment_create(request, pk: int):
    user = request.user
    plan = consultation_plan(request, pk)
    refusal = capabilities.comment_refusal(user, plan)
    if refusal is not None:
        return refused(
            request, plan, refusal, tab="consultation", title="You cannot comment on this plan now"
        )
    for_others = capabilities.is_planning_manager(user, plan)
    form = CommentForm(
        request.POST or None,
        initial={"about": request.GET.get("about", "")},
        plan=plan,
        for_others=for_others,
        partners=PartnerOrganisation.objects.for_user(user).for_ccg(plan.ccg).order_by("name"),
        localities=Locality.objects.for_user(user).for_ccg(plan.ccg).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.add_comment(plan, user=user, **form.comment_values())
        except NotAllowed as error:
            return refused(
                request,
                plan,
                error,
                tab="consultation",
                title="You cannot comment on this plan now",
            )
        except (InvalidMove, ReadOnly, ValidationError) as error:
            form.add_service_error(error)
        else:
            if comment.on_behalf_of or comment.partner_id or comment.locality_id:
                text = f"Comment recorded for {comment.stakeholder}."
            else:
                text = "Your comment has been added."
            messages.success(request, text)
            url = reverse("plan-consultation", kwargs={"pk": plan.pk})
            return redirect(f"{url}#comment-{comment.pk}")
    context = plan_page_context(request, plan, "consultation") | {
        "title": f"Comment on {plan.title}",
        "form": form,
        "error_list": form.error_list(),
        "window": Consultation.objects.for_user(user)
        .for_plan(plan)
        .filter(closed_at__isnull=True)
        .order_by("-id")
        .first(),
    }
    return render(request, "plans/consultation/comment.jinja", context)


@login_required
def comment_respond(request, pk: int, comment_id: int):
    user = request.user
    plan = consultation_plan(request, pk)
    comment = get_object_or_404(
        ConsultationComment.objects.for_user(user)
        .for_plan(plan)
        .select_related("author", "partner", "locality", "responded_by"),
        pk=comment_id,
    )
    refusal = capabilities.manage_refusal(user, plan)
    if refusal is not None:
        return refused(
            request, plan, refusal, tab="consultation", title="You cannot respond to this comment"
        )
    initial = {
        "response": comment.response,
        "outcome": comment.outcome,
        "outcome_reason": comment.outcome_reason,
        "revision": comment.revision,
    }
    form = ResponseForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.respond_to_comment(
                comment,
                user=user,
                response=data["response"],
                outcome=data["outcome"],
                outcome_reason=data["outcome_reason"],
                expected_revision=data["revision"],
            )
        except EditConflict as error:
            conflict = conflict_row(error.current)
            # Keep what they typed; saving again from here replaces the saved response.
            fresh = request.POST.copy()
            fresh["revision"] = str(error.current.revision)
            form = ResponseForm(fresh, initial=initial)
            form.is_valid()
            form.add_error(None, error.message)
        except NotAllowed as error:
            return refused(
                request, plan, error, tab="consultation", title="You cannot respond to this comment"
            )
        except (InvalidMove, ReadOnly, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Response saved: the comment from {comment.stakeholder} is "
                f"{Outcome(data['outcome']).label.lower()}.",
            )
            url = reverse("plan-consultation", kwargs={"pk": plan.pk})
            return redirect(f"{url}#comment-{comment.pk}")
    context = plan_page_context(request, plan, "consultation") | {
        "title": f"Respond to a comment – {plan.title}",
        "form": form,
        "error_list": form.error_list(),
        "row": comment_row(comment, several_windows=False, can_respond=False, plan=plan),
        "conflict": conflict,
        "attempted": (
            {
                "response": paragraphs(form.data.get("response", "")),
                "outcome": dict(Outcome.choices).get(form.data.get("outcome"), "Not chosen"),
                "reason": paragraphs(form.data.get("outcome_reason", "")),
            }
            if conflict
            else None
        ),
    }
    return render(request, "plans/consultation/respond.jinja", context)


# --- CSV export -----------------------------------------------------------------------------


@require_GET
@login_required
def consultation_csv(request, pk: int):
    plan = consultation_plan(request, pk)
    comments = (
        ConsultationComment.objects.for_user(request.user)
        .for_plan(plan)
        .select_related("plan__ccg", "author", "partner", "locality", "responded_by")
    )
    return exports.comments_csv_response(plan, comments)
