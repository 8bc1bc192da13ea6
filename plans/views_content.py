"""A plan's content pages: the sections tab and the section editor (Markdown with preview and
a safe answer to two people saving the same section), the statement forms, deleting and
reordering. Reads through `for_user`, writes through `plans.services`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import presenters, services
from .errors import EditConflict, InvalidMove, PlanError
from .forms import SectionForm, StatementForm
from .markdown import render_markdown
from .models import PlanStatement, Section
from .page_context import plan_for, plan_page_context, sign_in_first
from .views import edit_refused, error_refused, last_change

SECTION_CONFLICT = (
    "Someone else saved this section after you started editing it. Your changes have not "
    "been saved yet: compare their version with yours below. Saving again replaces their "
    "version with yours."
)
STATEMENT_CONFLICT = (
    "Someone else saved this statement after you started editing it. Your changes have not "
    "been saved yet: compare their version with yours below. Saving again replaces their "
    "version with yours."
)


def _section(request, plan, section_id: int) -> Section:
    return get_object_or_404(Section.objects.for_user(request.user).for_plan(plan), pk=section_id)


def _statement(request, plan, statement_id: int) -> PlanStatement:
    return get_object_or_404(
        PlanStatement.objects.for_user(request.user).for_plan(plan), pk=statement_id
    )


def _rebound(form_class, data, revision: int):
    """The user's input again, carrying the revision now saved, so saving again overwrites
    the other person's version knowingly and nothing typed is lost."""
    data = data.copy()
    data["revision"] = str(revision)
    form = form_class(data)
    form.is_valid()
    return form


# --- Sections tab ---------------------------------------------------------------------------


@require_GET
@sign_in_first
def plan_sections(request, pk: int):
    plan = plan_for(request, pk)
    sections = list(Section.objects.for_user(request.user).for_plan(plan).order_by("order", "id"))
    context = plan_page_context(request, plan, "sections")
    context["sections"] = [
        {
            "section": section,
            "html": render_markdown(section.body),
            "first": index == 0,
            "last": index == len(sections) - 1,
        }
        for index, section in enumerate(sections)
    ]
    context["title"] = f"Sections – {plan.title}"
    return render(request, "plans/sections.jinja", context)


# --- The section editor -------------------------------------------------------------------------


def _section_editor(request, plan, section: Section | None):
    refusal = edit_refused(request, plan)
    if refusal is not None:
        return refusal
    preview = conflict = None
    if request.method == "POST":
        form = SectionForm(request.POST)
        action = request.POST.get("action", "save")
        if action == "preview":
            # Preview shows how the text will read; it checks nothing and saves nothing.
            preview = render_markdown(request.POST.get("body", ""))
            form = SectionForm(
                initial={name: request.POST.get(name, "") for name in ("title", "body", "revision")}
            )
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if section is None:
                    saved = services.add_section(
                        plan, user=request.user, title=data["title"], body=data["body"]
                    )
                else:
                    saved = services.update_section(
                        section,
                        user=request.user,
                        expected_revision=data["revision"] or section.revision,
                        title=data["title"],
                        body=data["body"],
                    )
            except EditConflict as error:
                current = error.current
                conflict = {
                    **last_change(current),
                    "title": current.title,
                    "html": render_markdown(current.body),
                    "body": current.body,
                }
                form = _rebound(SectionForm, request.POST, current.revision)
                form.add_error(None, SECTION_CONFLICT)
            except InvalidMove as error:
                form.add_service_error(error)
            except ValidationError as error:
                form.add_validation_error(error)
            except PlanError as error:
                return error_refused(request, plan, error)
            else:
                messages.success(request, f"Section saved: {saved.title}.")
                return redirect(f"{_sections_url(plan)}#section-{saved.pk}")
    elif section is None:
        form = SectionForm()
    else:
        form = SectionForm(
            initial={"title": section.title, "body": section.body, "revision": section.revision}
        )
    context = plan_page_context(request, plan, "sections")
    context.update(
        {
            "form": form,
            "section": section,
            "preview": preview,
            "conflict": conflict,
            "markdown_hint": presenters.MARKDOWN_HINT,
            "error_list": presenters.form_errors(form),
            "title": f"Edit section: {section.title}" if section else "Add a section",
        }
    )
    return render(request, "plans/section_form.jinja", context)


def _sections_url(plan) -> str:
    return reverse("plan-sections", kwargs={"pk": plan.pk})


@require_http_methods(["GET", "POST"])
@sign_in_first
def section_new(request, pk: int):
    plan = plan_for(request, pk)
    return _section_editor(request, plan, None)


@require_http_methods(["GET", "POST"])
@sign_in_first
def section_edit(request, pk: int, section_id: int):
    plan = plan_for(request, pk)
    return _section_editor(request, plan, _section(request, plan, section_id))


@require_http_methods(["GET", "POST"])
@sign_in_first
def section_delete(request, pk: int, section_id: int):
    plan = plan_for(request, pk)
    section = _section(request, plan, section_id)
    refusal = edit_refused(request, plan)
    if refusal is not None:
        return refusal
    if request.method == "POST":
        try:
            services.delete_section(section, user=request.user)
        except PlanError as error:
            return error_refused(request, plan, error)
        messages.success(request, f"Section deleted: {section.title}.")
        return redirect("plan-sections", pk=plan.pk)
    context = plan_page_context(request, plan, "sections")
    context.update(
        {
            "thing": "section",
            "name": section.title,
            "cancel": _sections_url(plan),
            "title": f"Delete section: {section.title}",
            "preview": render_markdown(section.body),
        }
    )
    return render(request, "plans/confirm_delete.jinja", context)


@require_POST
@sign_in_first
def section_move(request, pk: int, section_id: int):
    plan = plan_for(request, pk)
    section = _section(request, plan, section_id)
    refusal = edit_refused(request, plan)
    if refusal is not None:
        return refusal
    direction = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if direction is None:
        messages.error(request, "Choose whether to move the section up or down.")
        return redirect("plan-sections", pk=plan.pk)
    try:
        services.move_section(section, user=request.user, direction=direction)
    except PlanError as error:
        return error_refused(request, plan, error)
    word = "up" if direction < 0 else "down"
    messages.success(request, f"Section moved {word}: {section.title}.")
    return redirect(f"{_sections_url(plan)}#section-{section.pk}")


# --- Statements ---------------------------------------------------------------------------------


def _statement_editor(request, plan, statement: PlanStatement | None):
    refusal = edit_refused(request, plan)
    if refusal is not None:
        return refusal
    conflict = None
    if request.method == "POST":
        form = StatementForm(request.POST)
        if form.is_valid():
            try:
                if statement is None:
                    saved = services.add_statement(plan, user=request.user, **form.values())
                else:
                    saved = services.update_statement(
                        statement,
                        user=request.user,
                        expected_revision=form.cleaned_data["revision"] or statement.revision,
                        **form.values(),
                    )
            except EditConflict as error:
                current = error.current
                conflict = {
                    **last_change(current),
                    "kind": current.get_kind_display(),
                    "group": current.group,
                    "statement_title": current.title,
                    "text": current.text,
                }
                form = _rebound(StatementForm, request.POST, current.revision)
                form.add_error(None, STATEMENT_CONFLICT)
            except InvalidMove as error:
                form.add_service_error(error)
            except ValidationError as error:
                form.add_validation_error(error)
            except PlanError as error:
                return error_refused(request, plan, error)
            else:
                messages.success(request, f"{saved.get_kind_display()} saved.")
                return redirect("plan-detail", pk=plan.pk)
    elif statement is None:
        form = StatementForm(initial={"kind": request.GET.get("kind", "")})
    else:
        form = StatementForm(
            initial={
                "kind": statement.kind,
                "group": statement.group,
                "title": statement.title,
                "text": statement.text,
                "revision": statement.revision,
            }
        )
    context = plan_page_context(request, plan, "overview")
    context.update(
        {
            "form": form,
            "statement": statement,
            "conflict": conflict,
            "error_list": presenters.form_errors(form),
            "title": "Edit a statement" if statement else "Add a statement",
        }
    )
    return render(request, "plans/statement_form.jinja", context)


@require_http_methods(["GET", "POST"])
@sign_in_first
def statement_new(request, pk: int):
    plan = plan_for(request, pk)
    return _statement_editor(request, plan, None)


@require_http_methods(["GET", "POST"])
@sign_in_first
def statement_edit(request, pk: int, statement_id: int):
    plan = plan_for(request, pk)
    return _statement_editor(request, plan, _statement(request, plan, statement_id))


@require_http_methods(["GET", "POST"])
@sign_in_first
def statement_delete(request, pk: int, statement_id: int):
    plan = plan_for(request, pk)
    statement = _statement(request, plan, statement_id)
    refusal = edit_refused(request, plan)
    if refusal is not None:
        return refusal
    if request.method == "POST":
        try:
            services.delete_statement(statement, user=request.user)
        except PlanError as error:
            return error_refused(request, plan, error)
        messages.success(request, f"{statement.get_kind_display()} deleted.")
        return redirect("plan-detail", pk=plan.pk)
    context = plan_page_context(request, plan, "overview")
    context.update(
        {
            "thing": statement.get_kind_display().lower(),
            "name": str(statement),
            "cancel": reverse("plan-detail", kwargs={"pk": plan.pk}),
            "title": f"Delete {statement.get_kind_display().lower()}",
            "preview": None,
        }
    )
    return render(request, "plans/confirm_delete.jinja", context)
