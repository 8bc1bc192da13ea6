"""The QIPP pages of a CCG: the tracker (schemes of a year with filters and counts, each
scheme's year to date plan, actual, variance, forecast outturn and RAG; roll-ups by programme
and for the CCG against its efficiency target; the cumulative chart with its data table;
CSV and XLSX downloads in the QIPP report layout) and each scheme with its twelve months, its
chart and its change history. The monthly entry form and imports are in `views_qipp_forms`.

Every scheme of the year is read in one query with its months prefetched, then filtered
here, so the tracker takes the same number of queries however many schemes there are. Year
to date figures run to the latest month any of the CCG's schemes has reported: a scheme that
has not reported that month counts it as nothing saved.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from markupsafe import Markup

from priorities.models import DeliveryStatus

from . import presenters, qipp_io, rules
from .charts import cumulative_chart_svg, cumulative_rows, cumulative_summary
from .forms import QippFilterForm
from .models import FinancialPlan, QippMonth, QippScheme
from .qipp_figures import (
    Figures,
    Thresholds,
    figures,
    last_reported,
    month_label,
    roll_up,
)
from .reading import months_of, scheme_queryset, thresholds_for
from .views import finance_ccg, page_context

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def svg(text: str) -> Markup:
    """An SVG drawn by `finance.charts`, which escapes every piece of text it puts in."""
    return Markup(text)  # noqa: S704 - finance.charts escapes all text (commissioning.charts.svg)


# --- Reading --------------------------------------------------------------------------------


def scheme_url(scheme, anchor: str = "") -> str:
    url = reverse("qipp-scheme", kwargs={"ods": scheme.ccg.ods_code, "pk": scheme.pk})
    return f"{url}#{anchor}" if anchor else url


def qipp_years(user, ccg) -> list:
    return sorted(
        set(
            QippScheme.objects.for_user(user)
            .filter(ccg=ccg)
            .order_by()
            .values_list("year", flat=True)
            .distinct()
        ),
        reverse=True,
    )


def rag_rule(thresholds: Thresholds) -> str:
    return (f"green at {presenters.percent(thresholds.green_from)} or more, amber from "
            f"{presenters.percent(thresholds.amber_from)}, red below that")  # fmt: skip


def chart_parts(figures_: Figures, *, title: str, chart_id: str) -> dict:
    rows = cumulative_rows(figures_)
    return {
        "svg": svg(cumulative_chart_svg(figures_, title=title, chart_id=chart_id)),
        "summary": cumulative_summary(figures_, title=title),
        "table": presenters.chart_table(rows),
        "title": title,
        "id": chart_id,
    }


# --- The tracker ----------------------------------------------------------------------------


def _options(schemes) -> dict:
    programmes = {s.qipp_programme_id: s.qipp_programme for s in schemes}
    providers = {s.provider_id: s.provider for s in schemes if s.provider_id}
    return {
        "programmes": sorted(programmes.values(), key=lambda p: (p.order, p.name)),
        "providers": sorted(providers.values(), key=lambda p: p.name),
        "leads": sorted({s.lead for s in schemes if s.lead}),
    }


def _matches(scheme, result: Figures, filters: dict) -> bool:
    checks = (
        ("programme", scheme.qipp_programme_id),
        ("status", scheme.status),
        ("provider", scheme.provider_id),
        ("lead", scheme.lead),
        ("rag", result.rag or "none"),
    )
    return all(filters[name] is None or filters[name] == value for name, value in checks)


def tracker(request, ccg):
    """The year's schemes with their figures, the form, and the schemes the filters keep."""
    user = request.user
    years = qipp_years(user, ccg)
    probe = QippFilterForm(request.GET or None, years=years)
    year = probe.chosen_year()
    schemes = []
    if year is not None:
        schemes = list(
            scheme_queryset(user)
            .filter(ccg=ccg, year=year)
            .order_by("qipp_programme__order", "qipp_programme__name", "reference")
        )
    form = QippFilterForm(request.GET or None, years=years, **_options(schemes))
    thresholds = thresholds_for(ccg)
    months = {s.pk: months_of(s) for s in schemes}
    through = max((last_reported(m) for m in months.values()), default=0)
    results = {s.pk: figures(months[s.pk], through=through, thresholds=thresholds) for s in schemes}
    filters = form.filters()
    shown = [s for s in schemes if _matches(s, results[s.pk], filters)]
    return {
        "form": form,
        "year": year,
        "schemes": schemes,
        "shown": shown,
        "months": months,
        "results": results,
        "through": through,
        "thresholds": thresholds,
    }


def _programme_rollups(shown, months, through, thresholds) -> list[dict]:
    groups: dict[int, list] = {}
    for scheme in shown:
        groups.setdefault(scheme.qipp_programme_id, []).append(scheme)
    rows = []
    for members in groups.values():
        result = roll_up([months[s.pk] for s in members], through=through, thresholds=thresholds)
        rows.append({
            "programme": members[0].qipp_programme,
            "count": len(members),
            "planned_saving": presenters.exact(sum(s.planned_saving for s in members)),
            "figures": presenters.figure_cells(result),
        })  # fmt: skip
    return rows


def _ccg_totals(request, ccg, board) -> dict:
    schemes, months = board["schemes"], board["months"]
    result = roll_up([months[s.pk] for s in schemes], through=board["through"],
                     thresholds=board["thresholds"])  # fmt: skip
    plan = FinancialPlan.objects.for_user(request.user).filter(ccg=ccg, year=board["year"]).first()
    target = plan.efficiency_target if plan else None
    gap = rules.efficiency_gap(target, [s.planned_saving for s in schemes])
    outturn_gap = rules.difference(result.forecast_outturn, target)
    return {
        "figures": presenters.figure_cells(result),
        "result": result,
        "gap": presenters.gap_facts(
            gap,
            target_percent=plan.efficiency_target_percent if plan else None,
            allocation=plan.allocation if plan else None,
        ),  # fmt: skip
        "outturn_gap": presenters.signed(outturn_gap) if outturn_gap is not None else "",
        "outturn_short": outturn_gap is not None and outturn_gap < 0,
        "planned_saving": presenters.exact(gap.planned),
    }


def export_url(ccg, form, fmt: str) -> str:
    url = reverse("qipp-export", kwargs={"ods": ccg.ods_code, "fmt": fmt})
    query = form.query()
    return f"{url}?{urlencode(query)}" if query else url


@login_required
@require_GET
def ccg_qipp(request, ods: str):
    ccg = finance_ccg(request, ods)
    board = tracker(request, ccg)
    form, year, shown = board["form"], board["year"], board["shown"]
    context = page_context(request, ccg, "ccg-qipp", "QIPP tracker", year, form=form,
                           error_list=form.error_list(), active=form.active())  # fmt: skip
    if year is None:
        return render(request, "finance/qipp/tracker.jinja", context)
    results, months, through = board["results"], board["months"], board["through"]
    rows = [presenters.scheme_row(s, results[s.pk], scheme_url(s)) for s in shown]
    shown_result = roll_up([months[s.pk] for s in shown], through=through,
                           thresholds=board["thresholds"])  # fmt: skip
    rag_counts = Counter(results[s.pk].rag or "none" for s in shown)
    status_counts = Counter(s.status for s in shown)
    title = (f"Cumulative savings of the {len(shown)} schemes shown, {year.label}"
             if form.active() else f"Cumulative QIPP savings of {ccg.display_name}, "
             f"{year.label}")  # fmt: skip
    context |= {
        "rows": rows,
        "total": len(board["schemes"]),
        "shown_figures": presenters.figure_cells(shown_result),
        "shown_planned": presenters.exact(sum(s.planned_saving for s in shown)),
        "through_label": month_label(through) if through else "",
        "programmes": _programme_rollups(shown, months, through, board["thresholds"]),
        "ccg_totals": _ccg_totals(request, ccg, board),
        "rag_counts": presenters.count_rows(rag_counts, presenters.RAG_CHOICES),
        "status_counts": presenters.count_rows(status_counts, list(DeliveryStatus.choices)),
        "chart": chart_parts(shown_result, title=title, chart_id="qipp-chart-tracker")
        if shown
        else None,
        "rag_rule": rag_rule(board["thresholds"]),
        "csv_url": export_url(ccg, form, "csv"),
        "xlsx_url": export_url(ccg, form, "xlsx"),
        "any_illustrative": any(s.illustrative for s in shown),
    }
    return render(request, "finance/qipp/tracker.jinja", context)


@login_required
@require_GET
def qipp_export(request, ods: str, fmt: str):
    """The schemes the tracker shows (same year and filters), in the QIPP report layout."""
    if fmt not in EXPORT_TYPES:
        raise Http404("QIPP trackers download as csv or xlsx")
    ccg = finance_ccg(request, ods)
    board = tracker(request, ccg)
    if board["year"] is None:
        raise Http404(f"{ccg.display_name} has no QIPP schemes to download")
    make = qipp_io.qipp_csv if fmt == "csv" else qipp_io.qipp_xlsx
    # Year to date to the tracker's report month, so the file says what the page says.
    body = make(board["shown"], {(ccg.pk, board["year"]): board["through"]})
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    name = f"qipp-{ccg.ods_code}-{board['year'].label.replace('/', '-')}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- One scheme -----------------------------------------------------------------------------


def scheme_of(request, ods: str, pk: int) -> QippScheme:
    return get_object_or_404(scheme_queryset(request.user), pk=pk, ccg__ods_code=ods.upper())


def reported_through(user, scheme) -> int:
    """The latest month any of the CCG's schemes of the year has an actual for."""
    latest = (
        QippMonth.objects.for_user(user)
        .filter(scheme__ccg_id=scheme.ccg_id, scheme__year=scheme.year, actual__isnull=False)
        .aggregate(latest=Max("month"))["latest"]
    )
    return latest or 0


def _history(scheme) -> list[dict]:
    """The scheme's changes and its months', newest first, each against the version before."""
    entries = []
    scheme_history = list(
        scheme.history.select_related("history_user").order_by("history_date", "history_id")
    )
    entries += _paired(QippScheme, lambda record: "Scheme", scheme_history, "id")
    month_history = list(
        QippMonth.history.filter(scheme_id=scheme.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries += _paired(QippMonth, lambda record: month_label(record.month), month_history, "id")
    entries.sort(key=lambda e: (e[2].history_date, e[2].history_id), reverse=True)
    return presenters.history_rows(entries)


def _paired(model, describe, records, key: str) -> list[tuple]:
    last: dict = {}
    entries = []
    for record in records:
        ident = getattr(record, key)
        entries.append((model, describe(record), record, last.get(ident)))
        last[ident] = record
    return entries


@login_required
@require_GET
def scheme_detail(request, ods: str, pk: int):
    scheme = scheme_of(request, ods, pk)
    ccg = scheme.ccg
    through = reported_through(request.user, scheme)
    result = figures(months_of(scheme), through=through, thresholds=thresholds_for(ccg))
    stored = {m.month: m for m in scheme.months.all()}
    title = f"Cumulative savings of {scheme.reference} {scheme.project}, {scheme.year.label}"
    context = page_context(
        request,
        ccg,
        "",
        f"{scheme.reference} {scheme.project}",
        scheme.year,
        scheme=scheme,
        row=presenters.scheme_row(scheme, result, scheme_url(scheme)),
        months=presenters.month_rows(result, stored),
        monthly_plan_total=presenters.exact(result.annual_plan),
        plans_differ=result.annual_plan != scheme.planned_saving,
        chart=chart_parts(result, title=title, chart_id=f"qipp-chart-scheme-{scheme.pk}"),
        history=_history(scheme),
        tracker_url=reverse("ccg-qipp", kwargs={"ods": ccg.ods_code})
        + f"?year={scheme.year.label}",
        any_illustrative=scheme.illustrative or any(m.illustrative for m in stored.values()),
    )
    return render(request, "finance/qipp/scheme.jinja", context)
