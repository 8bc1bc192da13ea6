"""Budget against actual by month for each locality (seed 003: "We will work with Localities
to develop financial reporting at Locality level"). Month 1 is April."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from commissioning.fields import FinancialYearField

from ..queries import LocalityBudgetQuerySet
from .money_fields import money


class LocalityBudget(models.Model):
    locality = models.ForeignKey(
        "commissioning.Locality", on_delete=models.PROTECT, related_name="budgets"
    )
    year = FinancialYearField()
    month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="1 is April (M1), 12 is March (M12)",
    )
    budget = money("budget")
    actual = money("actual", null=True)
    illustrative = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = LocalityBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["locality", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["locality", "year", "month"],
                name="locality_budget_month_unique",
                violation_error_message="This locality already has a budget for that month.",
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12),
                name="locality_budget_month_in_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.locality} {self.year} M{self.month}"
