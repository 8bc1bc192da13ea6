"""Pooled budgets such as the Better Care Fund: contributions by partner and the schemes the
pool funds. Contributions are ranges where the source gives one (seed 000: "£3-4M from the
Council"): `amount_low` and `amount_high`, equal when the figure is exact."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from commissioning.fields import FinancialYearField

from ..queries import FinanceQuerySet, PooledChildQuerySet
from .money_fields import non_negative_money


class PooledBudget(models.Model):
    ccg = models.ForeignKey(
        "commissioning.CCG", on_delete=models.PROTECT, related_name="pooled_budgets"
    )
    year = FinancialYearField()
    name = models.CharField(max_length=200)
    stated_total = non_negative_money("total as stated", null=True)
    host = models.ForeignKey(
        "commissioning.PartnerOrganisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_pooled_budgets",
    )
    description = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = FinanceQuerySet.as_manager()

    class Meta:
        ordering = ["ccg", "-year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ccg", "year", "name"],
                name="pooled_budget_unique",
                violation_error_message=(
                    "This CCG already has a pooled budget of that name for that year."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"


class PooledContribution(models.Model):
    pooled_budget = models.ForeignKey(
        PooledBudget, on_delete=models.CASCADE, related_name="contributions"
    )
    contributor = models.CharField(max_length=200, help_text="The CCG (health) or a partner")
    partner = models.ForeignKey(
        "commissioning.PartnerOrganisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pooled_contributions",
    )
    amount_low = non_negative_money("amount (low)")
    amount_high = non_negative_money("amount (high)")
    note = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = PooledChildQuerySet.as_manager()

    class Meta:
        ordering = ["pooled_budget", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_high__gte=models.F("amount_low")),
                name="pooled_contribution_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.contributor


class PooledScheme(models.Model):
    pooled_budget = models.ForeignKey(
        PooledBudget, on_delete=models.CASCADE, related_name="schemes"
    )
    name = models.CharField(max_length=300)
    amount = non_negative_money("amount", null=True)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = PooledChildQuerySet.as_manager()

    class Meta:
        ordering = ["pooled_budget", "order", "id"]

    def __str__(self) -> str:
        return self.name
