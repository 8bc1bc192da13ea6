"""Who reads performance data. Standards: national ones by anyone holding a role (like
providers), local KPIs by people of their CCG. Measurements and imports: by CCG."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from commissioning.access import ScopedQuerySet, ccg_scope


class StandardQuerySet(models.QuerySet):
    def for_user(self, user, roles=None):
        scope = ccg_scope(user)
        if scope.everything:
            return self
        ids = scope.ccg_ids(roles)
        if not ids:
            return self.none()
        return self.filter(Q(ccg__isnull=True) | Q(ccg__in=ids))

    def national(self):
        return self.filter(ccg__isnull=True)


class StandardChildQuerySet(models.QuerySet):
    def for_user(self, user, roles=None):
        from .models import Standard

        return self.filter(standard__in=Standard.objects.for_user(user, roles).values("pk"))


class MeasurementQuerySet(ScopedQuerySet):
    ccg_path = "ccg"


class MeasurementImportQuerySet(models.QuerySet):
    """An import is seen by its requester, by staff and assurers, and by people of the CCG it
    was for; national imports (no CCG) by staff and assurers."""

    def for_user(self, user, roles=None):
        scope = ccg_scope(user)
        if scope.everything:
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(requested_by=user) | Q(ccg__in=scope.ccg_ids(roles)))

    def latest_success(self):
        return self.filter(status="succeeded", dry_run=False).order_by("-finished_at", "-pk")
