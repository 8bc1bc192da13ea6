"""Provider contracts per year with their service lines (seed 000: TRFT £160M = £130M acute
and hospital services + £30M community services). The contract's value is as stated; the sum
of its lines is shown beside it, never written over it."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from commissioning.fields import FinancialYearField

from ..queries import ContractChildQuerySet, FinanceQuerySet
from .money_fields import non_negative_money


class ContractForm(models.TextChoices):
    BLOCK = "block", "Block"
    TARIFF = "tariff", "Tariff (payment by results)"
    COST_AND_VOLUME = "cost-and-volume", "Cost and volume"
    AGGREGATED = "aligned-incentive", "Aligned incentive"
    OTHER = "other", "Other"
    NOT_STATED = "not-stated", "Not stated"


class Contract(models.Model):
    ccg = models.ForeignKey("commissioning.CCG", on_delete=models.PROTECT, related_name="contracts")
    year = FinancialYearField()
    provider = models.ForeignKey(
        "commissioning.Provider", on_delete=models.PROTECT, related_name="contracts"
    )
    title = models.CharField(max_length=200, blank=True)
    value = non_negative_money("contract value")
    form = models.CharField(
        max_length=20, choices=ContractForm.choices, default=ContractForm.NOT_STATED
    )
    cquin_value = non_negative_money("CQUIN value", null=True)
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    illustrative = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = FinanceQuerySet.as_manager()

    class Meta:
        ordering = ["ccg", "-year", "-value"]
        constraints = [
            models.UniqueConstraint(
                fields=["ccg", "year", "provider"],
                name="contract_provider_unique",
                violation_error_message=(
                    "This CCG already has a contract with that provider for that year."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.year}"


class ContractLine(models.Model):
    """A service line of a contract: "Community Services (District Nurses, Physiotherapy,
    Occupational Therapy)", £30M."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    name = models.CharField(max_length=300)
    value = non_negative_money("value")
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = ContractChildQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "order", "id"]

    def __str__(self) -> str:
        return self.name
