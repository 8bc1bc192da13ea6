"""The quorum check as a table: rules x who attended -> quorate, with the reasons in words."""

import pytest

from governance.quorum import Attendee, QuorumRules, attendees_of, check, check_meeting
from tests.governance import meetings_factories as make


def chair(present=True):
    return Attendee("Dr Julie Kitlowski", role="chair", category="gp", present=present)


def vice(present=True):
    return Attendee("Sue Cassin", role="vice-chair", category="clinician", present=present)


def lay(present=True, role="core", voting=True):
    return Attendee("John Bell", role=role, category="lay", voting=voting, present=present)


def gp(present=True, role="core"):
    return Attendee("Dr Richard Cullen", role=role, category="gp", present=present)


def officer(present=True):
    return Attendee("Ian Atkinson", role="core", category="officer", present=present)


def in_attendance(category="lay"):
    return Attendee("Guest", role="in-attendance", category=category, voting=False)


THREE = QuorumRules(members=3)
CHAIR = QuorumRules(requires_chair=True)
LAY = QuorumRules(requires_lay_member=True)
GP = QuorumRules(requires_gp=True)
FULL = QuorumRules(members=3, requires_chair=True, requires_lay_member=True, requires_gp=True)

CASES = [
    # rules, attendees, quorate, reasons (each must appear)
    (THREE, [chair(), lay(), officer()], True,
     ["3 voting members present; the quorum is 3 voting members."]),
    (THREE, [chair(), lay(), officer(), gp()], True,
     ["4 voting members present; the quorum is 3 voting members."]),
    (THREE, [chair(), lay()], False,
     ["Only 2 voting members present; the quorum is 3 voting members."]),
    (THREE, [chair(), lay(), officer(present=False)], False,
     ["Only 2 voting members present"]),
    # non-voting members and people in attendance do not count
    (THREE, [chair(), lay(voting=False), officer(), in_attendance()], False,
     ["Only 2 voting members present"]),
    (QuorumRules(members=1), [chair(present=False)], False,
     ["No voting members present; the quorum is 1 voting member."]),
    (CHAIR, [chair(), officer()], True, ["The chair was present (Dr Julie Kitlowski)."]),
    (CHAIR, [chair(present=False), vice()], True,
     ["The vice chair was present (Sue Cassin); the chair was not."]),
    (CHAIR, [chair(present=False), vice(present=False), officer()], False,
     ["Neither the chair nor the vice chair was present."]),
    (CHAIR, [officer()], False, ["Neither the chair nor the vice chair was present."]),
    (LAY, [lay(), officer()], True, ["A lay member was present (John Bell)."]),
    (LAY, [lay(present=False), officer()], False,
     ["No lay member was present; the quorum needs one."]),
    # a lay person merely in attendance is not a lay member of the committee
    (LAY, [in_attendance("lay"), officer()], False, ["No lay member was present"]),
    (GP, [chair()], True, ["A GP member was present (Dr Julie Kitlowski)."]),
    (GP, [gp(), chair()], True, ["A GP member was present (Dr Richard Cullen and Dr Julie "
                                 "Kitlowski)."]),
    (GP, [officer(), lay()], False, ["No GP member was present; the quorum needs one."]),
    (FULL, [chair(), lay(), gp(), officer()], True, [
        "4 voting members present", "The chair was present", "A lay member was present",
        "A GP member was present"]),
    # every unmet rule is named
    (FULL, [vice(), officer()], False, [
        "Only 2 voting members present", "The vice chair was present",
        "No lay member was present", "No GP member was present"]),
]  # fmt: skip


@pytest.mark.parametrize(("rules", "attendees", "quorate", "reasons"), CASES)
def test_quorum_rules(rules, attendees, quorate, reasons):
    result = check(rules, attendees)
    assert result.checked
    assert result.quorate is quorate, result.reasons
    assert result.summary == ("Quorate" if quorate else "Not quorate")
    for reason in reasons:
        assert any(line.startswith(reason) for line in result.reasons), (reason, result.reasons)


def test_one_reason_per_rule():
    result = check(FULL, [chair(), lay(), gp()])
    assert len(result.reasons) == 4
    assert result.voting_present == 3


def test_no_rules_is_not_checked():
    result = check(QuorumRules(note="As the chair decides"), [chair(), lay()])
    assert (result.checked, result.quorate) == (False, False)
    assert result.summary == "Quorum not checked"
    assert "quorum rules have not been recorded" in result.reasons[0]


def test_no_attendance_is_not_checked():
    result = check(THREE, [])
    assert not result.checked
    assert result.reasons == ["No attendance has been recorded for this meeting yet."]


def test_from_records(ccg):
    body, seats = make.governing_body(ccg)
    meeting = make.meeting(body)
    make.services.record_attendance(
        meeting,
        user=None,
        members={
            seats["vice"]: "present",
            seats["lay"]: "present",
            seats["gp"]: "present",
            seats["chair"]: "apologies",
            seats["officer"]: "present",
        },  # fmt: skip
        guests=["Councillor Steele"],
    )
    rows = list(meeting.attendance.select_related("member__person"))
    attendees = attendees_of(rows)
    assert {a.name for a in attendees} >= {"Councillor Steele", "Sue Cassin"}
    result = check_meeting(body, rows)
    assert result.quorate, result.reasons
    assert result.voting_present == 3  # the officer in attendance and the guest do not count
    assert "The vice chair was present (Sue Cassin); the chair was not." in result.reasons
