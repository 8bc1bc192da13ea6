"""The QIPP forms, for planning managers of the CCG (and staff): a scheme's twelve months of
plan, actual and forecast in one form, and imports of a QIPP report (a preview first, then
applying it).

Everything is read as on the tracker (`views_qipp`: internal roles only, through
`for_user(request.user)`), so other CCGs' people get a 404; readers who may not write get a
403 with the reason. Months are saved through `finance.services.record_month`, all twelve in
one transaction: a month someone else saved after the form was opened stops the whole save
and the page shows both versions.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from commissioning.jinja2 import long_date
from plans.errors import EditConflict, InvalidMove, NotAllowed

from . import presenters, qipp_io, services
from .forms import FIGURES, ImportForm, MonthsForm, field_name
from .models import QippImport, QippMonth
from .qipp_figures import MONTHS, month_label
from .views import finance_ccg, page_context
from .views_qipp import qipp_years, scheme_of, scheme_url


def refused(request, ccg, reason: str, *, title: str, back_url: str, status: int = 403):
    context = page_context(request, ccg, "", title, reason=reason, back_url=back_url)
    context["title"] = title
    return render(request, "finance/refused.jinja", context, status=status)


def _role_refused(request, ccg, title: str, back_url: str):
    refusal = services.finance_refusal(request.user, ccg)
    if refusal is None:
        return None
    return refused(request, ccg, refusal, title=title, back_url=back_url)


# --- A scheme's months ----------------------------------------------------------------------


def _stored(request, scheme) -> dict:
    """The scheme's months as they are in the database now, by month number."""
    rows = QippMonth.objects.for_user(request.user).filter(scheme=scheme)
    return {m.month: m for m in rows}


def _changed(record, values: dict) -> bool:
    if record is None:
        return True
    return any(getattr(record, figure) != value for figure, value in values.items())


def conflict_rows(form: MonthsForm, stored: dict) -> list[dict]:
    """Each figure of each month saved by someone else since the form was opened: the saved
    value beside the one in the form."""
    rows = []
    for month in range(1, MONTHS + 1):
        record = stored.get(month)
        opened_at = form.revision(month)
        if (record.revision if record else 0) == opened_at:
            continue
        yours = form.month_values(month)
        for figure, word in FIGURES:
            saved = getattr(record, figure) if record else None
            rows.append({
                "label": f"{month_label(month)} {word}",
                "saved": presenters.exact(saved) if saved is not None else "None",
                "yours": presenters.exact(yours[figure]) if yours[figure] is not None else "None",
                "differs": saved != yours[figure],
            })  # fmt: skip
    return rows


def _save_months(request, scheme, form: MonthsForm) -> list[int]:
    """Record every month whose figures differ from those stored, in one transaction; the
    months saved. Raises EditConflict (nothing saved) for a month saved since the form was
    opened, InvalidMove (nothing saved) with the month in `error.month`."""
    saved = []
    with transaction.atomic():
        stored = _stored(request, scheme)
        for month in range(1, MONTHS + 1):
            values = form.month_values(month)
            record = stored.get(month)
            if not _changed(record, values):
                continue
            if record is not None and record.illustrative:
                values["illustrative"] = False  # real figures replace the demonstration ones
            try:
                services.record_month(scheme, month, user=request.user,
                                      expected_revision=form.revision(month), **values)  # fmt: skip
            except InvalidMove as error:
                error.month = month
                raise
            saved.append(month)
    return saved


def _saved_message(scheme, months: list[int]) -> str:
    if not months:
        return f"Nothing changed: the figures of {scheme.reference} are as they were."
    if len(months) == 1:
        which = month_label(months[0])
    else:
        which = f"{len(months)} months ({', '.join(f'M{m}' for m in months)})"
    return f"Figures saved for {scheme.reference}: {which}."


@login_required
@require_http_methods(["GET", "POST"])
def scheme_months(request, ods: str, pk: int):
    scheme = scheme_of(request, ods, pk)
    ccg = scheme.ccg
    refusal = _role_refused(request, ccg, "You cannot change this scheme's figures",
                            scheme_url(scheme))  # fmt: skip
    if refusal is not None:
        return refusal
    initial = MonthsForm.initial_for({m.month: m for m in scheme.months.all()})
    form = MonthsForm(request.POST if request.method == "POST" else None, initial=initial)
    conflict, conflict_by = None, None
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_months(request, scheme, form)
        except EditConflict as error:
            stored = _stored(request, scheme)
            conflict = conflict_rows(form, stored)
            fresh = request.POST.copy()
            for month in range(1, MONTHS + 1):
                record = stored.get(month)
                fresh[field_name("revision", month)] = str(record.revision if record else 0)
            form = MonthsForm(fresh, initial=initial)
            form.is_valid()
            form.add_error(None, error.message)
            if error.saved_by is not None:
                who = error.saved_by.get_full_name() or error.saved_by.get_username()
                conflict_by = (
                    f"{who}, {long_date(error.saved_at.date())}" if error.saved_at else who
                )
        except NotAllowed as error:
            return refused(request, ccg, error.message,
                           title="You cannot change this scheme's figures",
                           back_url=scheme_url(scheme))  # fmt: skip
        except InvalidMove as error:
            form.add_service_error(error, getattr(error, "month", None))
        else:
            messages.success(request, _saved_message(scheme, saved))
            return redirect(scheme_url(scheme, "months"))
    context = page_context(
        request,
        ccg,
        "",
        f"Monthly figures of {scheme.reference}",
        scheme.year,
        scheme=scheme,
        form=form,
        rows=form.rows(),
        error_list=form.error_list(),
        conflict=conflict,
        conflict_by=conflict_by,
        back_url=scheme_url(scheme),
    )
    return render(request, "finance/qipp/months_form.jinja", context)


# --- Imports --------------------------------------------------------------------------------


def import_url(record) -> str:
    return reverse("qipp-import-detail", kwargs={"ods": record.ccg.ods_code, "pk": record.pk})


def tracker_url(ccg, year=None) -> str:
    url = reverse("ccg-qipp", kwargs={"ods": ccg.ods_code})
    return f"{url}?year={year.label}" if year else url


@login_required
@require_http_methods(["GET", "POST"])
def qipp_import(request, ods: str):
    """Upload a QIPP report and a year: a dry run, shown as a preview to confirm."""
    ccg = finance_ccg(request, ods)
    title = "You cannot import QIPP reports"
    refusal = _role_refused(request, ccg, title, tracker_url(ccg))
    if refusal is not None:
        return refusal
    years = qipp_years(request.user, ccg)
    initial = {"year": years[0].label} if years else {}
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = qipp_io.import_qipp(upload, ccg=ccg, year=form.cleaned_data["year"],
                                         user=request.user, dry_run=True,
                                         source_name=upload.name)  # fmt: skip
        except NotAllowed as error:
            return refused(request, ccg, error.message, title=title, back_url=tracker_url(ccg))
        return redirect(import_url(record))
    recent = (
        QippImport.objects.for_user(request.user)
        .filter(ccg=ccg)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:10]
    )
    context = page_context(request, ccg, "", "Import a QIPP report", form=form,
                           error_list=form.error_list(), recent=list(recent),
                           back_url=tracker_url(ccg))  # fmt: skip
    return render(request, "finance/qipp/import_form.jinja", context)


def _import_of(request, ods: str, pk: int) -> QippImport:
    imports = QippImport.objects.for_user(request.user).select_related("ccg", "requested_by")
    return get_object_or_404(imports, pk=pk, ccg__ods_code=ods.upper())


def error_items(record) -> list[dict]:
    """The NHS error summary's items: each problem with its row, column and cell, linking to
    its row in the table of problems."""
    items = []
    for index, error in enumerate(record.errors or [], start=1):
        where = ", ".join(
            part for part in (
                f"row {error.get('row')}" if error.get("row") else "",
                f"column {error.get('column')}" if error.get("column") else "",
                f"cell {error.get('cell')}" if error.get("cell") else "",
            ) if part
        )  # fmt: skip
        message = error.get("message", "")
        text = f"{where[:1].upper()}{where[1:]}: {message}" if where else message
        items.append({"text": text, "href": f"#import-error-{index}", "id": f"import-error-{index}",
                      "error": error})  # fmt: skip
    return items


ACTION_WORDS = {"create": "Create", "created": "Create", "update": "Update",
                "updated": "Update", "unchanged": "No change"}  # fmt: skip


def preview_rows(record) -> list[dict]:
    rows = []
    for item in record.preview or []:
        changes = item.get("changes") or []
        if isinstance(changes, dict):
            changes = [f"{key}: {value}" for key, value in changes.items()]
        elif isinstance(changes, str):
            changes = [changes]
        action = str(item.get("action", ""))
        programme = item.get("kind") == "programme"
        rows.append({
            "row": item.get("row", ""),
            "reference": item.get("reference", ""),
            "programme": item.get("programme", ""),
            "project": "A new QIPP programme" if programme else item.get("project", ""),
            "action": ACTION_WORDS.get(action, action.capitalize()),
            "changes": [str(c) for c in changes],
        })  # fmt: skip
    return rows


@login_required
@require_http_methods(["GET"])
def qipp_import_detail(request, ods: str, pk: int):
    record = _import_of(request, ods, pk)
    ccg = record.ccg
    errors = error_items(record)
    can_apply = (services.finance_refusal(request.user, ccg) is None and record.dry_run
                 and record.status == "succeeded" and bool(record.file))  # fmt: skip
    who = record.requested_by
    context = page_context(
        request,
        ccg,
        "",
        f"QIPP import {record.source_name}",
        record=record,
        errors=errors,
        error_list=[{"text": e["text"], "href": e["href"]} for e in errors],
        preview=preview_rows(record),
        can_apply=can_apply,
        requested_by=(who.get_full_name() or who.get_username()) if who else "The system",
        tracker_url=tracker_url(ccg, record.year),
        import_form_url=reverse("qipp-import", kwargs={"ods": ccg.ods_code}),
    )
    return render(request, "finance/qipp/import_detail.jinja", context)


@login_required
@require_POST
def qipp_import_apply(request, ods: str, pk: int):
    record = _import_of(request, ods, pk)
    ccg = record.ccg
    title = "You cannot apply this import"
    refusal = _role_refused(request, ccg, title, import_url(record))
    if refusal is not None:
        return refusal
    if not record.dry_run or record.status != "succeeded":
        messages.error(request, "Only a preview with no problems can be applied: upload the "
                                "corrected file and preview it again.")  # fmt: skip
        return redirect(import_url(record))
    try:
        applied = qipp_io.apply_import(record, user=request.user)
    except NotAllowed as error:
        return refused(request, ccg, error.message, title=title, back_url=import_url(record))
    except InvalidMove as error:
        messages.error(request, error.message)
        return redirect(import_url(record))
    if applied.status != "succeeded":
        messages.error(request, applied.message or "The import failed: nothing was changed.")
        return redirect(import_url(applied))
    messages.success(request, applied.message or f"Imported {applied.source_name}: "
                     f"{applied.created} created, {applied.updated} updated, "
                     f"{applied.unchanged} unchanged.")  # fmt: skip
    return redirect(tracker_url(ccg, applied.year))
