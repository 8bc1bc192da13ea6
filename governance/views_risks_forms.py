"""The forms of the risk register pages, for planning managers of the CCG (and staff): add
and change a risk, review it, add and complete its actions, close and reopen it.

Everything is read as on the register pages (`views_risks`: internal roles only, through
`for_user(request.user)`); every write goes through `governance.services_risks`. A refusal
shows its reason (403 for the user's role, 409 for a closed risk); a stale revision shows
both versions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from plans.errors import EditConflict, InvalidMove, NotAllowed, ReadOnly
from priorities.models import PriorityArea

from . import services_risks as services
from .forms_risks import STAGE_WORDS, ReviewForm, RevisionForm, RiskActionForm, RiskForm
from .models import Committee, RiskAction, RiskStatus
from .views_risks import detail_url, risk_ccg, risk_of, risk_scores, score_cell


def _posted(request):
    return request.POST if request.method == "POST" else None


# --- Refusals -------------------------------------------------------------------------------


def refused(request, ccg, reason, *, by_role: bool, title: str, back_url: str):
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": title,
        "reason": getattr(reason, "message", None) or str(reason),
        "back_url": back_url,
    }
    return render(request, "governance/risks/refused.jinja", context,
                  status=403 if by_role else 409)  # fmt: skip


def _role_refused(request, ccg, title: str, back_url: str):
    refusal = services.risk_refusal(request.user, ccg)
    if refusal is None:
        return None
    return refused(request, ccg, refusal, by_role=True, title=title, back_url=back_url)


def _closed_refused(request, risk, title: str):
    if risk.status != RiskStatus.CLOSED:
        return None
    reason = f"Risk {risk.reference} is closed: reopen it to change it."
    return refused(request, risk.ccg, reason, by_role=False, title=title,
                   back_url=detail_url(risk))  # fmt: skip


def _service_refusal(request, risk_or_ccg, error, title: str, back_url: str):
    ccg = getattr(risk_or_ccg, "ccg", risk_or_ccg)
    return refused(request, ccg, error, by_role=isinstance(error, NotAllowed), title=title,
                   back_url=back_url)  # fmt: skip


# --- Add and change a risk ------------------------------------------------------------------


def _choices(request, ccg):
    committees = list(
        Committee.objects.for_user(request.user).filter(ccg=ccg).order_by("order", "name")
    )
    priorities = list(
        PriorityArea.objects.for_user(request.user)
        .filter(plan__ccg=ccg)
        .select_related("plan")
        .order_by("-plan__first_year", "plan__title", "order", "pk")
    )
    return committees, priorities


CONFLICT_LABELS = (
    ("reference", "Reference"),
    ("title", "Risk"),
    ("owner", "Risk owner"),
    ("current_likelihood", "Current likelihood"),
    ("current_consequence", "Current consequence"),
    ("target_likelihood", "Target likelihood"),
    ("target_consequence", "Target consequence"),
    ("key_controls", "Key controls"),
    ("gaps_in_control", "Gaps in control"),
    ("gaps_in_assurance", "Gaps in assurance"),
)


def conflict_rows(current, attempted: dict, labels=CONFLICT_LABELS) -> list[dict]:
    def shown(value):
        return "None" if value in (None, "") else str(value)

    return [
        {
            "label": label,
            "saved": shown(getattr(current, name)),
            "yours": shown(attempted.get(name)),
            "differs": shown(getattr(current, name)) != shown(attempted.get(name)),
        }
        for name, label in labels
        if name in attempted
    ]


def _form_page(request, ccg, form, *, risk=None, conflict=None):
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": (f"Change {risk.reference}" if risk else "Add a risk") + f" – {ccg.display_name}",
        "risk": risk,
        "form": form,
        "conflict": conflict,
        "error_list": form.error_list(),
        "next_reference": services.next_reference(ccg) if risk is None else "",
        "stages": STAGE_WORDS,
    }
    return render(request, "governance/risks/form.jinja", context)


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request, ods: str):
    ccg = risk_ccg(request, ods)
    back = reverse("ccg-risks", kwargs={"ods": ccg.ods_code})
    title = "You cannot add risks"
    refusal = _role_refused(request, ccg, title, back)
    if refusal is not None:
        return refusal
    committees, priorities = _choices(request, ccg)
    form = RiskForm(_posted(request), committees=committees, priorities=priorities)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.create_risk(ccg, user=request.user, **form.risk_values())
        except NotAllowed as error:
            return _service_refusal(request, ccg, error, title, back)
        except InvalidMove as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Risk added: {risk.reference} {risk.title}.")
            return redirect(detail_url(risk))
    return _form_page(request, ccg, form)


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request, ods: str, pk: int):
    risk = risk_of(request, ods, pk)
    title = "You cannot change this risk"
    refusal = _role_refused(request, risk.ccg, title, detail_url(risk)) or _closed_refused(
        request, risk, title
    )
    if refusal is not None:
        return refusal
    committees, priorities = _choices(request, risk.ccg)
    initial = RiskForm.initial_for(risk)
    form = RiskForm(_posted(request), initial=initial, committees=committees,
                    priorities=priorities, editing=True)  # fmt: skip
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = form.risk_values()
        try:
            services.update_risk(
                risk, user=request.user, expected_revision=form.cleaned_data["revision"], **values
            )
        except EditConflict as error:
            conflict = conflict_rows(error.current, values)
            fresh = request.POST.copy()
            fresh["revision"] = str(error.current.revision)
            form = RiskForm(fresh, initial=initial, committees=committees,
                            priorities=priorities, editing=True)  # fmt: skip
            form.is_valid()
            form.add_error(None, error.message)
        except (NotAllowed, ReadOnly) as error:
            return _service_refusal(request, risk, error, title, detail_url(risk))
        except InvalidMove as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Risk saved: {risk.reference} {risk.title}.")
            return redirect(detail_url(risk))
    return _form_page(request, risk.ccg, form, risk=risk, conflict=conflict)


# --- Review ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def risk_review(request, ods: str, pk: int):
    risk = risk_of(request, ods, pk)
    title = "You cannot review this risk"
    refusal = _role_refused(request, risk.ccg, title, detail_url(risk)) or _closed_refused(
        request, risk, title
    )
    if refusal is not None:
        return refusal
    bands = services.bands_for(risk.ccg)
    initial = {
        "current_likelihood": risk.current_likelihood,
        "current_consequence": risk.current_consequence,
        "revision": risk.revision,
    }
    form = ReviewForm(_posted(request), initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = form.review_values()
        try:
            services.review_risk(
                risk, user=request.user, expected_revision=form.cleaned_data["revision"], **values
            )
        except EditConflict as error:
            conflict = conflict_rows(
                error.current,
                {
                    "current_likelihood": values["likelihood"],
                    "current_consequence": values["consequence"],
                },  # fmt: skip
            )
            fresh = request.POST.copy()
            fresh["revision"] = str(error.current.revision)
            form = ReviewForm(fresh, initial=initial)
            form.is_valid()
            form.add_error(None, error.message)
        except (NotAllowed, ReadOnly) as error:
            return _service_refusal(request, risk, error, title, detail_url(risk))
        except InvalidMove as error:
            form.add_service_error(error)
        else:
            cell = score_cell(risk.current_likelihood, risk.current_consequence, bands)
            messages.success(
                request,
                f"Review recorded: {risk.reference} now scores {cell['score']} "
                f"({cell['tag']['text']}).",
            )
            return redirect(detail_url(risk, "history"))
    context = {
        "ccg": risk.ccg,
        "current_ccg": risk.ccg,
        "title": f"Review {risk.reference} – {risk.ccg.display_name}",
        "risk": risk,
        "scores": risk_scores(risk, bands),
        "form": form,
        "conflict": conflict,
        "error_list": form.error_list(),
    }
    return render(request, "governance/risks/review.jinja", context)


# --- Actions --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def risk_action_new(request, ods: str, pk: int):
    risk = risk_of(request, ods, pk)
    title = "You cannot add actions to this risk"
    refusal = _role_refused(request, risk.ccg, title, detail_url(risk)) or _closed_refused(
        request, risk, title
    )
    if refusal is not None:
        return refusal
    form = RiskActionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            action = services.add_risk_action(risk, user=request.user, **form.action_values())
        except (NotAllowed, ReadOnly) as error:
            return _service_refusal(request, risk, error, title, detail_url(risk))
        except InvalidMove as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Action added.")
            return redirect(detail_url(risk, f"action-{action.pk}"))
    context = {
        "ccg": risk.ccg,
        "current_ccg": risk.ccg,
        "title": f"Add an action – {risk.reference}",
        "risk": risk,
        "form": form,
        "error_list": form.error_list(),
    }
    return render(request, "governance/risks/action_form.jinja", context)


@login_required
@require_POST
def risk_action_complete(request, ods: str, pk: int, action_id: int):
    risk = risk_of(request, ods, pk)
    actions = RiskAction.objects.for_user(request.user).filter(risk=risk)
    action = get_object_or_404(actions, pk=action_id)
    title = "You cannot complete this action"
    try:
        services.complete_risk_action(action, user=request.user)
    except (NotAllowed, ReadOnly) as error:
        return _service_refusal(request, risk, error, title, detail_url(risk))
    except InvalidMove as error:
        messages.info(request, error.message)
    else:
        messages.success(request, f"Action completed: {action.text[:80]}")
    return redirect(detail_url(risk, f"action-{action.pk}"))


# --- Close and reopen -----------------------------------------------------------------------


def _status_change(request, risk, *, closing: bool):
    """Close (after a confirmation page) or reopen a risk."""
    title = "You cannot close this risk" if closing else "You cannot reopen this risk"
    refusal = _role_refused(request, risk.ccg, title, detail_url(risk))
    if refusal is not None:
        return refusal
    if request.method == "GET":
        if risk.status == RiskStatus.CLOSED:
            return refused(request, risk.ccg, f"Risk {risk.reference} is closed already.",
                           by_role=False, title=title, back_url=detail_url(risk))  # fmt: skip
        context = {
            "ccg": risk.ccg,
            "current_ccg": risk.ccg,
            "title": f"Close {risk.reference} – {risk.ccg.display_name}",
            "risk": risk,
        }
        return render(request, "governance/risks/close.jinja", context)
    form = RevisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_list()[0]["text"])
        return redirect(detail_url(risk))
    change = services.close_risk if closing else services.reopen_risk
    try:
        change(risk, user=request.user, expected_revision=form.cleaned_data["revision"])
    except EditConflict as error:
        messages.error(request, error.message)
        return redirect(detail_url(risk))
    except (NotAllowed, InvalidMove) as error:
        return _service_refusal(request, risk, error, title, detail_url(risk))
    messages.success(request, f"Risk {'closed' if closing else 'reopened'}: {risk.reference}.")
    return redirect(detail_url(risk))


@login_required
@require_http_methods(["GET", "POST"])
def risk_close(request, ods: str, pk: int):
    return _status_change(request, risk_of(request, ods, pk), closing=True)


@login_required
@require_POST
def risk_reopen(request, ods: str, pk: int):
    return _status_change(request, risk_of(request, ods, pk), closing=False)
