"""Plan pages: a CCG's plans, creating a plan, the overview, editing the details, lifecycle
moves and the annual refresh. Sections and statements are in views_content, versions and
the diff in views_versions, the history tab in views_history.

Thin: every read goes through `for_user(request.user)` (via `plan_for`), every write through
`plans.services`; their refusals are shown with the message they carry.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.models import CCG

from . import capabilities, lifecycle, presenters, services
from .errors import EditConflict, InvalidMove, NotAllowed, PlanError
from .forms import MoveForm, PlanCreateForm, PlanEditForm, RefreshForm
from .models import Plan, PlanState, PlanStatement
from .page_context import is_internal, plan_for, plan_page_context, sign_in_first

# --- Shared by the plan page modules --------------------------------------------------------


def refused(request, plan: Plan | None, message: str, *, by_role: bool, title: str = ""):
    """The page shown when the user may not do this: 403 for their role, 409 for the plan's
    state (approved, published, ...), with the reason as the service gives it."""
    context = plan_page_context(request, plan, "overview") if plan is not None else {}
    context.update({"refusal": message, "title": title or "You cannot do this"})
    template = "plans/refused.jinja" if plan is not None else "plans/refused_ccg.jinja"
    return render(request, template, context, status=403 if by_role else 409)


def edit_refused(request, plan: Plan):
    """None when the user may change the plan's content now, else the refusal page."""
    refusal = capabilities.edit_refusal(request.user, plan)
    if refusal is None:
        return None
    by_role = not capabilities.is_planning_manager(request.user, plan)
    return refused(request, plan, refusal, by_role=by_role)


def error_refused(request, plan: Plan, error: PlanError):
    """A service refusal that no form field can show: NotAllowed is the user's role."""
    return refused(request, plan, error.message, by_role=isinstance(error, NotAllowed))


def last_change(record) -> dict:
    """Who saved a record last and when, from its history: for conflict messages."""
    entry = record.history.select_related("history_user").order_by("-history_date").first()
    if entry is None:
        return {"who": "someone", "when": None}
    user = entry.history_user
    who = (user.get_full_name() or user.get_username()) if user else "someone"
    return {"who": who, "when": entry.history_date}


# --- A CCG's plans ------------------------------------------------------------------------


def _ccg_for(request, ods: str) -> CCG:
    return get_object_or_404(CCG.objects.for_user(request.user), ods_code=ods.upper())


@login_required
@require_GET
def ccg_plans(request, ods: str):
    ccg = _ccg_for(request, ods)
    plans = (
        Plan.objects.for_user(request.user)
        .for_ccg(ccg)
        .select_related("ccg", "refreshes")
        .order_by("-first_year", "title")
    )
    return render(
        request,
        "plans/ccg_plans.jinja",
        {
            "ccg": ccg,
            "current_ccg": ccg,
            "plans": plans,
            "can_create": capabilities.is_planning_manager(request.user, Plan(ccg=ccg)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request, ods: str):
    ccg = _ccg_for(request, ods)
    if not capabilities.is_planning_manager(request.user, Plan(ccg=ccg)):
        return render(
            request,
            "plans/refused_ccg.jinja",
            {
                "current_ccg": ccg,
                "title": "You cannot create a plan",
                "refusal": f"Only planning managers of {ccg.display_name} can create plans.",
            },
            status=403,
        )
    form = PlanCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(user=request.user, ccg=ccg, **form.values())
        except NotAllowed as error:
            return refused(request, None, error.message, by_role=True)
        except ValidationError as error:
            form.add_validation_error(error)
        except InvalidMove as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Plan created: {plan.title} ({plan.version_label}).")
            return redirect("plan-detail", pk=plan.pk)
    return render(
        request,
        "plans/plan_create.jinja",
        {
            "ccg": ccg,
            "current_ccg": ccg,
            "form": form,
            "error_list": presenters.form_errors(form),
            "creating": True,
            "title": f"Create a plan for {ccg.name}",
        },
    )


# --- Overview -------------------------------------------------------------------------------


def lifecycle_panel(request, plan: Plan) -> list[dict]:
    """Each move out of the plan's state: a link to confirm it, or why it is not allowed."""
    rows = []
    for check in capabilities.moves_for(request.user, plan):
        move = check.move
        if move.target == PlanState.CONSULTATION:
            href = reverse("plan-consultation-open", kwargs={"pk": plan.pk})
        else:
            href = reverse("plan-move", kwargs={"pk": plan.pk, "to": move.target})
        rows.append(
            {
                "label": move.label,
                "allowed": check.allowed,
                "reason": check.reason,
                "href": href,
                "classes": {
                    "secondary": "nhsuk-button--secondary",
                    "warning": "nhsuk-button--warning",
                }.get(move.button, ""),
            }
        )
    return rows


@require_GET
@sign_in_first
def plan_detail(request, pk: int):
    plan = plan_for(request, pk)
    user = request.user
    context = plan_page_context(request, plan, "overview")
    refreshed_by = list(
        Plan.objects.for_user(user).filter(refreshes=plan).order_by("-first_year", "pk")
    )
    parent_visible = bool(
        plan.refreshes_id and Plan.objects.for_user(user).filter(pk=plan.refreshes_id).exists()
    )
    statements = PlanStatement.objects.for_user(user).for_plan(plan).order_by("kind", "order", "id")
    internal = is_internal(user, plan)
    refresh_refusal = capabilities.refresh_refusal(user, plan)
    context.update(
        {
            "facts": presenters.plan_facts(
                plan, refreshed_by=refreshed_by, parent_visible=parent_visible
            ),
            "statement_blocks": presenters.group_statements(statements),
            "internal": internal,
            "moves": lifecycle_panel(request, plan) if internal else [],
            "show_refresh": internal and plan.state == PlanState.PUBLISHED and plan.is_multi_year,
            "refresh_refusal": refresh_refusal,
            "parent_visible": parent_visible,
            # Why a planning manager cannot change the plan now (its state), if they cannot.
            "edit_note": context["edit_refusal"]
            if capabilities.is_planning_manager(user, plan)
            else None,
        }
    )
    return render(request, "plans/detail.jinja", context)


# --- Editing the details ---------------------------------------------------------------------


def _conflict_rows(current: Plan, attempted: dict) -> list[dict]:
    """The fields where the saved plan and the user's input differ, both sides shown."""
    form = PlanEditForm()
    rows = []
    for name in PlanEditForm.SERVICE_FIELDS:
        theirs, yours = getattr(current, name), attempted.get(name)
        if theirs == yours:
            continue
        if name == "kind":
            theirs, yours = presenters.kind_label(theirs), presenters.kind_label(yours)
        elif name == "is_public":
            theirs, yours = ("Yes" if theirs else "No"), ("Yes" if yours else "No")
        rows.append(
            {"label": form.fields[name].label, "theirs": str(theirs), "yours": str(yours or "")}
        )
    return rows


@require_http_methods(["GET", "POST"])
@sign_in_first
def plan_edit(request, pk: int):
    plan = plan_for(request, pk)
    refusal = edit_refused(request, plan)
    if refusal is not None:
        return refusal
    conflict = None
    if request.method == "POST":
        form = PlanEditForm(request.POST)
        if form.is_valid():
            try:
                services.update_plan(
                    plan,
                    user=request.user,
                    expected_revision=form.cleaned_data["revision"],
                    **form.values(),
                )
            except EditConflict as error:
                conflict = {
                    **last_change(error.current),
                    "rows": _conflict_rows(error.current, error.attempted),
                    "message": error.message,
                }
                data = request.POST.copy()
                data["revision"] = str(error.current.revision)
                form = PlanEditForm(data)
                form.is_valid()
                form.add_error(None, error.message)
            except InvalidMove as error:
                form.add_service_error(error)
            except ValidationError as error:
                form.add_validation_error(error)
            except PlanError as error:
                return error_refused(request, plan, error)
            else:
                messages.success(request, "Plan details saved.")
                return redirect("plan-detail", pk=plan.pk)
    else:
        form = PlanEditForm(
            initial={
                **{name: getattr(plan, name) for name in PlanEditForm.SERVICE_FIELDS},
                "revision": plan.revision,
            }
        )
    context = plan_page_context(request, plan, "overview")
    context.update(
        {
            "form": form,
            "error_list": presenters.form_errors(form),
            "creating": False,
            "conflict": conflict,
            "title": f"Edit the details of {plan.title}",
        }
    )
    return render(request, "plans/plan_form.jinja", context)


# --- Lifecycle moves --------------------------------------------------------------------------

MOVE_EXPLANATIONS = {
    "close-consultation": "The consultation closes and the plan goes back to draft, so the "
    "comments received can be worked into it.",
    "submit": "The plan goes to the governing body for approval. It is read-only until the "
    "governing body approves it or sends it back.",
    "approve": "The governing body approves the plan. It becomes read-only and can then be "
    "published.",
    "send-back": "The plan goes back to the planning managers as the next draft, with your "
    "reasons recorded for them to act on.",
    "reopen": "The approved plan becomes a draft again, as the next draft number, so it can be "
    "changed.",
    "publish": "Scrutiny members can read the plan, and anyone can if it is public. "
    "If it refreshes another plan, that plan becomes superseded.",
    "withdraw": "The plan is withdrawn: it stays readable to the CCG but can no longer change "
    "state.",
}


def _move_check(request, plan: Plan, to: str, note: str | None = None):
    return lifecycle.check_move(
        state=plan.state,
        target=to,
        roles=capabilities.roles_in(request.user, plan),
        ccg_name=plan.ccg.display_name,
        section_count=plan.sections.count(),
        note=note,
    )


@require_http_methods(["GET", "POST"])
@sign_in_first
def plan_move(request, pk: int, to: str):
    plan = plan_for(request, pk)
    if to not in PlanState.values:
        raise Http404("No such plan state")
    if to == PlanState.CONSULTATION and plan.state == PlanState.DRAFT:
        return redirect("plan-consultation-open", pk=plan.pk)
    check = _move_check(request, plan, to)
    move = check.move or lifecycle.move_between(plan.state, to)
    context = plan_page_context(request, plan, "overview")
    context.update(
        {
            "to": to,
            "to_label": presenters.state_label(to),
            "move": move,
            "explanation": MOVE_EXPLANATIONS.get(move.name, "") if move else "",
            "title": (move.label if move else "Change the plan's state") + f": {plan.title}",
        }
    )
    if not check.allowed:
        by_role = bool(move) and not (capabilities.roles_in(request.user, plan) & move.roles)
        context.update(
            {"refusal": check.reason, "error_list": [{"text": check.reason, "href": "#refusal"}]}
        )
        return render(request, "plans/move.jinja", context, status=403 if by_role else 409)
    form = MoveForm(request.POST or None, move=move)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.transition(
                plan, user=request.user, to=to, note=form.cleaned_data["note"]
            )
        except (NotAllowed, InvalidMove) as error:
            form.add_service_error(error)
        else:
            plan.refresh_from_db()
            messages.success(
                request,
                f"{move.label}: done. The plan is now {plan.get_state_display().lower()} "
                f"and version {version.number} ({version.label}) has been saved.",
            )
            return redirect("plan-detail", pk=plan.pk)
    context.update({"form": form, "error_list": presenters.form_errors(form)})
    return render(request, "plans/move.jinja", context)


# --- The annual refresh ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@sign_in_first
def plan_refresh(request, pk: int):
    plan = plan_for(request, pk)
    refusal = capabilities.refresh_refusal(request.user, plan)
    if refusal is not None:
        by_role = not capabilities.is_planning_manager(request.user, plan)
        return refused(request, plan, refusal, by_role=by_role, title="You cannot start a refresh")
    year = capabilities.next_refresh_year(plan)
    form = RefreshForm(
        request.POST or None, initial={"title": f"{plan.title}: {year.label} refresh"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            refresh = services.start_refresh(
                plan, user=request.user, title=form.cleaned_data["title"]
            )
        except InvalidMove as error:
            form.add_service_error(error)
        except ValidationError as error:
            form.add_validation_error(error)
        except PlanError as error:
            return error_refused(request, plan, error)
        else:
            messages.success(
                request,
                f"Annual refresh started: {refresh.title}, a draft with a copy of this plan's "
                "content.",
            )
            return redirect("plan-detail", pk=refresh.pk)
    context = plan_page_context(request, plan, "overview")
    context.update(
        {
            "form": form,
            "year": year,
            "error_list": presenters.form_errors(form),
            "title": f"Start the {year.label} refresh of {plan.title}",
        }
    )
    return render(request, "plans/refresh.jinja", context)
