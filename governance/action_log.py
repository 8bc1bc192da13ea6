"""The action log: actions raised at a committee's meetings, carried from meeting to meeting
until they are complete or dropped.

An action raised at an earlier meeting is carried over to a later meeting of its committee
when it was still open on that meeting's day: it is open now, or it was closed on or after
that day (closed at the meeting that reviewed it, or since). An open action is overdue once
its due date has passed.

The rules are pure functions (`is_carried_over`, `is_overdue`); the query helpers apply the
same rules to a queryset the caller has already scoped with `for_user`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

OPEN = "open"


def is_carried_over(*, raised_on: dt.date, status: str, closed_on: dt.date | None,
                    meeting_date: dt.date) -> bool:  # fmt: skip
    """Whether an action raised at a meeting on `raised_on` comes to the meeting on
    `meeting_date`."""
    if raised_on >= meeting_date:
        return False
    if status == OPEN:
        return True
    return closed_on is not None and closed_on >= meeting_date


def is_overdue(*, status: str, due_on: dt.date | None, on: dt.date) -> bool:
    return status == OPEN and due_on is not None and due_on < on


def action_is_overdue(action, on: dt.date) -> bool:
    return is_overdue(status=action.status, due_on=action.due_on, on=on)


# --- Query helpers (on querysets already scoped with for_user) -------------------------------


def carried_over(actions, meeting):
    """The actions of `meeting`'s committee raised at earlier meetings and still open on the
    meeting's day, in the order they were raised."""
    return (
        actions.filter(committee_id=meeting.committee_id, meeting__date__lt=meeting.date)
        .filter(Q(status=OPEN) | Q(closed_on__gte=meeting.date))
        .select_related("meeting__committee__ccg", "item")
        .order_by("meeting__date", "meeting_id", "id")
    )


def raised_at(actions, meeting):
    return (
        actions.filter(meeting=meeting)
        .select_related("meeting__committee__ccg", "item")
        .order_by("id")
    )


def open_actions(actions):
    return actions.filter(status=OPEN)


def overdue(actions, on: dt.date):
    return actions.filter(status=OPEN, due_on__lt=on)
