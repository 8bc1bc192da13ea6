"""The audit log in a real browser: a planning manager changes a risk's title on its edit
page; a governing body member then opens the CCG's audit log from the overview and sees the
change with who made it and the old and new title, filters it, and the page passes axe.

Reads Given / When / Then, and runs axe on every page it visits.
"""

import pytest
from playwright.sync_api import expect

from commissioning.access import Role
from tests.factories import user_with_role
from tests.governance.test_risk_services import make_risk
from tests.system.axe import assert_accessible
from tests.system.test_plan_journey import sign_in, sign_out

pytestmark = pytest.mark.browser


def test_a_change_in_the_browser_is_in_the_audit_log(page, ccg, password):
    planner = user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")
    member = user_with_role(Role.GOVERNING_BODY, ccg, first_name="Julie", last_name="Kitlowski")
    risk = make_risk(ccg, reference="R01", title="QIPP savings not delivered")

    # Given a planning manager who changes the risk's title on its edit page
    sign_in(page, planner.username, password)
    page.goto(f"/ccgs/03L/risks/{risk.pk}/edit/")
    page.get_by_label("Risk", exact=True).fill("QIPP savings at risk")
    page.get_by_role("button", name="Save risk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("QIPP savings at risk")
    sign_out(page)

    # When a governing body member opens the audit log from the CCG's overview
    sign_in(page, member.username, password)
    page.goto("/ccgs/03L/")
    page.get_by_role("link", name="Audit log").click()

    # Then the change is listed, newest first, with who made it and the old and new title
    expect(page.get_by_role("heading", level=1)).to_contain_text("Audit log")
    newest = page.locator("#audit-log tbody tr").first
    expect(newest).to_contain_text("Lydia George")
    expect(newest).to_contain_text("Changed")
    expect(newest).to_contain_text("QIPP savings not delivered")
    expect(newest).to_contain_text("QIPP savings at risk")
    assert_accessible(page)

    # When they show only the changes the planning manager made
    page.get_by_label("Changed by").select_option(label="Lydia George")
    page.get_by_role("button", name="Show changes").click()

    # Then only that change is left, and the page still passes axe
    expect(page.locator("#audit-log tbody tr")).to_have_count(1)
    expect(page.locator("#audit-count")).to_contain_text("1 change match these filters")
    assert_accessible(page)
