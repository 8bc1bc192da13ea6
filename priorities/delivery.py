"""Delivery rules as pure functions: RAG colours, the current status, roll-up, overdue.

No database access: the services and pages pass in what they have read.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .models.status import DeliveryStatus

S = DeliveryStatus


@dataclass(frozen=True)
class Rag:
    code: str  # "grey", "green", "amber", "red", "blue"
    label: str  # what a screen reader and a black-and-white print say
    tag_class: str  # the nhsuk-tag modifier


# BRAG: blue for complete, as NHS delivery trackers use it; grey for not started.
RAG = {
    S.NOT_STARTED: Rag("grey", "Grey", "nhsuk-tag--grey"),
    S.ON_TRACK: Rag("green", "Green", "nhsuk-tag--green"),
    S.AT_RISK: Rag("amber", "Amber", "nhsuk-tag--yellow"),
    S.OFF_TRACK: Rag("red", "Red", "nhsuk-tag--red"),
    S.COMPLETE: Rag("blue", "Blue", "nhsuk-tag--blue"),
}

# From worst to best, for rolling statuses up.
SEVERITY = [S.OFF_TRACK, S.AT_RISK, S.ON_TRACK, S.NOT_STARTED, S.COMPLETE]


def rag(status: str) -> Rag:
    return RAG[S(status)]


@dataclass(frozen=True)
class Update:
    status: str
    reported_on: dt.date
    sequence: int = 0  # tie-break for two updates on one day: the later one recorded


def current_status(updates: Iterable[Update]) -> str:
    """The latest update's status (by date, then by the order recorded); not started if none."""
    latest = max(updates, key=lambda u: (u.reported_on, u.sequence), default=None)
    return latest.status if latest else S.NOT_STARTED


def roll_up(statuses: Iterable[str]) -> str:
    """One status for a set of actions: complete when all are complete, not started when none
    has started, else the worst of those under way (off track, at risk, on track)."""
    statuses = [S(s) for s in statuses]
    if not statuses:
        return S.NOT_STARTED
    if all(s == S.COMPLETE for s in statuses):
        return S.COMPLETE
    if all(s == S.NOT_STARTED for s in statuses):
        return S.NOT_STARTED
    under_way = [s for s in statuses if s not in (S.NOT_STARTED, S.COMPLETE)]
    if not under_way:
        return S.ON_TRACK  # some complete, the rest not started: progressing
    return min(under_way, key=SEVERITY.index)


def is_overdue(due_on: dt.date | None, status: str, today: dt.date) -> bool:
    """Past its due date and not complete. An action due today is not yet overdue."""
    return due_on is not None and due_on < today and status != S.COMPLETE


def counts_by_status(statuses: Iterable[str]) -> dict[str, int]:
    """Every status with its count (zeros included), in the order of DeliveryStatus."""
    counted = Counter(S(s) for s in statuses)
    return {status.value: counted.get(status, 0) for status in S}
