"""The annual review pack's own sections, read back from the PDF: the purpose and process of
the review (consultation window, timetable), the refresh as "Current plan states" beside
"Proposed for 2016/17", and the consultation's comments with the CCG's responses."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from plans import services
from plans.services.packs import request_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def refresh(published_plan, planner):
    """Rotherham's 2016/17 refresh of its published 2015-19 plan: Primary Care changed,
    in consultation, with one comment answered."""
    made = services.start_refresh(published_plan, user=planner)
    section = made.sections.get(title="Primary Care")
    body = "Four year investment plan, with extended access at weekends"
    services.update_section(section, user=planner, expected_revision=None, body=body)
    services.add_milestone(made, user=planner, title="Draft to stakeholders",
                           due_on=dt.date(2015, 12, 14))  # fmt: skip
    services.open_consultation(made, user=planner, opens_on=dt.date(2015, 12, 14),
                               closes_on=dt.date(2016, 2, 29),
                               purpose="Views on the refreshed plan")  # fmt: skip
    comment = services.add_comment(made, user=planner, body="Please include weekend access.",
                                   on_behalf_of="Rotherham Health Select Commission",
                                   today=dt.date(2016, 1, 5))  # fmt: skip
    services.respond_to_comment(comment, user=planner, response="Added to Primary Care.",
                                outcome="accepted")  # fmt: skip
    made.refresh_from_db()
    return made


def test_the_annual_review_pack_reads_back(refresh, planner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build = request_build(planner, kind="annual-review", plan=refresh)
    build.refresh_from_db()
    assert build.status == "done", build.error
    with build.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert build.page_count == len(reader.pages)
    assert f"Annual review of {refresh.title}" in text
    contents = " ".join(reader.pages[1].extract_text().split())
    for title in ("Purpose and process of the review", "The refresh: current plan and proposed",
                  "Consultation comments and responses"):  # fmt: skip
        assert title in contents
    # Purpose and process: the plan reviewed, the window, the timetable
    assert "Commissioning Plan 2015-19 (2015-19) and the refresh proposed for 2016/17" in text
    assert "Stakeholders were consulted from 14 December 2015 to 29 February 2016." in text
    assert "Draft to stakeholders 14 December 2015 Not yet" in text
    # The refresh: what the plan states now beside what is proposed
    assert "Current plan states" in text and "Proposed for 2016/17" in text
    assert "Four year investment plan Four year investment plan, with extended access at " \
           "weekends" in text  # fmt: skip
    # Consultation: who said what and the CCG's answer
    assert (
        "Rotherham Health Select Commission The whole plan Please include weekend access. "
        "Accepted: Added to Primary Care."
    ) in text
