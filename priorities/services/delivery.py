"""Recording delivery: a progress update sets the action's (or commitment's) current status."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from plans.capabilities import is_planning_manager
from plans.errors import InvalidMove, NotAllowed, ReadOnly
from plans.models import PlanState

from .. import delivery
from ..models import Action, Commitment, DeliveryStatus, ProgressUpdate

# Delivery is tracked for plans in force.
TRACKED_STATES = frozenset({PlanState.APPROVED, PlanState.PUBLISHED})


def progress_refusal(user, plan) -> str | None:
    if not is_planning_manager(user, plan):
        return f"Only planning managers of {plan.ccg.display_name} can record progress."
    if plan.state not in TRACKED_STATES:
        return "Progress is recorded once the plan is approved or published."
    return None


@transaction.atomic
def record_progress(subject: Action | Commitment, *, user, status: str, narrative: str,
                    reported_on=None, illustrative: bool = False) -> ProgressUpdate:  # fmt: skip
    """Add a dated update; the subject's status becomes its latest update's."""
    plan = subject.plan
    refusal = progress_refusal(user, plan)
    if refusal:
        raise (NotAllowed if refusal.startswith("Only") else ReadOnly)(refusal)
    if status not in DeliveryStatus.values:
        raise InvalidMove("Choose a delivery status.", field="status")
    if not (narrative or "").strip():
        raise InvalidMove("Say what has happened: the update needs a narrative.",
                          field="narrative")  # fmt: skip
    reported_on = reported_on or timezone.localdate()
    if reported_on > timezone.localdate():
        raise InvalidMove("The date of an update cannot be in the future.", field="reported_on")
    update = ProgressUpdate(
        plan=plan,
        action=subject if isinstance(subject, Action) else None,
        commitment=subject if isinstance(subject, Commitment) else None,
        status=status,
        narrative=narrative.strip(),
        reported_on=reported_on,
        reported_by=user if getattr(user, "is_authenticated", False) else None,
        illustrative=illustrative,
    )
    update.full_clean()
    update.save()
    _refresh_status(subject)
    return update


def _refresh_status(subject) -> None:
    """Set the subject's status from all its updates (a back-dated update does not win)."""
    rows = subject.updates.values_list("status", "reported_on", "id")
    updates = [delivery.Update(s, d, sequence=i) for s, d, i in rows]
    latest = max(updates, key=lambda u: (u.reported_on, u.sequence))
    type(subject)._base_manager.filter(pk=subject.pk).update(
        status=delivery.current_status(updates), status_reported_on=latest.reported_on
    )
    subject.status = delivery.current_status(updates)
    subject.status_reported_on = latest.reported_on
