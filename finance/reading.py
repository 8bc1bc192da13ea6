"""Reading finance for pages, packs and panels: the planning rules table of a CCG's year,
its contracts table, the RAG thresholds it is scored with, and its schemes with their months.
Every row is read with `for_user(user)` (the thresholds are reference data)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch, Q

from . import presenters, rules
from .models import (
    Contract,
    ContractLine,
    PlanningRule,
    QippMonth,
    QippRagThreshold,
    QippScheme,
    StatedAmount,
)
from .qipp_figures import DEFAULT_THRESHOLDS, Month, Thresholds


def rule_lines_for(user, plan, ccg, year) -> list[rules.RuleLine]:
    year_rules = [
        rules.Rule(code=r.code, label=r.label, basis=r.basis, rate=r.rate)
        for r in PlanningRule.objects.for_user(user).for_year(year).order_by("order", "code")
    ]
    stated = []
    if plan is not None:
        stated = [
            rules.Stated(rule_code=s.rule_code, label=s.label, amount=s.stated_amount,
                         percent=s.stated_percent, note=s.note)
            for s in StatedAmount.objects.for_user(user).filter(financial_plan=plan)
        ]  # fmt: skip
    population = (plan.population if plan and plan.population else None) or ccg.population
    return rules.rule_lines(year_rules, stated, allocation=plan.allocation if plan else None,
                            population=population)  # fmt: skip


def contract_table(user, ccg, year, plan) -> dict:
    contracts = (
        Contract.objects.for_user(user)
        .filter(ccg=ccg, year=year)
        .select_related("provider")
        .prefetch_related(Prefetch("lines", queryset=ContractLine.objects.for_user(user)))
        .order_by("-value", "provider__name")
    )
    rows = [presenters.contract_row(c, list(c.lines.all())) for c in contracts]
    total = sum((row["contract"].value for row in rows), Decimal(0)) if rows else None
    stated = plan.stated_contract_total if plan else None
    return {
        "rows": rows,
        "total": presenters.exact(total) if total is not None else "",
        "stated_total": presenters.exact(stated) if stated is not None else "",
        "stated_difference": presenters.signed(rules.difference(stated, total))
        if stated is not None and total is not None
        else "",
        "illustrative": any(row["contract"].illustrative for row in rows),
    }


def thresholds_for(ccg) -> Thresholds:
    """The CCG's RAG thresholds, else the default row, else 0% and −10%."""
    # RAG thresholds are reference data (the default row and the CCG's own), read only for a
    # CCG the caller has already read through for_user.
    mine_or_default = Q(ccg=ccg) | Q(ccg__isnull=True)
    rows = list(QippRagThreshold.objects.filter(mine_or_default))  # access: reference data
    chosen = next((r for r in rows if r.ccg_id == ccg.pk), None) or next(iter(rows), None)
    if chosen is None:
        return DEFAULT_THRESHOLDS
    return Thresholds(green_from=chosen.green_from, amber_from=chosen.amber_from)


def scheme_queryset(user):
    return (
        QippScheme.objects.for_user(user)
        .select_related("ccg", "qipp_programme", "provider", "priority__plan", "programme")
        .prefetch_related(
            Prefetch("months", queryset=QippMonth.objects.for_user(user).order_by("month"))
        )
    )


def months_of(scheme) -> list[Month]:
    return [Month(m.month, m.plan, m.actual, m.forecast) for m in scheme.months.all()]
