"""Display logic of the dashboard pages: the words, numbers and SVG markup of each row.

No queries: `governance.views` reads the figures (`governance.dashboard`, through
`for_user`) and passes them here. Colour is never the only sign: every icon comes with its
label in words, every target with "Met" or "Not met".
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from markupsafe import Markup

from commissioning.years import FinancialYear

from .charts import (
    chart_summary,
    chart_table,
    format_value,
    icon_svg,
    sparkline_svg,
    spc_chart_svg,
)
from .dashboard import (
    DECIMALS,
    Dashboard,
    DataRange,
    StandardDetail,
    StandardFigures,
    month_label,
    month_value,
)
from .models import PeriodType

NO_DATA = "No data"


def svg(text: str) -> Markup:
    """An SVG drawn by `governance.charts`, which escapes every piece of text it puts in."""
    return Markup(text)  # noqa: S704 - charts escape all text (commissioning.charts.svg.escape)


def period_text(period: dt.date, period_type: str) -> str:
    """ "March 2016" for a month, "Q4 2015/16" for a quarter (financial quarters)."""
    if period_type == PeriodType.QUARTER:
        year = FinancialYear.containing(period)
        return f"Q{(period.month - 4) % 12 // 3 + 1} {year.label}"
    return month_label(period)


def value_text(figures: StandardFigures, value) -> str:
    return format_value(None if value is None else float(value), figures.unit_symbol, DECIMALS)


def target_text(figures: StandardFigures) -> str:
    if figures.threshold is None:
        return "None set"
    if figures.threshold.value is None:
        return "No operational standard"
    return value_text(figures, figures.threshold.value)


def met_text(figures: StandardFigures) -> str:
    met = figures.target_met
    return "" if met is None else ("Met" if met else "Not met")


def icon_cell(icon, chart_id: str, fallback: str) -> dict:
    """An icon drawn small beside its label (the drawing is hidden from screen readers,
    which read the label)."""
    if icon is None:
        return {"svg": None, "label": fallback, "code": ""}
    return {"svg": svg(icon_svg(icon, size=28, chart_id=chart_id)), "label": icon.label,
            "code": icon.code}  # fmt: skip


def assurance_fallback(figures: StandardFigures) -> str:
    if not figures.points:
        return NO_DATA
    if figures.target is None:
        return "No target to assure against"
    if figures.standard.direction == "neither":
        return "No direction of improvement"
    return "Too few points"


def month_query(month: dt.date | None) -> str:
    return f"?{urlencode({'month': month_value(month)})}" if month else ""


def standard_url(ccg, code: str, month: dt.date | None = None) -> str:
    url = reverse("ccg-standard", kwargs={"ods": ccg.ods_code, "code": code})
    return url + month_query(month)


def dashboard_url(ccg, month: dt.date | None = None) -> str:
    return reverse("ccg-dashboard", kwargs={"ods": ccg.ods_code}) + month_query(month)


def standard_row(ccg, figures: StandardFigures, link_month: dt.date | None, prefix: str = ""):
    code = figures.standard.code
    ident = f"{prefix}{code}"
    latest = figures.latest
    colour = latest and figures.result.latest.colour
    return {
        "code": code,
        "name": figures.standard.name,
        "url": standard_url(ccg, code, link_month),
        "local": figures.standard.is_local,
        "value": value_text(figures, latest.value) if latest else NO_DATA,
        "period": period_text(latest.period_start, figures.period_type) if latest else "",
        "target": target_text(figures),
        "met": met_text(figures),
        "variation": icon_cell(figures.variation, f"var-{ident}", NO_DATA),
        "assurance": icon_cell(figures.assurance, f"ass-{ident}", assurance_fallback(figures)),
        "sparkline": svg(
            sparkline_svg(
                figures.sparkline,
                label=f"{figures.standard.name}, last {len(figures.sparkline)} values",
                unit=figures.unit_symbol,
                decimals=DECIMALS,
                last_colour=colour or None,
                chart_id=f"spark-{ident}",
            )
        ),
        "points": len(figures.points),
        "illustrative": figures.illustrative,
    }


def data_sentence(data: DataRange) -> str:
    if data.up_to is None:
        return "No performance data yet."
    where = (
        f"the newest import, {data.import_name}"
        if data.source == "import"
        else "the latest measurement recorded"
    )
    return f"Data up to {month_label(data.up_to)} (from {where})."


def month_options(data: DataRange, selected: dt.date | None) -> list[dict]:
    return [
        {"value": month_value(month), "text": month_label(month), "selected": month == selected}
        for month in data.months()
    ]


def delivery_table(dashboard: Dashboard) -> dict:
    """Columns (status with its RAG colour in words) and a row of counts per plan."""
    if not dashboard.plans:
        return {"columns": [], "rows": []}
    columns = [
        {"label": item.label, "rag": item.rag.label.lower(), "code": item.rag.code}
        for item in dashboard.plans[0].counts
    ]
    rows = [
        {
            "title": entry.plan.title,
            "url": reverse("plan-delivery", kwargs={"pk": entry.plan.pk}),
            "state": entry.plan.get_state_display(),
            "years": entry.plan.first_year.label
            if entry.plan.first_year == entry.plan.last_year
            else f"{entry.plan.first_year.label} to {entry.plan.last_year.label}",
            "counts": [item.count for item in entry.counts],
            "total": entry.total,
        }
        for entry in dashboard.plans
    ]
    return {"columns": columns, "rows": rows}


def dashboard_context(dashboard: Dashboard, chosen: dt.date | None) -> dict:
    ccg = dashboard.ccg
    groups = [
        {
            "code": group.code,
            "label": group.label,
            "rows": [standard_row(ccg, figures, chosen) for figures in group.rows],
        }
        for group in dashboard.groups
    ]
    return {
        "groups": groups,
        "delivery": delivery_table(dashboard),
        "panels": [
            {
                "code": panel.code,
                "title": panel.title,
                "rows": [{"key": {"text": k}, "value": {"text": v}} for k, v in panel.rows],
            }
            for panel in dashboard.panels
        ],
        "data_sentence": data_sentence(dashboard.data),
        "month_options": month_options(dashboard.data, dashboard.month),
        "month_text": month_label(dashboard.month) if dashboard.month else "",
    }


def threshold_rows(detail: StandardDetail) -> list[dict]:
    figures = detail.figures
    return [
        {
            "from": row.applies_from,
            "to": row.applies_to,
            "value": "No operational standard"
            if row.value is None
            else value_text(figures, row.value),
            "note": row.note,
            "current": figures.threshold is not None and row.pk == figures.threshold.pk,
        }
        for row in detail.thresholds
    ]


def detail_context(detail: StandardDetail, chosen: dt.date | None) -> dict:
    figures = detail.figures
    standard = figures.standard
    unit = figures.unit_symbol
    result = figures.result
    title = f"{standard.name}, {detail.ccg.display_name}"
    chart = spc_chart_svg(result, title=title, unit=unit, decimals=DECIMALS,
                          chart_id=f"spc-{standard.code}")  # fmt: skip
    return {
        "row": standard_row(detail.ccg, figures, chosen),
        "chart": svg(chart),
        "summary": chart_summary(result, title=title, unit=unit, decimals=DECIMALS),
        "table": chart_table(result, title=title, unit=unit, decimals=DECIMALS),
        "thresholds": threshold_rows(detail),
        "providers": [
            {
                "name": provider.name,
                "ods_code": provider.ods_code,
                "row": standard_row(
                    detail.ccg, provider.figures, chosen, prefix=f"p{provider.provider_id}-"
                ),  # fmt: skip
            }
            for provider in detail.providers
        ],
        "data_sentence": data_sentence(detail.data),
        "month_options": month_options(detail.data, detail.month),
        "month_text": month_label(detail.month) if detail.month else "",
        "dashboard_url": dashboard_url(detail.ccg, chosen),
    }
