"""Priorities in PDF packs, read back from the PDF: priority areas with their "We will ..."
commitments and actions (lead, due) in the plan document; delivery by priority with each
status in words in the annual review pack; a fixed number of queries however many rows."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from plans import services as plan_services
from plans.packs.registry import PackContext
from plans.services.packs import request_build
from priorities import services
from priorities.pack_sections import delivery_section, priorities_section

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def add_area(plan, user, n: int):
    objective = "Our objective is to reduce unplanned admissions"
    area = services.add_priority(plan, user=user, title=f"Urgent care {n}", objective=objective)
    text = "We will commission a single point of access"
    commitment = services.add_commitment(area, user=user, lead="Dr Sheila Newport", text=text)
    services.add_action(commitment, user=user, text="Agree the specification",
                        lead="Head of Urgent Care", due_on=dt.date(2013, 9, 30))  # fmt: skip
    return area, commitment


def pdf_text(build) -> str:
    with build.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_plan_document_and_annual_review_show_priorities_and_delivery(
    published_plan, planner, django_capture_on_commit_callbacks
):
    refresh = plan_services.start_refresh(published_plan, user=planner)
    _, commitment = add_area(refresh, planner, 1)
    with django_capture_on_commit_callbacks(execute=True):
        document = request_build(planner, kind="plan-document", plan=refresh)
    document.refresh_from_db()
    text = pdf_text(document)
    assert "Urgent care 1 Our objective is to reduce unplanned admissions" in text
    assert "We will commission a single point of access Lead: Dr Sheila Newport" in text
    assert "Agree the specification Head of Urgent Care 30 September 2013" in text


def test_delivery_by_priority_says_each_status_in_words(draft_plan, planner):
    area, commitment = add_area(draft_plan, planner, 1)
    commitment.status = "at-risk"  # as a progress update would leave it
    commitment.status_reported_on = dt.date(2013, 10, 1)
    commitment.save()
    html = delivery_section(PackContext(kind="annual-review", ccg=draft_plan.ccg, user=planner,
                                        plan=draft_plan))  # fmt: skip
    assert "Urgent care 1" in html and "At risk" in html and "Amber" in html


def test_sections_read_a_fixed_number_of_queries(draft_plan, planner):
    context = PackContext(kind="plan-document", ccg=draft_plan.ccg, user=planner, plan=draft_plan)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            priorities_section(context)
            delivery_section(context)
        return len(queries)

    add_area(draft_plan, planner, 1)
    few = count()
    for n in range(2, 8):
        add_area(draft_plan, planner, n)
    assert count() == few
