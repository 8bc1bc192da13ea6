"""The plan on a page is one A3 landscape page, even for a plan the size of Southern
Derbyshire's (10 areas, 50 "We will ..." commitments), read back from the PDF."""

import io

import pytest
from pypdf import PdfReader

from commissioning.years import FinancialYear
from plans import services
from plans.services.packs import request_build
from priorities import services as priority_services

pytestmark = pytest.mark.django_db
A3_LANDSCAPE = (1190.55, 841.89)  # points


def test_a_large_plan_fits_one_a3_landscape_page(ccg, planner, settings, tmp_path,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    plan = services.create_plan(user=planner, ccg=ccg, kind="delivery-plan",
                                title="Delivery Plan 2013/14", first_year=FinancialYear(2013),
                                last_year=FinancialYear(2013),
                                vision="Improving health, reducing inequalities")  # fmt: skip
    for aim in range(1, 9):
        services.add_statement(plan, user=planner, kind="aim", text=f"Strategic aim {aim}")
    for n in range(1, 11):
        area = priority_services.add_priority(
            plan, user=planner, title=f"Priority area {n}", objective=f"Our aim is to improve {n}"
        )
        for c in range(1, 6):
            priority_services.add_commitment(area, user=planner,
                                             text=f"We will deliver commitment {n}.{c} for "
                                             "the people of Southern Derbyshire")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        build = request_build(planner, kind="plan-on-a-page", plan=plan)
    build.refresh_from_db()
    assert build.status == "done", build.error
    with build.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert build.page_count == len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (1190.6, 841.9)
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Delivery Plan 2013/14: plan on a page" in text
    assert "We will deliver commitment 10.5 for the people of Southern Derbyshire" in text
    assert "Strategic aim 8" in text
