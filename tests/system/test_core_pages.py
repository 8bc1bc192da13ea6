"""Core pages in a real browser: sign in, home, the CCG overview, the CCG switcher.

Each test reads Given / When / Then, and runs axe on every page it visits.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from commissioning.access import Role
from commissioning.models import Membership, PracticeListSize
from commissioning.models.people import SeatCategory
from tests.factories import (
    LocalityFactory,
    PersonFactory,
    PracticeFactory,
    SeatFactory,
    user_with_role,
)
from tests.system.axe import assert_accessible

pytestmark = pytest.mark.browser

NHS_BLUE = "rgb(0, 94, 184)"


# --- Given ---------------------------------------------------------------------------------


@pytest.fixture
def rotherham(ccg):
    """NHS Rotherham CCG with localities, practices and a governing body missing its nurse."""
    ccg.population = 258_400
    ccg.population_note = "ONS mid-2013 estimate"
    ccg.region = "North of England"
    ccg.save()
    wentworth = LocalityFactory(ccg=ccg, name="Wentworth North", code="WN", population=48_000)
    LocalityFactory(ccg=ccg, name="Rother Valley South", code="RVS", stated_practice_count=6)
    practice = PracticeFactory(
        ccg=ccg, ods_code="C87001", name="Market Surgery", town="Wath", locality=wentworth
    )
    PracticeListSize.objects.create(practice=practice, date=dt.date(2016, 1, 1), patients=9_321)
    PracticeFactory(ccg=ccg, name="Practice to be named", is_placeholder=True)
    chair = PersonFactory(ccg=ccg, name="Dr Julie Kitlowski")
    SeatFactory(ccg=ccg, person=chair, title="Chair", category=SeatCategory.GP, is_chair=True)
    SeatFactory(ccg=ccg, person=None, title="Lay member", category=SeatCategory.LAY_PPI)
    return ccg


@pytest.fixture
def rotherham_planner(rotherham):
    return user_with_role(Role.PLANNING_MANAGER, rotherham, first_name="Sam", last_name="Ward")


# --- When ----------------------------------------------------------------------------------


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


# --- Then ----------------------------------------------------------------------------------


def test_a_planner_signs_in_and_opens_their_ccg(page, rotherham_planner, password):
    # Given a user with a role in NHS Rotherham CCG
    # When they sign in through the login form
    sign_in(page, rotherham_planner.username, password)

    # Then they land on home, which lists their CCG
    expect(page).to_have_url(re.compile(r"^http://[^/]+/$"))
    expect(page).to_have_title("Your CCGs – Commissioning plans")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your CCGs")
    expect(page.get_by_role("link", name="NHS Rotherham CCG")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Sam Ward")
    page.screenshot(path="/tmp/home.png", full_page=True)
    assert_accessible(page)

    # When they open the CCG's page
    page.get_by_role("link", name="NHS Rotherham CCG").click()

    # Then they see its facts, localities, practices and governing body
    expect(page).to_have_title("NHS Rotherham CCG – Commissioning plans")
    expect(page.get_by_role("heading", level=1)).to_contain_text("NHS Rotherham CCG")
    localities = page.get_by_role("table", name="Localities of NHS Rotherham CCG")
    expect(localities).to_contain_text("Wentworth North")
    expect(localities).to_contain_text("Rother Valley South")
    practices = page.get_by_role("table", name="GP practices in NHS Rotherham CCG")
    expect(practices).to_contain_text("Market Surgery")
    expect(practices).to_contain_text("9,321")
    expect(practices).to_contain_text("Placeholder")
    board = page.get_by_role("table", name="Current governing body of NHS Rotherham CCG")
    expect(board).to_contain_text("Dr Julie Kitlowski")
    expect(board).to_contain_text("Vacant")
    expect(page.locator("#composition-warnings")).to_contain_text("No registered nurse.")
    nav = page.get_by_role("navigation", name="Menu")
    expect(nav.get_by_role("link", name="Rotherham overview")).to_have_attribute(
        "aria-current", "page"
    )
    page.screenshot(path="/tmp/ccg.png", full_page=True)
    assert_accessible(page)


def test_a_wrong_password_shows_the_error_summary(page, rotherham_planner):
    # Given a user with a role in a CCG
    # When they sign in with the wrong password
    sign_in(page, rotherham_planner.username, "not-my-password")

    # Then the error summary says there is a problem and links to the username field
    expect(page).to_have_title("Error: Sign in – Commissioning plans")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Enter a correct username and password").click()
    expect(page.get_by_label("Username")).to_be_focused()
    page.screenshot(path="/tmp/login-error.png", full_page=True)
    assert_accessible(page)


def test_the_switcher_takes_a_two_ccg_user_to_the_other_ccg(
    page, rotherham_planner, other_ccg, password
):
    # Given a user with roles in two CCGs, on the first CCG's page
    Membership.objects.create(user=rotherham_planner, ccg=other_ccg, role=Role.VIEWER)
    sign_in(page, rotherham_planner.username, password)
    page.goto("/ccgs/03L/")
    switcher = page.get_by_label("Switch to another CCG")
    expect(switcher).to_have_value("03L")
    assert_accessible(page)

    # When they choose the other CCG and go
    switcher.select_option(label="NHS Southern Derbyshire CCG (04R)")
    page.get_by_role("button", name="Go to CCG").click()

    # Then they are on the other CCG's page
    expect(page).to_have_url(re.compile(r"/ccgs/04R/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("NHS Southern Derbyshire CCG")
    expect(page.get_by_label("Switch to another CCG")).to_have_value("04R")
    page.screenshot(path="/tmp/switcher.png")
    assert_accessible(page)


def test_styles_and_scripts_load_from_the_vendored_files(page, rotherham_planner, password):
    # Given the sign-in page
    page.goto("/accounts/login/")

    # Then the NHS.UK stylesheet is applied (the header is NHS blue) ...
    header = page.locator("header.nhsuk-header")
    expect(header).to_have_css("background-color", NHS_BLUE)
    # ... nhsuk-frontend's JavaScript has started (the password toggle is shown) ...
    expect(page.get_by_role("button", name="Show password")).to_be_visible()
    # ... and htmx is there for progressive enhancement
    assert page.evaluate("() => typeof window.htmx !== 'undefined'")
    loaded = set(page.assets.static_loaded)
    for path in (
        "/static/vendor/nhsuk-frontend/nhsuk-frontend.min.css",
        "/static/vendor/nhsuk-frontend/nhsuk-frontend.min.js",
        "/static/vendor/htmx/htmx.min.js",
        "/static/app/app.css",
        "/static/app/app.js",
    ):
        assert path in loaded, f"{path} was not loaded: {sorted(loaded)}"
    page.assets.assert_all_loaded()
    assert_accessible(page)


def test_every_vendored_asset_the_pages_name_is_served(page, live_server):
    # Given the sign-in page, which names the icons and manifest in its head
    page.goto("/accounts/login/")
    head_links = page.eval_on_selector_all(
        "head link[href]", "links => links.map(link => link.getAttribute('href'))"
    )
    # ... and the images the stylesheet refers to (relative to the stylesheet)
    css = page.request.get("/static/vendor/nhsuk-frontend/nhsuk-frontend.min.css")
    assert css.ok
    css_images = {
        "/static/vendor/nhsuk-frontend/" + match
        for match in re.findall(r"url\((assets/[^)]+)\)", css.text())
    }
    assert css_images, "the stylesheet's icons should point into the vendored assets"

    # Then every one of them is served by the live server
    for url in sorted(set(head_links) | css_images):
        response = page.request.get(url)
        assert response.ok, f"{url}: {response.status}"


def test_axe_reports_violations(page, live_server):
    # Given a page with an unlabelled input and an image without alternative text
    page.goto("/accounts/login/")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<input type="text"><img src="/static/app/none.png">')"""
    )

    # Then assert_accessible fails, naming the rules and the nodes
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    assert "label" in str(failure.value)
    assert "image-alt" in str(failure.value)
    page.assets.failures.clear()  # the missing image is part of this test


def test_signing_out_returns_to_sign_in(page, rotherham_planner, password):
    # Given a signed-in user
    sign_in(page, rotherham_planner.username, password)

    # When they sign out
    page.get_by_role("button", name="Sign out").click()

    # Then they are on the sign-in page and home needs signing in again
    expect(page).to_have_title("Sign in – Commissioning plans")
    page.goto("/")
    expect(page).to_have_title("Sign in – Commissioning plans")
