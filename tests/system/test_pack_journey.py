"""Building a PDF in a real browser: a planning manager builds the plan document from the
Documents tab and downloads it; a build still queued shows its progress bar, which htmx
polls until the download link appears. axe runs on every page visited."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services
from plans.models import PackBuild
from plans.packs.builder import run_build
from tests.factories import user_with_role
from tests.system.axe import assert_accessible
from tests.system.test_plan_journey import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def planner(ccg):
    return user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")


@pytest.fixture
def plan(ccg, planner):
    made = services.create_plan(user=planner, ccg=ccg, kind="strategic-plan",
                                title="Commissioning Plan 2015-19",
                                first_year=FinancialYear(2015), last_year=FinancialYear(2018),
                                vision="Better health and care for Rotherham")  # fmt: skip
    services.add_section(made, user=planner, title="Primary Care",
                         body="A four year investment plan for general practice.")  # fmt: skip
    return made


def test_a_planner_builds_the_plan_document_and_downloads_it(page, plan, planner, password):
    # Given a planning manager on the plan's Documents tab
    sign_in(page, planner.username, password)
    page.goto(f"/plans/{plan.pk}/")
    page.get_by_role("navigation", name="Plan sections").get_by_role(
        "link", name="Documents").click()  # fmt: skip
    expect(page.get_by_role("heading", name="Documents", level=2)).to_be_visible()
    assert_accessible(page)

    # When they build the plan document
    page.get_by_role("button", name=re.compile(r"^Build PDF\W+Plan document$")).click()

    # Then the build's page says it is done and offers the PDF
    expect(page.get_by_role("heading", level=1)).to_have_text("Commissioning Plan 2015-19")
    expect(page.get_by_text("Done", exact=True)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    with open(download.value.path(), "rb") as handle:
        pdf = PdfReader(io.BytesIO(handle.read()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "A four year investment plan for general practice." in text
    assert len(pdf.pages) == PackBuild.objects.get().page_count

    # And the Documents tab lists the build
    page.goto(f"/plans/{plan.pk}/documents/")
    expect(page.get_by_role("table", name="Builds of this plan")).to_contain_text("Plan document")
    assert_accessible(page)


def test_a_queued_build_shows_its_progress_until_it_is_done(page, plan, planner, password):
    # Given a build waiting for a worker
    build = PackBuild.objects.create(ccg=plan.ccg, kind="plan-document", plan=plan,
                                     title=plan.title, requested_by=planner)  # fmt: skip
    sign_in(page, planner.username, password)

    # When its page is open
    page.goto(f"/packs/{build.pk}/")

    # Then it shows a progress bar with the step, and a way to check again without scripts
    expect(page.locator("progress")).to_have_attribute("value", "0")
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    expect(page.get_by_role("link", name="Check again")).to_be_visible()
    assert_accessible(page)

    # When a worker builds it, the page (polling) turns into the download, with no reload
    run_build(build.pk)
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=8_000)
    expect(page).to_have_url(re.compile(rf"/packs/{build.pk}/$"))
    assert_accessible(page)
