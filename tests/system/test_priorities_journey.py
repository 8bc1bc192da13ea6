"""A plan's priorities in a real browser: a planning manager adds a priority, a "We will ..."
commitment and two actions (one due on a date, one in a quarter) with the inline forms,
reorders the actions, and reads the plan on a page, on screen and as printed.

Each step reads Given / When / Then, and runs axe on every page (and every state of it) it
visits.
"""

import re

import pytest
from playwright.sync_api import expect

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services
from priorities.models import Action, PriorityArea
from tests.factories import LocalityFactory, user_with_role
from tests.system.axe import assert_accessible

pytestmark = pytest.mark.browser


# --- Given ---------------------------------------------------------------------------------


@pytest.fixture
def planner(ccg):
    return user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")


@pytest.fixture
def draft(ccg, planner):
    """Rotherham's 2015-19 plan in draft, with its mission, a context section and a principle;
    the CCG has a locality."""
    LocalityFactory(ccg=ccg, name="Rotherham Central", code="RC")
    plan = services.create_plan(
        user=planner,
        ccg=ccg,
        kind="strategic-plan",
        title="Commissioning Plan 2015-19",
        first_year=FinancialYear(2015),
        last_year=FinancialYear(2018),
        mission="Better health and care for the people of Rotherham",
    )
    services.add_section(
        plan, user=planner, title="Context", body="The CCG serves a population of 258,400 people."
    )
    services.add_statement(
        plan,
        user=planner,
        kind="principle",
        group="Core commissioning principles",
        title="Integration",
        text="promoting Integration",
    )
    return plan


# --- When ----------------------------------------------------------------------------------


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))


def tab(page, name: str):
    return page.get_by_role("navigation", name="Plan sections").get_by_role("link", name=name)


# --- Then ----------------------------------------------------------------------------------


def test_a_priority_with_a_commitment_and_actions(page, draft, planner, password):
    # Given a planning manager signed in, on the draft plan's priorities tab
    sign_in(page, planner.username, password)
    page.goto(f"/plans/{draft.pk}/")
    tab(page, "Priorities").click()
    expect(page.get_by_text("This plan has no priorities yet.")).to_be_visible()
    assert_accessible(page)

    # When they add a priority with the inline form
    page.get_by_role("link", name="Add a priority").click()
    editor = page.locator("#priority-new")
    expect(editor.get_by_role("heading", name="Add a priority")).to_be_visible()
    assert "/priorities/new/" not in page.url  # the form opened in place
    assert_accessible(page)
    editor.get_by_role("button", name="Add priority").click()

    # Then a missing title is explained in the form, with an error summary
    expect(editor.locator(".nhsuk-error-summary")).to_contain_text("Enter the priority's title")
    assert_accessible(page)

    # When they give it a title, objective and end state
    editor.get_by_role("textbox", name="Title").fill("Mental Health")
    editor.get_by_role("textbox", name="Objective").fill("Improve mental health wellbeing")
    editor.get_by_role("textbox", name="End state or vision").fill(
        "People can access mental health support when and where they need it"
    )
    editor.get_by_role("button", name="Add priority").click()

    # Then the priority is on the tab, and the live region says so
    priority = page.get_by_role("region", name="Mental Health")
    expect(priority).to_contain_text("Improve mental health wellbeing")
    expect(page.locator("#priorities-status")).to_contain_text("Priority added: Mental Health.")
    assert_accessible(page)

    # When they add a commitment for a locality
    priority.get_by_role("link", name="Add a commitment").click()
    form = priority.locator(".app-inline-editor")
    form.get_by_role("textbox", name="We will").fill(
        "We will substantially improve services and support for people with dementia"
    )
    form.get_by_role("textbox", name="Lead").fill("Head of Mental Health Commissioning")
    form.get_by_label("Locality (optional)").select_option(label="Rotherham Central")
    assert_accessible(page)
    form.get_by_role("button", name="Add commitment").click()

    # Then it is listed under the priority, not started yet
    commitment = priority.locator(".app-commitment").first
    expect(commitment).to_contain_text("support for people with dementia")
    expect(commitment).to_contain_text("Locality: Rotherham Central")
    expect(commitment.locator(".app-rag").first).to_contain_text("Not started")

    # When they add an action due on a date
    commitment.get_by_role("link", name="Add an action").click()
    form = commitment.locator(".app-inline-editor")
    form.get_by_role("textbox", name="Action").fill("Review Memory Assessment Services")
    form.get_by_role("textbox", name="Lead").fill("Dementia lead")
    dates = form.get_by_role("group", name="Due date (optional)")
    dates.get_by_label("Day").fill("30")
    dates.get_by_label("Month").fill("9")
    dates.get_by_label("Year").fill("2015")
    assert_accessible(page)
    form.get_by_role("button", name="Add action").click()
    expect(commitment).to_contain_text("Due: 30 September 2015")

    # ... and another due in a quarter
    commitment.get_by_role("link", name="Add an action").click()
    form = commitment.locator(".app-inline-editor")
    form.get_by_role("textbox", name="Action").fill("Increase the dementia diagnosis rate")
    form.get_by_label("Or the quarter it is due (optional)").select_option(label="Q3 2015/16")
    form.get_by_role("button", name="Add action").click()

    # Then both actions are listed in the order added, with their due date and quarter
    actions = commitment.locator(".app-plan-action")
    expect(actions).to_have_count(2)
    expect(actions.nth(0)).to_contain_text("Review Memory Assessment Services")
    expect(actions.nth(1)).to_contain_text("Due: Q3 2015/16")
    page.screenshot(path="/tmp/priorities-tab.png", full_page=True)
    assert_accessible(page)

    # When they move the second action up
    actions.nth(1).get_by_role("button", name="Move up").click()

    # Then it comes first, on the page and in the plan
    expect(actions.nth(0)).to_contain_text("Increase the dementia diagnosis rate")
    expect(page.locator("#priorities-status")).to_contain_text("Action moved up")
    assert_accessible(page)
    saved = PriorityArea.objects.get(plan=draft)
    texts = list(
        Action.objects.filter(commitment__priority=saved)
        .order_by("order")
        .values_list("text", "due_precision")
    )
    assert texts == [
        ("Increase the dementia diagnosis rate", "quarter"),
        ("Review Memory Assessment Services", "date"),
    ]

    # And a reload shows the same page without JavaScript's help
    page.reload()
    actions = page.locator(".app-plan-action")
    expect(actions.nth(0)).to_contain_text("Increase the dementia diagnosis rate")
    assert_accessible(page)

    # When they open the plan on a page
    tab(page, "On a page").click()

    # Then the mission, the priority with this year's delivery and its end state, the context
    # and the principles are on one page
    expect(page.get_by_role("heading", name="Plan on a page")).to_be_visible()
    expect(page.get_by_text("Better health and care for the people of Rotherham")).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Priorities, their delivery"))
    expect(table).to_contain_text("Mental Health")
    expect(table).to_contain_text("support for people with dementia")
    expect(table).to_contain_text("Not started")
    expect(table).to_contain_text("People can access mental health support")
    expect(page.get_by_role("region", name="Context")).to_contain_text("258,400")
    expect(page.get_by_role("region", name="Principles")).to_contain_text("Integration")
    page.screenshot(path="/tmp/plan-on-a-page.png", full_page=True)
    assert_accessible(page)

    # And printed, it is the plan on a page alone: no header, tabs or footer
    page.emulate_media(media="print")
    expect(page.locator(".app-tabs")).to_be_hidden()
    expect(page.locator("header.nhsuk-header")).to_be_hidden()
    expect(page.locator(".app-on-a-page__title")).to_contain_text("Commissioning Plan 2015-19")
    expect(page.locator(".app-rag__colour").first).to_be_visible()
    page.screenshot(path="/tmp/plan-on-a-page-print.png", full_page=True)
    page.emulate_media(media="screen")
