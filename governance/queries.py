"""Who reads performance data. Standards: national ones by anyone holding a role (like
providers), local KPIs by people of their CCG. Measurements and imports: by CCG."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from commissioning.access import INTERNAL_ROLES, ScopedQuerySet, ccg_scope


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


# --- Committees, meetings, risks, assurance (issue 6) --------------------------------------
# Internal roles read everything of their CCG; scrutiny members read public committees'
# meetings and the public part of their agendas; risks and assurance are internal.


class CcgRecordQuerySet(ScopedQuerySet):
    """Rows that belong to a CCG and are internal: people of the CCG except scrutiny."""

    def for_user(self, user, roles=None):
        return super().for_user(user, roles=set(roles or INTERNAL_ROLES))


class CommitteeQuerySet(ScopedQuerySet):
    ccg_path = "ccg"

    def for_user(self, user, roles=None):
        scope = ccg_scope(user)
        if scope.everything:
            return self
        internal = scope.ccg_ids(set(INTERNAL_ROLES))
        scrutiny = scope.ccg_ids({"scrutiny"})
        return self.filter(
            Q(**{f"{self.ccg_path}__in": internal})
            | Q(**{f"{self.ccg_path}__in": scrutiny}, **{self.public_path: True})
        )

    public_path = "is_public"


class MeetingQuerySet(CommitteeQuerySet):
    ccg_path = "committee__ccg"
    public_path = "committee__is_public"


class AgendaItemQuerySet(ScopedQuerySet):
    """Agenda items: the private part is for internal roles only."""

    ccg_path = "meeting__committee__ccg"

    def for_user(self, user, roles=None):
        scope = ccg_scope(user)
        if scope.everything:
            return self
        internal = scope.ccg_ids(set(INTERNAL_ROLES))
        scrutiny = scope.ccg_ids({"scrutiny"})
        return self.filter(
            Q(meeting__committee__ccg__in=internal)
            | Q(
                meeting__committee__ccg__in=scrutiny,
                meeting__committee__is_public=True,
                part="public",
            )
        )


class ResolutionQuerySet(AgendaItemQuerySet):
    ccg_path = "item__meeting__committee__ccg"

    def for_user(self, user, roles=None):
        from .models import AgendaItem

        return self.filter(item__in=AgendaItem.objects.for_user(user).values("pk"))


class MeetingActionQuerySet(CcgRecordQuerySet):
    ccg_path = "committee__ccg"


class RiskQuerySet(CcgRecordQuerySet):
    ccg_path = "ccg"


class RiskChildQuerySet(CcgRecordQuerySet):
    ccg_path = "risk__ccg"


class CheckpointQuerySet(CcgRecordQuerySet):
    ccg_path = "ccg"


class CheckpointChildQuerySet(CcgRecordQuerySet):
    ccg_path = "checkpoint__ccg"


class AttendanceQuerySet(CcgRecordQuerySet):
    ccg_path = "meeting__committee__ccg"


class CommitteeMemberQuerySet(CommitteeQuerySet):
    """Membership is as public as its committee."""

    ccg_path = "committee__ccg"
    public_path = "committee__is_public"
