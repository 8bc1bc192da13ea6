"""Governance's sections of PDF packs, built eagerly and read back from the PDF: the plan
document's standards table, the annual review's SPC charts, top risks and recent resolutions
and open actions (public only), the governing body pack of a meeting; the queries of each
section do not grow with the data; the meeting page and the API start builds."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from commissioning.access import Role
from commissioning.years import FinancialYear
from governance import services_meetings
from governance.models import Meeting
from plans import services
from plans.models import PackBuild, PackStatus, Plan
from plans.packs import registry
from plans.services.packs import request_build
from tests.factories import user_with_role
from tests.governance import meetings_factories as make
from tests.governance.test_dashboard import STABLE_THEN_FALL, add_series, make_standard
from tests.governance.test_risk_services import make_risk

pytestmark = pytest.mark.django_db

PACK_DAY = dt.date(2016, 3, 15)  # the annual review pack's date: its plan's last change
MEETING_DAY = dt.date(2015, 10, 15)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def build_now(django_capture_on_commit_callbacks):
    """Run the builds queued inside the block (the embedded default runs tasks in-process)."""

    def build(user, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            made = request_build(user, **kwargs)
        made.refresh_from_db()
        return made

    return build


def pdf_text(build) -> str:
    """The PDF's text with runs of white space made single spaces."""
    assert build.status == PackStatus.DONE, build.error
    with build.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert build.page_count == len(reader.pages)
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def in_order(text: str, *parts: str) -> bool:
    """Whether `parts` appear in `text` in this order."""
    position = 0
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


@pytest.fixture
def board(role_user):
    return role_user(Role.GOVERNING_BODY)


@pytest.fixture
def plan(ccg, planner):
    made = services.create_plan(user=planner, ccg=ccg, kind="strategic-plan",
                                title="Commissioning Plan 2015-19",
                                first_year=FinancialYear(2015),
                                last_year=FinancialYear(2018))  # fmt: skip
    Plan.objects.filter(pk=made.pk).update(
        updated_at=dt.datetime(2016, 3, 15, 12, 0, tzinfo=dt.UTC))  # fmt: skip
    made.refresh_from_db()
    return made


def ae_standard():
    return make_standard("ae-4-hours", name="A&E attendances seen within 4 hours", order=1)


def waits_standard():
    return make_standard("rtt-52-week-waits", name="Patients waiting 52 weeks or more",
                         group="rtt", unit="count", direction="lower",
                         thresholds=((0, dt.date(2012, 4, 1), None),))  # fmt: skip


@pytest.fixture
def standards(ccg):
    """A&E: twenty stable months then a fall to 80 (special cause concern, low; a threshold
    of 95 above the upper limit: consistently fails). 52-week waits: mostly 0, the latest 0,
    a threshold of 0 between the limits (hit and miss), common cause."""
    ae, waits = ae_standard(), waits_standard()
    add_series(ae, ccg, STABLE_THEN_FALL)  # April 2012 to December 2013
    add_series(waits, ccg, [0] * 14 + [1, 1] + [0] * 2)  # April 2012 to September 2013
    make_standard("cancer-2ww-urgent", name="Cancer 2-week wait", group="cancer",
                  thresholds=((93, dt.date(2010, 4, 1), None),))  # fmt: skip
    return ae, waits


# --- Plan documents -------------------------------------------------------------------------


def test_a_plan_document_has_the_standards_table(plan, planner, standards, build_now):
    text = pdf_text(build_now(planner, kind="plan-document", plan=plan))
    assert "NHS Constitution standards" in text
    assert "Figures for NHS Rotherham CCG up to December 2013" in text
    # Grouped (referral to treatment before A&E), each row read back to the figure.
    assert in_order(
        text, "Standard Threshold Latest value Period Threshold met",
        "Referral to treatment Patients waiting 52 weeks or more 0 0 September 2013 Met",
        "A&E A&E attendances seen within 4 hours 95% 80% December 2013 Not met",
        "Cancer Cancer 2-week wait 93% No data No data",
    )  # fmt: skip
    assert re.search(r"Contents NHS Constitution standards \.+ 3 ", text)


def test_a_plan_document_leaves_the_table_out_without_measurements(plan, planner, build_now):
    ae_standard()
    text = pdf_text(build_now(planner, kind="plan-document", plan=plan))
    assert "NHS Constitution standards" not in text


# --- Annual review packs --------------------------------------------------------------------


@pytest.fixture
def meetings(ccg):
    """A public governing body with a meeting in the 12 months before the pack and one
    before them, and a private audit committee; resolutions and actions of each part."""
    body, _seats = make.governing_body(ccg, public=True)
    audit = make.committee(ccg, name="Audit Committee", kind="audit", is_public=False)
    meeting = make.meeting(body, MEETING_DAY)
    old = make.meeting(body, dt.date(2015, 3, 10))
    audit_meeting = make.meeting(audit, dt.date(2015, 12, 1))
    public = make.item(meeting, "Commissioning Plan refresh", purpose="decision")
    private = make.item(meeting, "Contract negotiations with the Foundation Trust",
                        part="private", minutes="Confidential terms were discussed.")  # fmt: skip
    services_meetings.add_resolution(public, user=None, text="That the refreshed plan be approved.")
    services_meetings.add_resolution(public, user=None, text="That the plan be published.")
    services_meetings.add_resolution(private, user=None, text="That the secret terms be agreed.")
    old_item = make.item(old, "Terms of reference")
    services_meetings.add_resolution(old_item, user=None, text="That the old terms be adopted.")
    audit_item = make.item(audit_meeting, "Internal audit plan")
    services_meetings.add_resolution(audit_item, user=None, text="That the audit plan be agreed.")
    raise_ = services_meetings.raise_action
    overdue = raise_(meeting, user=None, text="Circulate the refreshed plan",
                     owner="Chief Officer", due_on=dt.date(2016, 1, 31), item=public)  # fmt: skip
    later = raise_(meeting, user=None, text="Report on the consultation", owner="Head of Comms",
                   due_on=dt.date(2016, 6, 30))  # fmt: skip
    done = raise_(meeting, user=None, text="Book the venue", owner="Secretary",
                  due_on=dt.date(2015, 11, 1))  # fmt: skip
    services_meetings.close_action(done, user=None, on=dt.date(2015, 11, 1))
    raise_(meeting, user=None, text="Seek legal advice on the trust contract", owner="Director",
           due_on=dt.date(2016, 1, 1), item=private)  # fmt: skip
    raise_(audit_meeting, user=None, text="Chase the auditors", owner="Finance",
           due_on=dt.date(2016, 1, 1))  # fmt: skip
    return {"meeting": meeting, "overdue": overdue, "later": later}


@pytest.fixture
def risks(ccg):
    make_risk(ccg, reference="R01", title="QIPP savings not delivered", current=(5, 4),
              target=(2, 3), owner="Chief Finance Officer",
              key_controls="Monthly QIPP programme board")  # fmt: skip
    make_risk(ccg, reference="R02", title="A&E four hour standard missed", current=(4, 4),
              target=(2, 2), owner="Chief Nurse",
              key_controls="System resilience group")  # fmt: skip
    make_risk(ccg, reference="R03", title="Estates strategy late", current=(3, 3),
              target=(1, 3), owner="Head of Estates", key_controls="Estates board")  # fmt: skip


def test_an_annual_review_pack_has_standards_risks_resolutions_and_actions(
    plan, planner, standards, risks, meetings, build_now
):
    build = build_now(planner, kind="annual-review", plan=plan)
    text = pdf_text(build)
    # The standards with their SPC charts, icons and what the icons mean, in words.
    assert in_order(text, "A&E attendances seen within 4 hours", "Latest value", "80%",
                    "December 2013", "Threshold", "95%", "Not met")  # fmt: skip
    assert "Special cause variation: concern (low values)" in text
    assert "Consistently fails the target" in text
    assert ("Special cause concern: a significant change for the worse, with values lower "
            "than the process would show by chance.") in text  # fmt: skip
    assert ("The target lies outside the process limits on the failing side: the target will "
            "not be met without a change to the process.") in text  # fmt: skip
    assert "21 points from Apr 2012 to Dec 2013. Latest value 80% (Dec 2013)." in text
    assert "Mean 90%; process limits 86.01% to 93.99%." in text
    assert "Dec 2013 80% 90% 86.01% 93.99% Special cause concern" in text  # the data table
    assert in_order(text, "Patients waiting 52 weeks or more", "0 (September 2013)", "Met",
                    "Common cause variation")  # fmt: skip
    assert "Hit and miss: sometimes passes and sometimes fails the target" in text
    assert "No significant change: the latest value is within the variation" in text
    assert "No measurements for Cancer 2-week wait." in text
    assert text.count("Process limits") == 2  # each chart is drawn, with its legend
    # Top risks: scoring 15 or more, highest first, with scores, bands, owner, controls.
    assert "2 of 3 open risks score 15 or more" in text
    assert in_order(text, "R01", "QIPP savings not delivered", "Chief Finance Officer",
                    "20 Extreme (5 × 4)", "6 Moderate (2 × 3)", "R02",
                    "A&E four hour standard missed", "Chief Nurse", "16 Extreme (4 × 4)",
                    "4 Moderate (2 × 2)")  # fmt: skip
    assert "Monthly QIPP programme board" in text and "System resilience group" in text
    assert "Estates strategy late" not in text
    # Resolutions of the 12 months to the pack's date, public only; open actions.
    assert "Resolutions, 15 March 2015 to 15 March 2016" in text
    assert in_order(text, "Governing Body meeting, 15 October 2015",
                    "Item 1. Commissioning Plan refresh", "(1) That the refreshed plan be "
                    "approved.", "(2) That the plan be published.")  # fmt: skip
    assert "That the old terms be adopted." not in text
    assert "That the audit plan be agreed." not in text
    assert "2 open actions at 15 March 2016, 1 overdue" in text
    assert in_order(text, "Circulate the refreshed plan", "Governing Body meeting, 15 October "
                    "2015", "Chief Officer", "31 January 2016 Overdue", "Report on the "
                    "consultation", "Head of Comms", "30 June 2016")  # fmt: skip
    assert "30 June 2016 Overdue" not in text
    assert "Book the venue" not in text and "Chase the auditors" not in text
    assert "Only what is public is shown here" in text
    # The contents page lists the sections in their order.
    assert in_order(text, "Contents", "NHS Constitution standards", "Top risks",
                    "Recent resolutions and open actions")  # fmt: skip


def test_a_private_agenda_items_text_never_appears_in_an_annual_review_pack(
    plan, planner, meetings, build_now
):
    text = pdf_text(build_now(planner, kind="annual-review", plan=plan))
    assert "That the refreshed plan be approved." in text
    for secret in ("Contract negotiations", "Confidential terms", "That the secret terms",
                   "Seek legal advice"):  # fmt: skip
        assert secret not in text


def test_an_annual_review_pack_leaves_out_what_the_ccg_does_not_have(plan, planner, build_now):
    text = pdf_text(build_now(planner, kind="annual-review", plan=plan))
    assert "Purpose and process of the review" in text  # plans' own section is there
    for words in ("Figures for NHS Rotherham CCG", "Top risks", "open risks",
                  "Recent resolutions and open actions", "Only what is public"):  # fmt: skip
        assert words not in text


def test_open_risks_below_15_are_said_to_be_so(ccg, plan, planner, build_now):
    make_risk(ccg, reference="R09", title="Minor risk", current=(2, 3), target=(1, 1))
    text = pdf_text(build_now(planner, kind="annual-review", plan=plan))
    assert "None of the 1 open risks scores 15 or more." in text
    assert "Minor risk" not in text


# --- Governing body packs -------------------------------------------------------------------


@pytest.fixture
def board_meeting(ccg):
    body, _seats = make.governing_body(ccg, public=True)
    meeting = make.meeting(body, MEETING_DAY, location="Oak House, Rotherham",
                           time=dt.time(14, 0))  # fmt: skip
    make.item(meeting, "Welcome and apologies", presenters="Dr Julie Kitlowski",
              purpose="noting")  # fmt: skip
    finance = make.item(
        meeting, "Financial position at month 6", presenters="Keely Firth, Chief Finance Officer",
        purpose="assurance", paper_to="Governing Body", paper_date=dt.date(2015, 10, 8),
        paper_from="Chief Finance Officer", paper_subject="Month 6 finance report",
        paper_purpose="To assure the governing body on the financial position",
        paper_key_issues="A forecast surplus of £4.2m", paper_author="Keely Firth",
        paper_recommendations="That the governing body notes the position",
        paper_contact="keely.firth@nhs.net",
        attachment=SimpleUploadedFile("month-6-finance.pdf", b"%PDF-1.4 finance"),
        minutes="The governing body **noted** the forecast surplus.",
    )  # fmt: skip
    private = make.item(meeting, "Contract award for community services",
                        presenters="Chief Officer", purpose="decision", part="private",
                        paper_subject="Community services procurement",
                        paper_recommendations="That the contract be awarded")  # fmt: skip
    services_meetings.add_resolution(finance, user=None, text="That the position be noted.")
    services_meetings.add_resolution(private, user=None, text="That the contract be awarded.")
    return meeting


def test_a_governing_body_pack_has_the_agenda_cover_sheets_papers_and_minutes(
    board_meeting, planner, build_now
):
    build = build_now(planner, kind="governing-body", subject=board_meeting)
    assert build.title == "Governing Body meeting, 15 October 2015" and build.plan is None
    text = pdf_text(build)
    assert "Meeting 15 October 2015" in text  # the cover
    assert in_order(text, "Contents", "Agenda", "Report cover sheets and papers",
                    "Minutes and resolutions")  # fmt: skip
    assert "Governing Body, 15 October 2015, 14:00, Oak House, Rotherham." in text
    assert in_order(
        text, "1 Welcome and apologies Dr Julie Kitlowski For noting",
        "2 Financial position at month 6 Keely Firth, Chief Finance Officer For assurance",
        "3 Contract award for community services (private) Chief Officer For decision",
    )  # fmt: skip
    assert in_order(
        text, "Papers attached to the agenda, in order", "2 month-6-finance.pdf",
        "their pages are not merged into this pack",
        "1. Welcome and apologies", "No report cover sheet for this item.",
        "2. Financial position at month 6", "Report cover sheet, item 2", "To Governing Body",
        "Date 8 October 2015", "From Chief Finance Officer", "Subject Month 6 finance report",
        "Purpose To assure the governing body on the financial position",
        "Key issues A forecast surplus of £4.2m",
        "Recommendations That the governing body notes the position", "Author Keely Firth",
        "Contact keely.firth@nhs.net",
        "Paper: month-6-finance.pdf (a PDF: its pages are not merged into this pack).",
        "3. Contract award for community services (private)",
        "Subject Community services procurement",
        "Recommendations That the contract be awarded",
    )  # fmt: skip
    assert in_order(
        text, "The minutes have not been approved yet.", "2. Financial position at month 6",
        "The governing body noted the forecast surplus.", "Resolved:",
        "(1) That the position be noted.", "3. Contract award for community services",
        "(2) That the contract be awarded.",
    )  # fmt: skip
    assert "%PDF-1.4 finance" not in text


def test_a_meeting_without_minutes_has_no_minutes_section(ccg, planner, build_now):
    body, _seats = make.governing_body(ccg)
    meeting = make.meeting(body, MEETING_DAY)
    make.item(meeting, "Welcome and apologies")
    text = pdf_text(build_now(planner, kind="governing-body", subject=meeting))
    assert "1 Welcome and apologies" in text and "Minutes and resolutions" not in text


# --- Queries do not grow with the data ------------------------------------------------------


def render_queries(code: str, context) -> tuple[int, str]:
    section = registry._SECTIONS[code]
    section.render(context)  # the requester's roles are read once, then kept on the user
    with CaptureQueriesContext(connection) as queries:
        html = section.render(context)
    return len(queries), html


def test_section_queries_do_not_grow_with_standards_risks_and_items(ccg, plan, planner):
    body, _seats = make.governing_body(ccg)
    meeting = make.meeting(body, MEETING_DAY)
    review = registry.PackContext(kind="annual-review", ccg=ccg, user=planner, plan=plan)
    document = registry.PackContext(kind="plan-document", ccg=ccg, user=planner, plan=plan)
    pack = registry.PackContext(kind="governing-body", ccg=ccg, user=planner,
                                subject=Meeting.objects.get(pk=meeting.pk))  # fmt: skip

    def grow(round_: int):
        for n in range(3):
            code = f"kpi-{round_}-{n}"
            add_series(make_standard(code, name=f"KPI {round_}.{n}", ccg=ccg), ccg,
                       [90 + n, 91, 92, 93])  # fmt: skip
            make_risk(ccg, reference=f"R{round_}{n}", current=(5, 3 + n % 3), target=(1, 2))
            item = make.item(meeting, f"Item {round_}.{n}", paper_subject=f"Paper {round_}.{n}",
                             minutes=f"Minutes {round_}.{n}")  # fmt: skip
            services_meetings.add_resolution(item, user=None, text=f"Resolved {round_}.{n}")
            services_meetings.raise_action(meeting, user=None, text=f"Action {round_}.{n}",
                                           due_on=dt.date(2016, 1, 1))  # fmt: skip

    codes = [("standards", document), ("review-standards", review),
             ("review-top-risks", review), ("review-resolutions", review),
             ("meeting-agenda", pack), ("meeting-papers", pack),
             ("meeting-minutes", pack)]  # fmt: skip
    grow(1)
    first = {code: render_queries(code, context) for code, context in codes}
    grow(2)
    grow(3)
    again = {code: render_queries(code, context) for code, context in codes}
    for code, _context in codes:
        assert first[code][1] and again[code][1], code  # each section has something to show
        assert again[code][0] == first[code][0], code
    assert again["standards"][0] == 5 and again["review-top-risks"][0] == 2
    assert again["review-standards"][1].count("<figure") == 9
    assert again["review-top-risks"][1].count("<h3>") == 9
    assert again["meeting-papers"][1].count('class="item-papers"') == 9


# --- The meeting page and the API -----------------------------------------------------------


def meeting_page(meeting):
    return reverse("meeting-detail", kwargs={"ods": meeting.committee.ccg.ods_code,
                                             "pk": meeting.pk})  # fmt: skip


def test_the_meeting_page_builds_a_governing_body_pack_and_lists_builds(
    board_meeting, board, client, django_capture_on_commit_callbacks
):
    client.force_login(board)
    page = client.get(meeting_page(board_meeting)).content.decode()
    assert "Build governing body pack" in page and f'action="{reverse("pack-start")}"' in page
    assert 'name="kind" value="governing-body"' in page
    assert f'name="meeting" value="{board_meeting.pk}"' in page
    assert "No pack of this meeting has been built yet." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pack-start"),
                               {"kind": "governing-body", "meeting": board_meeting.pk})  # fmt: skip
    build = PackBuild.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/packs/{build.pk}/"
    assert build.subject_type == ContentType.objects.get_for_model(Meeting)
    assert build.subject_id == board_meeting.pk and build.status == PackStatus.DONE
    detail = client.get(response["Location"]).content.decode()
    assert "Download the PDF" in detail and f'href="{meeting_page(board_meeting)}"' in detail
    page = client.get(meeting_page(board_meeting)).content.decode()
    assert f'href="/packs/{build.pk}/"' in page and "Builds of this meeting&#39;s pack" in page


def test_scrutiny_members_are_not_offered_a_governing_body_pack(board_meeting, role_user, client):
    scrutiny = role_user(Role.SCRUTINY)
    client.force_login(scrutiny)
    page = client.get(meeting_page(board_meeting))
    assert page.status_code == 200
    assert "Build governing body pack" not in page.content.decode()
    refused = client.post(reverse("pack-start"),
                          {"kind": "governing-body", "meeting": board_meeting.pk})  # fmt: skip
    assert refused.status_code == 403 and not PackBuild.objects.exists()


def test_the_api_starts_a_governing_body_pack(
    board_meeting, planner, other_ccg, api_client, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(planner)
    with django_capture_on_commit_callbacks(execute=True):
        started = api_client.post("/api/v1/packs/",
                                  {"kind": "governing-body", "meeting": board_meeting.pk},
                                  format="json")  # fmt: skip
    assert started.status_code == 202, started.content
    body = started.json()
    assert body["meeting"] == board_meeting.pk and body["plan"] is None
    assert body["title"] == "Governing Body meeting, 15 October 2015" and body["ccg"] == "03L"
    status = api_client.get(f"/api/v1/packs/{body['id']}/").json()
    assert status["status"] == "done" and status["page_count"] >= 4
    elsewhere = make.meeting(make.committee(other_ccg), MEETING_DAY)
    missing = api_client.post("/api/v1/packs/", {"kind": "governing-body", "meeting":
                              elsewhere.pk}, format="json")  # fmt: skip
    assert missing.status_code == 404
    other_planner = user_with_role(Role.PLANNING_MANAGER, other_ccg)
    api_client.force_authenticate(other_planner)
    theirs = api_client.post("/api/v1/packs/", {"kind": "governing-body",
                             "meeting": board_meeting.pk}, format="json")  # fmt: skip
    assert theirs.status_code == 404


def test_figures_are_exact_in_the_standards_table(ccg, plan, planner, build_now):
    """Values keep their decimals (to two places, no trailing zeros)."""
    standard = make_standard("diagnostics-6-weeks", name="Diagnostic test within 6 weeks",
                             group="diagnostics", direction="lower",
                             thresholds=((Decimal("1"), dt.date(2010, 4, 1), None),))  # fmt: skip
    add_series(standard, ccg, ["0.85", "1.25", "0.905"])
    text = pdf_text(build_now(planner, kind="plan-document", plan=plan))
    assert in_order(text, "Diagnostic test within 6 weeks", "1%", "0.91%", "June 2012", "Met")
    assert not re.search(r"0\.905", text)
