"""Shared by every plan page: find the plan the user may read, and the tabbed layout's context.

Views call `plan_for(request, pk)` (404 for a plan the user cannot read; signed-out visitors
are sent to sign in first, unless the plan is public) and render a template extending
`plans/layout.jinja` with `plan_page_context(request, plan, tab)` merged into their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.utils import timezone

from . import capabilities
from .models import Plan


class SignInFirst(Exception):
    """Raised for a signed-out visitor asking for a plan that is not public."""


def plan_for(request, pk: int, *, for_update: bool = False) -> Plan:
    queryset = Plan.objects.for_user(request.user).select_related("ccg", "refreshes")
    if for_update:
        queryset = queryset.select_for_update()
    plan = queryset.filter(pk=pk).first()
    if plan is None:
        if not request.user.is_authenticated:
            raise SignInFirst
        raise Http404("No plan here, or you cannot see it")
    return plan


def sign_in_first(view):
    """Decorator: turn SignInFirst into the sign-in redirect (with ?next= back here)."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except SignInFirst:
            return redirect_to_login(request.get_full_path())

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    wrapped.__wrapped__ = view
    return wrapped


def when(value) -> str:
    """A moment as pages write it, in local time: 3 March 2016 at 14:05."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


@dataclass(frozen=True)
class Tab:
    name: str
    label: str
    url_name: str


TABS = (
    Tab("overview", "Overview", "plan-detail"),
    Tab("sections", "Sections", "plan-sections"),
    # The priorities app's tabs (URL names resolved at render time: plans imports nothing
    # above it).
    Tab("priorities", "Priorities", "plan-priorities"),
    Tab("on-a-page", "On a page", "plan-on-a-page"),
    Tab("delivery", "Delivery", "plan-delivery"),
    Tab("consultation", "Consultation", "plan-consultation"),
    Tab("milestones", "Milestones", "plan-milestones"),
    Tab("documents", "Documents", "plan-packs"),
    Tab("versions", "Versions", "plan-versions"),
    Tab("history", "History", "plan-history"),
)


def is_internal(user, plan: Plan) -> bool:
    """Whether `user` holds a role in the plan's CCG, or is staff or an assurer: the people
    who see the plan's consultation, history and lifecycle."""
    from commissioning.access import ccg_scope

    if capabilities.roles_in(user, plan) or getattr(user, "is_staff", False):
        return True
    return ccg_scope(user).everything


def visible_tabs(user, plan: Plan) -> list[Tab]:
    """Consultation and history are for people holding a role in the plan's CCG."""
    internal = is_internal(user, plan)
    return [t for t in TABS if internal or t.name not in {"consultation", "history"}]


def plan_page_context(request, plan: Plan, tab: str) -> dict:
    user = request.user
    return {
        "plan": plan,
        "current_ccg": plan.ccg if user.is_authenticated else None,
        "tab": tab,
        "tabs": visible_tabs(user, plan),
        "can_edit": capabilities.can_edit(user, plan),
        "edit_refusal": capabilities.edit_refusal(user, plan),
        "can_manage": capabilities.manage_refusal(user, plan) is None,
        "when": when,
    }
