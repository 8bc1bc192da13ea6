"""NHS England assurance in a real browser: an assurer records Rotherham's Q1 2013/14
checkpoint, its scorecard, a finding and an agreed action; a planning manager of the CCG then
reads it, with the overdue action flagged. Reads Given / When / Then; axe on every page.
"""

import re

import pytest
from playwright.sync_api import expect

from commissioning.access import Role
from tests.factories import user_with_role
from tests.system.axe import assert_accessible
from tests.system.test_plan_journey import sign_in, sign_out

pytestmark = pytest.mark.browser


def test_an_assurer_records_a_checkpoint_and_the_ccg_reads_it(page, ccg, password):
    assurer = user_with_role(Role.ASSURER, first_name="Eleri", last_name="De Gilbert")
    planner = user_with_role(Role.PLANNING_MANAGER, ccg)

    # Given an NHS England assurer, signed in, on Rotherham's assurance page
    sign_in(page, assurer.username, password)
    page.goto("/ccgs/03L/")
    page.get_by_role("link", name="NHS England assurance").click()
    expect(page.get_by_text("No assurance checkpoints are recorded")).to_be_visible()
    assert_accessible(page)

    # When they record the Q1 2013/14 checkpoint (first without a year: the form says so)
    page.get_by_role("button", name="Record a checkpoint").click()
    assert_accessible(page)
    page.get_by_role("button", name="Record checkpoint").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the financial year")
    assert_accessible(page)
    page.get_by_label("Financial year").fill("2013/14")
    page.get_by_label("Quarter 1").check()
    page.get_by_label("Day").first.fill("2")
    page.get_by_label("Month").first.fill("9")
    page.get_by_label("Year", exact=True).first.fill("2013")
    page.get_by_label("Assessor (optional)").fill("South Yorkshire and Bassetlaw Area Team")
    page.get_by_label("Not rated (or not stated)").check()
    page.get_by_role("button", name="Record checkpoint").click()

    # Then the checkpoint page shows it
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Quarter 1 2013/14 assurance checkpoint"
    )
    expect(page.get_by_text("Checkpoint recorded: Q1 2013/14 checkpoint.")).to_be_visible()
    assert_accessible(page)

    # When they add a scorecard result, a finding and an agreed action
    page.get_by_role("link", name="Add a scorecard result").click()
    assert_accessible(page)
    page.get_by_label("Metric").fill("A&E – 4 Hour Target")
    page.get_by_label("Target (optional)").fill("95%")
    page.get_by_label("Result (optional)").fill("Not achieved in quarter 1")
    page.get_by_label("Not met").check()
    page.get_by_role("button", name="Add").click()
    page.get_by_role("link", name="Add a finding").click()
    page.get_by_label("Area").fill("QIPP")
    page.get_by_label("Finding").fill("On target to achieve the 4 QIPP workstream areas.")
    page.get_by_role("button", name="Add").click()
    page.get_by_role("link", name="Add an agreed action").click()
    assert_accessible(page)
    page.get_by_label("Action").fill("Publish the balanced scorecard and supporting narrative")
    page.get_by_label("Owner (optional)").fill("Rotherham CCG")
    page.locator("#due_on-day").fill("18")
    page.locator("#due_on-month").fill("10")
    page.locator("#due_on-year").fill("2013")
    page.get_by_role("button", name="Add").click()
    expect(page).to_have_url(re.compile(r"/ccgs/03L/assurance/\d+/#actions$"))
    assert_accessible(page)
    sign_out(page)

    # Then a planning manager of the CCG reads it, the past action flagged overdue, no forms
    sign_in(page, planner.username, password)
    page.goto("/ccgs/03L/assurance/")
    expect(page.get_by_role("cell", name="0 of 1 target met")).to_be_visible()
    page.get_by_role("link", name="Quarter 1").click()
    scorecard = page.get_by_role("table", name=re.compile("Balanced scorecard"))
    expect(scorecard.get_by_role("row", name=re.compile("A&E – 4 Hour Target"))).to_contain_text(
        "Not met"
    )
    expect(page.get_by_role("heading", name="QIPP", level=3)).to_be_visible()
    actions = page.get_by_role("table", name=re.compile("Agreed actions"))
    expect(actions).to_contain_text("Overdue")
    expect(page.get_by_role("link", name="Add a finding")).to_have_count(0)
    assert_accessible(page)
