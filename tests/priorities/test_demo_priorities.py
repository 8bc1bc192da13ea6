"""The demo priorities of `manage.py load_demo`: the seed documents' words, written while each
plan is a draft so that its versions (and Rotherham's refresh) hold them, the illustrative
updates marked as such, and a second run that changes nothing."""

import copy
import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command

from commissioning.demo.loader import FactsError, load_demo
from commissioning.models import CCG
from commissioning.years import FinancialYear
from plans import snapshots
from plans.diffing import UNCHANGED, diff_snapshots
from plans.models import Plan, PlanState
from plans.services.lifecycle import baseline_for_refresh
from priorities.demo import loader as priorities_loader
from priorities.models import (
    Action,
    Commitment,
    DeliveryStatus,
    LocalityFocus,
    PriorityArea,
    Programme,
    ProgrammeIntention,
    ProgrammeMeasure,
    ProgressUpdate,
    SuccessMeasure,
)

MODELS = [
    PriorityArea,
    Commitment,
    Action,
    SuccessMeasure,
    LocalityFocus,
    Programme,
    ProgrammeIntention,
    ProgrammeMeasure,
    ProgressUpdate,
]
LABEL = "Illustrative update (demo data, not reported by the CCG):"


def run() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def dump() -> dict:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in MODELS}


def report_line(output: str, name: str) -> str:
    return next(x for x in output.splitlines() if re.match(rf"\s*{name}\s+created", x))


@pytest.fixture
def loaded(db):
    return run()


def plan(code: str, title: str) -> Plan:
    return Plan.objects.get(ccg__ods_code=code, title=title)


def southern_derbyshire() -> Plan:
    return plan("04R", "Delivery Plan 2013/14")


def rotherham() -> Plan:
    return plan("03L", "Commissioning Plan 2015-19")


def redditch() -> Plan:
    return plan("05L", "Integrated Plan 2012/13")


def coventry() -> Plan:
    return plan("05A", "Commissioning Intentions 2015/16")


# --- Southern Derbyshire (seed 003) ----------------------------------------------------------

# Title, commitments, actions: the five priorities (p5-p9), then the supporting areas.
SD_AREAS = [
    ("Older people and people with a long term condition", 6, 21),
    ("Mental Health", 5, 15),
    ("Urgent Care", 4, 21),
    ("Primary Care", 5, 16),
    ("Children", 5, 14),
    ("Quality", 6, 26),
    ("Finance", 6, 0),
    ("Patient and Public Engagement", 4, 16),
    ("CCG Development", 4, 15),
    ("Provider Relationships", 5, 11),
]
SD_OBJECTIVES = [
    "Our objective is to integrate services and improve the experience of health and social care "
    "for older people and people with long term conditions",
    "Our objective is to improve mental health wellbeing across Southern Derbyshire.",
    "Our objective is to improve the access to, and quality of, appropriate urgent care services "
    "for the patients of SDCCG",
    "Our objective is to continue to improve the performance, quality and range of services "
    "provided within primary care and extended primary care settings",
    "Our objective is to improve healthcare outcomes for children and young people through an "
    "effective integrated commissioning approach.",
]


def test_southern_derbyshire_priorities_commitments_and_actions_as_counted_in_seed_003(loaded):
    priorities = list(southern_derbyshire().priorities.order_by("order"))
    counted = [
        (p.title, p.commitments.count(), Action.objects.filter(commitment__priority=p).count())
        for p in priorities
    ]
    assert counted == SD_AREAS
    assert [p.objective for p in priorities[:5]] == SD_OBJECTIVES
    five = priorities[:5]
    assert sum(p.commitments.count() for p in five) == 25
    assert Action.objects.filter(commitment__priority__in=five).count() == 87
    assert Commitment.objects.filter(priority__plan=southern_derbyshire()).count() == 50
    assert Action.objects.filter(commitment__priority__plan=southern_derbyshire()).count() == 155
    assert priorities[9].objective == (
        "Our objective is to build strong clinical and contractual relationships with people who "
        "provide services to our patients."
    )


def test_southern_derbyshire_texts_are_the_seeds_own(loaded):
    p = southern_derbyshire()
    older = p.priorities.get(title="Older people and people with a long term condition")
    assert [c.text for c in older.commitments.order_by("order")][-1] == (
        "We will better support people to die in their place of choice"
    )
    care_homes = older.commitments.get(
        text="We will review the role, capacity and quality of care homes"
    )
    assert [a.text for a in care_homes.actions.order_by("order")] == [
        "We will review the role of care homes within the healthcare system",
        "Determine current capacity and usage of care homes in each locality and work towards "
        "effective utilisation",
        "Develop community team support",
        "Evaluate workforce development options, including training",
    ]
    dementia = p.priorities.get(title="Mental Health").commitments.order_by("order").first()
    assert dementia.actions.order_by("order").first().text == (
        "Work with social care to finalise' the refresh of dementia strategies with both Councils"
    )
    talking = p.priorities.get(title="Mental Health").commitments.order_by("order").last()
    assert talking.text == "We will improve access to 'talking therapy ' services"
    assert talking.actions.order_by("order").last().text == (
        "Improve GP and public understanding of services available"  # a line the seed broke
    )
    children = p.priorities.get(title="Children").commitments.order_by("order")
    assert children[1].text == (
        "We aim to reduce demand for hospital care for children with long term health conditions"
    )
    assert children[1].actions.order_by("order")[1].text == (
        "Identify any patterns of unwarranted clinical variation"  # the "· " mark dropped
    )
    finance = p.priorities.get(title="Finance")
    assert finance.commitments.order_by("order").first().text == (
        "We will ensure we will meet all of our financial and service quality delivery targets"
    )
    assert all(
        c.lead == "" and c.locality is None for c in Commitment.objects.filter(priority__plan=p)
    )


def test_southern_derbyshire_due_quarters_only_where_the_seed_names_a_month_or_year(loaded):
    actions = Action.objects.filter(commitment__priority__plan=southern_derbyshire())
    dated = {a.text: a.due_label for a in actions.exclude(due_on=None)}
    assert dated == {
        "Implementation of electronic sensor data collection system by May 2013 to improve "
        "turnaround": "Q1 2013/14",
        "Rapid improvement event to reduce longest delay areas June 2013": "Q1 2013/14",
        "Establish improved escalation guidelines for maintaining in periods of high demand "
        "July 2013": "Q2 2013/14",
        "Performance measures and consequences contractually applied – Mar 2013QA": "Q4 2012/13",
        "Develop full clinical specifications for non elective patients organised around the "
        "patient by Sept 2013": "Q2 2013/14",
        "Work with our mental health and acute service providers to implement the service "
        "(known as RAID) in 2013/14": "Q4 2013/14",
    }
    assert all(a.due_precision == "quarter" for a in actions.exclude(due_on=None))


def test_southern_derbyshire_end_states_from_the_plan_on_a_page(loaded):
    priorities = list(southern_derbyshire().priorities.order_by("order"))
    assert all(p.end_state for p in priorities[:5])
    assert not any(p.end_state for p in priorities[5:])  # the supporting areas have none
    assert priorities[0].end_state == (
        "- People have access to care which is responsive, accessible and centred around their "
        "unique needs\n"
        "- Services work together to provide integrated support to promote independence into "
        "old age"
    )
    assert priorities[1].end_state == (
        "- People helped to achieve and maintain positive mental health and wellbeing and can "
        "access mental health support services when and where they need them."
    )
    assert priorities[4].end_state.splitlines()[-1] == (
        "- Supported and co-ordinated transition between children's and adult health provision"
    )


def test_southern_derbyshire_locality_focus(loaded):
    focus = LocalityFocus.objects.filter(plan=southern_derbyshire()).select_related("locality")
    by_code = {}
    for item in focus.order_by("order"):
        by_code.setdefault(item.locality.code, []).append(item.text)
    assert {code: len(items) for code, items in by_code.items()} == {
        "DAC": 6,
        "DCN": 3,
        "AVSD": 4,
        "SD": 3,
    }
    assert by_code["DAC"][0] == "Drugs & Alcohol related admissions"
    assert by_code["DCN"][0] == (
        "Patient engagement and education. Recruit additional patient representatives to "
        "Locality Board"
    )
    assert by_code["AVSD"][3] == (
        "Increase support to practices; including:\n"
        "- Extend Enhanced Medicines Management\n"
        "- Trial the same model for referrals."
    )
    assert (
        by_code["SD"][0] == "Full running of Oaklands:\n- Intermediate Care\n- Frail Older People"
    )


def test_every_version_of_southern_derbyshire_holds_its_priorities(loaded):
    p = southern_derbyshire()
    versions = list(p.versions.order_by("number"))
    assert [v.to_state for v in versions] == ["submitted", "approved", "published"]
    for version in versions:
        collections = version.content["collections"]
        assert [x["title"] for x in collections["priorities"]] == [t for t, _, _ in SD_AREAS]
        assert len(collections["commitments"]) == 50
        assert len(collections["actions"]) == 155
        assert len(collections["locality-focus"]) == 16
    assert versions[-1].content["collections"]["actions"][0]["text"] == (
        "Specify and procure practice facing community 'core integrated services'"
    )


# --- Illustrative delivery updates -------------------------------------------------------------


def test_illustrative_updates_are_marked_dated_in_2013_14_and_set_the_status(loaded):
    updates = ProgressUpdate.objects.all()
    assert updates.count() == 10
    year = FinancialYear(2013)
    for update in updates:
        assert update.illustrative
        assert update.narrative.startswith(LABEL)
        assert update.plan == southern_derbyshire()
        assert update.reported_by is None
        assert year.start <= update.reported_on <= year.end
    sensor = Action.objects.get(text__startswith="Implementation of electronic sensor data")
    assert [u.status for u in sensor.updates.all()] == ["complete", "on-track"]  # latest first
    assert sensor.status == DeliveryStatus.COMPLETE
    assert sensor.status_reported_on == dt.date(2013, 6, 28)
    qipp = Commitment.objects.get(text__contains="Quality Innovation Productivity and Prevention")
    assert qipp.status == DeliveryStatus.AT_RISK and qipp.updates.count() == 1
    assert southern_derbyshire().state == PlanState.PUBLISHED
    untouched = Action.objects.filter(commitment__priority__plan=southern_derbyshire())
    assert untouched.filter(status=DeliveryStatus.NOT_STARTED).count() == 155 - 8


# --- Rotherham (seed 000) --------------------------------------------------------------------


def test_rotherham_priorities_are_its_eight_aims_and_the_refresh_carries_them(loaded):
    p = rotherham()
    priorities = list(p.priorities.order_by("order"))
    aims = list(p.statements.filter(kind="aim").order_by("order").values_list("text", flat=True))
    assert len(priorities) == 8
    assert [f"{x.title} – {x.objective}" for x in priorities] == aims
    assert priorities[0].title == "Unscheduled Care (unplanned care)"
    assert priorities[7].objective == (
        "deliver the ‘Working Together Collaboration’ with other CCGs across South Yorkshire"
    )
    assert not Commitment.objects.filter(priority__plan=p).exists()
    published = p.versions.get(to_state="published").content["collections"]["priorities"]
    assert [x["title"] for x in published] == [x.title for x in priorities]

    refresh = p.refreshed_by.get()
    assert {str(k) for k in refresh.priorities.values_list("key", flat=True)} == {
        str(x.key) for x in priorities
    }
    baseline, _ = baseline_for_refresh(refresh)
    diff = diff_snapshots(baseline, snapshots.take(refresh))
    changes = next(c for c in diff.collections if c.name == "priorities")
    assert [i.status for i in changes.items] == [UNCHANGED] * 8


# --- Redditch and Bromsgrove (seed 002) ------------------------------------------------------


def test_redditch_and_bromsgrove_eight_priorities_with_baseline_and_aspiration(loaded):
    p = redditch()
    priorities = list(p.priorities.order_by("order"))
    assert [x.title for x in priorities] == [
        "Develop and sustain a culture of quality",
        "to achieve and sustain financial balance",
        "Reduce inappropriate unscheduled care admissions",
        "Improve access and outcomes for Mental Health Services",
        "Reduce vascular deaths (heart attack and stroke)",
        "Improve transfers of patient care (discharges/patient flow etc)",
        "Improve access, range and proportion of services within Primary Care",
        "Support and deliver the Cancer Strategy within Worcestershire",
    ]
    assert "including the delivery of £3.3m worth of QIPP savings" in priorities[1].objective
    assert "improvements around digity and nutrition" in priorities[0].objective
    measures = list(SuccessMeasure.objects.filter(plan=p).order_by("order"))
    assert [(m.measure, m.priority) for m in measures] == list(
        zip(
            [
                "Quality",
                "Financial balance",
                "Unscheduled admissions",
                "Mental health",
                "Vascular deaths",
                "Transfers of care",
                "Primary care",
                "Cancer",
            ],
            priorities,
            strict=True,
        )
    )
    finance = measures[1]
    assert finance.baseline == (
        "The CCG had a budget of £185m in 2011/12. The end of year position, after taking into "
        "account future practice changes, was a surplus of £252,173 or 0.1%."
    )
    assert 'figures before "million" are lost' in finance.source
    cancer = measures[7]
    assert cancer.baseline == "Lead GP arrangements in place, supporting the radiotherapy project."
    assert cancer.aspiration == (
        "Maintain Lead GP arrangements. Engage NHS R&B CCG Member Practices in the delivery of "
        "the Cancer Strategy."
    )
    transfers = measures[5]
    assert transfers.baseline == "Capacity Management Meetings established."
    assert transfers.aspiration.startswith("Agree with NHS South Worcestershire Clinical")
    assert measures[0].aspiration.startswith(
        "NHS R&B CCG will have a recognised and proactive approach to Clinical Quality"
    )
    assert all(m.source.startswith("seed 002 p1") for m in measures)
    published = p.versions.get(to_state="published").content["collections"]
    assert len(published["priorities"]) == 8 and len(published["success-measures"]) == 8
    assert published["success-measures"][1]["baseline"] == finance.baseline


# --- Coventry and Rugby (seed 004) -----------------------------------------------------------

PROGRAMMES = [
    ("Diabetes Management", 9),
    ("Dementia Care", 6),
    ("End of Life", 4),
    ("24/7 Urgent Care", 9),
    ("Stroke Care", 4),
    ("Maternity, Children and Young People", 14),
    ("Elective Care", 8),
]


def test_coventry_and_rugby_seven_programmes_with_their_intentions_on_draft_5(loaded):
    p = coventry()
    assert p.state == PlanState.DRAFT and p.version_label == "Draft 5"
    programmes = list(Programme.objects.filter(ccg__ods_code="05A").order_by("order"))
    assert [(x.name, x.intentions.filter(plan=p).count()) for x in programmes] == PROGRAMMES
    assert ProgrammeIntention.objects.filter(plan=p).count() == 54
    dementia = programmes[1]
    assert [m.text for m in dementia.measures.all()] == [
        "95% of people wait no longer than 8 weeks to be seen by the Memory Assessment Clinic"
    ]
    assert {x.name for x in programmes if x.measures.exists()} == {
        "Diabetes Management",
        "Dementia Care",
        "Elective Care",
    }
    diabetes = list(programmes[0].intentions.order_by("order"))
    assert diabetes[0].text == (
        "We will work with our GP Members to secure improved performance against the 8 annual "
        "checks"
    )
    assert diabetes[7].text.endswith(
        "\n- v. Complex Type 1/Adolescents\n- vi. Inpatient Diabetes care"
    )
    end_of_life = programmes[2].intentions.order_by("order")[2].text
    assert "operational from the 1st April" in end_of_life
    assert programmes[6].description.startswith("As we finalised our 2 year Operating Plan")
    assert not any(x.lead for x in programmes)
    # Principles stay the plans demo's statements: nothing duplicated as priorities.
    assert p.statements.filter(kind="principle").count() == 10
    assert not p.priorities.exists()


# --- The load as a whole ---------------------------------------------------------------------


def test_first_run_reports_the_new_rows(loaded):
    expected = {
        "PriorityArea": 10 + 8 + 8 + 8,  # Rotherham's eight twice: the plan and its refresh
        "Commitment": 50,
        "Action": 155,
        "SuccessMeasure": 8,
        "LocalityFocus": 16,
        "Programme": 7,
        "ProgrammeIntention": 54,
        "ProgrammeMeasure": 3,
        "ProgressUpdate": 10,
    }
    for name, count in expected.items():
        assert report_line(loaded, name).endswith(f"created {count}, updated 0, unchanged 0")
    assert PriorityArea.objects.count() == expected["PriorityArea"]


def test_second_run_changes_nothing(loaded):
    before = dump()
    output = run()
    assert dump() == before
    assert "Nothing changed." in output
    assert report_line(output, "Action").endswith("created 0, updated 0, unchanged 155")
    assert report_line(output, "ProgressUpdate").endswith("created 0, updated 0, unchanged 10")
    assert report_line(output, "PriorityArea").endswith("created 0, updated 0, unchanged 34")


def test_a_drifted_programme_is_put_back_and_counted_as_updated(loaded):
    Programme.objects.filter(name="Stroke Care").update(order=99)
    output = run()
    assert Programme.objects.get(name="Stroke Care").order == 5
    assert report_line(output, "Programme").endswith("created 0, updated 1, unchanged 6")


def test_priorities_that_contradict_the_aim_statements_are_refused(db, monkeypatch):
    facts = copy.deepcopy(priorities_loader.read_priority_facts())
    rotherham_spec = next(s for s in facts["plans"] if s["ccg"] == "03L")
    rotherham_spec["priorities"][0]["objective"] = "something the seed does not say"
    monkeypatch.setattr(priorities_loader, "read_priority_facts", lambda: facts)
    with pytest.raises(FactsError, match="do not match its aim statements"):
        load_demo()
    assert not CCG.objects.exists()  # one transaction: nothing half-loaded


def test_every_priority_fact_cites_its_seed():
    facts = priorities_loader.read_priority_facts()
    priorities_loader.check_priority_facts(facts)  # raises if a group does not cite a seed
    broken = copy.deepcopy(facts)
    broken["plans"][2]["priorities"][0]["source"] = "somewhere"
    with pytest.raises(FactsError, match="'Develop and sustain a culture of quality' does not"):
        priorities_loader.check_priority_facts(broken)
    unlabelled = copy.deepcopy(facts)
    unlabelled["progress"]["label"] = "Update:"
    with pytest.raises(FactsError, match="must say they are illustrative"):
        priorities_loader.check_priority_facts(unlabelled)
