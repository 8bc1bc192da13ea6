"""NHS England assurance pages of a CCG: its checkpoints by year and quarter with their ratings,
each checkpoint (balanced scorecard, findings by area, agreed actions with overdue ones
flagged), and for assurers and staff the forms that record a checkpoint and its parts.

Readers: the CCG's internal roles (planning managers, governing body members, viewers),
assurers and staff. Scrutiny members, other CCGs and people with no role get a 404, signed
out visitors the sign-in page. Reads go through `for_user(request.user)`; writes through
`governance.services_assurance`, whose refusals are shown with their reason (403 for the
user's role).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.jinja2 import long_date
from commissioning.models import CCG
from plans.errors import EditConflict, InvalidMove, NotAllowed
from plans.presenters_consultation import paragraphs

from . import services_assurance as services
from .forms_assurance import (
    MET_WORDS,
    PART_FORMS,
    CheckpointForm,
    part_initial,
)
from .models import AgreedAction, AssuranceCheckpoint, Finding, RatingScheme, ScorecardResult

# The parts of a checkpoint as the pages name them: URL segment -> words.
PARTS = {
    "scorecard": {"one": "scorecard result", "url": "scorecard", "anchor": "scorecard"},
    "findings": {"one": "finding", "url": "finding", "anchor": "findings"},
    "actions": {"one": "agreed action", "url": "action", "anchor": "actions"},
}
NOT_STATED = "Not stated"


# --- Shared -----------------------------------------------------------------------------------


def _ccg(request, ods: str) -> CCG:
    """The CCG, when the user reads its assurance (else 404)."""
    ccg = get_object_or_404(CCG.objects.for_user(request.user), ods_code=ods.upper())
    if not services.can_read_assurance(request.user, ccg):
        raise Http404("No assurance here, or you cannot see it")
    return ccg


def _checkpoint(request, ccg, pk: int) -> AssuranceCheckpoint:
    checkpoints = AssuranceCheckpoint.objects.for_user(request.user).filter(ccg=ccg)
    return get_object_or_404(checkpoints.select_related("ccg"), pk=pk)


def _posted(request):
    return request.POST if request.method == "POST" else None


def checkpoint_url(checkpoint, anchor: str = "") -> str:
    url = reverse("assurance-checkpoint",
                  kwargs={"ods": checkpoint.ccg.ods_code, "pk": checkpoint.pk})  # fmt: skip
    return f"{url}#{anchor}" if anchor else url


def list_url(ccg) -> str:
    return reverse("ccg-assurance", kwargs={"ods": ccg.ods_code})


def refused(request, ccg, reason, *, title: str, back_url: str):
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": title,
        "reason": getattr(reason, "message", None) or str(reason),
        "back_url": back_url,
    }
    return render(request, "governance/assurance/refused.jinja", context, status=403)


def _role_refused(request, ccg, title: str, back_url: str):
    refusal = services.assurance_refusal(request.user)
    if refusal is None:
        return None
    return refused(request, ccg, refusal, title=title, back_url=back_url)


def rating_text(checkpoint) -> str:
    return checkpoint.rating or NOT_STATED


def scheme_text(checkpoint) -> str:
    return RatingScheme(checkpoint.rating_scheme).label


def action_status(action: AgreedAction, today) -> dict:
    if action.done_on:
        return {"text": "Done", "classes": "nhsuk-tag--green", "overdue": False}
    if action.due_on and action.due_on < today:
        return {"text": "Overdue", "classes": "nhsuk-tag--red", "overdue": True}
    if action.due_on is None:
        return {"text": "No due date", "classes": "nhsuk-tag--grey", "overdue": False}
    return {"text": "Not done", "classes": "nhsuk-tag--grey", "overdue": False}


def met_tag(met) -> dict:
    classes = {True: "nhsuk-tag--green", False: "nhsuk-tag--red", None: "nhsuk-tag--grey"}
    return {"text": MET_WORDS[met], "classes": classes[met]}


# --- A CCG's checkpoints ----------------------------------------------------------------------


@login_required
@require_GET
def ccg_assurance(request, ods: str):
    ccg = _ccg(request, ods)
    user = request.user
    today = timezone.localdate()
    checkpoints = list(
        AssuranceCheckpoint.objects.for_user(user)
        .for_ccg(ccg)
        .select_related("ccg")
        .order_by("-year", "-quarter")
        .prefetch_related("scorecard", "actions")
    )
    years: list[dict] = []
    for checkpoint in checkpoints:
        if not years or years[-1]["year"] != checkpoint.year:
            years.append({"year": checkpoint.year, "rows": []})
        scorecard = list(checkpoint.scorecard.all())
        actions = list(checkpoint.actions.all())
        years[-1]["rows"].append({
            "checkpoint": checkpoint,
            "url": checkpoint_url(checkpoint),
            "held_on": long_date(checkpoint.held_on) if checkpoint.held_on else NOT_STATED,
            "rating": rating_text(checkpoint),
            "met": sum(1 for r in scorecard if r.met is True),
            "results": len(scorecard),
            "open_actions": sum(1 for a in actions if not a.done_on),
            "overdue": sum(1 for a in actions if action_status(a, today)["overdue"]),
        })  # fmt: skip
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"NHS England assurance – {ccg.display_name}",
        "years": years,
        "can_record": services.assurance_refusal(user) is None,
    }
    return render(request, "governance/assurance/list.jinja", context)


# --- One checkpoint ---------------------------------------------------------------------------


def findings_by_area(findings) -> list[dict]:
    groups: list[dict] = []
    for finding in findings:
        if not groups or groups[-1]["area"] != finding.area:
            groups.append({"area": finding.area, "findings": []})
        groups[-1]["findings"].append({"finding": finding, "text": paragraphs(finding.text)})
    return groups


@login_required
@require_GET
def checkpoint_detail(request, ods: str, pk: int):
    ccg = _ccg(request, ods)
    checkpoint = _checkpoint(request, ccg, pk)
    user = request.user
    today = timezone.localdate()
    scorecard = ScorecardResult.objects.for_user(user).filter(checkpoint=checkpoint)
    findings = Finding.objects.for_user(user).filter(checkpoint=checkpoint)
    actions = [
        {"action": action, "status": action_status(action, today),
         "due": long_date(action.due_on) if action.due_on else NOT_STATED,
         "done": long_date(action.done_on) if action.done_on else "Not yet"}
        for action in AgreedAction.objects.for_user(user).filter(checkpoint=checkpoint)
    ]  # fmt: skip
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"{checkpoint} – {ccg.display_name}",
        "checkpoint": checkpoint,
        "rating": rating_text(checkpoint),
        "scheme": scheme_text(checkpoint),
        "held_on": long_date(checkpoint.held_on) if checkpoint.held_on else NOT_STATED,
        "letter_date": long_date(checkpoint.letter_date) if checkpoint.letter_date else "",
        "summary": paragraphs(checkpoint.summary),
        "scorecard": [{"result": r, "met": met_tag(r.met)} for r in scorecard],
        "finding_groups": findings_by_area(findings),
        "actions": actions,
        "overdue_count": sum(1 for row in actions if row["status"]["overdue"]),
        "today": today,
        "can_manage": services.assurance_refusal(user) is None,
    }
    return render(request, "governance/assurance/detail.jinja", context)


# --- Recording and changing a checkpoint ------------------------------------------------------


def _form_page(request, ccg, form, *, checkpoint=None, conflict=None):
    heading = f"Change the {checkpoint} checkpoint" if checkpoint else "Record a checkpoint"
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"{heading} – {ccg.display_name}",
        "heading": heading,
        "form": form,
        "checkpoint": checkpoint,
        "error_list": form.error_list(),
        "conflict": conflict,
        "cancel_url": checkpoint_url(checkpoint) if checkpoint else list_url(ccg),
    }
    return render(request, "governance/assurance/form.jinja", context)


@login_required
@require_http_methods(["GET", "POST"])
def checkpoint_create(request, ods: str):
    ccg = _ccg(request, ods)
    title = "You cannot record assurance checkpoints"
    refusal = _role_refused(request, ccg, title, list_url(ccg))
    if refusal is not None:
        return refusal
    form = CheckpointForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            checkpoint = services.create_checkpoint(ccg, user=request.user, **form.values())
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=list_url(ccg))
        except InvalidMove as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Checkpoint recorded: {checkpoint}.")
            return redirect(checkpoint_url(checkpoint))
    return _form_page(request, ccg, form)


def _conflict_rows(current: AssuranceCheckpoint, attempted: dict) -> list[dict]:
    def show(name, value):
        if name in ("held_on", "letter_date"):
            return long_date(value) if value else NOT_STATED
        if name == "rating_scheme":
            return RatingScheme(value).label if value in RatingScheme.values else value
        return value or NOT_STATED

    labels = (("held_on", "Held on"), ("assessor", "Assessor"), ("rating_scheme", "Scheme"),
              ("rating", "Rating"), ("letter_date", "Letter dated"), ("summary", "Summary"),
              ("source_note", "Source"))  # fmt: skip
    return [
        {
            "label": label,
            "saved": show(name, getattr(current, name)),
            "yours": show(name, attempted.get(name)),
            "differs": getattr(current, name) != attempted.get(name),
        }
        for name, label in labels
    ]


def _initial(checkpoint) -> dict:
    return {
        "held_on": checkpoint.held_on,
        "assessor": checkpoint.assessor,
        "rating_scheme": checkpoint.rating_scheme,
        "rating": checkpoint.rating,
        "summary": checkpoint.summary,
        "letter_date": checkpoint.letter_date,
        "source_note": checkpoint.source_note,
        "revision": checkpoint.revision,
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkpoint_edit(request, ods: str, pk: int):
    ccg = _ccg(request, ods)
    checkpoint = _checkpoint(request, ccg, pk)
    title = "You cannot change this checkpoint"
    refusal = _role_refused(request, ccg, title, checkpoint_url(checkpoint))
    if refusal is not None:
        return refusal
    initial = _initial(checkpoint)
    form = CheckpointForm(_posted(request), initial=initial, editing=True)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            services.update_checkpoint(checkpoint, user=request.user,
                                       expected_revision=form.cleaned_data["revision"],
                                       **values)  # fmt: skip
        except EditConflict as error:
            conflict = _conflict_rows(error.current, values)
            # Keep what they typed; saving again from here replaces the saved checkpoint.
            fresh = request.POST.copy()
            fresh["revision"] = str(error.current.revision)
            form = CheckpointForm(fresh, initial=initial, editing=True)
            form.is_valid()
            form.add_error(None, error.message)
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=checkpoint_url(checkpoint))
        except InvalidMove as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Checkpoint saved: {checkpoint}.")
            return redirect(checkpoint_url(checkpoint))
    return _form_page(request, ccg, form, checkpoint=checkpoint, conflict=conflict)


@login_required
@require_http_methods(["GET", "POST"])
def checkpoint_delete(request, ods: str, pk: int):
    ccg = _ccg(request, ods)
    checkpoint = _checkpoint(request, ccg, pk)
    title = "You cannot delete this checkpoint"
    refusal = _role_refused(request, ccg, title, checkpoint_url(checkpoint))
    if refusal is not None:
        return refusal
    if request.method == "POST":
        try:
            services.delete_checkpoint(checkpoint, user=request.user)
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=checkpoint_url(checkpoint))
        messages.success(request, f"Checkpoint deleted: {checkpoint}.")
        return redirect(list_url(ccg))
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"Delete the {checkpoint} checkpoint – {ccg.display_name}",
        "heading": f"Delete the {checkpoint} checkpoint?",
        "what": (
            f"Its {checkpoint.scorecard.count()} scorecard results, "
            f"{checkpoint.findings.count()} findings and {checkpoint.actions.count()} agreed "
            "actions are deleted with it."
        ),
        "action_url": request.path,
        "cancel_url": checkpoint_url(checkpoint),
    }
    return render(request, "governance/assurance/delete.jinja", context)


# --- The parts of a checkpoint ----------------------------------------------------------------


def _part(request, checkpoint, part: str, item_id: int):
    model = services.part_model(part)
    rows = model.objects.for_user(request.user).filter(checkpoint=checkpoint)
    return get_object_or_404(rows, pk=item_id)


def _part_page(request, ccg, checkpoint, part: str, form, item=None):
    words = PARTS[part]["one"]
    heading = f"Change {words}" if item else f"Add {services.a(words)}"
    url_name = f"assurance-{PARTS[part]['url']}-{'edit' if item else 'new'}"
    kwargs = {"ods": ccg.ods_code, "pk": checkpoint.pk}
    if item:
        kwargs["item_id"] = item.pk
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"{heading} – {checkpoint} – {ccg.display_name}",
        "heading": heading,
        "part": part,
        "form": form,
        "item": item,
        "checkpoint": checkpoint,
        "action_url": reverse(url_name, kwargs=kwargs),
        "cancel_url": checkpoint_url(checkpoint, PARTS[part]["anchor"]),
        "error_list": form.error_list(),
    }
    return render(request, "governance/assurance/part_form.jinja", context)


@login_required
@require_http_methods(["GET", "POST"])
def part_new(request, ods: str, pk: int, part: str):
    ccg = _ccg(request, ods)
    checkpoint = _checkpoint(request, ccg, pk)
    back = checkpoint_url(checkpoint, PARTS[part]["anchor"])
    title = f"You cannot add {services.a(PARTS[part]['one'])}"
    refusal = _role_refused(request, ccg, title, back)
    if refusal is not None:
        return refusal
    form = PART_FORMS[part](_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_part(checkpoint, part, user=request.user, **form.values())
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        except InvalidMove as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{PARTS[part]['one'].capitalize()} added.")
            return redirect(back)
    return _part_page(request, ccg, checkpoint, part, form)


@login_required
@require_http_methods(["GET", "POST"])
def part_edit(request, ods: str, pk: int, part: str, item_id: int):
    ccg = _ccg(request, ods)
    checkpoint = _checkpoint(request, ccg, pk)
    item = _part(request, checkpoint, part, item_id)
    back = checkpoint_url(checkpoint, PARTS[part]["anchor"])
    title = f"You cannot change this {PARTS[part]['one']}"
    refusal = _role_refused(request, ccg, title, back)
    if refusal is not None:
        return refusal
    form = PART_FORMS[part](_posted(request), initial=part_initial(part, item))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_part(item, part, user=request.user, **form.values())
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        except InvalidMove as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{PARTS[part]['one'].capitalize()} saved.")
            return redirect(back)
    return _part_page(request, ccg, checkpoint, part, form, item)


@login_required
@require_http_methods(["GET", "POST"])
def part_delete(request, ods: str, pk: int, part: str, item_id: int):
    ccg = _ccg(request, ods)
    checkpoint = _checkpoint(request, ccg, pk)
    item = _part(request, checkpoint, part, item_id)
    back = checkpoint_url(checkpoint, PARTS[part]["anchor"])
    title = f"You cannot delete this {PARTS[part]['one']}"
    refusal = _role_refused(request, ccg, title, back)
    if refusal is not None:
        return refusal
    if request.method == "POST":
        try:
            services.delete_part(item, part, user=request.user)
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        messages.success(request, f"{PARTS[part]['one'].capitalize()} deleted.")
        return redirect(back)
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"Delete {PARTS[part]['one']} – {checkpoint} – {ccg.display_name}",
        "heading": f"Delete this {PARTS[part]['one']}?",
        "what": str(item),
        "action_url": request.path,
        "cancel_url": back,
    }
    return render(request, "governance/assurance/delete.jinja", context)
