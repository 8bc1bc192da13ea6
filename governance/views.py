"""The governing body dashboard pages: a CCG's dashboard and each standard's drill-down.

Both read the CCG through `for_user(request.user)` (another CCG's dashboard is a 404; signed
out visitors are sent to sign in) and their figures through `governance.dashboard`, which
reads with `for_user(request.user)` in a fixed number of queries. A GET form chooses the
month: the pages show how things stood at the end of it, and work without JavaScript.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from commissioning.models import CCG

from . import dashboard
from .dashboard import month_label
from .views_dashboard import dashboard_context, detail_context

MONTH_FIELD = "month"


def _ccg(request, ods: str) -> CCG:
    return get_object_or_404(CCG.objects.for_user(request.user), ods_code=ods.upper())


def chosen_month(request, data: dashboard.DataRange):
    """(the month asked for or None, errors for the error summary)."""
    text = request.GET.get(MONTH_FIELD, "").strip()
    if not text:
        return None, []
    try:
        month = dashboard.parse_month(text)
    except ValueError as error:
        return None, [{"text": str(error), "href": f"#{MONTH_FIELD}"}]
    months = data.months()
    if month not in months:
        if months:
            message = f"Choose a month from {month_label(months[-1])} to {month_label(months[0])}"
        else:
            message = "There is no performance data to choose a month from"
        return None, [{"text": message, "href": f"#{MONTH_FIELD}"}]
    return month, []


@login_required
@require_GET
def ccg_dashboard(request, ods: str):
    ccg = _ccg(request, ods)
    data = dashboard.data_range(request.user, ccg)
    month, errors = chosen_month(request, data)
    figures = dashboard.build(request.user, ccg, month, data=data)
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"Governing body dashboard – {ccg.display_name}",
        "dashboard": figures,
        "error_list": errors,
        "form_action": request.path,
        **dashboard_context(figures, month),
    }
    return render(request, "governance/dashboard.jinja", context, status=400 if errors else 200)


@login_required
@require_GET
def ccg_standard(request, ods: str, code: str):
    ccg = _ccg(request, ods)
    standard = get_object_or_404(dashboard.standards_for(request.user, ccg), code=code)
    data = dashboard.data_range(request.user, ccg)
    month, errors = chosen_month(request, data)
    detail = dashboard.standard_detail(request.user, ccg, standard, month, data=data)
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"{standard.name} – {ccg.display_name}",
        "standard": standard,
        "detail": detail,
        "error_list": errors,
        "form_action": request.path,
        **detail_context(detail, month),
    }
    return render(request, "governance/standard.jinja", context, status=400 if errors else 200)
