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


class RagThresholds:
    """The QIPP RAG thresholds of a set of CCGs and the default row, in one query: a CCG's
    own row, else the default row, else finance.qipp_figures' default (0% and −10%).
    Thresholds are reference data, read for CCGs the caller already reads."""

    def __init__(self, ccgs):
        rows = QippRagThreshold.objects.filter(  # access: reference data of readable CCGs
            Q(ccg__isnull=True) | Q(ccg__in=ccgs)
        )
        self.by_ccg: dict[int | None, Thresholds] = {
            row.ccg_id: Thresholds(green_from=row.green_from, amber_from=row.amber_from)
            for row in rows
        }
        self.default = self.by_ccg.get(None, DEFAULT_THRESHOLDS)

    def for_ccg(self, ccg_id: int) -> Thresholds:
        return self.by_ccg.get(ccg_id, self.default)


def thresholds_for(ccg) -> Thresholds:
    """The thresholds `ccg` is scored with (one query)."""
    return RagThresholds([ccg.pk]).for_ccg(ccg.pk)


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
