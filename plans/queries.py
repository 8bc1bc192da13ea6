"""Who may read which plans, and everything hung under them: the one place it is decided.

- Planning managers, governing body members and viewers of a CCG read all its plans.
- Scrutiny members read its published (and superseded) plans, and a plan in consultation
  when they are invited to the open consultation.
- NHS England assurers and staff read everything.
- A published plan marked public is read by anyone, signed in or not.
Content (sections, statements, milestones) follows its plan. Versions before publication
are internal: readers who see a plan only because it is published see only its published
versions. Consultation comments are for people holding a role in the plan's CCG.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Q

from commissioning.access import Role, ccg_scope

from .models.states import PUBLISHED_STATES, PlanState

FULL_READ_ROLES = frozenset({Role.PLANNING_MANAGER, Role.GOVERNING_BODY, Role.VIEWER})


def _model(name: str):
    return apps.get_model("plans", name)


def plan_filter(user) -> Q | None:
    """The condition on Plan rows `user` may read; None means every plan."""
    scope = ccg_scope(user)
    if scope.everything:
        return None
    published = Q(state__in=PUBLISHED_STATES)
    condition = Q(is_public=True) & published
    full = scope.ccg_ids(set(FULL_READ_ROLES))
    if full:
        condition |= Q(ccg__in=full)
    scrutiny = scope.ccg_ids({Role.SCRUTINY})
    if scrutiny:
        condition |= Q(ccg__in=scrutiny) & published
    if getattr(user, "is_authenticated", False) and scope.roles:
        invited = _model("Consultation").objects.filter(
            invited_users=user, closed_at__isnull=True, plan__ccg__in=scope.ccg_ids()
        )
        condition |= Q(state=PlanState.CONSULTATION, pk__in=invited.values("plan"))
    return condition


class PlanQuerySet(models.QuerySet):
    ccg_path = "ccg"

    def for_user(self, user):
        condition = plan_filter(user)
        return self if condition is None else self.filter(condition)

    def for_ccg(self, ccg):
        return self.filter(ccg=ccg)

    def published(self):
        return self.filter(state__in=PUBLISHED_STATES)


class PlanChildQuerySet(models.QuerySet):
    """Rows that belong to a plan: visible exactly when their plan is. `plan_path` is the
    lookup from the row to its plan (`"priority__plan"` for a commitment)."""

    plan_path = "plan"

    @property
    def ccg_path(self) -> str:
        return f"{self.plan_path}__ccg"

    def for_user(self, user):
        condition = plan_filter(user)
        if condition is None:
            return self
        visible = _model("Plan").objects.filter(condition).values("pk")
        return self.filter(**{f"{self.plan_path}__in": visible})

    def for_ccg(self, ccg):
        return self.filter(**{self.ccg_path: ccg})

    def for_plan(self, plan):
        return self.filter(**{self.plan_path: plan})


class PlanContentQuerySet(PlanChildQuerySet):
    pass


class PlanVersionQuerySet(PlanChildQuerySet):
    """Versions are frozen: bulk updates and deletes are refused like single ones."""

    def update(self, **kwargs):
        from .models.versions import VersionIsImmutable

        raise VersionIsImmutable("Plan versions are frozen: they cannot be changed.")

    def delete(self):
        from .models.versions import VersionIsImmutable

        raise VersionIsImmutable("Plan versions are frozen: they cannot be deleted.")

    def for_user(self, user):
        scope = ccg_scope(user)
        if scope.everything:
            return self
        visible = super().for_user(user)
        full = scope.ccg_ids(set(FULL_READ_ROLES))
        return visible.filter(Q(plan__ccg__in=full) | Q(to_state__in=PUBLISHED_STATES))


def plan_visible_to(user, plan_path: str = "plan") -> Q | None:
    """A condition for rows reached from a plan by `plan_path`, for querysets that are not
    PlanChildQuerySets; None means every row."""
    condition = plan_filter(user)
    if condition is None:
        return None
    return Q(**{f"{plan_path}__in": _model("Plan").objects.filter(condition).values("pk")})


class ConsultationCommentQuerySet(PlanChildQuerySet):
    """Consultation records: for people holding a role in the plan's CCG (not the public)."""

    def for_user(self, user):
        scope = ccg_scope(user)
        if scope.everything:
            return self
        return super().for_user(user).filter(**{f"{self.ccg_path}__in": scope.ccg_ids()})


class PackBuildQuerySet(models.QuerySet):
    """Pack builds: people who read all of a CCG's plans read all its builds; anyone else
    (scrutiny members, and the public for public plans) reads the published, finished packs
    of published plans they can read. Packs of meetings are internal."""

    ccg_path = "ccg"

    def for_user(self, user):
        from .models.packs import PackStatus

        scope = ccg_scope(user)
        if scope.everything:
            return self
        full = scope.ccg_ids(set(FULL_READ_ROLES))
        condition = Q(ccg__in=full) if full else Q(pk__in=[])
        readable = _model("Plan").objects.filter(plan_filter(user), state__in=PUBLISHED_STATES)
        condition |= Q(published=True, status=PackStatus.DONE, plan__in=readable.values("pk"))
        return self.filter(condition)

    def for_ccg(self, ccg):
        return self.filter(ccg=ccg)
