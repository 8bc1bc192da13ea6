"""Who can see which CCG: the one place access is decided.

A Membership gives a user one role in one CCG; an assurer membership (NHS England) has no
CCG and reads every CCG. Staff and superusers see everything (they run the admin).
Querysets call `ccg_scope(user)` through `for_user(user)`; nothing else asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Role(models.TextChoices):
    PLANNING_MANAGER = "planning-manager", "Planning manager"
    GOVERNING_BODY = "governing-body", "Governing body member"
    SCRUTINY = "scrutiny", "Scrutiny member"
    VIEWER = "viewer", "Viewer"
    ASSURER = "assurer", "Assurer (NHS England)"


CCG_ROLES = [r for r in Role if r != Role.ASSURER]
# The roles that read a CCG's internal records (finance, risks, assurance): everyone of the
# CCG but scrutiny members, who read what is published.
INTERNAL_ROLES = frozenset({Role.PLANNING_MANAGER, Role.GOVERNING_BODY, Role.VIEWER})


@dataclass(frozen=True)
class CcgScope:
    """The CCGs a user may read: every CCG, or the ids in `roles` (ccg id -> role)."""

    everything: bool
    roles: dict[int, str]

    def ccg_ids(self, roles: set[str] | None = None) -> set[int]:
        return {ccg for ccg, role in self.roles.items() if roles is None or role in roles}

    def role_in(self, ccg_id: int) -> str | None:
        return self.roles.get(ccg_id)


NOBODY = CcgScope(everything=False, roles={})
_CACHE_ATTR = "_ccg_scope_cache"


def ccg_scope(user) -> CcgScope:
    """The user's scope, read once per user object (so once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from .models import Membership

    rows = list(Membership.objects.filter(user=user).values_list("ccg_id", "role"))
    assurer = any(role == Role.ASSURER for _, role in rows)
    scope = CcgScope(
        everything=user.is_superuser or user.is_staff or assurer,
        roles={ccg: role for ccg, role in rows if ccg is not None},
    )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope (after memberships change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows the path from its model to the owning CCG.

    `for_user(user)` is the only way pages, the API, exports and PDFs read rows.
    `ccg_path` is the lookup from the model to a CCG (`"pk"` on the CCG itself).
    """

    ccg_path = "ccg"

    def for_user(self, user, roles: set[str] | None = None):
        scope = ccg_scope(user)
        if scope.everything:
            return self
        ids = scope.ccg_ids(roles)
        if not ids:
            return self.none()
        return self.filter(**{f"{self.ccg_path}__in": ids})

    def for_ccg(self, ccg):
        return self.filter(**{self.ccg_path: ccg})
