"""Adding, changing, deleting and reordering a plan's priorities, commitments, actions,
success measures and locality focus areas.

One set of views serves the five kinds (KINDS, chosen by the URL). Forms post normally and
redirect back to the priorities tab with a message; when htmx sends them (HX-Request), the
same views answer with just the form (to show it inline, or with its errors) or, once
saved, with the fragment of the tab that changed. Writes go only through
`priorities.services`: their refusals come back as 403 (role) or 409 (the plan's state),
with the reason; two people saving the same item see both versions, and keep their input.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from commissioning.models import Locality
from plans.errors import EditConflict, InvalidMove, PlanError
from plans.page_context import plan_for, plan_page_context, sign_in_first, when
from plans.views import edit_refused, error_refused, last_change

from . import forms, services
from .models import Action, Commitment, LocalityFocus, PriorityArea, SuccessMeasure
from .views import (
    FOCUS,
    MEASURES,
    PRIORITIES,
    fragment_response,
    is_htmx,
    priorities_url,
    priority_fragment,
)

CONFLICT = (
    "Someone else saved this {noun} after you started changing it. Your changes have not been "
    "saved yet: compare their version with yours below. Saving again replaces their version "
    "with yours."
)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Kind:
    """One kind of item: how to find it, its form, how to add it, what to show of it, and
    which fragment of the tab changes with it."""

    name: str  # in URL names: plan-<name>-new, -edit, -delete, -move
    noun: str
    model: type
    form: type
    add: Callable  # (parent, user, values) -> item
    parent_model: type | None  # None: added to the plan itself
    name_of: Callable  # item -> its name in messages and headings
    rows: Callable  # item -> [(label, text)], for the conflict view and the delete page
    fragment: Callable  # item -> the fragment that changes with it
    also: tuple[str, ...] = ()  # fragments that change too (swapped out of band)
    extra_delete: Callable = field(default=lambda item: [])  # what goes with it

    def anchor(self, item) -> str:
        return f"{self.name}-{item.pk}"

    def edit_slot(self, item) -> str:
        return f"{self.name}-{item.pk}-body"


def _priority_rows(p):
    return [
        ("Title", p.title),
        ("Objective", p.objective or "Not stated"),
        ("End state or vision", p.end_state or "Not stated"),
        ("Health and Wellbeing strategy aims", p.hwb_aims or "Not stated"),
    ]


def _commitment_rows(c):
    return [
        ("We will", c.text),
        ("Lead", c.lead or "Not stated"),
        ("Locality", c.locality.name if c.locality else "No particular locality"),
    ]


def _action_rows(a):
    return [("Action", a.text), ("Lead", a.lead or "Not stated"), ("Due", a.due_label or "Not set")]


def _measure_rows(m):
    return [
        ("Measure", m.measure),
        ("Priority", m.priority.title if m.priority else "The plan as a whole"),
        ("Baseline", m.baseline or "Not stated"),
        ("Aspiration", m.aspiration or "Not stated"),
        ("Source", m.source or "Not stated"),
    ]


def _focus_rows(f):
    return [("Locality", f.locality.name if f.locality_id else ""), ("Focus", f.text)]


def _priority_goes_with(p) -> list[str]:
    commitments = p.commitments.count()
    actions = Action.objects.filter(commitment__priority=p).count()  # access: p was checked
    measures = p.success_measures.count()
    parts = []
    if commitments:
        parts.append(f"its {commitments} commitment{'s' if commitments != 1 else ''}")
    if actions:
        parts.append(f"{actions} action{'s' if actions != 1 else ''}")
    if measures:
        parts.append(f"{measures} success measure{'s' if measures != 1 else ''}")
    return parts


def _commitment_goes_with(c) -> list[str]:
    actions = c.actions.count()
    return [f"its {actions} action{'s' if actions != 1 else ''}"] if actions else []


KINDS = {
    "priority": Kind(
        name="priority",
        noun="priority",
        model=PriorityArea,
        form=forms.PriorityForm,
        add=lambda plan, user, values: services.add_priority(plan, user=user, **values),
        parent_model=None,
        name_of=lambda p: p.title,
        rows=_priority_rows,
        fragment=lambda p: PRIORITIES,
        also=(MEASURES,),
        extra_delete=_priority_goes_with,
    ),
    "commitment": Kind(
        name="commitment",
        noun="commitment",
        model=Commitment,
        form=forms.CommitmentForm,
        add=lambda priority, user, values: services.add_commitment(priority, user=user, **values),
        parent_model=PriorityArea,
        name_of=lambda c: _short(c.text),
        rows=_commitment_rows,
        fragment=lambda c: priority_fragment(c.priority_id),
        extra_delete=_commitment_goes_with,
    ),
    "action": Kind(
        name="action",
        noun="action",
        model=Action,
        form=forms.ActionForm,
        add=lambda commitment, user, values: services.add_action(commitment, user=user, **values),
        parent_model=Commitment,
        name_of=lambda a: _short(a.text),
        rows=_action_rows,
        fragment=lambda a: priority_fragment(a.commitment.priority_id),
    ),
    "measure": Kind(
        name="measure",
        noun="success measure",
        model=SuccessMeasure,
        form=forms.SuccessMeasureForm,
        add=lambda plan, user, values: services.add_success_measure(plan, user=user, **values),
        parent_model=None,
        name_of=lambda m: _short(m.measure),
        rows=_measure_rows,
        fragment=lambda m: MEASURES,
    ),
    "focus": Kind(
        name="focus",
        noun="locality focus area",
        model=LocalityFocus,
        form=forms.LocalityFocusForm,
        add=lambda plan, user, values: services.add_locality_focus(plan, user=user, **values),
        parent_model=None,
        name_of=lambda f: _short(f.text),
        rows=_focus_rows,
        fragment=lambda f: FOCUS,
    ),
}


def _kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise Http404("No such kind of item") from None


def _item(request, plan, kind: Kind, item_id: int):
    return get_object_or_404(kind.model.objects.for_user(request.user).for_plan(plan), pk=item_id)


def _form_kwargs(request, plan, kind: Kind) -> dict:
    user = request.user
    if kind.name in ("commitment", "focus"):
        localities = Locality.objects.for_user(user).filter(ccg=plan.ccg).order_by("name")
        return {"localities": list(localities)}
    if kind.name == "action":
        return {"plan": plan}
    if kind.name == "measure":
        priorities = PriorityArea.objects.for_user(user).for_plan(plan).order_by("order", "id")
        return {"priorities": list(priorities)}
    return {}


def _new_slot(kind: Kind, parent) -> str:
    """The id of the element an inline "add" form replaces."""
    if parent is None:
        return f"{kind.name}-new"
    return f"{_parent_anchor(kind, parent)}-new-{kind.name}"


def _conflict(kind: Kind, error: EditConflict) -> dict:
    current = error.current
    attempted = copy.copy(current)
    for name, value in error.attempted.items():
        setattr(attempted, name, value)
    saved_rows, your_rows = kind.rows(current), kind.rows(attempted)
    return {
        **last_change(current),
        "rows": [
            {"label": label, "saved": saved, "yours": yours, "differs": saved != yours}
            for (label, saved), (_, yours) in zip(saved_rows, your_rows, strict=True)
        ],
    }


# --- Add and change -------------------------------------------------------------------------


def _editor(request, plan, kind: Kind, *, item=None, parent=None):
    refusal = edit_refused(request, plan)
    if refusal is not None:
        return refusal
    inline = is_htmx(request)
    slot = kind.edit_slot(item) if item is not None else _new_slot(kind, parent)
    form_kwargs = {
        **_form_kwargs(request, plan, kind),
        "editing": item is not None,
        "id_prefix": slot if inline else "",
    }
    conflict = None
    if request.method == "POST":
        form = kind.form(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                if item is None:
                    saved = kind.add(parent or plan, request.user, form.values())
                else:
                    saved = services.update_item(
                        item,
                        user=request.user,
                        expected_revision=form.cleaned_data["revision"],
                        **form.values(),
                    )
            except EditConflict as error:
                conflict = _conflict(kind, error)
                data = request.POST.copy()
                data["revision"] = str(error.current.revision)
                form = kind.form(data, **form_kwargs)
                form.is_valid()
                form.add_error(None, CONFLICT.format(noun=kind.noun))
            except InvalidMove as error:
                form.add_service_error(error)
            except ValidationError as error:
                form.add_validation_error(error)
            except PlanError as error:
                return error_refused(request, plan, error)
            else:
                noun = kind.noun[0].upper() + kind.noun[1:]
                verb = "added" if item is None else "saved"
                messages.success(request, f"{noun} {verb}: {kind.name_of(saved)}.")
                if inline:
                    return fragment_response(request, plan, kind.fragment(saved), also=kind.also)
                return redirect(priorities_url(plan, kind.anchor(saved)))
    elif item is None:
        form = kind.form(**form_kwargs)
    else:
        form = kind.form(initial=kind.form.initial_for(item), **form_kwargs)
    heading = (
        f"Change {kind.noun}: {kind.name_of(item)}"
        if item is not None
        else f"Add {'an' if kind.noun[0] in 'aeiou' else 'a'} {kind.noun}"
        + (f" to: {_parent_name(parent)}" if parent is not None else "")
    )
    context = {
        "plan": plan,
        "kind": kind.name,
        "noun": kind.noun,
        "form": form,
        "item": item,
        "parent": parent,
        "conflict": conflict,
        "error_list": form.error_list(),
        "heading": heading,
        "action": request.path,
        "cancel": priorities_url(
            plan, kind.anchor(item) if item is not None else _parent_anchor(kind, parent)
        ),
        "slot": slot if inline else None,
        "when": when,
    }
    if inline:
        return render(request, "priorities/_form.jinja", context)
    context = {**plan_page_context(request, plan, "priorities"), **context, "title": heading}
    return render(request, "priorities/item_form.jinja", context)


def _parent_name(parent) -> str:
    if isinstance(parent, PriorityArea):
        return parent.title
    return _short(parent.text, 60)


def _parent_anchor(kind: Kind, parent) -> str:
    if parent is None:
        return {"measure": MEASURES, "focus": FOCUS}.get(kind.name, PRIORITIES)
    return f"{'priority' if isinstance(parent, PriorityArea) else 'commitment'}-{parent.pk}"


@require_http_methods(["GET", "POST"])
@sign_in_first
def item_new(request, pk: int, kind: str, parent_id: int | None = None):
    plan = plan_for(request, pk)
    spec = _kind(kind)
    parent = None
    if spec.parent_model is not None:
        parent = get_object_or_404(
            spec.parent_model.objects.for_user(request.user).for_plan(plan), pk=parent_id
        )
    return _editor(request, plan, spec, parent=parent)


@require_http_methods(["GET", "POST"])
@sign_in_first
def item_edit(request, pk: int, kind: str, item_id: int):
    plan = plan_for(request, pk)
    spec = _kind(kind)
    return _editor(request, plan, spec, item=_item(request, plan, spec, item_id))


# --- Delete and move -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@sign_in_first
def item_delete(request, pk: int, kind: str, item_id: int):
    plan = plan_for(request, pk)
    spec = _kind(kind)
    item = _item(request, plan, spec, item_id)
    refusal = edit_refused(request, plan)
    if refusal is not None:
        return refusal
    name = spec.name_of(item)
    if request.method == "POST":
        fragment = spec.fragment(item)
        try:
            services.delete_item(item, user=request.user)
        except PlanError as error:
            return error_refused(request, plan, error)
        noun = spec.noun[0].upper() + spec.noun[1:]
        messages.success(request, f"{noun} deleted: {name}.")
        if is_htmx(request):
            return fragment_response(request, plan, fragment, also=spec.also)
        return redirect(priorities_url(plan, _delete_anchor(spec, item)))
    context = plan_page_context(request, plan, "priorities")
    context.update(
        {
            "noun": spec.noun,
            "name": name,
            "rows": spec.rows(item),
            "goes_with": spec.extra_delete(item),
            "cancel": priorities_url(plan, spec.anchor(item)),
            "title": f"Delete {spec.noun}: {name}",
        }
    )
    return render(request, "priorities/confirm_delete.jinja", context)


def _delete_anchor(kind: Kind, item) -> str:
    if kind.name == "commitment":
        return f"priority-{item.priority_id}"
    if kind.name == "action":
        return f"commitment-{item.commitment_id}"
    return _parent_anchor(kind, None)


@require_POST
@sign_in_first
def item_move(request, pk: int, kind: str, item_id: int):
    plan = plan_for(request, pk)
    spec = _kind(kind)
    item = _item(request, plan, spec, item_id)
    refusal = edit_refused(request, plan)
    if refusal is not None:
        return refusal
    direction = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if direction is None:
        return HttpResponseBadRequest("Choose whether to move it up or down.")
    try:
        services.move_item(item, user=request.user, direction=direction)
    except PlanError as error:
        return error_refused(request, plan, error)
    noun = spec.noun[0].upper() + spec.noun[1:]
    word = "up" if direction < 0 else "down"
    messages.success(request, f"{noun} moved {word}: {spec.name_of(item)}.")
    if is_htmx(request):
        return fragment_response(request, plan, spec.fragment(item))
    return redirect(priorities_url(plan, spec.anchor(item)))
