"""What a plan commits to: priority areas, their "We will ..." commitments and actions,
success measures and each locality's focus. All are plan content: they carry a stable `key`
and a `revision`, join the plan's versions, refresh copies and diffs (see content_collections)
and change only while the plan is editable."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from commissioning.years import FinancialYear
from plans.models import PlanContent

from ..queries import ActionQuerySet, CommitmentQuerySet, PriorityQuerySet
from .status import DeliveryStatus


class PriorityArea(PlanContent):
    """A priority area of a plan, e.g. "Older people and people with a long term condition"."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=200)
    objective = models.TextField(blank=True, help_text='"Our objective is to ..."')
    end_state = models.TextField(blank=True, help_text="The end state or vision")
    hwb_aims = models.TextField(
        "Health and Wellbeing strategy aims",
        blank=True,
        help_text="The Health and Wellbeing strategy aims it serves",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PriorityQuerySet.as_manager()

    class Meta(PlanContent.Meta):
        verbose_name = "priority area"
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="priority_key_unique")]

    def __str__(self) -> str:
        return self.title


class DeliveryTracked(models.Model):
    """The current delivery status: the latest progress update's, kept here by the services so
    that trackers filter and count without reading every update."""

    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_STARTED
    )
    status_reported_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Commitment(PlanContent, DeliveryTracked):
    """A "We will ..." commitment under a priority."""

    priority = models.ForeignKey(PriorityArea, on_delete=models.CASCADE, related_name="commitments")
    text = models.TextField(help_text='"We will ..."')
    lead = models.CharField(max_length=200, blank=True)
    locality = models.ForeignKey(
        "commissioning.Locality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = CommitmentQuerySet.as_manager()

    class Meta(PlanContent.Meta):
        constraints = [
            models.UniqueConstraint(fields=["priority", "key"], name="commitment_key_unique")
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def plan(self):
        return self.priority.plan

    def clean(self) -> None:
        if (
            self.locality_id
            and self.priority_id
            and self.locality.ccg_id != self.priority.plan.ccg_id
        ):
            raise ValidationError({"locality": "Choose a locality of the plan's CCG"})


class DuePrecision(models.TextChoices):
    DATE = "date", "Date"
    QUARTER = "quarter", "Quarter"


def quarter_end(year: FinancialYear, quarter: int) -> dt.date:
    """The last day of quarter 1-4 of a financial year (Q1 is April to June)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("A quarter is 1, 2, 3 or 4")
    month_end = {1: (year.start_year, 6, 30), 2: (year.start_year, 9, 30),
                 3: (year.start_year, 12, 31), 4: (year.start_year + 1, 3, 31)}  # fmt: skip
    return dt.date(*month_end[quarter])


def quarter_of(day: dt.date) -> tuple[FinancialYear, int]:
    year = FinancialYear.containing(day)
    months = (day.month - 4) % 12
    return year, months // 3 + 1


class Action(PlanContent, DeliveryTracked):
    """An action that delivers a commitment, with a lead and a due date or quarter."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="actions")
    text = models.TextField()
    lead = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(
        null=True, blank=True, help_text="Due date; for a quarter, the quarter's last day"
    )
    due_precision = models.CharField(
        max_length=8, choices=DuePrecision.choices, default=DuePrecision.DATE
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = ActionQuerySet.as_manager()

    class Meta(PlanContent.Meta):
        constraints = [
            models.UniqueConstraint(fields=["commitment", "key"], name="action_key_unique")
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def plan(self):
        return self.commitment.priority.plan

    @property
    def due_label(self) -> str:
        """ "Q2 2013/14" for a quarter, "30 September 2013" for a date, "" when not set."""
        if self.due_on is None:
            return ""
        if self.due_precision == DuePrecision.QUARTER:
            year, quarter = quarter_of(self.due_on)
            return f"Q{quarter} {year.label}"
        return f"{self.due_on.day} {self.due_on:%B %Y}"

    @property
    def due_quarter(self) -> str:
        if self.due_on is None:
            return ""
        year, quarter = quarter_of(self.due_on)
        return f"{year.label} Q{quarter}"


class SuccessMeasure(PlanContent):
    """How the plan will know it worked: a measure with its baseline and aspiration."""

    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.CASCADE, related_name="success_measures"
    )
    priority = models.ForeignKey(
        PriorityArea,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="success_measures",
    )
    measure = models.TextField()
    baseline = models.TextField(blank=True)
    aspiration = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PriorityQuerySet.as_manager()

    class Meta(PlanContent.Meta):
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="success_measure_key_unique")
        ]

    def __str__(self) -> str:
        return self.measure[:80]

    def clean(self) -> None:
        if self.priority_id and self.plan_id and self.priority.plan_id != self.plan_id:
            raise ValidationError({"priority": "Choose a priority of the same plan"})


class LocalityFocus(PlanContent):
    """One of a locality's own focus areas for the plan's year."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="locality_focus")
    locality = models.ForeignKey(
        "commissioning.Locality", on_delete=models.PROTECT, related_name="focus_areas"
    )
    text = models.TextField()

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PriorityQuerySet.as_manager()

    class Meta(PlanContent.Meta):
        verbose_name = "locality focus area"
        verbose_name_plural = "locality focus areas"
        ordering = ["locality__name", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="locality_focus_key_unique")
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        if self.locality_id and self.plan_id and self.locality.ccg_id != self.plan.ccg_id:
            raise ValidationError({"locality": "Choose a locality of the plan's CCG"})
