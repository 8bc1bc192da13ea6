"""NHS England's assurance of CCGs: quarterly checkpoints (seed 001), their balanced
scorecard results, findings and agreed actions, rated by the scheme of the year."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from commissioning.fields import FinancialYearField

from ..queries import CheckpointChildQuerySet, CheckpointQuerySet


class RatingScheme(models.TextChoices):
    ASSURANCE_2013 = "assurance-2013", "2013/14: assured / assured with support / not assured"
    IAF_2016 = "iaf-2016", "2016/17 on: Improvement and Assessment Framework"


RATINGS = {
    RatingScheme.ASSURANCE_2013: ["Assured", "Assured with support", "Not assured"],
    RatingScheme.IAF_2016: ["Outstanding", "Good", "Requires improvement", "Inadequate"],
}


class AssuranceCheckpoint(models.Model):
    ccg = models.ForeignKey("commissioning.CCG", on_delete=models.PROTECT,
                            related_name="assurance_checkpoints")  # fmt: skip
    year = FinancialYearField()
    quarter = models.PositiveSmallIntegerField(choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)])
    held_on = models.DateField(null=True, blank=True)
    assessor = models.CharField(max_length=200, blank=True, help_text="The area team")
    rating_scheme = models.CharField(max_length=20, choices=RatingScheme.choices,
                                     default=RatingScheme.ASSURANCE_2013)  # fmt: skip
    rating = models.CharField(max_length=40, blank=True)
    summary = models.TextField(blank=True)
    letter_date = models.DateField(null=True, blank=True)
    source_note = models.CharField(max_length=200, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = CheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["ccg", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["ccg", "year", "quarter"], name="checkpoint_once_a_quarter"
            )  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"Q{self.quarter} {self.year.label} checkpoint"


class ScorecardResult(models.Model):
    checkpoint = models.ForeignKey(AssuranceCheckpoint, on_delete=models.CASCADE,
                                   related_name="scorecard")  # fmt: skip
    metric = models.CharField(max_length=200)
    target = models.CharField(max_length=100, blank=True)
    result = models.CharField(max_length=200, blank=True)
    met = models.BooleanField(null=True, blank=True, help_text="Empty when not assessed")
    order = models.PositiveIntegerField(default=0)

    objects = CheckpointChildQuerySet.as_manager()

    class Meta:
        ordering = ["checkpoint", "order", "id"]

    def __str__(self) -> str:
        return self.metric


class Finding(models.Model):
    checkpoint = models.ForeignKey(AssuranceCheckpoint, on_delete=models.CASCADE,
                                   related_name="findings")  # fmt: skip
    area = models.CharField(max_length=200)
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)

    objects = CheckpointChildQuerySet.as_manager()

    class Meta:
        ordering = ["checkpoint", "order", "id"]

    def __str__(self) -> str:
        return f"{self.area}: {self.text[:60]}"


class AgreedAction(models.Model):
    checkpoint = models.ForeignKey(AssuranceCheckpoint, on_delete=models.CASCADE,
                                   related_name="actions")  # fmt: skip
    text = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = CheckpointChildQuerySet.as_manager()

    class Meta:
        ordering = ["checkpoint", "order", "id"]

    def __str__(self) -> str:
        return self.text[:80]
