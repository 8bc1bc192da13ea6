"""A CCG's financial plan for a year, and the planning rules of that year as data.

The rules (surplus %, contingency %, transformation reserve %, running cost allowance per
head) live in `finance/data/planning_rules.yaml`, loaded by `load_planning_rules`. A plan
states what it sets aside; the amount a rule implies is computed beside it, and the two are
never merged: Southern Derbyshire's plan states a 1% surplus of £6.1m where 1% of £622.7m is
£6.2m (seed 003)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from commissioning.fields import FinancialYearField

from ..queries import FinanceQuerySet, FinancialPlanChildQuerySet
from .money_fields import money, non_negative_money, percent


class RuleBasis(models.TextChoices):
    PERCENT_OF_ALLOCATION = "percent-of-allocation", "Percent of allocation"
    PER_HEAD = "per-head", "Pounds per head of population"


class PlanningRuleQuerySet(models.QuerySet):
    """National reference data: anyone signed in with a role (or staff) reads it."""

    def for_user(self, user, roles=None):
        from commissioning.access import ccg_scope

        scope = ccg_scope(user)
        return self if scope.everything or scope.roles else self.none()

    def for_year(self, year):
        return self.filter(year=year)


class PlanningRule(models.Model):
    """A planning rule of one financial year, e.g. 2013/14 surplus 1% of allocation."""

    year = FinancialYearField()
    code = models.SlugField(max_length=40, help_text="surplus, contingency, ...")
    label = models.CharField(max_length=120)
    basis = models.CharField(
        max_length=24, choices=RuleBasis.choices, default=RuleBasis.PERCENT_OF_ALLOCATION
    )
    rate = models.DecimalField(
        max_digits=9,
        decimal_places=3,
        validators=[MinValueValidator(0)],
        help_text="Percent (2.5 = 2.5%) or pounds per head",
    )
    recurrent = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = PlanningRuleQuerySet.as_manager()

    class Meta:
        ordering = ["year", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "code"],
                name="planning_rule_unique",
                violation_error_message="That year already has a rule with that code.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.label}"


class FinancialPlan(models.Model):
    """A CCG's money for one year: the allocation, the efficiency (QIPP) target and what the
    plan states it sets aside. Figures are as the plan writes them; empty is "not stated"."""

    ccg = models.ForeignKey(
        "commissioning.CCG", on_delete=models.PROTECT, related_name="financial_plans"
    )
    year = FinancialYearField()
    plan = models.ForeignKey(
        "plans.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="financial_plans",
        help_text="The plan document these figures come from",
    )
    allocation = non_negative_money(
        "allocation", null=True, help_text="The year's allocation or budget, in pounds"
    )
    population = models.PositiveIntegerField(
        null=True, blank=True, help_text="For per-head rules; empty uses the CCG's population"
    )
    efficiency_target = non_negative_money("efficiency (QIPP) target", null=True)
    efficiency_target_percent = percent("efficiency target as stated (%)", null=True)
    stated_contract_total = non_negative_money(
        "contract total as stated",
        null=True,
        help_text="A total the plan states for its contracts, kept beside their sum",
    )
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    illustrative = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = FinanceQuerySet.as_manager()

    class Meta:
        ordering = ["ccg", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["ccg", "year"],
                name="financial_plan_unique",
                violation_error_message="This CCG already has a financial plan for that year.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ccg} financial plan {self.year}"


class StatedAmount(models.Model):
    """What the plan states for a rule (or for a line without one): "A 1% surplus (£6.1m)"."""

    financial_plan = models.ForeignKey(
        FinancialPlan, on_delete=models.CASCADE, related_name="stated_amounts"
    )
    rule_code = models.SlugField(
        max_length=40, blank=True, help_text="The code of the year's planning rule it answers"
    )
    label = models.CharField(max_length=200)
    stated_percent = percent("stated %", null=True)
    stated_amount = money("stated amount", null=True)
    note = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = FinancialPlanChildQuerySet.as_manager()

    class Meta:
        ordering = ["financial_plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_plan", "rule_code"],
                condition=~models.Q(rule_code=""),
                name="stated_amount_rule_unique",
                violation_error_message="The plan already states an amount for that rule.",
            )
        ]

    def __str__(self) -> str:
        return self.label


class BudgetAssumption(models.Model):
    """An assumption the budget is built on: uplift 3.6%, demography 1.15%, tariff deflator
    1.5% (seed 002), or an amount (QIPP requirement £3.3m)."""

    financial_plan = models.ForeignKey(
        FinancialPlan, on_delete=models.CASCADE, related_name="assumptions"
    )
    name = models.CharField(max_length=200)
    percent = percent("percent", null=True)
    amount = money("amount", null=True)
    note = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = FinancialPlanChildQuerySet.as_manager()

    class Meta:
        ordering = ["financial_plan", "order", "id"]

    def __str__(self) -> str:
        return self.name


class FinancialChallenge(models.Model):
    """A multi-year challenge: Rotherham's £75M efficiency challenge over 2014-2019 (seed 000)."""

    ccg = models.ForeignKey(
        "commissioning.CCG", on_delete=models.PROTECT, related_name="financial_challenges"
    )
    first_year = FinancialYearField()
    last_year = FinancialYearField()
    amount = non_negative_money("amount")
    description = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = FinanceQuerySet.as_manager()

    class Meta:
        ordering = ["ccg", "first_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")),
                name="financial_challenge_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ccg} challenge {self.first_year}-{self.last_year}"
