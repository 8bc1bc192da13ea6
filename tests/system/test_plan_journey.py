"""A plan's journey in a real browser: a planning manager writes a section (previewing it
first), saves it and submits the plan; a governing body member approves it.

Each test reads Given / When / Then, and runs axe on every page it visits.
"""

import re

import pytest
from playwright.sync_api import expect

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services
from plans.models import Plan
from tests.factories import user_with_role
from tests.system.axe import assert_accessible

pytestmark = pytest.mark.browser


# --- Given ---------------------------------------------------------------------------------


@pytest.fixture
def planner(ccg):
    return user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")


@pytest.fixture
def board_member(ccg):
    return user_with_role(Role.GOVERNING_BODY, ccg, first_name="Julie", last_name="Kitlowski")


@pytest.fixture
def draft(ccg, planner):
    """Rotherham's 2015-19 plan in draft, with its vision and one strategic aim."""
    plan = services.create_plan(
        user=planner,
        ccg=ccg,
        kind="strategic-plan",
        title="Commissioning Plan 2015-19",
        first_year=FinancialYear(2015),
        last_year=FinancialYear(2018),
        vision="Better health and care for the people of Rotherham",
    )
    services.add_statement(plan, user=planner, kind="aim", title="Mental Health",
                           text="Deliver the adult and CAMHS transformation plans")  # fmt: skip
    return plan


# --- When ----------------------------------------------------------------------------------


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_title("Sign in – Commissioning plans")


# --- Then ----------------------------------------------------------------------------------


def test_a_section_is_written_submitted_and_approved(page, draft, planner, board_member, password):
    # Given a planning manager of NHS Rotherham CCG, signed in, on the CCG's plans
    sign_in(page, planner.username, password)
    page.goto("/ccgs/03L/plans/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Plans")
    expect(page.get_by_role("button", name="Create a plan")).to_be_visible()
    assert_accessible(page)

    # When they open the draft plan
    page.get_by_role("link", name="Commissioning Plan 2015-19").click()

    # Then the overview shows its details, and why it cannot be submitted yet
    expect(page.get_by_role("heading", level=1)).to_have_text("Commissioning Plan 2015-19")
    expect(page.locator(".app-plan-status")).to_contain_text("Draft 1")
    expect(page.get_by_text("Deliver the adult and CAMHS transformation plans")).to_be_visible()
    lifecycle = page.get_by_role("region", name="What happens next")
    expect(lifecycle).to_contain_text("Add at least one section before submitting the plan.")
    expect(lifecycle.get_by_role("button", name="Open consultation")).to_be_visible()
    assert_accessible(page)

    # When they go to the sections tab and add a section
    page.get_by_role("navigation", name="Plan sections").get_by_role(
        "link", name="Sections"
    ).click()
    expect(page.get_by_text("This plan has no sections yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add a section").click()
    expect(page.get_by_role("heading", name="Add a section")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("textbox", name="Title").fill("Joint commissioning with RMBC")
    page.get_by_role("textbox", name="Text").fill(
        "## Better Care Fund\n\nIn 2016-17 we will:\n\n"
        "- review the current **Better Care Fund** initiatives\n"
        "- explore joint commissioning for children"
    )

    # ... and preview it
    page.get_by_role("button", name="Preview").click()

    # Then the preview shows the text as it will read, and nothing is saved yet
    preview = page.get_by_role("region", name="Preview of the text (not saved)")
    expect(preview.get_by_role("heading", name="Better Care Fund")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("Better Care Fund")
    expect(page.get_by_role("textbox", name="Text")).to_have_value(
        re.compile(r"explore joint commissioning")
    )
    assert not draft.sections.exists()
    page.screenshot(path="/tmp/plan-section-preview.png", full_page=True)
    assert_accessible(page)

    # When they save it
    page.get_by_role("button", name="Save section").click()

    # Then the sections tab shows it rendered, with a success message
    expect(page).to_have_url(re.compile(r"/plans/\d+/sections/#section-\d+$"))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Section saved: Joint commissioning with RMBC."
    )
    section = page.get_by_role("region", name="Joint commissioning with RMBC")
    expect(section.get_by_role("listitem").first).to_contain_text(
        "review the current Better Care Fund initiatives"
    )
    assert_accessible(page)

    # When they submit the plan to the governing body, with a note
    page.get_by_role("navigation", name="Plan sections").get_by_role(
        "link", name="Overview"
    ).click()
    page.get_by_role("button", name="Submit to the governing body").click()
    expect(page.get_by_role("heading", name="Submit to the governing body")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Note (optional)").fill("For sign-off in February")
    page.get_by_role("button", name="Submit to the governing body").click()

    # Then the plan is submitted, and the governing body's approval is explained, not offered
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "The plan is now submitted to the governing body"
    )
    expect(page.locator(".app-plan-status")).to_contain_text("Submitted to the governing body")
    expect(
        page.get_by_text("Only governing body members of Rotherham can approve.")
    ).to_be_visible()
    page.screenshot(path="/tmp/plan-submitted.png", full_page=True)
    assert_accessible(page)
    sign_out(page)

    # Given a governing body member of the CCG, signed in
    sign_in(page, board_member.username, password)

    # When they open the plan and approve it
    page.goto(f"/plans/{draft.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Commissioning Plan 2015-19")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("heading", name="Approve")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Approve").click()

    # Then the plan is approved, and its versions record both moves
    expect(page.locator(".app-plan-status")).to_contain_text("Approved")
    expect(page.locator(".app-plan-status")).to_contain_text("Final")
    assert_accessible(page)
    page.get_by_role("navigation", name="Plan sections").get_by_role(
        "link", name="Versions"
    ).click()
    versions = page.get_by_role("table", name="Versions")
    expect(versions).to_contain_text("For sign-off in February")
    expect(versions).to_contain_text("Lydia George")
    expect(versions).to_contain_text("Julie Kitlowski")
    assert_accessible(page)
    assert Plan.objects.get(pk=draft.pk).state == "approved"


def test_a_conflicting_save_shows_both_versions(page, draft, planner, ccg, password):
    # Given a section a colleague saves while the planning manager is editing it
    section = services.add_section(draft, user=planner, title="Primary Care", body="First text")
    colleague = user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Ian", last_name="Atkinson")
    sign_in(page, planner.username, password)
    page.goto(f"/plans/{draft.pk}/sections/{section.pk}/edit/")
    page.get_by_role("textbox", name="Text").fill("My text")
    services.update_section(section, user=colleague, expected_revision=1, body="Their text")

    # When the planning manager saves
    page.get_by_role("button", name="Save section").click()

    # Then both versions are on the page, theirs saved and mine still in the form
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Someone else saved this section")
    expect(
        page.get_by_role("heading", name=re.compile("Their version .saved by Ian Atkinson"))
    ).to_be_visible()
    expect(page.locator(".app-conflict__theirs")).to_contain_text("Their text")
    expect(page.get_by_role("textbox", name="Text")).to_have_value("My text")
    page.screenshot(path="/tmp/plan-section-conflict.png", full_page=True)
    assert_accessible(page)

    # When they save again, knowingly
    page.get_by_role("button", name="Save section").click()

    # Then their text replaces the colleague's
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Section saved")
    section.refresh_from_db()
    assert section.body == "My text"


def test_scrutiny_reads_what_a_refresh_changes(page, draft, planner, board_member, ccg, password):
    # Given the published 2015-19 plan and its 2016/17 refresh with one area rewritten
    services.add_section(
        draft,
        user=planner,
        title="Joint commissioning with RMBC",
        body="In 2015-16 we will consolidate the Better Care Fund plan",
    )
    services.transition(draft, user=planner, to="submitted")
    services.transition(draft, user=board_member, to="approved")
    services.transition(draft, user=board_member, to="published")
    refresh = services.start_refresh(draft, user=planner)
    area = refresh.sections.get()
    services.update_section(area, user=planner, expected_revision=area.revision,
                            body="Review the current Better Care Fund initiatives")  # fmt: skip
    scrutiny = user_with_role(Role.SCRUTINY, ccg)
    sign_in(page, planner.username, password)

    # When the planning manager compares the refresh with the plan it refreshes
    page.goto(f"/plans/{refresh.pk}/")
    page.get_by_role("link", name="Compare with the plan it refreshes").click()

    # Then the changed words are marked, for sight and for screen readers
    expect(page.get_by_role("table", name="Summary of changes")).to_contain_text("Sections")
    expect(page.locator(".app-diff__text del").first).to_contain_text("removed:")
    expect(page.locator(".app-diff__text ins").first).to_contain_text("added:")
    page.screenshot(path="/tmp/plan-diff.png", full_page=True)
    assert_accessible(page)

    # When they switch to the table the scrutiny committee reads
    page.get_by_role("link", name="Table: current plan beside proposed").click()

    # Then each area's current text stands beside what is proposed for 2016/17
    table = page.get_by_role("table", name="Sections")
    expect(table.get_by_role("columnheader", name="Current plan states")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Proposed for 2016/17")).to_be_visible()
    expect(table).to_contain_text("consolidate the Better Care Fund plan")
    expect(table).to_contain_text("Review the current Better Care Fund initiatives")
    page.screenshot(path="/tmp/plan-diff-table.png", full_page=True)
    assert_accessible(page)

    # And the history tab records who changed the area
    page.get_by_role("navigation", name="Plan sections").get_by_role("link", name="History").click()
    expect(page.get_by_role("table", name="History")).to_contain_text("Lydia George")
    assert_accessible(page)
    sign_out(page)

    # Given a scrutiny member: the published plan is theirs to read, its drafts are not
    sign_in(page, scrutiny.username, password)
    page.goto(f"/plans/{draft.pk}/versions/")
    expect(page.get_by_role("table", name="Versions")).to_contain_text("Published")
    assert_accessible(page)
