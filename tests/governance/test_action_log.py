"""The action log: which actions are carried over to a meeting, and which are overdue."""

import datetime as dt

import pytest

from governance import action_log
from governance import services_meetings as services
from governance.models import MeetingAction
from tests.governance import meetings_factories as make

SEPT, OCT, NOV = dt.date(2015, 9, 3), dt.date(2015, 10, 1), dt.date(2015, 11, 5)

CARRY = [
    # raised on, status, closed on, meeting date -> carried over?
    (SEPT, "open", None, NOV, True),
    (SEPT, "open", None, SEPT, False),  # raised at this very meeting
    (NOV, "open", None, OCT, False),  # raised later
    (SEPT, "complete", NOV, NOV, True),  # closed at the meeting that reviewed it
    (SEPT, "complete", dt.date(2015, 12, 1), NOV, True),  # still open on the day, closed since
    (SEPT, "complete", OCT, NOV, False),  # closed before the meeting
    (SEPT, "dropped", OCT, OCT, True),
    (SEPT, "dropped", dt.date(2015, 9, 30), OCT, False),
    (SEPT, "complete", None, NOV, False),  # closed with no date: nothing to carry
]


@pytest.mark.parametrize(("raised_on", "status", "closed_on", "meeting_date", "carried"), CARRY)
def test_carried_over(raised_on, status, closed_on, meeting_date, carried):
    assert (
        action_log.is_carried_over(
            raised_on=raised_on, status=status, closed_on=closed_on, meeting_date=meeting_date
        )
        is carried
    )


OVERDUE = [
    ("open", OCT, NOV, True),
    ("open", NOV, NOV, False),  # due today is not overdue yet
    ("open", dt.date(2015, 12, 1), NOV, False),
    ("open", None, NOV, False),  # no due date
    ("complete", OCT, NOV, False),
    ("dropped", OCT, NOV, False),
]


@pytest.mark.parametrize(("status", "due_on", "on", "overdue"), OVERDUE)
def test_overdue(status, due_on, on, overdue):
    assert action_log.is_overdue(status=status, due_on=due_on, on=on) is overdue


@pytest.fixture
def meetings(ccg):
    body = make.committee(ccg)
    other = make.committee(ccg, name="Audit Committee", kind="audit")
    return {
        "sept": make.meeting(body, SEPT),
        "oct": make.meeting(body, OCT),
        "nov": make.meeting(body, NOV),
        "audit": make.meeting(other, SEPT),
    }


def raise_(meeting, text, due_on=None):
    return services.raise_action(
        meeting, user=None, text=text, owner="Chief Officer", due_on=due_on
    )


def test_actions_are_carried_from_meeting_to_meeting(meetings):
    open_since_sept = raise_(meetings["sept"], "Circulate the draft plan", due_on=OCT)
    closed_in_oct = raise_(meetings["sept"], "Report on 52-week waits")
    services.close_action(closed_in_oct, user=None, on=OCT)
    closed_in_nov = raise_(meetings["oct"], "Review the QIPP schemes")
    services.close_action(closed_in_nov, user=None, on=NOV, note="Reported to the meeting")
    raised_in_nov = raise_(meetings["nov"], "Publish the minutes")
    raise_(meetings["audit"], "Another committee's action")

    actions = MeetingAction.objects.all()
    texts = lambda meeting: [a.text for a in action_log.carried_over(actions, meeting)]  # noqa: E731
    assert texts(meetings["sept"]) == []
    assert texts(meetings["oct"]) == ["Circulate the draft plan", "Report on 52-week waits"]
    assert texts(meetings["nov"]) == ["Circulate the draft plan", "Review the QIPP schemes"]
    assert [a.text for a in action_log.raised_at(actions, meetings["nov"])] == [raised_in_nov.text]

    body_actions = actions.filter(committee=meetings["sept"].committee)
    assert set(action_log.open_actions(body_actions)) == {open_since_sept, raised_in_nov}
    overdue = action_log.overdue(actions, NOV)
    assert list(overdue) == [open_since_sept]
    assert action_log.action_is_overdue(open_since_sept, NOV)
    assert not action_log.action_is_overdue(open_since_sept, OCT)
