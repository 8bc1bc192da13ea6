"""The demo plans of `manage.py load_demo`: the seed documents' words, the real lifecycle,
the Rotherham refresh and its diff, and a second run that changes nothing."""

import copy
import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command

from commissioning.demo import loader as core_loader
from commissioning.demo.loader import FactsError, load_demo
from commissioning.models import CCG
from commissioning.years import FinancialYear
from plans import snapshots
from plans.demo import loader as plans_loader
from plans.diffing import ADDED, CHANGED, UNCHANGED, diff_snapshots
from plans.markdown import render_markdown
from plans.models import (
    Consultation,
    Milestone,
    Plan,
    PlanState,
    PlanStatement,
    PlanVersion,
    Section,
)
from plans.services.lifecycle import baseline_for_refresh

PLAN_MODELS = [Plan, Section, PlanStatement, PlanVersion, Consultation, Milestone]


def run() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def dump() -> dict:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in PLAN_MODELS}


@pytest.fixture
def loaded(db):
    return run()


def plan(code: str, title: str) -> Plan:
    return Plan.objects.get(ccg__ods_code=code, title=title)


def rotherham() -> Plan:
    return plan("03L", "Commissioning Plan 2015-19")


def refresh() -> Plan:
    return rotherham().refreshed_by.get()


def statements(p: Plan, kind: str, group: str | None = None) -> list[str]:
    items = p.statements.filter(kind=kind).order_by("order")
    if group is not None:
        items = items.filter(group=group)
    return [s.text for s in items]


# --- Rotherham (seed 000) --------------------------------------------------------------------

EIGHT_AIMS = [
    "Unscheduled Care (unplanned care) – Emergency Centre, GP Case Management, 7 day working, "
    "enhanced care co-ordination centre",
    "Clinical Referrals (planned care) – improving care pathways so patients get the right care "
    "at the right time including reducing the number of hospital follow-ups",
    "Mental Health – delivery Adults and CAMHS transformation plans including Adult Mental "
    "Health Liaison and Parity of Esteem",
    "Rotherham Partnerships – to deliver the Better Care Fund and the joint children’s agenda "
    "with RMBC",
    "Transforming Community Services – Locality-based nursing, safer discharge, admissions "
    "prevention, integrated out of hours",
    "Medicines Management – increase quality, efficiency, reduce variation and waste across "
    "thirty-six practices, six service redesign projects",
    "Developing General Practice – delegated responsibility for commissioning general practice "
    "and co-commissioning of Primary Care and Specialised Services",
    "Regional Partnerships – deliver the ‘Working Together Collaboration’ with other CCGs across "
    "South Yorkshire",
]

AREAS_WITH_A_CURRENT_PLAN = [
    "Joint Commission with RMBC including the Better Care Fund",
    "Commissioning of Children’s Services",
    "Response to Child Sexual Exploitation (CSE)",
    "Hospital and Community Care",
    "Community Transformation",
    "Mental Health, CAMHS and Learning Disabilities",
]


def test_rotherham_plan_holds_the_eight_strategic_aims_word_for_word(loaded):
    p = rotherham()
    assert statements(p, "aim") == EIGHT_AIMS
    assert set(p.statements.values_list("group", flat=True)) == {"2015-19 Strategic Direction"}
    assert (p.kind, p.first_year, p.last_year) == (
        "strategic-plan",
        FinancialYear(2015),
        FinancialYear(2018),
    )
    assert p.period_label == "2015-19"


def test_rotherham_plan_was_frozen_through_the_real_lifecycle(loaded):
    p = rotherham()
    assert p.state == PlanState.PUBLISHED and p.is_public
    versions = list(p.versions.order_by("number"))
    assert [(v.number, v.from_state, v.to_state, v.label) for v in versions] == [
        (1, "draft", "submitted", "Draft 1"),
        (2, "submitted", "approved", "Final"),
        (3, "approved", "published", "Final"),
    ]
    assert all(v.created_by is None and "seed 000" in v.note for v in versions)
    frozen = versions[-1].content
    assert [s["title"] for s in frozen["collections"]["sections"]] == AREAS_WITH_A_CURRENT_PLAN
    assert [s["text"] for s in frozen["collections"]["statements"]] == EIGHT_AIMS


def test_rotherham_sections_state_the_current_plan(loaded):
    sections = {s.title: s.body for s in rotherham().sections.all()}
    assert list(sections) == AREAS_WITH_A_CURRENT_PLAN
    assert sections["Joint Commission with RMBC including the Better Care Fund"] == (
        "- In 2015-16 we will Consolidate the Better Care Fund plan"
    )
    assert sections["Response to Child Sexual Exploitation (CSE)"] == (
        "- We will work with partners to address all issues that arise from the Jay and Casey "
        "Reports into CSE"
    )
    html = render_markdown(sections["Hospital and Community Care"])
    assert "<li>QIPP\n<ul>\n<li>3.5% year on year efficiency</li>" in html
    assert "<li>Follow-ups reduce by 8%</li>" in html


def test_the_refresh_is_in_consultation_with_the_scrutiny_member_invited(loaded):
    parent, r = rotherham(), refresh()
    assert r.title == "Commissioning Plan 2015-19: 2016/17 refresh"
    assert r.refreshes == parent and r.state == PlanState.CONSULTATION
    assert (r.first_year, r.last_year) == (FinancialYear(2016), FinancialYear(2018))
    assert [(v.number, v.from_state, v.to_state, v.label) for v in r.versions.all()] == [
        (1, "draft", "consultation", "Draft 1")
    ]
    consultation = r.consultations.get()
    assert (consultation.opens_on, consultation.closes_on) == (
        dt.date(2015, 12, 14),
        dt.date(2016, 2, 29),
    )
    assert consultation.closed_at is None
    assert "assumed" in consultation.purpose
    assert [u.username for u in consultation.invited_users.all()] == ["scrutiny.rotherham"]
    assert [p.name for p in consultation.invited_partners.all()] == ["RMBC Select Commission"]
    # The refresh kept its parent's keys: same aims, same sections, one added.
    assert set(r.statements.values_list("key", flat=True)) == set(
        parent.statements.values_list("key", flat=True)
    )
    parent_keys = set(parent.sections.values_list("key", flat=True))
    added = r.sections.exclude(key__in=parent_keys)
    assert [s.title for s in added] == ["Primary Care"]
    assert r.sections.filter(key__in=parent_keys).count() == 6


def test_the_refresh_milestones(loaded):
    milestones = [(m.title, m.due_on, m.done_on) for m in refresh().milestones.all()]
    assert milestones == [
        (
            "Current Plan reviewed by the Governing Body, Strategic Clinical Executive and RMBC",
            dt.date(2015, 9, 2),
            dt.date(2015, 9, 2),
        ),
        ("First draft to stakeholders", dt.date(2015, 12, 14), dt.date(2015, 12, 14)),
        ("Plan signed off by the governing body", dt.date(2016, 2, 29), None),
    ]
    assert all("assumed" in m.note for m in refresh().milestones.all())
    signed_off = refresh().milestones.get(title="Plan signed off by the governing body")
    assert signed_off.is_overdue(dt.date(2016, 3, 1))


def test_the_refresh_diff_shows_current_plan_against_proposed_for_each_area(loaded):
    r = refresh()
    baseline, label = baseline_for_refresh(r)
    assert label == "Commissioning Plan 2015-19 (2015-19), as published"
    diff = diff_snapshots(baseline, snapshots.take(r))
    sections = next(c for c in diff.collections if c.name == "sections")
    by_title = {item.title: item for item in sections.items}
    assert list(by_title) == [*AREAS_WITH_A_CURRENT_PLAN[:5], "Primary Care"] + [
        AREAS_WITH_A_CURRENT_PLAN[5]
    ]
    assert {t for t, i in by_title.items() if i.status == CHANGED} == set(AREAS_WITH_A_CURRENT_PLAN)
    assert by_title["Primary Care"].status == ADDED
    assert not any(item.moved for item in sections.items)
    joint = by_title["Joint Commission with RMBC including the Better Care Fund"]
    (body,) = joint.fields
    assert body.old == "- In 2015-16 we will Consolidate the Better Care Fund plan"
    assert body.new.startswith("- Review of the current Better Care Fund initiatives\n")
    assert "  - Continuing Health Care" in body.new
    phases = by_title["Community Transformation"].fields[0]
    assert {w.text for w in phases.words if w.op == "delete"} >= {"1"}
    assert any(w.op == "insert" and w.text.startswith("2") for w in phases.words)
    aims = next(c for c in diff.collections if c.name == "statements")
    assert [i.status for i in aims.items] == [UNCHANGED] * 8


# --- Southern Derbyshire (seed 003) ----------------------------------------------------------

SD_SECTIONS = [
    "Introduction",
    "Context",
    "Delivery Plan Summary - 'Plan on a Page'",
    "Priority: Older people and people with a long term condition",
    "Priority: Mental Health",
    "Priority: Urgent Care",
    "Priority: Primary Care",
    "Priority: Children",
    "Locality Focus",
    "Quality",
    "Finance",
    "Patient and Public Engagement",
    "CCG Development",
    "Provider Relationships",
    "Rights and Pledges from the NHS Constitution 2013/14",
]


def test_southern_derbyshire_mission_principles_and_ten_objectives(loaded):
    p = plan("04R", "Delivery Plan 2013/14")
    assert (p.kind, p.period_label, p.state) == ("delivery-plan", "2013/14", "published")
    assert p.mission == (
        "Our mission is to continuously improve the health and wellbeing of the people of "
        "Southern Derbyshire, using all resources as fairly as possible."
    )
    objectives = statements(p, "objective", "Objectives 2013/14")
    assert len(objectives) == 10
    assert objectives[0] == (
        "To ensure that we have a constant focus on safeguarding and improving the quality of "
        "care for patients."
    )
    assert objectives[6] == "To improve mental health wellbeing across Southern Derbyshire"
    assert objectives[9] == (
        "To improve healthcare outcomes for children and young people through an effective "
        "integrated commissioning approach."
    )
    principles = statements(p, "principle")
    assert len(principles) == 6
    assert principles[0] == (
        "providing local clinical leadership to the NHS and working with everybody who can "
        "contribute,"
    )
    assert principles[-1] == "Using our resource fairly and effectively."


def test_southern_derbyshire_sections_follow_the_document(loaded):
    p = plan("04R", "Delivery Plan 2013/14")
    assert list(p.sections.values_list("title", flat=True)) == SD_SECTIONS
    context = p.sections.get(title="Context").body
    assert "| Amber Valley and South Dales | 19 | 161,000 |" in context
    assert "| Total | 57 | 525,000 |" in context
    assert "budget of £623m" in context
    assert "<table>" in render_markdown(context)
    finance = p.sections.get(title="Finance").body
    assert "SDCCG have been allocated £622.7m of funding in 13/14." in finance
    assert "- b) A 1% surplus (£6.1m); and" in finance
    assert "efficiency target of £15.6m (2.5% of total funding)" in finance
    assert p.sections.get(title="Introduction").body.endswith("Dr Sheila Newport (CCG Chair)")
    assert p.sections.get(title="Delivery Plan Summary - 'Plan on a Page'").body.startswith(
        "*Summary (not the plan's own words"
    )
    assert [v.number for v in p.versions.all()] == [1, 2, 3]


# --- Coventry and Rugby (seed 004) -----------------------------------------------------------


def test_coventry_and_rugby_draft_5_is_still_a_draft(loaded):
    p = plan("05A", "Commissioning Intentions 2015/16")
    assert (p.kind, p.period_label) == ("commissioning-intentions", "2015/16")
    assert p.state == PlanState.DRAFT and p.draft_number == 5
    assert p.version_label == "Draft 5"
    assert not p.versions.exists()
    assert "Status: DRAFT 5 for consideration by CDG" in p.summary


def test_coventry_and_rugby_principles_in_their_groups(loaded):
    p = plan("05A", "Commissioning Intentions 2015/16")
    transformation = statements(
        p, "principle", "Principles of our shared approach to transformation"
    )
    assert len(transformation) == 7
    assert transformation[0] == "Care closer to home"
    assert transformation[-1] == "Mental disorders are treated on par with physical disorders."
    core = p.statements.filter(group="Our core commissioning principles").order_by("order")
    assert [(s.title, s.text) for s in core] == [
        ("Quality & Safety", "assuring Quality & Safety"),
        ("Integration", "promoting Integration"),
        ("Best Value", "securing Best Value."),
    ]


def test_coventry_and_rugby_report_cover(loaded):
    p = plan("05A", "Commissioning Intentions 2015/16")
    titles = list(p.sections.values_list("title", flat=True))
    assert titles == [
        "Report to the Health and Wellbeing Board",
        "Purpose",
        "Key Issues",
        "Recommendations",
        "Introduction",
    ]
    cover = p.sections.get(title="Report to the Health and Wellbeing Board").body
    for line in [
        "- **To:** Coventry Health and Wellbeing Board",
        "- **Date:** 22 September 2014",
        "- **From:** Juliet Hancox, Chief Operating Officer",
        "- **Subject:** NHS Coventry and Rugby Clinical Commissioning Group Draft Commissioning "
        "Intentions 2015/16",
    ]:
        assert line in cover.splitlines()
    assert p.sections.get(title="Recommendations").body == (
        "Members of the Health and Wellbeing Board are asked to note and comment on the "
        "appended draft commissioning intentions document."
    )


# --- Redditch and Bromsgrove (seed 002) ------------------------------------------------------

RB_CONTENTS = [
    "Foreword",
    "Introduction and vision",
    "Our health economy",
    "Leadership and governance",
    "Communication and engagement",
    "Finance",
    "Human resources",
    "Clinical engagement",
    "Performance and quality",
    "Informatics",
    "Appendix A: Risk assessment and Governing Body Assurance Framework",
    "Appendix B: Commissioning, quality and patient safety plan",
    "Appendix C: Worcestershire QIPP Schemes",
]


def test_redditch_and_bromsgrove_vision_values_and_contents(loaded):
    p = plan("05L", "Integrated Plan 2012/13")
    assert (p.kind, p.period_label, p.state) == ("integrated-plan", "2012/13", "published")
    assert p.vision == "Working together to promote high quality, affordable healthcare."
    values = statements(p, "value")
    assert len(values) == 12
    assert values[0] == "NHS R&B CCG will promote a fair, ethical and transparent culture"
    assert values[5] == "Patient Choice matters to NHS R&B CCG"
    assert values[-1] == "NHS R&B CCG will be a good employer"
    assert len(statements(p, "aim")) == 4
    sections = list(p.sections.all())
    assert [s.title for s in sections] == RB_CONTENTS
    # Long parts are summarised and say so; absent appendices say they are absent.
    assert all(s.body.startswith("*Summary (not the plan's own words") for s in sections[:11])
    assert all(s.body.startswith("*Not in the source:*") for s in sections[11:])
    assert "- 1.2 Vision and values" in sections[1].body.splitlines()


# --- The load as a whole ---------------------------------------------------------------------


def test_first_run_reports_plans_sections_and_versions(loaded):
    def line(name):
        return next(x for x in loaded.splitlines() if re.match(rf"\s*{name}\s+created", x))

    assert line("Plan").endswith("created 5, updated 0, unchanged 0")
    sections = 6 + 7 + len(SD_SECTIONS) + 5 + len(RB_CONTENTS)
    assert line("Section").endswith(f"created {sections}, updated 0, unchanged 0")
    assert line("PlanVersion").endswith("created 10, updated 0, unchanged 0")
    assert line("PlanStatement").endswith(f"created {8 + 8 + 16 + 10 + 16}, updated 0, unchanged 0")
    assert line("Milestone").endswith("created 3, updated 0, unchanged 0")
    assert line("Consultation").endswith("created 1, updated 0, unchanged 0")
    assert Plan.objects.count() == 5 and Section.objects.count() == sections


def test_second_run_creates_nothing_and_adds_no_version(loaded):
    before = dump()
    output = run()
    assert dump() == before
    assert "Nothing changed." in output
    assert re.search(r"\n\s*Plan\s+created 0, updated 0, unchanged 5\n", output)
    assert re.search(r"\n\s*PlanVersion\s+created 0, updated 0, unchanged 10\n", output)


def test_registered_steps_run_after_the_core_steps_in_registration_order(db, monkeypatch):
    monkeypatch.setattr(core_loader, "_REGISTERED", dict(core_loader._REGISTERED))
    seen = []
    core_loader.register_step(lambda ctx: seen.append("first"), "probe")
    core_loader.register_step(lambda ctx: seen.append(Plan.objects.count()), "probe")
    load_demo()
    assert seen == [5]  # replaced in place, and run after the plans step
    # "plans" first; apps above plans (priorities, ...) register after it, "probe" last.
    assert list(core_loader._REGISTERED)[0] == "plans"
    assert list(core_loader._REGISTERED)[-1] == "probe"


def test_a_failing_later_step_leaves_no_plan_behind(db, monkeypatch):
    monkeypatch.setattr(core_loader, "_REGISTERED", dict(core_loader._REGISTERED))

    def fail(ctx):
        assert Plan.objects.count() == 5  # the plans step has run inside the transaction
        raise FactsError("stop")

    core_loader.register_step(fail, "after-plans")
    with pytest.raises(FactsError, match="stop"):
        load_demo()
    assert not Plan.objects.exists() and not CCG.objects.exists()


def test_a_statement_list_that_contradicts_its_count_is_refused(db, monkeypatch):
    facts = copy.deepcopy(plans_loader.read_plan_facts())
    objectives = next(g for g in facts["plans"][1]["statements"] if g["kind"] == "objective")
    objectives["items"].pop()
    monkeypatch.setattr(plans_loader, "read_plan_facts", lambda: facts)
    with pytest.raises(FactsError, match="9 objective statements listed, 10 stated"):
        load_demo()
    assert not Plan.objects.exists()


def test_every_plan_fact_cites_its_seed():
    facts = plans_loader.read_plan_facts()
    plans_loader.check_plan_facts(facts)  # raises if a group does not cite a seed
    broken = copy.deepcopy(facts)
    broken["plans"][3]["sections"][0]["source"] = "somewhere"
    with pytest.raises(FactsError, match="'Foreword' does not cite its seed"):
        plans_loader.check_plan_facts(broken)
