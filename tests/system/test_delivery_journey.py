"""Delivery tracking in a real browser: a planning manager filters a plan's tracker, records
progress on an overdue action (at risk, then complete) and sees its flag and the counts by
status change.

Each test reads Given / When / Then, and runs axe on every page it visits.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.access import Role
from commissioning.years import FinancialYear
from priorities.models import DuePrecision, ProgressUpdate
from tests.factories import LocalityFactory, user_with_role
from tests.plans.factories import PlanFactory
from tests.priorities.factories import ActionFactory, CommitmentFactory, PriorityFactory
from tests.system.axe import assert_accessible

pytestmark = pytest.mark.browser

TODAY = dt.date(2013, 11, 15)


# --- Given ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The pages' today is 15 November 2013 (Q3 of 2013/14)."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def planner(ccg):
    return user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")


@pytest.fixture
def plan(ccg):
    """A published 2013/14 delivery plan: one action overdue, others not."""
    plan = PlanFactory(
        ccg=ccg,
        state="published",
        title="Delivery Plan 2013/14",
        first_year=FinancialYear(2013),
        last_year=FinancialYear(2013),
    )
    locality = LocalityFactory(ccg=ccg, name="Rother Valley South")
    older = PriorityFactory(plan=plan, title="Older people", order=1)
    mental = PriorityFactory(plan=plan, title="Mental health", order=2)
    care = CommitmentFactory(
        priority=older, text="We will integrate health and social care", locality=locality
    )
    ActionFactory(
        commitment=care,
        text="Set up integrated locality teams",
        lead="Jo Smith",
        due_on=dt.date(2013, 9, 30),
        due_precision=DuePrecision.QUARTER,
        status="on-track",
    )
    ActionFactory(
        commitment=care,
        text="Review the single point of access",
        lead="Ann Lee",
        due_on=dt.date(2014, 3, 31),
    )
    dementia = CommitmentFactory(priority=mental, text="We will diagnose dementia earlier")
    ActionFactory(
        commitment=dementia,
        text="Open a memory assessment clinic",
        lead="Sam Patel",
        due_on=dt.date(2014, 3, 31),
        due_precision=DuePrecision.QUARTER,
    )
    return plan


# --- When ----------------------------------------------------------------------------------


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))


def counts_of(page, priority: str):
    """The cells of a priority's row in the counts table: not started, on track, at risk,
    off track, complete, all."""
    table = page.get_by_role("table", name=re.compile("Number of actions in each delivery"))
    return table.get_by_role("row", name=re.compile(f"^{priority}")).get_by_role("cell")


def record(page, status: str, narrative: str) -> None:
    page.get_by_role("radio", name=status).check()
    page.get_by_role("textbox", name="Progress").fill(narrative)
    page.get_by_role("button", name="Record progress").click()


# --- Then ----------------------------------------------------------------------------------


def test_progress_is_recorded_from_a_filtered_tracker(page, plan, planner, password):
    # Given a planning manager of NHS Rotherham CCG, signed in, on the published plan
    sign_in(page, planner.username, password)
    page.goto(f"/plans/{plan.pk}/")

    # When they open its delivery tab
    page.get_by_role("navigation", name="Plan sections").get_by_role(
        "link", name="Delivery"
    ).click()

    # Then every commitment and action is listed, the late one flagged, with counts by status
    expect(page.get_by_role("heading", name="Delivery tracker")).to_be_visible()
    tracker = page.get_by_role("table", name="Delivery tracker of Delivery Plan 2013/14")
    teams = tracker.get_by_role("row", name=re.compile("Set up integrated locality teams"))
    expect(teams).to_contain_text("Overdue")
    expect(teams).to_contain_text("On track (green)")
    expect(page.locator("#tracker-summary")).to_contain_text("2 commitments and 3 actions")
    expect(page.locator("#tracker-summary")).to_contain_text("1 overdue")
    expect(counts_of(page, "Older people")).to_have_text(["1", "1", "0", "0", "0", "2"])
    assert_accessible(page)

    # When they filter it to the overdue actions of the older people priority
    page.get_by_label("Priority").select_option(label="Older people")
    page.get_by_label("Overdue actions only").check()
    page.get_by_role("button", name="Apply filters").click()

    # Then only the overdue action is left
    expect(page).to_have_url(re.compile(r"/delivery/\?priority=\d+.*overdue=on"))
    expect(tracker.get_by_role("row")).to_have_count(2)  # the header and one action
    expect(tracker).to_contain_text("Set up integrated locality teams")
    expect(page.get_by_label("Priority")).to_have_value(str(plan.priorities.get(order=1).pk))
    assert_accessible(page)

    # When they open the action and record that it is at risk, reported today
    tracker.get_by_role("link", name="Set up integrated locality teams").click()
    expect(page.get_by_role("heading", name="Set up integrated locality teams")).to_be_visible()
    expect(page.get_by_text("No progress has been recorded yet")).to_be_visible()
    expect(page.get_by_role("textbox", name="Day")).to_have_value("15")
    expect(page.get_by_role("textbox", name="Year")).to_have_value("2013")
    assert_accessible(page)
    record(page, "At risk", "Two social worker posts are still vacant.")

    # Then they are back on the filtered tracker: still overdue, now at risk, counts changed
    expect(page).to_have_url(re.compile(r"/delivery/\?priority=\d+&overdue=on#action-\d+$"))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Progress recorded: at risk as of 15 November 2013."
    )
    expect(teams).to_contain_text("At risk (amber)")
    expect(teams).to_contain_text("Overdue")
    expect(teams).to_contain_text("Two social worker posts are still vacant.")
    expect(counts_of(page, "Older people")).to_have_text(["0", "0", "1", "0", "0", "1"])
    page.screenshot(path="/tmp/delivery-tracker.png", full_page=True)
    assert_accessible(page)

    # When they record that it is complete
    tracker.get_by_role("link", name="Set up integrated locality teams").click()
    expect(page.get_by_role("table", name="Progress updates, latest first")).to_contain_text(
        "Lydia George"
    )
    assert_accessible(page)
    record(page, "Complete", "All four locality teams are in place.")

    # Then it is no longer overdue, so the overdue filter leaves nothing, and the counts say so
    expect(page.get_by_text("No commitments or actions match these filters.")).to_be_visible()
    expect(counts_of(page, "Older people")).to_have_text(["0", "0", "0", "0", "0", "0"])
    assert_accessible(page)
    page.get_by_role("link", name="Clear filters").click()
    expect(teams).to_contain_text("Complete (blue)")
    expect(teams).not_to_contain_text("Overdue")
    expect(page.locator("#tracker-summary")).not_to_contain_text("overdue")
    assert_accessible(page)
    assert ProgressUpdate.objects.filter(plan=plan).count() == 2


def test_refusals_and_errors_are_explained(page, plan, planner, ccg, password):
    # Given a governing body member, signed in
    member = user_with_role(Role.GOVERNING_BODY, ccg)
    sign_in(page, member.username, password)

    # When they open an action's progress
    page.goto(f"/plans/{plan.pk}/delivery/")
    page.get_by_role("link", name="Open a memory assessment clinic").click()

    # Then they read it, and are told who records progress
    expect(
        page.get_by_text("Only planning managers of Rotherham can record progress.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Record progress")).to_have_count(0)
    assert_accessible(page)

    # Given the planning manager instead, who sends the form empty
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, planner.username, password)
    page.goto(f"/plans/{plan.pk}/delivery/")
    page.get_by_role("link", name="Open a memory assessment clinic").click()
    page.get_by_role("button", name="Record progress").click()

    # Then the error summary links to each problem
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose the delivery status")
    expect(summary).to_contain_text("Say what has happened since the last update")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
