"""The finance API under /api/v1/: financial plans with their stated amounts, budget
assumptions and the planning rules' arithmetic; multi-year challenges; QIPP programmes,
schemes (the tracker, also as the QIPP report in CSV and XLSX), monthly figures and imports;
contracts and their lines; pooled budgets with contributions and schemes; locality budgets.
Registered into the shared router from `FinanceConfig.ready()`; the resources live in the
api_*.py modules and share the plans API's rules (plans/api_common.py)."""

from __future__ import annotations


def register_api() -> None:
    from commissioning.api_registry import register

    from .api_contracts import ContractLineViewSet, ContractViewSet
    from .api_plans import BudgetAssumptionViewSet, FinancialPlanViewSet, StatedAmountViewSet
    from .api_pooled import (
        LocalityBudgetViewSet,
        PooledBudgetViewSet,
        PooledContributionViewSet,
        PooledSchemeViewSet,
    )
    from .api_qipp import QippProgrammeViewSet, QippSchemeViewSet
    from .api_qipp_imports import QippImportViewSet
    from .api_qipp_months import QippMonthViewSet
    from .api_rules import FinancialChallengeViewSet, PlanningRuleViewSet

    register("financial-plans", FinancialPlanViewSet, basename="financial-plan")
    register("stated-amounts", StatedAmountViewSet, basename="stated-amount")
    register("budget-assumptions", BudgetAssumptionViewSet, basename="budget-assumption")
    register("financial-challenges", FinancialChallengeViewSet, basename="financial-challenge")
    register("planning-rules", PlanningRuleViewSet, basename="planning-rule")
    register("qipp-programmes", QippProgrammeViewSet, basename="qipp-programme")
    register("qipp-schemes", QippSchemeViewSet, basename="qipp-scheme")
    register("qipp-monthly", QippMonthViewSet, basename="qipp-month")
    register("qipp-imports", QippImportViewSet, basename="qipp-import")
    register("contracts", ContractViewSet, basename="contract")
    register("contract-lines", ContractLineViewSet, basename="contract-line")
    register("pooled-budgets", PooledBudgetViewSet, basename="pooled-budget")
    register("pooled-contributions", PooledContributionViewSet, basename="pooled-contribution")
    register("pooled-schemes", PooledSchemeViewSet, basename="pooled-scheme")
    register("locality-budgets", LocalityBudgetViewSet, basename="locality-budget")
