"""Consultation in a real browser: a planning manager opens consultation and invites a
scrutiny member, who comments on a section; the planning manager responds.

Each step reads Given / When / Then, and runs axe on every page it visits.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services
from plans.models import ConsultationComment, PlanState
from tests.factories import PartnerFactory, user_with_role
from tests.system.axe import assert_accessible

pytestmark = pytest.mark.browser


# --- Given ---------------------------------------------------------------------------------


@pytest.fixture
def cast(ccg):
    planner = user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Sam", last_name="Ward")
    member = user_with_role(
        Role.SCRUTINY, ccg, username="pitchley", first_name="Cllr", last_name="Pitchley"
    )
    PartnerFactory(ccg=ccg, name="Rotherham Health Select Commission", kind="scrutiny-committee")
    plan = services.create_plan(
        user=planner,
        ccg=ccg,
        kind="strategic-plan",
        title="Commissioning Plan 2015-19",
        first_year=FinancialYear(2015),
        last_year=FinancialYear(2018),
    )
    services.add_section(plan, user=planner, title="Primary Care", body="Invest in GP access.")
    services.add_section(plan, user=planner, title="Mental Health", body="IAPT recovery 50%.")
    return {"planner": planner, "member": member, "plan": plan}


# --- When ----------------------------------------------------------------------------------


def sign_in(page, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner")).to_contain_text("Sign out")


def fill_date(page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


# --- Then ----------------------------------------------------------------------------------


def test_consultation_from_invitation_to_response(page, cast, password):
    plan, today = cast["plan"], timezone.localdate()
    closes = today + dt.timedelta(days=30)

    # Given a planning manager signed in, on the draft plan's consultation tab
    sign_in(page, cast["planner"].username, password)
    page.goto(f"/plans/{plan.pk}/consultation/")
    expect(page.get_by_role("heading", level=2, name="Consultation")).to_be_visible()
    expect(page.get_by_text("This plan has not been out for consultation yet.")).to_be_visible()
    assert_accessible(page)

    # When they open consultation with a closing date before the opening date
    page.get_by_role("button", name="Open consultation").click()
    expect(page.get_by_role("heading", name="Open consultation")).to_be_visible()
    assert_accessible(page)
    fill_date(page, "Opens on", today)
    fill_date(page, "Closes on", today - dt.timedelta(days=1))
    page.get_by_role("button", name="Open consultation").click()

    # Then the error summary explains and links to the closing date
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The closing date must be on or after the opening date")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.get_by_role("group", name="Closes on").get_by_label("Day")).to_be_focused()

    # When they correct it and invite the scrutiny member
    fill_date(page, "Closes on", closes)
    page.get_by_label("Purpose (optional)").fill("Views on the draft plan")
    page.get_by_label("Cllr Pitchley (pitchley)").check()
    page.get_by_label("Rotherham Health Select Commission").check()
    page.get_by_role("button", name="Open consultation").click()

    # Then the plan is in consultation, open today, with the member listed as invited
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Consultation opened."
    )
    expect(page.get_by_text("Open today")).to_be_visible()
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Cllr Pitchley (pitchley)")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Scrutiny member")
    plan.refresh_from_db()
    assert plan.state == PlanState.CONSULTATION
    assert_accessible(page)

    # Given the scrutiny member signed in
    sign_in(page, cast["member"].username, password)

    # When they comment on the Mental Health section
    page.goto(f"/plans/{plan.pk}/consultation/")
    assert_accessible(page)
    page.get_by_role("button", name="Add a comment").click()
    expect(page.get_by_role("heading", name="Comment on this plan")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What is your comment about?").select_option(label="Section: Mental Health")
    page.get_by_label("Comment", exact=True).fill("Please include children's mental health.")
    page.get_by_role("button", name="Add comment").click()

    # Then their comment is listed under the section, awaiting a response
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Your comment has been added."
    )
    group = page.locator("section.app-comment-group", has_text="Section: Mental Health")
    expect(group).to_contain_text("Please include children's mental health.")
    expect(group).to_contain_text("Awaiting response")
    expect(page.get_by_role("link", name=re.compile("^Respond"))).to_have_count(0)
    assert_accessible(page)

    # Given the planning manager signed in again
    sign_in(page, cast["planner"].username, password)
    page.goto(f"/plans/{plan.pk}/consultation/")

    # When they respond "partly accepted" without a reason
    page.get_by_role("link", name=re.compile("^Respond to the comment from Cllr Pitchley")).click()
    expect(page.get_by_role("heading", name="Respond to a comment")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Response", exact=True).fill("We will add a section on CAMHS.")
    page.get_by_label("Partly accepted").check()
    page.get_by_role("button", name="Save response").click()

    # Then they are asked for the reason
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Give the reason the comment is partly accepted"
    )
    assert_accessible(page)

    # When they give it
    page.get_by_label("Reason").fill("The CAMHS budget is agreed only for 2016/17.")
    page.get_by_role("button", name="Save response").click()

    # Then the comment shows the response, the outcome and the reason
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Response saved")
    comment = page.locator("article.app-comment")
    expect(comment).to_contain_text("Partly accepted")
    expect(comment).to_contain_text("We will add a section on CAMHS.")
    expect(comment).to_contain_text("The CAMHS budget is agreed only for 2016/17.")
    expect(comment).to_contain_text("Sam Ward")
    assert_accessible(page)
    saved = ConsultationComment.objects.get()
    assert (saved.outcome, saved.target_label) == ("partly-accepted", "Mental Health")
