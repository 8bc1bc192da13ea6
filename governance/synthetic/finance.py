"""Finance of the synthetic CCGs: financial plans, contracts, pooled and locality budgets, QIPP
programmes and schemes with monthly figures (a part of `ContentMaker`)."""

from __future__ import annotations

from decimal import Decimal

from commissioning.years import FinancialYear
from finance.models import (
    BudgetAssumption,
    Contract,
    ContractLine,
    FinancialChallenge,
    FinancialPlan,
    LocalityBudget,
    PooledBudget,
    PooledContribution,
    PooledScheme,
    QippMonth,
    QippProgramme,
    QippScheme,
    StatedAmount,
)

from .common import STATUSES, SYNTHETIC, UNITS, YEAR, group_by, money


class FinanceContent:
    """A part of ContentMaker: uses its `sizes`, `rng` and `create`."""

    def finance(self, ccgs, plans, links, localities, partners, priorities) -> None:
        rng = self.rng
        plan_of_ccg = {plan.ccg_id: plan for plan in plans}
        financial = self.create(FinancialPlan, [
            FinancialPlan(ccg=ccg, year=YEAR, plan=plan_of_ccg.get(ccg.pk),
                          allocation=money((ccg.population or 250_000) * 1500),
                          efficiency_target=money((ccg.population or 250_000) * 30),
                          efficiency_target_percent=Decimal("2.0"), notes=SYNTHETIC,
                          source=SYNTHETIC, illustrative=True)
            for ccg in ccgs
        ])  # fmt: skip
        rules = [("surplus", "A 1% surplus", "1.0"), ("contingency", "A 0.5% contingency", "0.5"),
                 ("", "Synthetic stated amount", None)]  # fmt: skip
        self.create(StatedAmount, [
            StatedAmount(financial_plan=fp, rule_code=code, label=label, order=k + 1,
                         stated_percent=Decimal(pct) if pct else None,
                         stated_amount=money(float(fp.allocation) * float(pct or 1) / 100))
            for fp in financial for k, (code, label, pct) in enumerate(rules)
        ])  # fmt: skip
        self.create(BudgetAssumption, [
            BudgetAssumption(financial_plan=fp, name=name, percent=Decimal(pct), order=k + 1)
            for fp in financial
            for k, (name, pct) in enumerate([("Uplift", "3.6"), ("Demography", "1.15"),
                                             ("Tariff deflator", "1.5")])
        ])  # fmt: skip
        self.create(FinancialChallenge, [
            FinancialChallenge(ccg=ccg, first_year=FinancialYear(2014), source=SYNTHETIC,
                               last_year=FinancialYear(2018), description=SYNTHETIC,
                               amount=money((ccg.population or 250_000) * 200))
            for ccg in ccgs
        ])  # fmt: skip
        contracts = self.create(Contract, [
            Contract(ccg=ccg, year=YEAR, provider=provider, title=f"Synthetic contract {k + 1}",
                     value=money(rng.uniform(20e6, 200e6)), form="tariff", illustrative=True,
                     source=SYNTHETIC)
            for ccg in ccgs for k, provider in enumerate(links.get(ccg.pk, []))
        ])  # fmt: skip
        self.create(ContractLine, [
            ContractLine(contract=c, name=name, order=k + 1,
                         value=money(float(c.value) * share))
            for c in contracts
            for k, (name, share) in enumerate([("Acute services", 0.8), ("Community", 0.2)])
        ])  # fmt: skip
        partner_of = group_by(partners, "ccg_id")
        pools = self.create(PooledBudget, [
            PooledBudget(ccg=ccg, year=YEAR, name="Synthetic Better Care Fund",
                         stated_total=money(20e6), host=partner_of[ccg.pk][0], source=SYNTHETIC)
            for ccg in ccgs
        ])  # fmt: skip
        self.create(PooledContribution, [
            PooledContribution(pooled_budget=pool, contributor=who, order=k + 1,
                               amount_low=money(low), amount_high=money(low * 1.25))
            for pool in pools
            for k, (who, low) in enumerate([("Synthetic CCG", 12e6), ("Synthetic council", 3e6)])
        ])  # fmt: skip
        self.create(PooledScheme, [
            PooledScheme(pooled_budget=pool, name=f"Synthetic pooled scheme {k + 1}",
                         amount=money(5e6), order=k + 1)
            for pool in pools for k in range(2)
        ])  # fmt: skip
        self.create(LocalityBudget, [
            LocalityBudget(locality=locality, year=YEAR, month=month, budget=money(1e6),
                           actual=money(rng.uniform(0.95e6, 1.05e6)) if month <= 9 else None,
                           illustrative=True)
            for ccg in ccgs for locality in localities.get(ccg.pk, [])
            for month in range(1, 13)
        ])  # fmt: skip
        self.qipp(ccgs, plan_of_ccg, links, priorities)

    def qipp(self, ccgs, plan_of_ccg, links, priorities) -> None:
        s, rng = self.sizes, self.rng
        programmes = self.create(QippProgramme, [
            QippProgramme(ccg=ccg, name=f"Synthetic QIPP programme {k + 1}", order=k + 1,
                          lead="Synthetic QIPP lead", description=SYNTHETIC)
            for ccg in ccgs for k in range(s.qipp_programmes)
        ])  # fmt: skip
        by_ccg = group_by(programmes, "ccg_id")
        schemes = []
        for ccg in ccgs:
            if not by_ccg.get(ccg.pk):
                continue
            providers = links.get(ccg.pk, [])
            plan = plan_of_ccg.get(ccg.pk)
            mine = priorities.get(plan.pk, []) if plan else []
            for k in range(s.qipp_schemes):
                schemes.append(QippScheme(
                    ccg=ccg, year=YEAR, qipp_programme=by_ccg[ccg.pk][k % len(by_ccg[ccg.pk])],
                    reference=f"SYN{k + 1:03d}", project=f"Synthetic QIPP scheme {k + 1}",
                    point_of_delivery="Outpatients",
                    provider=providers[k % len(providers)] if providers else None,
                    lead="Synthetic scheme lead", priority=mine[k % len(mine)] if mine else None,
                    activity_change=Decimal(-rng.randrange(50, 2000)),
                    activity_unit=UNITS[k % len(UNITS)],
                    planned_saving=money(rng.randrange(50, 2000) * 1000),
                    status=STATUSES[k % 4], source=SYNTHETIC, illustrative=True))  # fmt: skip
        schemes = self.create(QippScheme, schemes)
        months = []
        for scheme in schemes:
            monthly = float(scheme.planned_saving) / 12
            for month in range(1, 13):
                actual = money(monthly * rng.uniform(0.6, 1.2)) if month <= 9 else None
                forecast = money(monthly * rng.uniform(0.8, 1.1)) if month > 9 else None
                months.append(
                    QippMonth(
                        scheme=scheme,
                        month=month,
                        plan=money(monthly),
                        actual=actual,
                        forecast=forecast,
                        illustrative=True,
                    )
                )
        self.create(QippMonth, months)
