"""Transformational programmes: they span years and plans (Coventry and Rugby's seven)."""

from __future__ import annotations

import uuid

from django.db import models
from simple_history.models import HistoricalRecords

from plans.models import PlanContent

from ..queries import PriorityQuerySet, ProgrammeChildQuerySet, ProgrammeQuerySet
from .content import Commitment


class Programme(models.Model):
    ccg = models.ForeignKey(
        "commissioning.CCG", on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(max_length=200)
    lead = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    commitments = models.ManyToManyField(Commitment, blank=True, related_name="programmes")
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[commitments])
    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["ccg", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ccg", "name"], name="programme_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeIntention(PlanContent):
    """What a programme intends in one plan (its year's commissioning intentions)."""

    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.CASCADE, related_name="programme_intentions"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="intentions")
    text = models.TextField()

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PriorityQuerySet.as_manager()

    class Meta(PlanContent.Meta):
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="programme_intention_key_unique")
        ]

    def __str__(self) -> str:
        return self.text[:80]


class ProgrammeMeasure(models.Model):
    """A measure that shows the programme working, e.g. "95% of people wait no longer than
    8 weeks for the Memory Assessment Clinic"."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="measures")
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = ProgrammeChildQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "order", "id"]

    def __str__(self) -> str:
        return self.text[:80]
