"""The committee and meeting services: who may write, the checks on input, numbering of
agenda items and resolutions, attendance, the action log's states, revisions and history."""

import datetime as dt

import pytest
from django.utils import timezone

from commissioning.access import Role
from governance import services_meetings as services
from governance.models import Attendance, Resolution
from plans.errors import EditConflict, InvalidMove, NotAllowed
from tests.factories import PersonFactory, UserFactory, user_with_role
from tests.governance import meetings_factories as make
from tests.plans.factories import PlanFactory

MEETING_DAY = dt.date(2015, 11, 5)


@pytest.fixture
def body(ccg):
    return make.committee(ccg, quorum_members=3)


@pytest.fixture
def meeting(body):
    return make.meeting(body, MEETING_DAY, location="Town Hall, Rotherham")


def numbers(meeting):
    rows = Resolution.objects.filter(item__meeting=meeting).order_by("number")
    return [(r.item.number, r.number, r.text) for r in rows.select_related("item")]


# --- Who may write ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.GOVERNING_BODY, Role.SCRUTINY, Role.VIEWER])
def test_only_planning_managers_write(ccg, body, meeting, role):
    user = user_with_role(role, ccg)
    item = make.item(meeting, "Minutes of the last meeting")
    calls = [
        lambda: services.create_committee(ccg, user=user, name="Audit", kind="audit"),
        lambda: services.update_committee(body, user=user, expected_revision=None, name="X"),
        lambda: services.create_meeting(body, user=user, date=MEETING_DAY),
        lambda: services.add_agenda_item(meeting, user=user, title="Any other business"),
        lambda: services.write_minutes(item, user=user, minutes="Noted", expected_revision=None),
        lambda: services.add_resolution(item, user=user, text="That the minutes be agreed"),
        lambda: services.raise_action(meeting, user=user, text="Circulate the plan"),
        lambda: services.record_attendance(meeting, user=user, members={}),
    ]
    for call in calls:
        with pytest.raises(NotAllowed) as refused:
            call()
        assert "Only planning managers of" in refused.value.message


def test_planning_managers_of_another_ccg_cannot_write(ccg, other_ccg, body):
    outsider = user_with_role(Role.PLANNING_MANAGER, other_ccg)
    with pytest.raises(NotAllowed):
        services.create_meeting(body, user=outsider, date=MEETING_DAY)


def test_planning_manager_and_superuser_write(ccg, planner, body):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    assert services.create_meeting(body, user=planner, date=MEETING_DAY).pk
    assert services.create_meeting(body, user=admin, date=MEETING_DAY).pk


# --- Committees and members ------------------------------------------------------------------


def test_committee_names_are_unique_in_a_ccg(ccg, other_ccg, planner, body):
    with pytest.raises(InvalidMove) as refused:
        services.create_committee(ccg, user=planner, name="governing body", kind="governing-body")
    assert refused.value.field == "name"
    assert make.committee(other_ccg).ccg == other_ccg  # another CCG may use the name


def test_reporting_lines_stay_in_the_ccg_and_never_loop(ccg, other_ccg, planner, body):
    audit = make.committee(ccg, name="Audit Committee", kind="audit", reports_to=body)
    assert audit.reports_to == body and audit.order > body.order
    with pytest.raises(InvalidMove) as refused:
        services.update_committee(body, user=planner, expected_revision=None, reports_to=audit)
    assert refused.value.field == "reports_to"
    with pytest.raises(InvalidMove):
        services.update_committee(body, user=planner, expected_revision=None, reports_to=body)
    foreign = make.committee(other_ccg)
    with pytest.raises(InvalidMove) as refused:
        services.create_committee(ccg, user=planner, name="Forum", kind="forum", reports_to=foreign)
    assert "own CCG" in refused.value.message


def test_members(ccg, other_ccg, planner, body):
    chair = make.member(body, "Dr Julie Kitlowski", role="chair", category="gp")
    with pytest.raises(InvalidMove) as refused:
        make.member(body, "Dr Someone Else", role="chair")
    assert refused.value.field == "role"
    assert "already has a chair (Dr Julie Kitlowski)" in refused.value.message
    with pytest.raises(InvalidMove) as refused:
        services.add_member(body, user=planner, person=chair.person)
    assert refused.value.field == "person"
    with pytest.raises(InvalidMove) as refused:
        services.add_member(body, user=planner, person=PersonFactory(ccg=other_ccg))
    assert refused.value.field == "person"
    with pytest.raises(InvalidMove):
        services.add_member(body, user=planner, title="")
    vacant = services.add_member(body, user=planner, title="Lay member (audit)", category="lay")
    assert str(vacant) == "Lay member (audit)" and vacant.order > chair.order
    services.update_member(vacant, user=planner, person=PersonFactory(ccg=ccg, name="John Bell"))
    assert str(vacant) == "John Bell"


def test_a_member_with_attendance_stays_on_record(body, meeting, planner):
    member = make.member(body, "Dr Julie Kitlowski")
    services.record_attendance(meeting, user=planner, members={member.pk: "present"})
    with pytest.raises(InvalidMove) as refused:
        services.remove_member(member, user=planner)
    assert "stays on record" in refused.value.message
    newcomer = make.member(body, "Sue Cassin")
    services.remove_member(newcomer, user=planner)
    assert not body.members.filter(pk=newcomer.pk).exists()


# --- Meetings and attendance ------------------------------------------------------------------


def test_minutes_are_approved_after_the_meeting(meeting, planner):
    with pytest.raises(InvalidMove) as refused:
        services.update_meeting(
            meeting,
            user=planner,
            expected_revision=meeting.revision,
            minutes_approved_on=dt.date(2015, 11, 1),
        )
    assert refused.value.field == "minutes_approved_on"
    services.update_meeting(
        meeting,
        user=planner,
        expected_revision=meeting.revision,
        minutes_approved_on=dt.date(2015, 12, 3),
        status="held",
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.revision) == ("held", 2)


def test_attendance(ccg, other_ccg, body, meeting, planner):
    chair = make.member(body, "Dr Julie Kitlowski", role="chair")
    lay = make.member(body, "John Bell", category="lay")
    seats = {chair: "present", lay.pk: "apologies"}
    guests = ["  Councillor  Steele ", "", "Kate Tufnell"]
    services.record_attendance(meeting, user=planner, members=seats, guests=guests)
    rows = {(a.member_id, a.name, a.present) for a in Attendance.objects.filter(meeting=meeting)}
    assert rows == {
        (chair.pk, "", True),
        (lay.pk, "", False),
        (None, "Councillor Steele", True),
        (None, "Kate Tufnell", True),
    }
    # Changing one seat leaves the others; "" removes the record; guests are replaced.
    services.record_attendance(
        meeting, user=planner, members={lay.pk: "present", chair.pk: ""}, guests=["Kate Tufnell"]
    )
    rows = {(a.member_id, a.name, a.present) for a in Attendance.objects.filter(meeting=meeting)}
    assert rows == {(lay.pk, "", True), (None, "Kate Tufnell", True)}
    foreign = make.member(make.committee(other_ccg), "Dr Elsewhere")
    with pytest.raises(InvalidMove):
        services.record_attendance(meeting, user=planner, members={foreign.pk: "present"})
    with pytest.raises(InvalidMove):
        services.record_attendance(meeting, user=planner, members={lay.pk: "late"})


# --- Agenda and resolutions --------------------------------------------------------------------


def test_agenda_items_are_numbered(ccg, other_ccg, meeting, planner):
    first = make.item(meeting, "Apologies")
    second = make.item(meeting, "Declarations of interest")
    lettered = make.item(meeting, "Supplementary", number="2a")
    after = make.item(meeting, "Commissioning Plan refresh")
    assert [first.number, second.number, lettered.number, after.number] == ["1", "2", "2a", "3"]
    assert first.order < second.order < lettered.order < after.order
    with pytest.raises(InvalidMove) as refused:
        make.item(meeting, "Again", number="2A")
    assert refused.value.field == "number"
    with pytest.raises(InvalidMove) as refused:
        services.update_agenda_item(first, user=planner, expected_revision=None, number="")
    assert refused.value.field == "number"
    with pytest.raises(InvalidMove) as refused:
        make.item(meeting, "A plan", plan=PlanFactory(ccg=other_ccg))
    assert refused.value.field == "plan"
    assert make.item(meeting, "Our plan", plan=PlanFactory(ccg=ccg)).plan.ccg == ccg


def test_cover_sheet_and_minutes(meeting, planner):
    item = make.item(
        meeting,
        "Health and Wellbeing Strategy",
        paper_to="Health and Wellbeing Board",
        paper_subject="Joint Strategy refresh",
        paper_recommendations="The Board is asked to approve the strategy",
    )
    assert item.has_paper
    services.write_minutes(
        item,
        user=planner,
        minutes="The Board **discussed** the refresh.",
        expected_revision=item.revision,
    )
    item.refresh_from_db()
    assert item.minutes.startswith("The Board") and item.revision == 2
    record = item.history.order_by("-history_date").first()
    assert (record.history_user, record.history_change_reason) == (planner, "Minutes written")


def test_resolutions_run_through_the_meeting_in_agenda_order(meeting, planner):
    one = make.item(meeting, "Minutes")
    two = make.item(meeting, "Commissioning Plan refresh")
    services.add_resolution(two, user=planner, text="That the priorities be noted.")
    services.add_resolution(two, user=planner, text="That the draft plan be circulated.")
    assert numbers(meeting) == [
        ("2", 1, "That the priorities be noted."),
        ("2", 2, "That the draft plan be circulated."),
    ]
    # A resolution on an earlier item takes the first number; the later ones move up.
    added = services.add_resolution(one, user=planner, text="  That the minutes be agreed. ")
    assert added.number == 1 and added.text == "That the minutes be agreed."
    assert [(n, num) for n, num, _ in numbers(meeting)] == [("1", 1), ("2", 2), ("2", 3)]
    renumbered = Resolution.objects.get(text="That the priorities be noted.")
    assert renumbered.history.order_by("-history_date").first().history_change_reason == (
        "Renumbered"
    )
    # Reordering the agenda renumbers them; so does removing one.
    services.update_agenda_item(one, user=planner, expected_revision=None, order=two.order + 1)
    assert [(n, num) for n, num, _ in numbers(meeting)] == [("2", 1), ("2", 2), ("1", 3)]
    services.delete_resolution(
        Resolution.objects.get(number=1, item__meeting=meeting), user=planner
    )
    assert [text for _, _, text in numbers(meeting)] == [
        "That the draft plan be circulated.",
        "That the minutes be agreed.",
    ]
    assert [num for _, num, _ in numbers(meeting)] == [1, 2]
    services.delete_agenda_item(two, user=planner)
    assert numbers(meeting) == [("1", 1, "That the minutes be agreed.")]
    with pytest.raises(InvalidMove) as refused:
        services.add_resolution(one, user=planner, text="  ")
    assert refused.value.field == "text"


def test_each_meeting_numbers_its_own_resolutions(body, meeting, planner):
    later = make.meeting(body, dt.date(2015, 12, 3))
    services.add_resolution(make.item(meeting, "Plan"), user=planner, text="Noted.")
    services.add_resolution(make.item(later, "Plan"), user=planner, text="Approved.")
    assert [num for _, num, _ in numbers(meeting)] == [1]
    assert [num for _, num, _ in numbers(later)] == [1]


# --- Actions -----------------------------------------------------------------------------------


def test_action_states(body, meeting, planner):
    item = make.item(meeting, "Plan")
    action = services.raise_action(
        meeting,
        user=planner,
        text="Circulate the draft",
        owner=" Chief Officer ",
        due_on=dt.date(2015, 12, 1),
        item=item,
    )
    assert (action.committee, action.owner, action.status, action.created_by) == (
        body,
        "Chief Officer",
        "open",
        planner,
    )
    services.close_action(action, user=planner, on=dt.date(2015, 12, 3), note="Circulated")
    action.refresh_from_db()
    assert (action.status, action.closed_on, action.note) == (
        "complete",
        dt.date(2015, 12, 3),
        "Circulated",
    )
    assert action.history.order_by("-history_date").first().history_change_reason == "Complete"
    services.update_action(action, user=planner, expected_revision=action.revision, status="open")
    action.refresh_from_db()
    assert (action.status, action.closed_on) == ("open", None)
    dropped = services.close_action(action, user=planner, status="dropped")
    assert (dropped.status, dropped.closed_on) == ("dropped", timezone.localdate())


def test_action_checks(ccg, body, meeting, planner):
    other_meeting = make.meeting(body, dt.date(2015, 12, 3))
    with pytest.raises(InvalidMove) as refused:
        services.raise_action(meeting, user=planner, text="  ")
    assert refused.value.field == "text"
    with pytest.raises(InvalidMove) as refused:
        services.raise_action(
            meeting, user=planner, text="x", item=make.item(other_meeting, "Elsewhere")
        )
    assert refused.value.field == "item"
    action = services.raise_action(meeting, user=planner, text="Report back")
    with pytest.raises(InvalidMove) as refused:
        services.close_action(action, user=planner, on=dt.date(2015, 10, 1))
    assert refused.value.field == "closed_on"
    with pytest.raises(InvalidMove) as refused:
        services.update_action(
            action, user=planner, expected_revision=None, closed_on=dt.date(2015, 12, 1)
        )
    assert refused.value.field == "closed_on"
    with pytest.raises(InvalidMove):
        services.update_action(action, user=planner, expected_revision=None, committee=None)
    with pytest.raises(InvalidMove):
        services.close_action(action, user=planner, status="open")


# --- Revisions ---------------------------------------------------------------------------------


def test_edit_conflicts(body, meeting, planner):
    item = make.item(meeting, "Plan")
    action = services.raise_action(meeting, user=planner, text="Report back")
    cases = [
        (
            body,
            lambda rev: services.update_committee(
                body, user=planner, expected_revision=rev, frequency="Monthly"
            ),
        ),
        (
            meeting,
            lambda rev: services.update_meeting(
                meeting, user=planner, expected_revision=rev, location="Online"
            ),
        ),
        (
            item,
            lambda rev: services.write_minutes(
                item, user=planner, minutes="Noted", expected_revision=rev
            ),
        ),
        (
            action,
            lambda rev: services.update_action(
                action, user=planner, expected_revision=rev, owner="Head of Finance"
            ),
        ),
    ]
    for record, save in cases:
        start = record.revision
        save(start)
        with pytest.raises(EditConflict) as conflict:
            save(start)  # a second save from the same starting revision
        assert conflict.value.current.revision == start + 1
        assert conflict.value.saved_by == planner
