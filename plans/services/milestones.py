"""The plan's timeline: milestones with due and done dates."""

from __future__ import annotations

from django.db import transaction

from ..capabilities import manage_refusal
from ..errors import InvalidMove
from ..models import Milestone, Plan
from .guards import claim_revision, require, set_history_user

FIELDS = {"title", "due_on", "done_on", "note"}


@transaction.atomic
def add_milestone(plan: Plan, *, user, title: str, due_on, done_on=None, note="") -> Milestone:
    require(manage_refusal(user, plan))
    milestone = Milestone(plan=plan, title=title, due_on=due_on, done_on=done_on, note=note)
    milestone.full_clean()
    set_history_user(milestone, user)
    milestone.save()
    return milestone


@transaction.atomic
def update_milestone(milestone: Milestone, *, user, expected_revision: int | None,
                     **values) -> Milestone:  # fmt: skip
    unknown = set(values) - FIELDS
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    require(manage_refusal(user, milestone.plan))
    claim_revision(milestone, expected_revision, values)
    for name, value in values.items():
        setattr(milestone, name, value)
    milestone.full_clean()
    set_history_user(milestone, user)
    milestone.save()
    return milestone


@transaction.atomic
def delete_milestone(milestone: Milestone, *, user) -> None:
    require(manage_refusal(user, milestone.plan))
    set_history_user(milestone, user)
    milestone.delete()
