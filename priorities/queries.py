"""Who reads priorities, commitments, actions and programmes: they follow their plan (or, for
programmes, their CCG), through `plans.queries`."""

from __future__ import annotations

from commissioning.access import ScopedQuerySet
from plans.queries import PlanChildQuerySet


class PriorityQuerySet(PlanChildQuerySet):
    plan_path = "plan"


class CommitmentQuerySet(PlanChildQuerySet):
    plan_path = "priority__plan"


class ActionQuerySet(PlanChildQuerySet):
    plan_path = "commitment__priority__plan"


class ProgrammeQuerySet(ScopedQuerySet):
    """Programmes belong to a CCG and span plans: readable by anyone with a role in it."""

    ccg_path = "ccg"


class ProgrammeChildQuerySet(ScopedQuerySet):
    ccg_path = "programme__ccg"
