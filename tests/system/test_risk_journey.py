"""The risk register in a real browser: a planning manager opens Rotherham's register and its
heat map, reviews the QIPP risk (its current score falls from 16 to 8) and sees the heat map
move it; then the other risk pages and forms, each checked by axe.

Reads Given / When / Then, and runs axe on every page it visits.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from commissioning.access import Role
from governance import services_risks as services
from tests.factories import user_with_role
from tests.governance.test_risk_services import make_committee, make_risk
from tests.system.axe import assert_accessible
from tests.system.test_plan_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def planner(ccg):
    return user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")


@pytest.fixture
def register(ccg):
    """Rotherham's register: the QIPP risk at 16 (extreme) and an overdue urgent care risk."""
    services.ensure_default_bands()
    audit = make_committee(ccg, "Audit committee")
    qipp = make_risk(ccg, title="QIPP savings not delivered", current=(4, 4), target=(2, 3),
                     owner="Chief Finance Officer", committee=audit,
                     strategic_objective="Deliver financial balance",
                     key_controls="Monthly QIPP monitoring",
                     internal_assurance="Finance reports", external_assurance="External audit",
                     added_on=dt.date.today() - dt.timedelta(days=90))  # fmt: skip
    services.add_risk_action(qipp, user=None, text="Agree recovery plan", owner="CFO")
    make_risk(ccg, title="A&E 4-hour standard missed", current=(3, 3), target=(2, 2),
              strategic_objective="Improve urgent care",
              next_review_on=dt.date.today() - dt.timedelta(days=7))  # fmt: skip
    return qipp


def heat_cell(page, stage, likelihood, consequence):
    return page.locator(f"#{stage}-{likelihood}-{consequence}")


def test_a_planning_manager_reviews_a_risk_and_the_heat_map_moves(page, register, planner,
                                                                   password):  # fmt: skip
    # Given a planning manager of NHS Rotherham CCG, signed in, on the CCG's overview
    sign_in(page, planner.username, password)
    page.goto("/ccgs/03L/")

    # When they open the risk register
    page.get_by_role("link", name="Risks", exact=True).click()

    # Then the register lists the open risks, highest current score first, bands in words
    expect(page.get_by_role("heading", level=1)).to_contain_text("Risk register")
    rows = page.locator("table.app-risk-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("R01 QIPP savings not delivered")
    expect(rows.first.locator(".app-risk-current")).to_contain_text("16 Extreme")
    expect(rows.nth(1)).to_contain_text("Review overdue")
    assert_accessible(page)

    # When they open the heat map
    page.get_by_role("link", name="Heat map").click()

    # Then the QIPP risk sits at likelihood 4 × consequence 4 on the current matrix
    expect(heat_cell(page, "current", 4, 4)).to_contain_text("1")
    expect(heat_cell(page, "current", 4, 4)).to_contain_text("Extreme")
    expect(heat_cell(page, "current", 2, 4)).to_have_attribute("data-count", "0")
    expect(heat_cell(page, "target", 2, 3)).to_have_attribute("data-count", "1")
    assert_accessible(page)

    # When they follow the cell's count to the register and open the risk
    heat_cell(page, "current", 4, 4).get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"likelihood=4&consequence=4&scores=current$"))
    expect(page.locator("table.app-risk-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="R01 QIPP savings not delivered").click()

    # Then the risk page shows its scores, actions and history
    expect(page.get_by_role("heading", level=1)).to_contain_text("R01 QIPP savings not delivered")
    expect(page.locator("#score-current")).to_contain_text("4 – Likely")
    expect(page.locator("#actions")).to_be_visible()
    expect(page.get_by_role("cell", name="Agree recovery plan", exact=True)).to_be_visible()
    assert_accessible(page)

    # When they review it: less likely now that the recovery plan is agreed
    page.get_by_role("button", name="Review this risk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review this risk")
    assert_accessible(page)
    page.get_by_label("2 – Unlikely").check()
    page.get_by_label("4 – Major").check()
    page.get_by_label("What the review found (optional)").fill("Recovery plan agreed")
    page.get_by_role("button", name="Record review").click()

    # Then the new score is confirmed and joins the history
    expect(page.get_by_text("Review recorded: R01 now scores 8 (High).")).to_be_visible()
    history = page.locator("table.app-risk-history tbody tr")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("8 High")
    expect(history.first).to_contain_text("Recovery plan agreed")
    expect(page.get_by_role("img", name=re.compile("Current score of R01"))).to_be_visible()
    assert_accessible(page)

    # When they open the heat map again
    page.goto("/ccgs/03L/risks/heat-map/")

    # Then the risk has moved from 4 × 4 to 2 × 4
    expect(heat_cell(page, "current", 4, 4)).to_have_attribute("data-count", "0")
    expect(heat_cell(page, "current", 2, 4)).to_have_attribute("data-count", "1")
    expect(heat_cell(page, "current", 2, 4)).to_contain_text("High")
    assert_accessible(page)

    # And it is no longer escalated to the governing body
    page.get_by_role("link", name="Escalated to the governing body").click()
    expect(page.get_by_text("No open risk scores 15 or more.")).to_be_visible()
    assert_accessible(page)


def test_the_other_risk_pages_and_forms_are_accessible(page, register, planner, password):
    # Given a planning manager, signed in
    sign_in(page, planner.username, password)

    # When they open the assurance framework
    page.goto("/ccgs/03L/risks/assurance-framework/")
    # Then risks are grouped by strategic objective, with controls and assurances
    expect(page.get_by_role("heading", level=2, name="Deliver financial balance")).to_be_visible()
    expect(page.get_by_text("Monthly QIPP monitoring")).to_be_visible()
    assert_accessible(page)

    # When they open the overdue reviews
    page.goto("/ccgs/03L/risks/overdue-reviews/")
    expect(page.locator("table.app-risk-table tbody tr")).to_have_count(1)
    expect(page.get_by_text("7 days overdue")).to_be_visible()
    assert_accessible(page)

    # When they add a risk, leaving out its scores first
    page.goto("/ccgs/03L/risks/new/")
    assert_accessible(page)
    page.get_by_label("Risk", exact=True).fill("Continuing healthcare costs rise")
    page.get_by_role("button", name="Add risk").click()
    # Then the error summary names each missing score, and links to it
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose the current likelihood")
    assert_accessible(page)
    for legend in ("Inherent", "Current", "Target"):
        page.get_by_role("group", name=f"{legend} likelihood").get_by_label("3 – Possible").check()
        page.get_by_role("group", name=f"{legend} consequence").get_by_label("3 – Moderate").check()
    page.get_by_role("button", name="Add risk").click()
    expect(page.get_by_text("Risk added: R03 Continuing healthcare costs rise.")).to_be_visible()

    # When they add an action to it, then change its details
    page.get_by_role("button", name="Add an action").click()
    assert_accessible(page)
    page.get_by_label("Action", exact=True).fill("Review packages of care")
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_role("cell", name="Review packages of care", exact=True)).to_be_visible()
    page.get_by_role("button", name="Change details").click()
    assert_accessible(page)

    # When they go to close it
    page.goto(page.url.replace("/edit/", "/close/"))
    assert_accessible(page)
    page.get_by_role("button", name="Close risk").click()
    expect(page.get_by_text("Risk closed: R03.")).to_be_visible()
    expect(page.get_by_role("button", name="Reopen this risk")).to_be_visible()
    assert_accessible(page)
