"""QIPP in a real browser: a planning manager records a scheme's M1 to M3 actuals and sees the
tracker's RAG change; then previews a QIPP report import and applies it; the finance overview
too. Reads Given / When / Then, and runs axe on every page it visits.
"""

import re
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from commissioning.access import Role
from commissioning.years import FinancialYear
from finance import services
from finance.models import FinancialPlan, QippScheme
from tests.factories import user_with_role
from tests.finance.factories import programme, scheme
from tests.system.axe import assert_accessible
from tests.system.test_plan_journey import sign_in

pytestmark = pytest.mark.browser

YEAR = FinancialYear(2012)
REPORT = (
    "Unique ref,Programme,Project name,Planned saving,M1 plan,M1 actual\n"
    "RB01,Orthopaedics,Reduce first OP appointments,12000,1000,1000\n"
    "RB02,Medicines management,Prescribing switches,6000,500,\n"
)


@pytest.fixture
def planner(ccg):
    return user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")


@pytest.fixture
def qipp(ccg, settings, tmp_path):
    """Redditch and Bromsgrove style: one scheme of 2012/13 planning £1,000 a month, nothing
    reported yet, against a £12,000 target."""
    settings.MEDIA_ROOT = str(tmp_path)
    services.create(FinancialPlan, user=None, ccg=ccg, year=YEAR, allocation=D("184300000"),
                    efficiency_target=D("12000"))  # fmt: skip
    return scheme(ccg, "RB01", qipp_programme=programme(ccg), planned_saving="12000",
                  months=["1000"] * 12, project="Reduce first OP appointments")  # fmt: skip


def scheme_row(page, scheme_):
    return page.locator(f"#scheme-{scheme_.pk}")


def test_a_planner_records_actuals_and_the_tracker_shows_the_new_rag(page, qipp, planner,
                                                                     password):  # fmt: skip
    # Given a planning manager of NHS Rotherham CCG with a scheme, signed in, on the overview
    sign_in(page, planner.username, password)
    page.goto("/ccgs/03L/")

    # When they open the QIPP tracker
    page.get_by_role("link", name="QIPP tracker", exact=True).click()

    # Then the scheme has no RAG yet: no month has been reported
    expect(page.get_by_role("heading", level=1)).to_contain_text("QIPP tracker 2012/13")
    expect(scheme_row(page, qipp)).to_contain_text("No RAG: no plan to date")
    expect(page.locator("#tracker-summary")).to_contain_text("No month has been reported yet.")
    assert_accessible(page)

    # When they open the scheme and its monthly figures
    page.get_by_role("link", name="RB01 Reduce first OP appointments").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RB01 Reduce first OP")
    expect(page.get_by_role("img", name=re.compile("Cumulative savings of RB01"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Enter monthly figures").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monthly figures of RB01")
    assert_accessible(page)

    # When they type a figure that is not an amount
    page.get_by_label("M1 (April) actual (£)").fill("a thousand")
    page.get_by_role("button", name="Save figures").click()

    # Then the error summary names the month and the figure, and links to it
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The M1 (April) actual must be an amount in pounds")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("M1 (April) actual (£)")).to_be_focused()

    # When they record M1 to M3 actuals: 1,000, 900 and 800 against 1,000 a month
    page.get_by_label("M1 (April) actual (£)").fill("1,000")
    page.get_by_label("M2 (May) actual (£)").fill("900")
    page.get_by_label("M3 (June) actual (£)").fill("£800")
    page.get_by_role("button", name="Save figures").click()

    # Then the scheme page confirms it and shows the months
    expect(page.get_by_text("Figures saved for RB01: 3 months (M1, M2, M3).")).to_be_visible()
    expect(page.locator("#month-3")).to_contain_text("−£200")
    expect(page.get_by_text("Amber: behind plan").first).to_be_visible()
    assert_accessible(page)

    # And the tracker shows the new RAG: 2,700 of 3,000 is −10%, amber
    page.get_by_role("link", name="Back to the QIPP tracker 2012/13").click()
    row = scheme_row(page, qipp)
    expect(row).to_contain_text("−£300")
    expect(row).to_contain_text("−10%")
    expect(row).to_contain_text("Amber: behind plan")
    expect(page.locator("#rag-counts")).to_contain_text("Amber")
    expect(page.get_by_role("img", name=re.compile("Cumulative QIPP savings"))).to_be_visible()
    assert_accessible(page)

    # When they show only the red schemes
    page.get_by_label("RAG").select_option("red")
    page.get_by_role("button", name="Apply").click()
    # Then none match
    expect(page.get_by_text("No schemes match these filters.")).to_be_visible()
    assert_accessible(page)

    # And the finance overview shows the target against the planned savings
    page.get_by_role("link", name="Finance overview").click()
    expect(page.locator("#efficiency-gap")).to_contain_text("cover the target")
    assert_accessible(page)


def test_a_planner_previews_an_import_then_applies_it(page, qipp, planner, password):
    # Given a planning manager, signed in, on the tracker
    sign_in(page, planner.username, password)
    page.goto("/ccgs/03L/qipp/")

    # When they import a QIPP report without choosing a file
    page.get_by_role("button", name="Import a QIPP report").click()
    assert_accessible(page)
    page.get_by_role("button", name="Preview the import").click()
    # Then they are told to choose one
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose the CSV or Excel")
    assert_accessible(page)

    # When they upload a report for 2012/13
    page.get_by_label("Financial year").fill("2012/13")
    page.get_by_label("QIPP report").set_input_files(
        files=[{"name": "qipp-june.csv", "mimeType": "text/csv", "buffer": REPORT.encode()}]
    )
    page.get_by_role("button", name="Preview the import").click()

    # Then the preview says what each row would do, and nothing has changed yet
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preview: qipp-june.csv")
    preview = page.locator("table.app-import-preview")
    expect(preview).to_contain_text("RB02")
    expect(preview).to_contain_text("Create")
    expect(preview).to_contain_text("Update")
    assert not QippScheme.objects.filter(reference="RB02").exists()
    assert_accessible(page)

    # When they apply it
    page.get_by_role("button", name="Apply this import").click()

    # Then the tracker lists the new scheme and RB01's M1 actual
    expect(page.get_by_text("1 QIPP scheme created, 1 updated")).to_be_visible()
    expect(page.get_by_role("link", name="RB02 Prescribing switches")).to_be_visible()
    expect(scheme_row(page, qipp)).to_contain_text("Green: on or ahead of plan")
    assert_accessible(page)

    # When they upload a broken report
    page.goto("/ccgs/03L/qipp/import/")
    page.get_by_label("Financial year").fill("2012/13")
    broken = REPORT.replace("6000", "six thousand")
    page.get_by_label("QIPP report").set_input_files(
        files=[{"name": "broken.csv", "mimeType": "text/csv", "buffer": broken.encode()}]
    )
    page.get_by_role("button", name="Preview the import").click()

    # Then the problem is named by row, column and cell, and there is nothing to apply
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Row 3, column Planned saving, cell D3")
    expect(page.get_by_role("button", name="Apply this import")).to_have_count(0)
    assert_accessible(page)
