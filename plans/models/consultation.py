"""Stakeholder consultation on a draft plan, and the plan's timeline of milestones."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from ..queries import ConsultationCommentQuerySet, PlanChildQuerySet
from .plan import Plan


class Consultation(models.Model):
    """A window in which invited stakeholders comment on a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="consultations")
    opens_on = models.DateField()
    closes_on = models.DateField()
    purpose = models.TextField(blank=True)
    invited_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="consultation_invitations"
    )
    invited_partners = models.ManyToManyField(
        "commissioning.PartnerOrganisation", blank=True, related_name="consultations"
    )
    invited_localities = models.ManyToManyField(
        "commissioning.Locality", blank=True, related_name="consultations"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[invited_users, invited_partners, invited_localities])
    objects = ConsultationCommentQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="consultation_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return f"Consultation {self.opens_on:%d %b %Y} to {self.closes_on:%d %b %Y}"

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "The closing date must be on or after opening"})

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def is_open_on(self, day: dt.date) -> bool:
        return not self.is_closed and self.opens_on <= day <= self.closes_on


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    PARTLY_ACCEPTED = "partly-accepted", "Partly accepted"
    NOT_ACCEPTED = "not-accepted", "Not accepted"


class ConsultationComment(models.Model):
    """A stakeholder's comment on the plan, one of its sections or another item of it.

    The item is named by collection and key (see `plans.snapshots`), so comments can point at
    what later apps add to a plan (a priority) without this app knowing their models.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="comments"
    )
    target_collection = models.CharField(
        max_length=40, blank=True, help_text='Blank for the whole plan, else e.g. "sections"'
    )
    target_key = models.UUIDField(null=True, blank=True)
    target_label = models.CharField(
        max_length=200, blank=True, help_text="What the comment is about, as it was titled"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_comments",
    )
    on_behalf_of = models.CharField(
        max_length=200, blank=True, help_text="The stakeholder, when recorded for them"
    )
    partner = models.ForeignKey(
        "commissioning.PartnerOrganisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_comments",
    )
    locality = models.ForeignKey(
        "commissioning.Locality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_comments",
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    response = models.TextField(blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = ConsultationCommentQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.stakeholder}"

    @property
    def stakeholder(self) -> str:
        if self.on_behalf_of:
            return self.on_behalf_of
        if self.partner_id:
            return self.partner.name
        if self.author_id:
            return self.author.get_full_name() or self.author.get_username()
        return "Unknown"

    @property
    def is_answered(self) -> bool:
        return bool(self.outcome)


class Milestone(models.Model):
    """A date in the plan's timeline: "first draft to stakeholders", "sign-off"."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = PlanChildQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "due_on", "id"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date) -> bool:
        return self.done_on is None and self.due_on < today
