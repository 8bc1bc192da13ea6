"""Memberships (a user's role in a CCG) and API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..access import Role, ScopedQuerySet
from .organisations import CCG


class MembershipQuerySet(ScopedQuerySet):
    pass


class Membership(models.Model):
    """Gives a user one role in one CCG. An assurer (NHS England) has no CCG: it reads all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    ccg = models.ForeignKey(
        CCG, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()  # who gave or changed a role, and when (the audit log)
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__username", "ccg__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "ccg"], name="one_role_per_user_per_ccg"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(ccg__isnull=True), name="one_assurer_membership"
            ),
            models.CheckConstraint(
                condition=(Q(role=Role.ASSURER) & Q(ccg__isnull=True))
                | (~Q(role=Role.ASSURER) & Q(ccg__isnull=False)),
                name="assurers_have_no_ccg_others_have_one",
            ),
        ]

    def __str__(self) -> str:
        where = self.ccg.ods_code if self.ccg_id else "all CCGs"
        return f"{self.user} — {self.get_role_display()} ({where})"

    def clean(self):
        super().clean()
        if self.role == Role.ASSURER and self.ccg_id:
            raise ValidationError({"ccg": "An assurer reads every CCG: leave the CCG empty."})
        if self.role != Role.ASSURER and not self.ccg_id:
            raise ValidationError({"ccg": "Choose the CCG this role is in."})


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A named API token. Only a hash of the key is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, name: str, read_only: bool = False) -> tuple["ApiToken", str]:
        """Create a token; returns it with the plain key, which is not stored."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, read_only=read_only, key_hash=hash_token(key), prefix=key[:8]
        )
        return token, key

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
