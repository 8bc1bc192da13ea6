"""A CCG's plan and its content: sections (Markdown) and statements (aims, values, ...)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from commissioning.fields import FinancialYearField
from commissioning.years import span_label

from ..queries import PlanContentQuerySet, PlanQuerySet
from .states import DRAFTING_STATES, EDITABLE_STATES, PUBLISHED_STATES, PlanKind, PlanState


class Plan(models.Model):
    """A plan of one CCG. A refresh is a plan of its own whose `refreshes` is its parent."""

    ccg = models.ForeignKey("commissioning.CCG", on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=32, choices=PlanKind.choices)
    title = models.CharField(max_length=200)
    first_year = FinancialYearField(help_text="First financial year, for example 2015/16")
    last_year = FinancialYearField(help_text="Last financial year, for example 2018/19")
    refreshes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refreshed_by",
        help_text="The multi-year plan this plan refreshes",
    )
    vision = models.TextField(blank=True)
    mission = models.TextField(blank=True)
    summary = models.TextField(blank=True, help_text="A short description, shown in lists")
    state = models.CharField(max_length=16, choices=PlanState.choices, default=PlanState.DRAFT)
    draft_number = models.PositiveIntegerField(
        default=1, help_text='The draft being worked on: "Draft 5"'
    )
    is_public = models.BooleanField(
        "public", default=False, help_text="Once published, anyone may read it"
    )
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    state_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-first_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")),
                name="plan_last_year_not_before_first",
            ),
            models.CheckConstraint(
                condition=models.Q(draft_number__gte=1), name="plan_draft_number_positive"
            ),
        ]
        indexes = [models.Index(fields=["ccg", "state"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.ccg.ods_code})"

    def clean(self) -> None:
        errors = {}
        if self.first_year and self.last_year and self.last_year < self.first_year:
            errors["last_year"] = "The last year must not be before the first year"
        if self.refreshes_id:
            parent = self.refreshes
            if parent.ccg_id != self.ccg_id:
                errors["refreshes"] = "A plan can only refresh a plan of the same CCG"
            elif parent.pk == self.pk:
                errors["refreshes"] = "A plan cannot refresh itself"
        if errors:
            raise ValidationError(errors)

    @property
    def period_label(self) -> str:
        return span_label(self.first_year, self.last_year)

    @property
    def is_multi_year(self) -> bool:
        return self.last_year > self.first_year

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_published(self) -> bool:
        return self.state in PUBLISHED_STATES

    @property
    def version_label(self) -> str:
        """How the CCG labels what is on the table: "Draft 5" until approved, then "Final"."""
        if self.state in DRAFTING_STATES:
            return f"Draft {self.draft_number}"
        if self.state == PlanState.WITHDRAWN:
            return "Withdrawn"
        return "Final"


def new_key() -> uuid.UUID:
    return uuid.uuid4()


class PlanContent(models.Model):
    """Something written in a plan. `key` names it across versions and refreshes (a refresh
    copies the key), so the diff can tell "changed" from "removed and added"; `revision`
    guards against two people saving from the same starting point."""

    key = models.UUIDField(default=new_key, editable=False)
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanContentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "id"]


class Section(PlanContent):
    """A titled part of a plan (foreword, introduction, context, ..., appendices) in Markdown."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta(PlanContent.Meta):
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="section_key_unique")]

    def __str__(self) -> str:
        return self.title


class StatementKind(models.TextChoices):
    AIM = "aim", "Strategic aim"
    VALUE = "value", "Value"
    PRINCIPLE = "principle", "Principle"
    OBJECTIVE = "objective", "Objective"


class PlanStatement(PlanContent):
    """One short statement of a plan: a strategic aim, value, principle or objective."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="statements")
    kind = models.CharField(max_length=16, choices=StatementKind.choices)
    group = models.CharField(
        max_length=120, blank=True, help_text='A heading it sits under, e.g. "Core principles"'
    )
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField()

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta(PlanContent.Meta):
        ordering = ["kind", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="statement_key_unique")]

    def __str__(self) -> str:
        return self.title or self.text[:60]
