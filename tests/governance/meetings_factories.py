"""Committees, members, meetings and agenda items for tests, made through the services (as
the system: `user=None`), so the tests build records the way the product does."""

from __future__ import annotations

import datetime as dt

from governance import services_meetings as services
from tests.factories import PersonFactory


def committee(ccg, name: str = "Governing Body", kind: str = "governing-body", **values):
    return services.create_committee(ccg, user=None, name=name, kind=kind, **values)


def member(
    committee,
    name: str,
    *,
    role: str = "core",
    category: str = "other",
    voting: bool = True,
    title: str = "",
):
    person = PersonFactory(ccg=committee.ccg, name=name)
    return services.add_member(
        committee,
        user=None,
        person=person,
        role=role,
        category=category,
        voting=voting,
        title=title,
    )


def meeting(committee, date: dt.date = dt.date(2015, 11, 5), **values):
    return services.create_meeting(committee, user=None, date=date, **values)


def item(meeting, title: str, **values):
    return services.add_agenda_item(meeting, user=None, title=title, **values)


def governing_body(ccg, *, public: bool = True):
    """A governing body whose quorum is 3 voting members with the chair or vice chair and a
    lay member, with a chair, vice chair, lay member, GP and an officer in attendance."""
    body = committee(
        ccg,
        is_public=public,
        quorum_members=3,
        quorum_requires_chair=True,
        quorum_requires_lay_member=True,
        quorum_note="Three voting members including the chair or vice chair and a lay member",
    )
    seats = {
        "chair": member(body, "Dr Julie Kitlowski", role="chair", category="gp"),
        "vice": member(body, "Sue Cassin", role="vice-chair", category="clinician"),
        "lay": member(body, "John Bell", category="lay"),
        "gp": member(body, "Dr Richard Cullen", category="gp"),
        "officer": member(
            body, "Ian Atkinson", role="in-attendance", category="officer", voting=False
        ),
    }
    return body, seats
