"""What a user may do to a plan they can read: edit, comment, respond, move it.

Reading is decided by `queries.py`; these answer "may this user write" for pages (which
buttons to show), the API and the services (which refuse with the same messages).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from commissioning.access import Role, ccg_scope

from . import lifecycle
from .models import Plan, PlanState


class Refusal(str):
    """Why not, as a message for the user; `by_role` says whether it is the user's role (403)
    rather than the plan's state (409) that stands in the way."""

    by_role: bool = False


def _role(message: str) -> Refusal:
    refusal = Refusal(message)
    refusal.by_role = True
    return refusal


def _state(message: str) -> Refusal:
    return Refusal(message)


def roles_in(user, plan: Plan) -> set[str]:
    """The roles `user` holds in the plan's CCG. A superuser acts in every role (admin);
    `None` is the system itself (the demo loader, management commands), never a request:
    views pass `request.user`, which is AnonymousUser when nobody is signed in."""
    if user is None:
        return {Role.PLANNING_MANAGER, Role.GOVERNING_BODY}
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return {Role.PLANNING_MANAGER, Role.GOVERNING_BODY}
    role = ccg_scope(user).role_in(plan.ccg_id)
    return {role} if role else set()


def is_planning_manager(user, plan: Plan) -> bool:
    return Role.PLANNING_MANAGER in roles_in(user, plan)


def edit_refusal(user, plan: Plan) -> str | None:
    """Why `user` may not change the plan's content now, or None when they may."""
    if not is_planning_manager(user, plan):
        return _role(f"Only planning managers of {plan.ccg.display_name} can change this plan.")
    if plan.state in (PlanState.APPROVED, PlanState.PUBLISHED):
        return f"This plan is {PlanState(plan.state).label.lower()} and read-only. " + (
            "Reopen it as a new draft to change it."
            if plan.state == PlanState.APPROVED
            else "Start an annual refresh to change it."
        )
    if plan.state == PlanState.SUBMITTED:
        return (
            "This plan is with the governing body and read-only until it is approved or sent back."
        )
    if not plan.is_editable:
        return f"This plan is {PlanState(plan.state).label.lower()} and can no longer change."
    return None


def can_edit(user, plan: Plan) -> bool:
    return edit_refusal(user, plan) is None


def manage_refusal(user, plan: Plan) -> str | None:
    """Milestones and consultation responses: planning managers, in any state but the last."""
    if not is_planning_manager(user, plan):
        return _role(f"Only planning managers of {plan.ccg.display_name} can do this.")
    if plan.state in (PlanState.SUPERSEDED, PlanState.WITHDRAWN):
        return f"This plan is {PlanState(plan.state).label.lower()} and can no longer change."
    return None


def comment_refusal(user, plan: Plan, today: dt.date | None = None) -> str | None:
    """Why `user` may not comment on the plan now. Planning managers may record comments for
    stakeholders; invited people comment while the window is open."""
    today = today or timezone.localdate()
    consultation = plan.consultations.filter(closed_at__isnull=True).first()
    if plan.state != PlanState.CONSULTATION or consultation is None:
        return "This plan is not out for consultation."
    if is_planning_manager(user, plan):
        return None
    if not consultation.invited_users.filter(pk=user.pk).exists():
        return _role("Only invited stakeholders can comment on this plan.")
    if today < consultation.opens_on:
        return f"The consultation opens on {consultation.opens_on:%-d %B %Y}."
    if today > consultation.closes_on:
        return f"The consultation closed on {consultation.closes_on:%-d %B %Y}."
    return None


def moves_for(user, plan: Plan) -> list[lifecycle.Check]:
    """Every move out of the plan's state, each allowed or with the reason it is not."""
    roles = roles_in(user, plan)
    return [
        lifecycle.check_move(
            state=plan.state,
            target=move.target,
            roles=roles,
            ccg_name=plan.ccg.display_name,
            section_count=plan.sections.count(),
        )
        for move in lifecycle.moves_from(plan.state)
    ]


def refresh_refusal(user, plan: Plan) -> str | None:
    if not is_planning_manager(user, plan):
        return _role(f"Only planning managers of {plan.ccg.display_name} can start a refresh.")
    if plan.state != PlanState.PUBLISHED:
        return "Only a published plan can be refreshed."
    if not plan.is_multi_year:
        return "Only a plan that spans several years has an annual refresh."
    open_refresh = plan.refreshed_by.exclude(
        state__in=[PlanState.WITHDRAWN, PlanState.PUBLISHED, PlanState.SUPERSEDED]
    ).first()
    if open_refresh is not None:
        return f"A refresh of this plan is already under way: {open_refresh.title}."
    if next_refresh_year(plan) is None:
        return "This plan has no year left to refresh."
    return None


def next_refresh_year(plan: Plan):
    """The year the next refresh is for: the year after the latest refresh (or the plan's own
    first year), if still within the plan's period."""
    latest = plan.refreshed_by.exclude(state=PlanState.WITHDRAWN).order_by("-first_year").first()
    base = latest.first_year if latest else plan.first_year
    year = base + 1
    return year if year <= plan.last_year else None
