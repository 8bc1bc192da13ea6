"""API tokens in a real browser: a planning manager opens their account from the header,
creates a read-only token (after a mistake in the form), uses the key on /api/v1/, sees it
used, and revokes it; the API refuses the key at once.

Reads Given / When / Then, and runs axe on every page it visits.
"""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from commissioning.access import Role
from tests.factories import CCGFactory, user_with_role
from tests.system.axe import assert_accessible
from tests.system.test_plan_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def planner(ccg):
    CCGFactory(ods_code="04R", name="NHS Southern Derbyshire CCG")
    return user_with_role(
        Role.PLANNING_MANAGER, ccg, username="lgeorge", first_name="Lydia", last_name="George"
    )


def call_api(base_url: str, path: str, key: str, method: str = "GET", body=None):
    """A request from another system: no browser, no session, only the token."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - the live server's http URL
        f"{base_url}{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Token {key}", "Content-Type": "application/json",
                 "Accept": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_a_planner_creates_uses_and_revokes_a_read_only_token(page, planner, password,
                                                              live_server):  # fmt: skip
    # Given a planning manager of NHS Rotherham CCG, signed in
    sign_in(page, planner.username, password)

    # When they follow their name in the header
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Lydia George").click()

    # Then their account page shows who they are and their role, and no tokens yet
    expect(page).to_have_url(re.compile(r"/accounts/$"))
    expect(page).to_have_title("Your account – Commissioning plans")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("lgeorge")
    roles = page.get_by_role("table", name="Your roles")
    expect(roles).to_contain_text("03L")
    expect(roles).to_contain_text("Planning manager")
    expect(roles.get_by_role("link", name="NHS Rotherham CCG")).to_have_attribute(
        "href", "/ccgs/03L/"
    )
    expect(page.locator("#no-active-tokens")).to_have_text("You have no API tokens.")
    assert_accessible(page)

    # When they tick read-only but forget the name
    page.get_by_label("Read-only").check()
    page.get_by_role("button", name="Create token").click()

    # Then the error summary says so, links to the name, and the tick is kept
    expect(page).to_have_title("Error: Your account – Commissioning plans")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter a name for the token").click()
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    expect(page.get_by_label("Read-only")).to_be_checked()
    assert_accessible(page)
    # An invalid form answers 400, as it should: the one failed request this test expects.
    assert page.assets.failures == ["400 /accounts/"]
    page.assets.failures.clear()

    # When they name the token and create it
    page.get_by_label("Name", exact=True).fill("Dashboard feed")
    page.get_by_role("button", name="Create token").click()

    # Then the key is shown once, with how to use it and a working copy button
    banner = page.locator(".nhsuk-notification-banner--success")
    expect(banner).to_contain_text("API token created: Dashboard feed")
    expect(banner).to_contain_text("Copy the key now: it will not be shown again")
    key = page.locator("#new-token-key code").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", key), key
    expect(page.locator("#new-token-usage")).to_contain_text(f"Authorization: Token {key}")
    expect(page.locator("#new-token-key").get_by_role("button", name="Copy key")).to_be_visible()
    tokens = page.get_by_role("table", name="Your API tokens")
    row = tokens.get_by_role("row", name=re.compile("Dashboard feed"))
    expect(row).to_contain_text(key[:8])
    expect(row).to_contain_text("Read-only")
    expect(row).to_contain_text("Never")
    assert_accessible(page)

    # When another system uses the key
    status, body = call_api(live_server.url, "/api/v1/ccgs/", key)

    # Then it sees exactly the planner's CCG, and may not write with a read-only token
    assert status == 200
    assert [c["ods_code"] for c in body["results"]] == ["03L"]
    status, body = call_api(live_server.url, "/api/v1/plans/", key, "POST", {"title": "X"})
    assert status == 403 and "read-only" in body["detail"]

    # When the planner opens the account page again
    page.goto("/accounts/")

    # Then the key is not shown any more, and the token shows it has been used
    expect(page.locator("#new-token-key")).to_have_count(0)
    assert key not in page.content()
    row = page.get_by_role("table", name="Your API tokens").get_by_role(
        "row", name=re.compile("Dashboard feed")
    )
    expect(row).not_to_contain_text("Never")

    # When they revoke it, confirming on the next page
    row.get_by_role("link", name="Revoke Dashboard feed").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoke this token")
    expect(page.get_by_role("heading", name="Revoking cannot be undone")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke token").click()

    # Then it is listed apart as revoked, and the API refuses the key at once
    expect(page).to_have_url(re.compile(r"/accounts/$"))
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "API token revoked: Dashboard feed"
    )
    expect(page.locator("#no-active-tokens")).to_be_visible()
    page.get_by_text("Show revoked tokens (1)").click()
    revoked = page.get_by_role("table", name="Your revoked API tokens")
    expect(revoked).to_contain_text("Dashboard feed")
    assert_accessible(page)
    status, body = call_api(live_server.url, "/api/v1/ccgs/", key)
    assert status == 401 and body["detail"]
