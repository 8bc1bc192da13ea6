"""Money: financial plans and planning rules, QIPP, contracts, pooled and locality budgets."""

from .contracts import Contract, ContractForm, ContractLine
from .financial_plans import (
    BudgetAssumption,
    FinancialChallenge,
    FinancialPlan,
    PlanningRule,
    RuleBasis,
    StatedAmount,
)
from .locality_budgets import LocalityBudget
from .pooled import PooledBudget, PooledContribution, PooledScheme
from .qipp import (
    ActivityUnit,
    QippImport,
    QippMonth,
    QippProgramme,
    QippRagThreshold,
    QippScheme,
)

__all__ = [
    "ActivityUnit",
    "BudgetAssumption",
    "Contract",
    "ContractForm",
    "ContractLine",
    "FinancialChallenge",
    "FinancialPlan",
    "LocalityBudget",
    "PlanningRule",
    "PooledBudget",
    "PooledContribution",
    "PooledScheme",
    "QippImport",
    "QippMonth",
    "QippProgramme",
    "QippRagThreshold",
    "QippScheme",
    "RuleBasis",
    "StatedAmount",
]
