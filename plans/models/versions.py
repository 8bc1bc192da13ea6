"""Frozen, numbered versions of a plan: one for every lifecycle transition."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..queries import PlanVersionQuerySet
from .plan import Plan
from .states import PlanState


class VersionIsImmutable(Exception):
    """A frozen version cannot be changed or deleted."""


class PlanVersion(models.Model):
    """A complete snapshot of a plan taken when it moved from one state to another.

    `content` holds the plan's fields and every registered collection (sections, statements,
    and what later apps register: priorities, commitments, ...); see `plans.snapshots`.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=40, help_text='"Draft 5", "Final"')
    from_state = models.CharField(max_length=16, choices=PlanState.choices)
    to_state = models.CharField(max_length=16, choices=PlanState.choices)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    content = models.JSONField()

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"Version {self.number} ({self.label})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise VersionIsImmutable("A plan version is frozen: it cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise VersionIsImmutable("A plan version is frozen: it cannot be deleted.")
