"""What finance puts into PDF packs (registered with plans.packs in FinanceConfig.ready()).

- Plan documents: "Finance" for each year of the plan's period the CCG has a financial plan
  for: the allocation, the planning rules table (what each rule implies beside what the plan
  states, and the difference), the efficiency target against the schemes' planned savings,
  budget assumptions and contracts.
- Annual review packs: "The financial challenge and QIPP": multi-year challenges, then QIPP
  for the year the plan starts: the CCG and each programme against plan to date, forecast
  outturn against the efficiency target, the cumulative chart with its summary and table.
Every row is read with `for_user(context.user)`; the figures come from finance.rules and
finance.qipp_figures, as on the pages.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from markupsafe import Markup

from commissioning.years import span_label
from plans.models import PackKind
from plans.packs.registry import PackContext, PackSection, register_section

from . import presenters, rules
from .charts import cumulative_chart_svg, cumulative_rows, cumulative_summary
from .models import BudgetAssumption, FinancialChallenge, FinancialPlan, QippScheme
from .qipp_figures import roll_up
from .reading import contract_table, months_of, rule_lines_for, scheme_queryset, thresholds_for


def _years(plan):
    year, years = plan.first_year, []
    while year <= plan.last_year:
        years.append(year)
        year = year + 1
    return years


def finance_section(context: PackContext) -> str | None:
    plan = context.plan
    if plan is None:
        return None
    user, ccg = context.user, plan.ccg
    plans = {fp.year: fp for fp in FinancialPlan.objects.for_user(user)
             .filter(ccg=ccg, year__in=[y.start_year for y in _years(plan)])}  # fmt: skip
    if not plans:
        return None
    years = []
    for year in sorted(plans):
        financial_plan = plans[year]
        savings = list(QippScheme.objects.for_user(user).filter(ccg=ccg, year=year)
                       .values_list("planned_saving", flat=True))  # fmt: skip
        gap = rules.efficiency_gap(financial_plan.efficiency_target, savings)
        years.append({
            "year": year,
            "plan": financial_plan,
            "allocation": presenters.exact(financial_plan.allocation)
            if financial_plan.allocation is not None else presenters.NOT_STATED,
            "rules": presenters.rule_rows(rule_lines_for(user, financial_plan, ccg, year)),
            "gap": presenters.gap_facts(
                gap, target_percent=financial_plan.efficiency_target_percent,
                allocation=financial_plan.allocation),
            "scheme_count": len(savings),
            "assumptions": [{"name": a.name, "percent": presenters.percent(a.percent),
                             "amount": presenters.exact(a.amount), "note": a.note}
                            for a in BudgetAssumption.objects.for_user(user)
                            .filter(financial_plan=financial_plan)],
            "contracts": contract_table(user, ccg, year, financial_plan),
        })  # fmt: skip
    return render_to_string("print/finance/finance.jinja", {"years": years})


def qipp_section(context: PackContext) -> str | None:
    plan = context.plan
    if plan is None:
        return None
    user, ccg, year = context.user, plan.ccg, plan.first_year
    challenges = [
        {"span": span_label(c.first_year, c.last_year), "amount": presenters.short(c.amount),
         "exact": presenters.exact(c.amount), "description": c.description}
        for c in FinancialChallenge.objects.for_user(user).filter(ccg=ccg).order_by("first_year")
    ]  # fmt: skip
    schemes = list(
        scheme_queryset(user).filter(ccg=ccg, year=year)
        .order_by("qipp_programme__order", "qipp_programme__name", "reference")
    )  # fmt: skip
    if not challenges and not schemes:
        return None
    thresholds = thresholds_for(ccg)
    months = {s.pk: months_of(s) for s in schemes}
    total = roll_up(months.values(), thresholds=thresholds) if schemes else None
    programmes = {}
    for scheme in schemes:
        programmes.setdefault(scheme.qipp_programme, []).append(scheme)
    programme_rows = [
        {"name": programme.name, "count": len(members),
         "figures": presenters.figure_cells(roll_up([months[s.pk] for s in members],
                                                    through=total.through,
                                                    thresholds=thresholds))}
        for programme, members in programmes.items()
    ]  # fmt: skip
    financial_plan = FinancialPlan.objects.for_user(user).filter(ccg=ccg, year=year).first()
    target = financial_plan.efficiency_target if financial_plan else None
    chart = None
    if total is not None:
        title = f"Cumulative QIPP savings {year.label}"
        chart = {"svg": Markup(cumulative_chart_svg(total, title=title, chart_id="pack-qipp")),  # noqa: S704 - the chart escapes all text
                 "summary": cumulative_summary(total, title=title),
                 "table": presenters.chart_table(cumulative_rows(total))}  # fmt: skip
    return render_to_string("print/finance/qipp.jinja", {
        "year": year, "challenges": challenges, "programmes": programme_rows,
        "total": presenters.figure_cells(total) if total else None,
        "target": presenters.exact(target) if target is not None else presenters.NOT_STATED,
        "outturn_gap": presenters.signed(rules.difference(total.forecast_outturn, target))
        if total is not None and target is not None else "",
        "chart": chart, "illustrative": any(m.illustrative for s in schemes
                                            for m in s.months.all()),
    })  # fmt: skip


def register() -> None:
    register_section(PackSection("finance", "Finance", frozenset({PackKind.PLAN_DOCUMENT}), 40,
                                 finance_section))  # fmt: skip
    review = frozenset({PackKind.ANNUAL_REVIEW})
    register_section(PackSection("financial-challenge", "The financial challenge and QIPP",
                                 review, 30, qipp_section))  # fmt: skip
