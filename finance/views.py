"""The finance overview of a CCG for a year: the allocation; the planning rules table (what
each rule of the year implies beside what the plan states, and the difference, never merged);
the efficiency (QIPP) target against the schemes' planned savings; budget assumptions;
multi-year challenges; contracts with their lines; pooled budgets with ranged contributions;
locality budgets month by month. The QIPP pages are in `views_qipp` and `views_qipp_forms`.

Finance is internal to a CCG: the CCG is read with `for_user(user, roles=INTERNAL_ROLES)`,
so scrutiny members, other CCGs' people and people with no role get a 404, and every finance
row is read through `for_user(request.user)`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from commissioning.access import INTERNAL_ROLES
from commissioning.models import CCG, Locality
from commissioning.years import FinancialYear, span_label

from . import presenters, rules
from .forms import YearForm
from .models import (
    BudgetAssumption,
    Contract,
    FinancialChallenge,
    FinancialPlan,
    LocalityBudget,
    PooledBudget,
    PooledContribution,
    PooledScheme,
    QippScheme,
)
from .reading import contract_table, rule_lines_for
from .services import finance_refusal

NAV = (("ccg-finance", "Finance overview"), ("ccg-qipp", "QIPP tracker"))


# --- Reading --------------------------------------------------------------------------------


def finance_ccg(request, ods: str) -> CCG:
    """The CCG, if the user reads its finance (internal roles, assurers, staff); else 404."""
    ccgs = CCG.objects.for_user(request.user, roles=set(INTERNAL_ROLES))
    return get_object_or_404(ccgs, ods_code=ods.upper())


def _years_of(queryset) -> set[FinancialYear]:
    return set(queryset.order_by().values_list("year", flat=True).distinct())


def finance_years(user, ccg) -> list[FinancialYear]:
    """Every year the CCG has finance recorded for, newest first."""
    years = set()
    for model in (FinancialPlan, QippScheme, Contract, PooledBudget):
        years |= _years_of(model.objects.for_user(user).filter(ccg=ccg))
    years |= _years_of(LocalityBudget.objects.for_user(user).filter(locality__ccg=ccg))
    return sorted(years, reverse=True)


def nav(ccg, current: str, year=None) -> list[dict]:
    query = f"?year={year.label}" if year else ""
    return [
        {"href": reverse(name, kwargs={"ods": ccg.ods_code}) + query, "text": text,
         "current": name == current}
        for name, text in NAV
    ]  # fmt: skip


def page_context(request, ccg, page: str, title: str, year=None, **extra) -> dict:
    return {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"{title} – {ccg.display_name}",
        "nav": nav(ccg, page, year),
        "year": year,
        "can_manage": finance_refusal(request.user, ccg) is None,
        "illustrative_tag": presenters.ILLUSTRATIVE_TAG,
        **extra,
    }


# --- The overview ---------------------------------------------------------------------------


def _pooled(user, ccg, year) -> list[dict]:
    pools = (
        PooledBudget.objects.for_user(user)
        .filter(ccg=ccg, year=year)
        .select_related("host")
        .prefetch_related(
            Prefetch("contributions", queryset=PooledContribution.objects.for_user(user)),
            Prefetch("schemes", queryset=PooledScheme.objects.for_user(user)),
        )
    )
    return [
        presenters.pooled_row(pool, list(pool.contributions.all()), list(pool.schemes.all()))
        for pool in pools
    ]


def _localities(user, ccg, year) -> list[dict]:
    months = (
        LocalityBudget.objects.for_user(user)
        .filter(locality__ccg=ccg, year=year)
        .order_by("locality_id", "month")
    )
    by_locality: dict[int, list] = {}
    for record in months:
        by_locality.setdefault(record.locality_id, []).append(record)
    localities = Locality.objects.for_user(user).filter(pk__in=by_locality).order_by("name")
    return [presenters.locality_table(loc, by_locality[loc.pk]) for loc in localities]


@login_required
@require_GET
def ccg_finance(request, ods: str):
    ccg = finance_ccg(request, ods)
    user = request.user
    form = YearForm(request.GET or None, years=finance_years(user, ccg))
    year = form.chosen_year()
    context = page_context(request, ccg, "ccg-finance", "Finance", year, form=form,
                           error_list=form.error_list())  # fmt: skip
    if year is None:
        return render(request, "finance/overview.jinja", context)
    plan = (
        FinancialPlan.objects.for_user(user)
        .filter(ccg=ccg, year=year)
        .select_related("plan")
        .first()
    )
    savings = list(
        QippScheme.objects.for_user(user)
        .filter(ccg=ccg, year=year)
        .values_list("planned_saving", flat=True)
    )
    gap = rules.efficiency_gap(plan.efficiency_target if plan else None, savings)
    assumptions = (
        BudgetAssumption.objects.for_user(user).filter(financial_plan=plan) if plan else []
    )
    challenges = [
        {"challenge": c, "span": span_label(c.first_year, c.last_year),
         "covers": c.first_year <= year <= c.last_year, "amount": presenters.short(c.amount),
         "amount_exact": presenters.exact(c.amount)}
        for c in FinancialChallenge.objects.for_user(user).filter(ccg=ccg)
    ]  # fmt: skip
    contracts = contract_table(user, ccg, year, plan)
    pooled = _pooled(user, ccg, year)
    localities = _localities(user, ccg, year)
    context |= {
        "plan": plan,
        "rules": presenters.rule_rows(rule_lines_for(user, plan, ccg, year)),
        "gap": presenters.gap_facts(
            gap,
            target_percent=plan.efficiency_target_percent if plan else None,
            allocation=plan.allocation if plan else None,
        ),
        "scheme_count": len(savings),
        "assumptions": [
            {
                "name": a.name,
                "percent": presenters.percent(a.percent),
                "amount": presenters.exact(a.amount),
                "note": a.note,
            }
            for a in assumptions
        ],  # fmt: skip
        "challenges": challenges,
        "contracts": contracts,
        "pooled": pooled,
        "localities": localities,
        "any_illustrative": bool(
            (plan and plan.illustrative)
            or contracts["illustrative"]
            or any(table["illustrative"] for table in localities)
        ),
        "qipp_url": reverse("ccg-qipp", kwargs={"ods": ccg.ods_code}) + f"?year={year.label}",
    }
    return render(request, "finance/overview.jinja", context)
