"""Minuting a meeting in a real browser: a planning manager (the committee secretariat)
records attendance, writes the minutes of an item, adds a resolution and raises an action;
the quorum check, the numbered resolutions and the action log follow. Another journey sets
a committee up, and a scrutiny member reads the public part only.

Each test reads Given / When / Then, and runs axe on every page it visits.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from commissioning.access import Role
from governance import services_meetings as services
from governance.models import MeetingAction, Resolution
from tests.factories import PersonFactory, user_with_role
from tests.governance import meetings_factories as make
from tests.system.axe import assert_accessible
from tests.system.test_plan_journey import sign_in, sign_out

pytestmark = pytest.mark.browser


# --- Given ---------------------------------------------------------------------------------


@pytest.fixture
def planner(ccg):
    return user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")


@pytest.fixture
def scrutiny_member(ccg):
    return user_with_role(Role.SCRUTINY, ccg, first_name="Brian", last_name="Steele")


@pytest.fixture
def commission(ccg):
    """Rotherham's governing body with its members, the October meeting that raised an
    action, and the November meeting's agenda: a public item with a cover sheet and a private
    item."""
    body, seats = make.governing_body(ccg)
    october = make.meeting(body, dt.date(2015, 10, 1))
    services.raise_action(
        october,
        user=None,
        text="Circulate the draft plan to the Select Commission",
        owner="Chief Officer",
        due_on=dt.date(2015, 10, 20),
    )
    november = make.meeting(body, dt.date(2015, 11, 5), location="Town Hall, Rotherham")
    refresh = make.item(
        november,
        "Commissioning Plan refresh",
        purpose="decision",
        presenters="Ian Atkinson",
        paper_to="Health Select Commission",
        paper_subject="Refresh of the Commissioning Plan for 2016",
        paper_recommendations="That the proposed priorities be noted",
    )
    make.item(november, "Contract negotiations", part="private")
    return {"body": body, "seats": seats, "meeting": november, "refresh": refresh}


# --- Then ----------------------------------------------------------------------------------


def test_a_planning_manager_minutes_a_meeting(page, commission, planner, password):
    seats, meeting = commission["seats"], commission["meeting"]

    # Given a planning manager of NHS Rotherham CCG, signed in, on the CCG's committees
    sign_in(page, planner.username, password)
    page.goto("/ccgs/03L/")
    page.get_by_role("link", name="Committees", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Committees")
    assert_accessible(page)

    # When they open the governing body and its November meeting
    page.get_by_role("link", name="Governing Body").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Governing Body")
    expect(
        page.get_by_text("Circulate the draft plan to the Select Commission", exact=True)
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="5 November 2015").click()

    # Then the agenda shows both parts, and the quorum cannot be checked yet
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting of 5 November 2015")
    agenda = page.get_by_role("table", name="Agenda of the meeting")
    expect(agenda).to_contain_text("Commissioning Plan refresh")
    expect(agenda).to_contain_text("Contract negotiations")
    expect(
        page.get_by_text("No attendance has been recorded for this meeting yet.")
    ).to_be_visible()
    carried = page.get_by_role("table", name="Actions carried over from earlier meetings")
    expect(carried).to_contain_text("Overdue")
    assert_accessible(page)

    # When they record attendance: the chair sends apologies, the vice chair chairs
    page.get_by_role("button", name="Record attendance").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Record attendance")
    assert_accessible(page)
    for seat, state in (
        ("vice", "Present"),
        ("lay", "Present"),
        ("gp", "Present"),
        ("chair", "Apologies"),
    ):
        group = page.get_by_role("group", name=str(seats[seat]))
        group.get_by_role("radio", name=state).check()
    page.get_by_label("Also in attendance (optional)").fill("Councillor Steele")
    page.get_by_role("button", name="Save attendance").click()

    # Then the meeting is quorate, with the reasons
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Attendance recorded.")
    quorum = page.get_by_role("region", name=re.compile("Quorum check"))
    expect(quorum).to_contain_text("Quorate")
    expect(quorum).to_contain_text("The vice chair was present (Sue Cassin); the chair was not.")
    expect(quorum).to_contain_text("A lay member was present (John Bell).")
    assert_accessible(page)

    # When they write the minutes of the plan refresh
    item = page.get_by_role("region", name="1. Commissioning Plan refresh")
    item.get_by_text("Report cover sheet").click()
    expect(item).to_contain_text("Refresh of the Commissioning Plan for 2016")
    item.get_by_role("link", name="Write minutes of item 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Minutes of item 1")
    assert_accessible(page)
    page.get_by_label("Minutes (optional)").fill(
        "Ian Atkinson presented the refresh.\n\nThe Commission **welcomed** the five priorities."
    )
    page.get_by_role("button", name="Save minutes").click()

    # Then the minutes read as written
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Minutes of item 1 saved.")
    expect(item.locator("strong", has_text="welcomed")).to_be_visible()
    assert_accessible(page)

    # When they add two resolutions
    for text in (
        "That the proposed priorities for the refresh plan for 2015 be noted.",
        "That the draft plan be circulated to the Select Commission in December.",
    ):
        item.get_by_role("link", name="Add a resolution to item 1").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Add a resolution")
        assert_accessible(page)
        page.get_by_label("Resolved").fill(text)
        page.get_by_role("button", name="Add resolution").click()

    # Then they read "Resolved: (1) ... (2) ..."
    expect(item).to_contain_text("Resolved:")
    expect(item).to_contain_text("(1) That the proposed priorities for the refresh plan")
    expect(item).to_contain_text("(2) That the draft plan be circulated")
    assert_accessible(page)

    # When they raise an action on the item
    item.get_by_role("link", name="Raise an action on item 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Raise an action")
    assert_accessible(page)
    page.get_by_label("Action").fill("Send the refreshed plan to the Select Commission")
    page.get_by_label("Owner (optional)").fill("Head of Planning")
    page.get_by_label("Day").fill("3")
    page.get_by_label("Month").fill("12")
    page.get_by_label("Year").fill("2015")
    page.get_by_role("button", name="Raise action").click()

    # Then it is in the meeting's actions, and in the CCG's action log
    raised = page.get_by_role("table", name="Actions raised at this meeting")
    expect(raised).to_contain_text("Send the refreshed plan to the Select Commission")
    expect(raised).to_contain_text("3 December 2015")
    page.screenshot(path="/tmp/meeting-minuted.png", full_page=True)
    assert_accessible(page)

    # When they mark the carried-over action complete from the action log
    page.goto("/ccgs/03L/actions/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Action log")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Update action: Circulate the draft plan")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Update action")
    assert_accessible(page)
    page.get_by_role("radio", name="Complete").check()
    page.get_by_role("button", name="Save action").click()

    # Then the log shows it complete; the overdue filter lists only the new action (its due
    # date has passed) and no longer the completed one
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Action updated.")
    log = page.get_by_role("table", name=re.compile("actions?$"))
    expect(log.get_by_role("row", name=re.compile("^Circulate the draft plan"))).to_contain_text(
        "Complete"
    )
    page.get_by_label("Overdue actions only").check()
    page.get_by_role("button", name="Show actions").click()
    expect(log).to_contain_text("Send the refreshed plan to the Select Commission")
    expect(log).not_to_contain_text("Circulate the draft plan")
    assert_accessible(page)

    assert [r.number for r in Resolution.objects.filter(item=commission["refresh"])] == [1, 2]
    assert MeetingAction.objects.filter(meeting=meeting, owner="Head of Planning").exists()


def test_a_committee_is_set_up_and_scrutiny_reads_the_public_part(
    page, ccg, commission, planner, scrutiny_member, password
):
    PersonFactory(ccg=ccg, name="Dr Avanthi Gunasekera")

    # Given a planning manager on the CCG's committees
    sign_in(page, planner.username, password)
    page.goto("/ccgs/03L/committees/")

    # When they add the primary care committee, meeting in public, reporting to the body
    page.get_by_role("button", name="Add a committee").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add a committee")
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Primary Care Commissioning Committee")
    page.get_by_label("Kind of committee").select_option("primary-care")
    page.get_by_label("Reports to (optional)").select_option(label="Governing Body")
    page.get_by_label("Meets in public").check()
    page.get_by_label("Voting members who must be present (optional)").fill("4")
    page.get_by_role("button", name="Add committee").click()

    # Then its page shows the reporting line and the quorum rule
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Primary Care Commissioning Committee"
    )
    expect(page.get_by_text("4 voting members")).to_be_visible()
    assert_accessible(page)

    # When they add its chair and its first meeting
    page.get_by_role("button", name="Add a member").click()
    assert_accessible(page)
    page.get_by_label("Person (optional)").select_option(label="Dr Avanthi Gunasekera")
    page.get_by_label("Role").select_option("chair")
    page.get_by_label("Category").select_option("gp")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("table", name=re.compile("Members of"))).to_contain_text(
        "Dr Avanthi Gunasekera"
    )
    page.get_by_role("button", name="Add a meeting").click()
    assert_accessible(page)
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2016")
    page.get_by_role("button", name="Add meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Meeting of 14 January 2016")

    # ... and an agenda item with its cover sheet
    page.get_by_role("button", name="Add an agenda item").click()
    assert_accessible(page)
    page.get_by_label("Title", exact=True).fill("Primary care strategy")
    page.get_by_label("Subject (optional)").fill("Co-commissioning primary care")
    page.get_by_role("button", name="Add item").click()
    expect(page.get_by_role("region", name="1. Primary care strategy")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # Given a scrutiny member of the CCG
    sign_in(page, scrutiny_member.username, password)

    # When they open the governing body's November meeting
    page.goto(f"/ccgs/03L/meetings/{commission['meeting'].pk}/")

    # Then they read the public part only, and nothing internal
    expect(page.get_by_text("Commissioning Plan refresh").first).to_be_visible()
    expect(page.get_by_text("Contract negotiations")).to_have_count(0)
    expect(page.get_by_text("Items taken in the private part")).to_be_visible()
    expect(page.get_by_role("heading", name="Actions")).to_have_count(0)
    assert_accessible(page)
