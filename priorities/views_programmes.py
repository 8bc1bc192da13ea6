"""Transformational programme pages: a CCG's programmes, each programme with its intentions in
each plan, its linked commitments (with their delivery status) and its measures; for planning
managers creating and changing programmes, their measures, linking commitments and adding an
intention to a plan that can still change.

Programmes are read by everyone holding a role in their CCG (`Programme.objects.for_user(user)`);
what hangs under them from plans (intentions, commitments) follows those plans' readers.
Writes go through `priorities.services`; refusals show their reason (403 for the user's
role, 409 for a plan's state).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commissioning.models import CCG
from plans.capabilities import edit_refusal
from plans.errors import EditConflict, InvalidMove, NotAllowed, ReadOnly
from plans.models import Plan

from . import services
from .forms_delivery import IntentionForm, LinkCommitmentsForm, MeasureForm, ProgrammeForm
from .models import Commitment, Programme, ProgrammeIntention, ProgrammeMeasure
from .presenters_delivery import programme_rows, status_tag
from .services.programmes import programme_refusal

# --- Shared ---------------------------------------------------------------------------------


def _ccg(request, ods: str) -> CCG:
    return get_object_or_404(CCG.objects.for_user(request.user), ods_code=ods.upper())


def _posted(request):
    """The form data of a POST (even an empty one, so it is checked), None for a GET."""
    return request.POST if request.method == "POST" else None


def _programme(request, pk: int) -> Programme:
    programmes = Programme.objects.for_user(request.user).select_related("ccg")
    return get_object_or_404(programmes, pk=pk)


def _detail_url(programme, anchor: str = "") -> str:
    url = reverse("programme-detail", kwargs={"pk": programme.pk})
    return f"{url}#{anchor}" if anchor else url


def refused(request, ccg, reason, *, by_role: bool, title: str, back_url: str):
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": title,
        "reason": getattr(reason, "message", None) or str(reason),
        "back_url": back_url,
    }
    return render(
        request, "priorities/programmes/refused.jinja", context, status=403 if by_role else 409
    )


def _role_refused(request, programme_or_ccg, title: str):
    """None when the user may change the CCG's programmes, else the 403 page saying why."""
    is_programme = isinstance(programme_or_ccg, Programme)
    ccg = programme_or_ccg.ccg if is_programme else programme_or_ccg
    refusal = programme_refusal(request.user, ccg)
    if refusal is None:
        return None
    back = (
        _detail_url(programme_or_ccg)
        if is_programme
        else reverse("ccg-programmes", kwargs={"ods": ccg.ods_code})
    )
    return refused(request, ccg, refusal, by_role=True, title=title, back_url=back)


def _visible_commitments(user):
    return Commitment.objects.for_user(user).select_related("priority__plan")


def _visible_intentions(user):
    return ProgrammeIntention.objects.for_user(user).select_related("plan")


# --- A CCG's programmes -----------------------------------------------------------------------


@login_required
@require_GET
def ccg_programmes(request, ods: str):
    ccg = _ccg(request, ods)
    user = request.user
    programmes = (
        Programme.objects.for_user(user)
        .for_ccg(ccg)
        .prefetch_related(
            Prefetch("commitments", queryset=_visible_commitments(user)),
            Prefetch(
                "intentions",
                queryset=_visible_intentions(user).order_by("plan__first_year", "plan__title"),
            ),
        )
    )
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"Transformational programmes of {ccg.display_name}",
        "rows": programme_rows(programmes),
        "can_create": programme_refusal(user, ccg) is None,
    }
    return render(request, "priorities/programmes/list.jinja", context)


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request, ods: str):
    ccg = _ccg(request, ods)
    title = "You cannot create a programme"
    refusal = _role_refused(request, ccg, title)
    if refusal is not None:
        return refusal
    form = ProgrammeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(ccg, user=request.user, **form.programme_values())
        except NotAllowed as error:
            back = reverse("ccg-programmes", kwargs={"ods": ccg.ods_code})
            return refused(request, ccg, error, by_role=True, title=title, back_url=back)
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Programme created: {programme.name}.")
            return redirect(_detail_url(programme))
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"Create a programme – {ccg.display_name}",
        "form": form,
        "programme": None,
        "error_list": form.error_list(),
    }
    return render(request, "priorities/programmes/form.jinja", context)


# --- One programme ----------------------------------------------------------------------------


@login_required
@require_GET
def programme_detail(request, pk: int):
    programme = _programme(request, pk)
    user = request.user
    intentions = _visible_intentions(user).filter(programme=programme)
    intentions = intentions.order_by("plan__first_year", "plan__title", "plan_id", "order", "id")
    commitments = (
        _visible_commitments(user)
        .filter(programmes=programme)
        .select_related("priority__plan", "locality")
        .order_by("priority__plan__first_year", "priority__plan_id", "priority__order", "order")
    )
    measures = ProgrammeMeasure.objects.for_user(user).filter(programme=programme)
    refusal = programme_refusal(user, programme.ccg)
    context = {
        "ccg": programme.ccg,
        "current_ccg": programme.ccg,
        "title": f"{programme.name} – programme of {programme.ccg.display_name}",
        "programme": programme,
        "intention_groups": _group_by_plan(intentions),
        "commitments": [
            {
                "commitment": c,
                "plan": c.priority.plan,
                "status": status_tag(c.status),
                "href": reverse(
                    "plan-commitment-progress",
                    kwargs={"pk": c.priority.plan_id, "commitment_id": c.pk},
                ),
            }
            for c in commitments
        ],
        "measures": list(measures),
        "can_manage": refusal is None,
    }
    return render(request, "priorities/programmes/detail.jinja", context)


def _group_by_plan(intentions) -> list[dict]:
    groups: list[dict] = []
    for intention in intentions:
        if not groups or groups[-1]["plan"].pk != intention.plan_id:
            groups.append({"plan": intention.plan, "intentions": []})
        groups[-1]["intentions"].append(intention)
    return groups


def _conflict_rows(current, attempted: dict, labels) -> list[dict]:
    return [
        {
            "label": label,
            "saved": getattr(current, name) or "None",
            "yours": attempted.get(name) or "None",
            "differs": (getattr(current, name) or "") != (attempted.get(name) or ""),
        }
        for name, label in labels
    ]


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request, pk: int):
    programme = _programme(request, pk)
    refusal = _role_refused(request, programme, "You cannot change this programme")
    if refusal is not None:
        return refusal
    initial = {name: getattr(programme, name) for name in ProgrammeForm.FIELDS}
    initial["revision"] = programme.revision
    form = ProgrammeForm(_posted(request), initial=initial, editing=True)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = form.programme_values()
        try:
            services.update_programme(
                programme,
                user=request.user,
                expected_revision=form.cleaned_data["revision"],
                **values,
            )
        except EditConflict as error:
            labels = (("name", "Name"), ("lead", "Lead"), ("description", "Description"))
            conflict = _conflict_rows(error.current, values, labels)
            fresh = request.POST.copy()
            fresh["revision"] = str(error.current.revision)
            form = ProgrammeForm(fresh, initial=initial, editing=True)
            form.is_valid()
            form.add_error(None, error.message)
        except NotAllowed as error:
            return refused(
                request,
                programme.ccg,
                error,
                by_role=True,
                title="You cannot change this programme",
                back_url=_detail_url(programme),
            )
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Programme saved: {programme.name}.")
            return redirect(_detail_url(programme))
    context = {
        "ccg": programme.ccg,
        "current_ccg": programme.ccg,
        "title": f"Change {programme.name}",
        "form": form,
        "programme": programme,
        "conflict": conflict,
        "error_list": form.error_list(),
    }
    return render(request, "priorities/programmes/form.jinja", context)


# --- Measures -------------------------------------------------------------------------------


def _measure(request, programme, measure_id: int) -> ProgrammeMeasure:
    measures = ProgrammeMeasure.objects.for_user(request.user).filter(programme=programme)
    return get_object_or_404(measures, pk=measure_id)


def _measure_page(request, programme, form, *, measure=None, conflict=None):
    context = {
        "ccg": programme.ccg,
        "current_ccg": programme.ccg,
        "title": f"{'Change a' if measure else 'Add a'} measure – {programme.name}",
        "programme": programme,
        "measure": measure,
        "form": form,
        "conflict": conflict,
        "error_list": form.error_list(),
    }
    return render(request, "priorities/programmes/measure_form.jinja", context)


@login_required
@require_http_methods(["GET", "POST"])
def measure_create(request, pk: int):
    programme = _programme(request, pk)
    refusal = _role_refused(request, programme, "You cannot add measures to this programme")
    if refusal is not None:
        return refusal
    form = MeasureForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.add_programme_measure(
                programme, user=request.user, text=form.cleaned_data["text"]
            )
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Measure added.")
            return redirect(_detail_url(programme, f"measure-{measure.pk}"))
    return _measure_page(request, programme, form)


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, pk: int, measure_id: int):
    programme = _programme(request, pk)
    measure = _measure(request, programme, measure_id)
    refusal = _role_refused(request, programme, "You cannot change this measure")
    if refusal is not None:
        return refusal
    initial = {"text": measure.text, "revision": measure.revision}
    form = MeasureForm(_posted(request), initial=initial, editing=True)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = {"text": form.cleaned_data["text"]}
        try:
            services.update_programme_measure(
                measure,
                user=request.user,
                expected_revision=form.cleaned_data["revision"],
                **values,
            )
        except EditConflict as error:
            conflict = _conflict_rows(error.current, values, (("text", "Measure"),))
            fresh = request.POST.copy()
            fresh["revision"] = str(error.current.revision)
            form = MeasureForm(fresh, initial=initial, editing=True)
            form.is_valid()
            form.add_error(None, error.message)
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Measure saved.")
            return redirect(_detail_url(programme, f"measure-{measure.pk}"))
    return _measure_page(request, programme, form, measure=measure, conflict=conflict)


@login_required
@require_http_methods(["GET", "POST"])
def measure_delete(request, pk: int, measure_id: int):
    programme = _programme(request, pk)
    measure = _measure(request, programme, measure_id)
    refusal = _role_refused(request, programme, "You cannot delete this measure")
    if refusal is not None:
        return refusal
    if request.method == "POST":
        services.delete_programme_measure(measure, user=request.user)
        messages.success(request, f"Measure deleted: {measure.text[:80]}")
        return redirect(_detail_url(programme))
    context = {
        "ccg": programme.ccg,
        "current_ccg": programme.ccg,
        "title": f"Delete a measure – {programme.name}",
        "programme": programme,
        "measure": measure,
    }
    return render(request, "priorities/programmes/measure_delete.jinja", context)


# --- Linked commitments -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def commitment_link(request, pk: int):
    programme = _programme(request, pk)
    refusal = _role_refused(request, programme, "You cannot link commitments to this programme")
    if refusal is not None:
        return refusal
    candidates = (
        _visible_commitments(request.user)
        .for_ccg(programme.ccg)
        .exclude(programmes=programme)
        .order_by(
            "-priority__plan__first_year",
            "priority__plan__title",
            "priority__plan_id",
            "priority__order",
            "priority_id",
            "order",
        )
    )
    form = LinkCommitmentsForm(_posted(request), commitments=candidates)
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        try:
            for commitment in chosen:
                services.link_commitment(programme, commitment, user=request.user)
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            count = len(chosen)
            messages.success(
                request,
                f"{count} {'commitment' if count == 1 else 'commitments'} linked to "
                f"{programme.name}.",
            )
            return redirect(_detail_url(programme, "commitments"))
    groups: list[dict] = []
    checked = form.checked()
    for commitment in form.commitments:
        plan, priority = commitment.priority.plan, commitment.priority
        if not groups or groups[-1]["plan"].pk != plan.pk:
            groups.append({"plan": plan, "items": []})
        groups[-1]["items"].append(
            {
                "value": str(commitment.pk),
                "text": commitment.text,
                "hint": {"text": f"Priority: {priority.title}"},
                "checked": str(commitment.pk) in checked,
            }
        )
    context = {
        "ccg": programme.ccg,
        "current_ccg": programme.ccg,
        "title": f"Link commitments – {programme.name}",
        "programme": programme,
        "form": form,
        "groups": groups,
        "error_list": form.error_list(),
    }
    return render(request, "priorities/programmes/link.jinja", context)


@login_required
@require_POST
def commitment_unlink(request, pk: int, commitment_id: int):
    programme = _programme(request, pk)
    commitments = _visible_commitments(request.user).for_ccg(programme.ccg)
    commitment = get_object_or_404(commitments, pk=commitment_id)
    refusal = _role_refused(request, programme, "You cannot unlink commitments")
    if refusal is not None:
        return refusal
    linked = programme.commitments.filter(pk=commitment.pk).exists()
    services.unlink_commitment(programme, commitment, user=request.user)
    if linked:
        messages.success(request, f"Commitment unlinked from {programme.name}: {commitment}")
    else:
        messages.info(request, f"That commitment was not linked to {programme.name}.")
    return redirect(_detail_url(programme, "commitments"))


# --- Intentions -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intention_create(request, pk: int):
    """Add what the programme intends in one of the CCG's plans; only a plan that can still
    change takes new content, so the others are listed with the reason."""
    programme = _programme(request, pk)
    title = "You cannot add intentions to this programme"
    refusal = _role_refused(request, programme, title)
    if refusal is not None:
        return refusal
    user = request.user
    plans = (
        Plan.objects.for_user(user)
        .for_ccg(programme.ccg)
        .select_related("ccg")
        .order_by("-first_year", "title")
    )
    editable, closed = [], []
    for plan in plans:
        reason = edit_refusal(user, plan)
        if reason is None:
            editable.append(plan)
        else:
            closed.append({"plan": plan, "reason": str(reason)})
    form = IntentionForm(_posted(request), plans=editable)
    if request.method == "POST":
        chosen = _closed_plan(request, closed)
        if chosen is not None:
            return refused(
                request,
                programme.ccg,
                chosen["reason"],
                by_role=getattr(edit_refusal(user, chosen["plan"]), "by_role", False),
                title=f"You cannot add an intention to {chosen['plan'].title}",
                back_url=_detail_url(programme),
            )
        if form.is_valid():
            plan = form.chosen_plan()
            try:
                services.add_intention(programme, plan, user=user, text=form.cleaned_data["text"])
            except (NotAllowed, ReadOnly) as error:
                return refused(
                    request,
                    programme.ccg,
                    error,
                    by_role=isinstance(error, NotAllowed),
                    title=f"You cannot add an intention to {plan.title}",
                    back_url=_detail_url(programme),
                )
            except (InvalidMove, ValidationError) as error:
                form.add_service_error(error)
            else:
                messages.success(request, f"Intention added to {plan.title}.")
                return redirect(_detail_url(programme, "intentions"))
    context = {
        "ccg": programme.ccg,
        "current_ccg": programme.ccg,
        "title": f"Add an intention – {programme.name}",
        "programme": programme,
        "form": form,
        "closed": closed,
        "error_list": form.error_list(),
    }
    return render(request, "priorities/programmes/intention_form.jinja", context)


def _closed_plan(request, closed: list[dict]) -> dict | None:
    """The plan posted, when it is one of the CCG's plans that cannot change now."""
    posted = request.POST.get("plan", "")
    return next((c for c in closed if str(c["plan"].pk) == posted), None)
