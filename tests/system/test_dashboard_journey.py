"""The governing body dashboard in a real browser: a governing body member opens Rotherham's
dashboard before a meeting, looks back at the end of June 2013, and drills down into the A&E
4-hour standard, its chart, its data table and its providers.

Reads Given / When / Then, and runs axe on every page it visits.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from commissioning.access import Role
from tests.factories import ProviderFactory, user_with_role
from tests.governance.test_dashboard import add_series, make_standard
from tests.plans.factories import PlanFactory
from tests.priorities.factories import ActionFactory, ProgressUpdateFactory
from tests.system.test_plan_journey import sign_in

pytestmark = pytest.mark.browser

# A&E 4-hour performance, April 2012 to March 2014: steady, below 95% in Q1 2013/14.
AE = [95.8, 96.1, 95.4, 96.0, 95.7, 95.2, 94.6, 94.1, 93.8, 94.5, 95.9, 96.3,
      93.2, 94.1, 94.6, 95.9, 96.5, 96.1, 95.8, 95.2, 94.4, 93.9, 94.2, 95.1]  # fmt: skip


@pytest.fixture
def board_member(ccg):
    return user_with_role(Role.GOVERNING_BODY, ccg, first_name="Julie", last_name="Kitlowski")


@pytest.fixture
def performance(ccg):
    """Rotherham's A&E and 52-week figures, by provider too, and a published plan."""
    ae = make_standard(name="A&E attendances seen within 4 hours")
    add_series(ae, ccg, AE)
    trft = ProviderFactory(ods_code="RFR", name="The Rotherham NHS Foundation Trust")
    add_series(ae, ccg, [value - 0.3 for value in AE], provider=trft)
    waits = make_standard("rtt-52-week-waits", name="Patients waiting 52 weeks or more",
                          group="rtt", unit="count", direction="lower",
                          thresholds=((0, dt.date(2012, 4, 1), None),))  # fmt: skip
    add_series(waits, ccg, [0] * 14 + [1, 1] + [0] * 8)
    plan = PlanFactory(ccg=ccg, state="published", title="Commissioning Plan 2013/14",
                       first_year=2013, last_year=2013)  # fmt: skip
    action = ActionFactory(commitment__priority__plan=plan, text="Co-locate the walk-in centre")
    ProgressUpdateFactory(action=action, status="at-risk", reported_on="2013-06-20")
    return ae


def test_a_board_member_reads_the_dashboard_then_a_standard(page, performance, board_member,
                                                           password):  # fmt: skip
    # Given a governing body member of NHS Rotherham CCG, signed in, on the CCG's overview
    sign_in(page, board_member.username, password)
    page.goto("/ccgs/03L/")

    # When they open the governing body dashboard
    page.get_by_role("link", name="Governing body dashboard").click()

    # Then it shows the newest month, each standard with its icons in words and its trend
    expect(page.get_by_role("heading", level=1)).to_contain_text("Governing body dashboard")
    expect(page.locator("#data-up-to")).to_have_text(
        "Data up to March 2014 (from the latest measurement recorded)."
    )
    expect(page.locator("#as-at")).to_contain_text("March 2014")
    ae_row = page.locator("#standard-ae-4-hours")
    expect(ae_row).to_contain_text("95.1%")
    expect(ae_row).to_contain_text("Met")
    expect(ae_row).to_contain_text("Common cause variation")
    expect(ae_row.get_by_role("img", name=re.compile("last 24 values"))).to_be_visible()
    expect(page.locator("#standard-rtt-52-week-waits")).to_contain_text(
        "Special cause variation: improvement (low values)"
    )
    page.screenshot(path="/tmp/dashboard.png", full_page=True)
    assert_accessible_here(page)

    # When they choose the end of June 2013 and show it
    page.get_by_label("Show the figures as they stood at the end of").select_option("2013-06")
    page.get_by_role("button", name="Show this month").click()

    # Then the figures are those of June 2013: A&E below 95%, a 52-week breach, an action at risk
    expect(page).to_have_url(re.compile(r"/ccgs/03L/dashboard/\?month=2013-06$"))
    expect(page.locator("#as-at")).to_contain_text("June 2013")
    expect(ae_row).to_contain_text("94.6%")
    expect(ae_row).to_contain_text("Not met")
    latest_waits = page.locator("#standard-rtt-52-week-waits td").first
    expect(latest_waits).to_have_text(re.compile(r"^\s*1\s*June 2013\s*$"))
    delivery = page.get_by_role("table", name=re.compile("actions in each delivery status"))
    expect(delivery).to_contain_text("Commissioning Plan 2013/14")
    assert_accessible_here(page)

    # When they open the A&E standard
    ae_row.get_by_role("link", name="A&E attendances seen within 4 hours").click()

    # Then its chart, summary, thresholds and providers are shown as at June 2013
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "A&E attendances seen within 4 hours"
    )
    expect(page).to_have_url(re.compile(r"/dashboard/standards/ae-4-hours/\?month=2013-06$"))
    expect(page.get_by_role("img", name=re.compile("A&E attendances seen within 4 hours, "
                                                   "Rotherham"))).to_be_visible()  # fmt: skip
    expect(page.locator("#chart-summary")).to_contain_text("15 points from Apr 2012 to Jun 2013")
    expect(page.locator("#provider-RFR")).to_contain_text("The Rotherham NHS Foundation Trust")
    assert_accessible_here(page)

    # When they open the chart's data as a table
    page.get_by_text("The chart's data as a table (15 points)").click()

    # Then every point is a row, with its special cause rules in words
    table = page.get_by_role("table", name=re.compile("data$"))
    expect(table.get_by_role("row")).to_have_count(16)
    expect(table).to_contain_text("Jun 2013")
    page.screenshot(path="/tmp/dashboard-standard.png", full_page=True)
    assert_accessible_here(page)

    # When they go back to the dashboard
    page.get_by_role("link", name="Back to the dashboard").click()

    # Then it still shows June 2013
    expect(page).to_have_url(re.compile(r"/ccgs/03L/dashboard/\?month=2013-06$"))
    expect(page.locator("#as-at")).to_contain_text("June 2013")


def assert_accessible_here(page):
    from tests.system.axe import assert_accessible

    assert_accessible(page)
