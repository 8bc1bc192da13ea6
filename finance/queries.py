"""Who reads finance rows: a CCG's finance is internal to it (planning managers, governing
body members and viewers of the CCG; assurers and staff read every CCG). Scrutiny members
read the finance summary of published plans and packs, not these records."""

from __future__ import annotations

from commissioning.access import INTERNAL_ROLES, ScopedQuerySet


class FinanceQuerySet(ScopedQuerySet):
    """Rows that belong to a CCG through `ccg_path`, read by the CCG's internal roles."""

    ccg_path = "ccg"

    def for_user(self, user, roles=None):
        return super().for_user(user, roles=set(roles or INTERNAL_ROLES))

    def for_year(self, year):
        return self.filter(year=year)


class FinancialPlanChildQuerySet(FinanceQuerySet):
    ccg_path = "financial_plan__ccg"


class SchemeQuerySet(FinanceQuerySet):
    ccg_path = "ccg"


class SchemeMonthQuerySet(FinanceQuerySet):
    ccg_path = "scheme__ccg"


class ContractChildQuerySet(FinanceQuerySet):
    ccg_path = "contract__ccg"


class PooledChildQuerySet(FinanceQuerySet):
    ccg_path = "pooled_budget__ccg"


class LocalityBudgetQuerySet(FinanceQuerySet):
    ccg_path = "locality__ccg"
