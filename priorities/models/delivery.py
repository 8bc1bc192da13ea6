"""Dated progress updates on actions and commitments: the delivery record."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from plans.queries import PlanChildQuerySet

from .content import Action, Commitment
from .status import DeliveryStatus


class ProgressUpdate(models.Model):
    """Who said what about an action's (or a commitment's) delivery, when, with what status.

    Exactly one of `action` and `commitment` is set; `plan` is kept for access and filters.
    `illustrative` marks demo data that is not from a real CCG report."""

    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.CASCADE, related_name="progress_updates"
    )
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="updates"
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, null=True, blank=True, related_name="updates"
    )
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices)
    narrative = models.TextField()
    reported_on = models.DateField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="progress_updates",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    illustrative = models.BooleanField(default=False)

    objects = PlanChildQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_on", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(action__isnull=False, commitment__isnull=True)
                    | models.Q(action__isnull=True, commitment__isnull=False)
                ),
                name="progress_update_on_one_thing",
            )
        ]
        indexes = [models.Index(fields=["plan", "reported_on"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.reported_on}"

    @property
    def subject(self):
        return self.action if self.action_id else self.commitment

    def clean(self) -> None:
        if bool(self.action_id) == bool(self.commitment_id):
            raise ValidationError("An update is about one action or one commitment")
