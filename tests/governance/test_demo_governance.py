"""The governance demo data (`manage.py load_demo`): Redditch and Bromsgrove's committees (seed
002 p33-42), the Rotherham scrutiny meeting with its minutes and numbered resolutions (seed
000), the Coventry Health and Wellbeing Board supplementary agenda and its report cover (seed
004), the Rotherham Q1 2013/14 assurance checkpoint (seed 001) and illustrative risks: exact
text, and a second run changes nothing."""

import copy
import re
from pathlib import Path

import pytest
from django.db import transaction

from commissioning.demo.loader import FactsError, LoadContext, LoadReport, load_demo
from governance.demo_governance.loader import load_demo_governance, read_facts
from governance.models import (
    AgendaItem,
    AgreedAction,
    AssuranceCheckpoint,
    Committee,
    CommitteeMember,
    Finding,
    Meeting,
    Resolution,
    Risk,
    RiskBand,
    RiskReview,
    ScorecardResult,
)
from plans.markdown import render_markdown

SEEDS = Path("/work/shared/seeds")
GOVERNANCE_MODELS = [Committee, CommitteeMember, Meeting, AgendaItem, Resolution,
                     AssuranceCheckpoint, ScorecardResult, Finding, AgreedAction, Risk,
                     RiskReview, RiskBand]  # fmt: skip


def seed(number: str) -> str:
    return next(SEEDS.glob(f"{number}_*.txt")).read_text(encoding="utf-8")


def words(text: str) -> str:
    """Text without layout: Markdown list marks and bold dropped, all space runs one space."""
    text = text.replace("\u00a0", " ").replace("·", " ")
    text = re.sub(r"^\s*- ", " ", text, flags=re.MULTILINE)
    text = text.replace("**", "")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The whole demo loaded twice for this module (rolled back after it): the second
    report is yielded."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            first = load_demo()
            second = load_demo()
            yield {"first": first, "second": second}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def dump() -> dict:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in GOVERNANCE_MODELS}


# --- Redditch and Bromsgrove's committees (seed 002 p33-42) -----------------------------------


def test_redditch_and_bromsgrove_has_its_eleven_committees(loaded):
    committees = Committee.objects.filter(ccg__ods_code="05L").order_by("order")
    assert [(c.name, c.frequency) for c in committees] == [
        ("NHS R&B CCG Governing Body", "Monthly"),
        ("Remuneration Committee (joint with NHS WFCCG)", "As required"),
        ("Audit and Risk Committee", "Quarterly"),
        ("Finance and Performance Committee", "Monthly"),
        ("Quality and Patient Safety Committee", "Frequency to be confirmed"),
        ("Service Innovation Meeting", "Monthly"),
        ("Finance Innovation Meeting", "Monthly"),
        ("Pharmacy Sub Group", "Monthly"),
        ("Patient and Public Involvement Forum", "Monthly"),
        ("Redditch and Bromsgrove Advisory Forum", "Monthly"),
        ("NHS R&B CCG Management Team", "Fortnightly"),
    ]
    assert all(c.source_note.startswith("Seed 002 p") for c in committees)


def test_reporting_lines_are_the_seeds(loaded):
    lines = {
        c.name: c.reports_to.name if c.reports_to else None
        for c in Committee.objects.filter(ccg__ods_code="05L").select_related("reports_to")
    }
    governing_body, management = "NHS R&B CCG Governing Body", "NHS R&B CCG Management Team"
    assert lines == {
        governing_body: None,
        "Remuneration Committee (joint with NHS WFCCG)": governing_body,
        "Audit and Risk Committee": governing_body,
        "Finance and Performance Committee": governing_body,
        "Quality and Patient Safety Committee": governing_body,
        "Service Innovation Meeting": management,
        "Finance Innovation Meeting": management,
        "Pharmacy Sub Group": management,
        "Patient and Public Involvement Forum": None,
        "Redditch and Bromsgrove Advisory Forum": None,
        management: governing_body,
    }


def test_duties_are_the_seeds_words(loaded):
    audit = Committee.objects.get(ccg__ods_code="05L", name="Audit and Risk Committee")
    assert (
        "5. Counter fraud: The committee shall satisfy itself that NHS R&B CCG has adequate "
        "arrangements in place for countering fraud and shall review the outcomes of counter "
        "fraud work. It shall also approve the counter fraud work programme."
    ) in audit.duties
    remuneration = Committee.objects.get(ccg__ods_code="05L", kind="remuneration")
    assert remuneration.duties == (
        "The Remuneration Committee shall make recommendations to the governing body on "
        "determinations about pay and remuneration for employees of Redditch and Bromsgrove "
        "Clinical Commissioning Group and people who provide services to the Clinical "
        "Commissioning Group and allowances under any pension scheme it might establish as an "
        "alternative to the NHS pension scheme."
    )
    pharmacy = Committee.objects.get(ccg__ods_code="05L", name="Pharmacy Sub Group")
    assert "- Links with Area Prescribing Committee;" in pharmacy.duties.splitlines()
    # Every duty sentence is in the seed (only the list layout differs; the transcription
    # runs the tables' "Membership" heading into the text).
    source = words(seed("002")).replace(" Membership ", " ")
    for committee in Committee.objects.filter(ccg__ods_code="05L"):
        for line in committee.duties.splitlines():
            text = words(re.sub(r"^\s*\d\. ", "", line))
            assert text in source, (committee.name, text[:80])


def test_quorum_and_membership(loaded):
    management = Committee.objects.get(ccg__ods_code="05L", kind="management-team")
    assert management.quorum_members == 4
    assert management.quorum_note == (
        "It will be chaired by the Chief Officer and will have a quorum of four members."
    )
    audit = CommitteeMember.objects.filter(committee__name="Audit and Risk Committee")
    assert [(m.person.name if m.person else m.title, m.role, m.voting) for m in audit] == [
        ("Tony Hadfield", "chair", True),
        ("Linda Pratt", "core", True),
        ("Dr Rupen Kulkarni", "core", True),
        ("Mary Walters", "in-attendance", False),
        ("Karen Hunter", "in-attendance", False),
        ("nominated internal and external auditors", "in-attendance", False),
    ]
    board = CommitteeMember.objects.filter(committee__name="NHS R&B CCG Governing Body")
    assert board.count() == 19
    assert board.filter(role__in=["chair", "core"]).count() == 14  # p33's Core Membership
    assert board.get(title="TBC - Hospital Doctor").person is None
    # People only the committee pages name are added to the CCG's people, once each.
    radcliffe = CommitteeMember.objects.filter(person__name="Dr Marion Radcliffe")
    assert {m.committee.name for m in radcliffe} == {
        "Service Innovation Meeting",
        "Redditch and Bromsgrove Advisory Forum",
    }
    assert radcliffe[0].person.ccg.ods_code == "05L"


# --- The Rotherham scrutiny meeting (seed 000) -------------------------------------------------


def test_rotherham_select_commission_meeting_with_numbered_resolutions(loaded):
    committee = Committee.objects.get(ccg__ods_code="03L", name="RMBC Select Commission")
    assert committee.kind == "scrutiny" and committee.is_public
    assert committee.partner.name == "RMBC Select Commission"
    assert "assumed" in committee.source_note
    meeting = Meeting.objects.get(committee=committee)
    assert meeting.status == "held"
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.title == (
        "Annual Review of NHS Rotherham Clinical Commissioning Group's Commissioning Plan"
    )
    assert item.presenters == (
        "Ian Atkinson, Deputy Chief Officer Rotherham CCG and Lydia George, Planning and "
        "Assurance Manager Rotherham CCG"
    )
    assert item.part == "public"
    assert (item.plan.ccg.ods_code, item.plan.title) == ("03L", "Commissioning Plan 2015-19")
    assert [(r.number, r.text) for r in item.resolutions.order_by("number")] == [
        (1, "That the proposed priorities for the refresh plan for 2015 be noted."),
        (
            2,
            "That the draft plan be circulated to the Select Commission for final comments in "
            "December, 2015.",
        ),
        (
            3,
            "That Councillors Ahmed, Rose and M. Vines, report back to the Select Commission on "
            "the work of the Improving Lives Select Commission in respect of CSE.",
        ),
    ]


def test_the_minutes_are_the_seeds_to_the_end(loaded):
    item = AgendaItem.objects.get(meeting__committee__name="RMBC Select Commission")
    text = seed("000")
    minutes = text[text.index("Minutes:") + len("Minutes:") : text.index("Resolved:")]
    assert words(item.minutes) == words(minutes)
    html = str(render_markdown(item.minutes))
    assert "<li>Children</li>" in html  # the third level of the seed's lists
    assert item.minutes.rstrip().endswith(
        "the Improving Lives Select Commission was leading on scrutiny of CSE."
    )


# --- The Coventry supplementary agenda (seed 004) ----------------------------------------------


def test_coventry_supplementary_agenda_with_its_report_cover(loaded):
    meeting = Meeting.objects.get(committee__ccg__ods_code="05A")
    assert meeting.committee.name == "Coventry Health and Wellbeing Board"
    assert meeting.committee.kind == "health-and-wellbeing-board"
    assert (str(meeting.date), meeting.title) == ("2014-09-22", "Supplementary Agenda")
    item = meeting.items.get()
    assert (item.number, item.title) == (
        "5",
        "Coventry and Rugby Clinical Commissioning Group - Commissioning Intentions",
    )
    assert (item.plan.ccg.ods_code, item.plan.title) == ("05A", "Commissioning Intentions 2015/16")
    assert item.paper_to == "Coventry Health and Wellbeing Board"
    assert str(item.paper_date) == "2014-09-22"
    assert item.paper_from == "Juliet Hancox, Chief Operating Officer"
    assert item.paper_subject == (
        "NHS Coventry and Rugby Clinical Commissioning Group Draft Commissioning Intentions 2015/16"
    )
    assert item.paper_purpose == (
        "To inform members of the Health and Wellbeing Board of progress with the 2015/16 "
        "commissioning intentions process, in particular, the Transformational programmes"
    )
    assert item.paper_recommendations == (
        "Members of the Health and Wellbeing Board are asked to note and comment on the "
        "appended draft commissioning intentions document."
    )
    assert item.paper_author == "Clare Hollingworth, Chief Finance Officer"
    assert item.paper_contact == "clare.hollingworth@coventryrugbyccg.nhs.uk"
    assert "- Mental disorders are treated on a par with physical disorders" in (
        item.paper_key_issues.splitlines()
    )
    assert words(item.paper_key_issues) in words(seed("004"))


# --- The Rotherham Q1 2013/14 checkpoint (seed 001) --------------------------------------------


def test_rotherham_q1_checkpoint(loaded):
    checkpoint = AssuranceCheckpoint.objects.get(ccg__ods_code="03L", year=2013, quarter=1)
    assert (str(checkpoint.held_on), str(checkpoint.letter_date)) == ("2013-09-02", "2013-09-06")
    assert checkpoint.rating_scheme == "assurance-2013"
    assert checkpoint.rating == ""  # the letter gives none
    assert "South Yorkshire and Bassetlaw" in checkpoint.assessor


def test_scorecard_metrics_and_targets(loaded):
    results = ScorecardResult.objects.filter(checkpoint__ccg__ods_code="03L").order_by("order")
    assert [(r.metric, r.target, r.met) for r in results] == [
        ("Friends and Family Test (combined response rate for the inpatient and A&E surveys)",
         "15%", False),
        ("52 Week Waits", "", False),
        ("A&E – 4 Hour Target", "95%", False),
        ("Unclosed Serious Incidents", "", None),
        ("Local Priorities (linked to the quality premium)", "3 local priorities", None),
        ("QIPP", "4 QIPP workstream areas", True),
    ]  # fmt: skip
    letter = words(seed("001"))
    for result in results:
        assert result.result in letter


def test_findings_and_agreed_actions_are_the_letters_words(loaded):
    letter = words(seed("001"))
    findings = Finding.objects.filter(checkpoint__ccg__ods_code="03L").order_by("order")
    assert findings.count() == 18
    assert [f.area for f in findings[:4]] == [
        "Quality Compliance",
        "Friends and Family Test",
        "52 Week Waits",
        "A&E – 4 Hour Target",
    ]
    for finding in findings:
        assert words(finding.text) in letter, finding.area
    actions = AgreedAction.objects.filter(checkpoint__ccg__ods_code="03L").order_by("order")
    assert actions.count() == 6
    for action in actions:
        assert words(action.text) in letter
    assert [(a.owner, a.due_on and str(a.due_on)) for a in actions][-1] == (
        "Rotherham CCG",
        "2013-10-18",
    )


# --- Illustrative risks and bands --------------------------------------------------------------


def test_risks_are_illustrative_and_labelled(loaded):
    risks = Risk.objects.filter(ccg__ods_code__in=["03L", "05L"])
    assert risks.count() >= 4
    assert all(r.illustrative and r.title.startswith("Illustrative") for r in risks)
    assert {r.current_score for r in risks} >= {16, 20}
    assert {r.ccg.ods_code for r in risks} == {"03L", "05L"}
    assert all(r.reviews.exists() for r in risks)


def test_default_risk_bands_are_seed_002s(loaded):
    bands = RiskBand.objects.filter(ccg__isnull=True).order_by("min_score")
    assert [(b.code, b.min_score, b.max_score) for b in bands] == [
        ("low", 1, 3),
        ("moderate", 4, 6),
        ("high", 8, 12),
        ("extreme", 15, 25),
    ]


# --- Idempotency -------------------------------------------------------------------------------


def test_a_second_run_changes_nothing(loaded):
    first, second = loaded["first"].tallies, loaded["second"].tallies
    for model in GOVERNANCE_MODELS:
        name = model.__name__
        if name == "RiskBand":
            continue
        assert first[name].created > 0, name
        assert (second[name].created, second[name].updated) == (0, 0), name
    assert not any(
        loaded["second"].tallies[m.__name__].created or loaded["second"].tallies[m.__name__].updated
        for m in GOVERNANCE_MODELS
    )


def test_running_the_step_again_leaves_the_rows_as_they_are(loaded):
    before = dump()
    report = LoadReport()
    load_demo_governance(LoadContext(facts={}, password="", report=report))
    assert dump() == before
    assert not report.changed


def test_a_miscounted_list_is_refused(loaded):
    facts = copy.deepcopy(read_facts())
    facts["committees"]["stated_count"] = 12
    with pytest.raises(FactsError, match="11 listed, 12 stated"):
        load_demo_governance(LoadContext(facts={}, password="", report=LoadReport()), facts)


def test_the_step_needs_the_core_demo_first(db):
    """Run alone, the step refuses rather than inventing the CCGs it needs (this test also
    asks for the database, which the module's shared load above uses)."""
    with pytest.raises(FactsError, match="05L, which is not loaded"):
        load_demo_governance(LoadContext(facts={}, password="", report=LoadReport()))
