"""The audit log of a CCG: who changed what and when, across its plans, priorities, finance,
QIPP, risks, committees, meetings and memberships; and its export (CSV or XLSX) with the
same filters.

For the CCG's governing body members and planning managers (and staff): anyone else who can
see the CCG gets a 404, as on the other internal pages; anonymous people are sent to sign in.
The rows come from `governance.audit`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from commissioning.api_spreadsheets import XLSX_MEDIA_TYPE
from commissioning.models import CCG
from commissioning.spreadsheets import csv_bytes, xlsx_bytes

from . import audit
from .forms_audit import AuditFilterForm

PAGE_SIZE = 50
EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MEDIA_TYPE}


def audit_ccg(request, ods: str) -> CCG:
    """The CCG, if the user reads its audit log; else 404."""
    ccg = get_object_or_404(CCG.objects.for_user(request.user), ods_code=ods.upper())
    if not audit.reads_audit(request.user, ccg):
        raise Http404("The audit log is for the CCG's governing body and planning managers")
    return ccg


def _users(ccg):
    """The people who hold a role in the CCG, for the "changed by" filter."""
    return (
        get_user_model()
        .objects.filter(memberships__ccg=ccg)
        .order_by("first_name", "last_name", "username")
        .distinct()
    )


def _form(request, ccg) -> AuditFilterForm:
    return AuditFilterForm(request.GET or None, users=_users(ccg))


def _query(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else ""


@login_required
@require_GET
def ccg_audit(request, ods: str):
    ccg = audit_ccg(request, ods)
    form = _form(request, ccg)
    filters = form.filters(ccg)
    paginator = Paginator(audit.event_index(filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    events = audit.events_for(page.object_list, {ccg.pk: ccg.ods_code})
    here = reverse("ccg-audit", kwargs={"ods": ccg.ods_code})
    pagination = {}
    if page.has_previous():
        pagination["previous"] = {
            "href": here + _query(request, page=str(page.previous_page_number())),
            "labelText": "Newer changes",
        }
    if page.has_next():
        pagination["next"] = {
            "href": here + _query(request, page=str(page.next_page_number())),
            "labelText": "Older changes",
        }
    exports = {
        fmt: reverse("ccg-audit-export", kwargs={"ods": ccg.ods_code, "fmt": fmt})
        + _query(request, page=None)
        for fmt in EXPORT_FORMATS
    }
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"Audit log – {ccg.display_name}",
        "form": form,
        "error_list": form.error_list(),
        "events": events,
        "page": page,
        "count": paginator.count,
        "pagination": pagination,
        "exports": exports,
        "filtered": any(k != "page" for k in request.GET),
        "here": here,
    }
    status = 400 if form.errors else 200
    return render(request, "governance/audit.jinja", context, status=status)


@login_required
@require_GET
def ccg_audit_export(request, ods: str, fmt: str):
    """Every change the filters match (no pages), one row for each changed field."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("The audit log is exported as .csv or .xlsx")
    ccg = audit_ccg(request, ods)
    form = _form(request, ccg)
    filters = form.filters(ccg)
    rows = audit.export_rows(audit.iter_events(filters, {ccg.pk: ccg.ods_code}))
    if fmt == "csv":
        body = csv_bytes(audit.EXPORT_HEADINGS, rows)
    else:
        body = xlsx_bytes(audit.EXPORT_HEADINGS, rows, title="Audit log")
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    name = f"audit-log-{ccg.ods_code}-{stamp}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
