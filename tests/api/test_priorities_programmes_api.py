"""The priorities API: programmes, principles, locality focus and success measures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commissioning.access import Role
from plans.models import PlanStatement
from priorities.models import LocalityFocus, Programme, SuccessMeasure
from tests.factories import LocalityFactory, UserFactory, user_with_role
from tests.plans.factories import PlanFactory, StatementFactory
from tests.priorities.factories import (
    CommitmentFactory,
    LocalityFocusFactory,
    PriorityFactory,
    ProgrammeFactory,
    ProgrammeIntentionFactory,
    ProgrammeMeasureFactory,
    SuccessMeasureFactory,
)


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def people(ccg, other_ccg):
    return {
        "pm": user_with_role(Role.PLANNING_MANAGER, ccg, username="pm"),
        "pm2": user_with_role(Role.PLANNING_MANAGER, ccg, username="pm2"),
        "gb": user_with_role(Role.GOVERNING_BODY, ccg, username="gb"),
        "scrutiny": user_with_role(Role.SCRUTINY, ccg, username="scrutiny"),
        "viewer": user_with_role(Role.VIEWER, ccg, username="viewer"),
        "outsider": user_with_role(Role.PLANNING_MANAGER, other_ccg, username="outsider"),
        "staff": UserFactory(username="staff", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def clients(people):
    return {name: client_as(user) for name, user in people.items()}


@pytest.fixture
def plan(ccg):
    return PlanFactory(ccg=ccg, title="Commissioning Intentions 2015/16")


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Programmes ---------------------------------------------------------------------------


def test_planning_manager_creates_a_programme_with_commitments(clients, plan, ccg):
    first = CommitmentFactory(priority=PriorityFactory(plan=plan), text="We will screen")
    second = CommitmentFactory(priority=PriorityFactory(plan=plan), text="We will diagnose")
    created = clients["pm"].post(
        "/api/v1/programmes/",
        {"ccg": "03L", "name": "Dementia", "lead": "Dr Patel",
         "description": "Diagnosis and support", "commitments": [first.pk, second.pk]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["ccg"], body["name"], body["revision"]) == ("03L", "Dementia", 1)
    assert sorted(body["commitments"]) == sorted([first.pk, second.pk])
    assert body["intentions"] == [] and body["measures"] == []
    assert created["ETag"] == '"1"'
    programme = Programme.objects.get(pk=body["id"])
    assert set(programme.commitments.all()) == {first, second}
    duplicate = clients["pm"].post(
        "/api/v1/programmes/", {"ccg": "03L", "name": "dementia"}, format="json"
    )
    assert duplicate.status_code == 400
    assert duplicate.json()["field"] == "name"
    assert duplicate.json()["detail"] == "Rotherham already has a programme called dementia."


def test_linking_and_unlinking_commitments_through_the_list(clients, plan, ccg, other_ccg):
    kept, dropped, added = (
        CommitmentFactory(priority=PriorityFactory(plan=plan)) for _ in range(3)
    )
    programme = ProgrammeFactory(ccg=ccg, name="Stroke")
    programme.commitments.add(kept, dropped)
    url = f"/api/v1/programmes/{programme.pk}/"
    response = clients["pm"].patch(
        url, {"commitments": [kept.pk, added.pk]}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["commitments"]) == sorted([kept.pk, added.pk])
    assert response.json()["revision"] == 2 and response["ETag"] == '"2"'
    assert set(programme.commitments.all()) == {kept, added}
    # Staff see every CCG, but a programme links only its own CCG's commitments.
    foreign = CommitmentFactory(priority=PriorityFactory(plan=PlanFactory(ccg=other_ccg)))
    refused = clients["staff"].patch(url, {"commitments": [kept.pk, foreign.pk]}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "commitment"
    # ... and nothing of the refused change is kept (the revision neither).
    programme.refresh_from_db()
    assert set(programme.commitments.all()) == {kept, added} and programme.revision == 2
    unseen = clients["pm"].patch(url, {"commitments": [foreign.pk]}, format="json")
    assert unseen.status_code == 400 and unseen.json()["field"] == "commitments"


def test_programme_edits_conflict_and_follow_roles(clients, ccg, other_ccg):
    programme = ProgrammeFactory(ccg=ccg, name="Diabetes", lead="Dr A")
    url = f"/api/v1/programmes/{programme.pk}/"
    assert clients["pm"].patch(url, {"lead": "Dr B"}, format="json").status_code == 200
    stale = clients["pm2"].patch(url, {"lead": "Dr C"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current"]["lead"] == "Dr B"
    assert stale.json()["attempted"] == {"lead": "Dr C"}
    for who in ("gb", "viewer", "scrutiny"):
        refused = clients[who].patch(url, {"lead": "Me"}, format="json")
        assert refused.status_code == 403
        assert (
            refused.json()["detail"] == "Only planning managers of Rotherham can change programmes."
        )
    assert clients["outsider"].patch(url, {"lead": "Us"}, format="json").status_code == 404
    moved = clients["pm"].patch(url, {"ccg": "04R"}, format="json")
    assert moved.status_code == 400 and moved.json()["field"] == "ccg"
    assert clients["pm"].delete(url).status_code == 405
    elsewhere = clients["pm"].post(
        "/api/v1/programmes/", {"ccg": "04R", "name": "Theirs"}, format="json"
    )
    assert elsewhere.status_code == 400 and elsewhere.json()["field"] == "ccg"
    refused = clients["gb"].post("/api/v1/programmes/", {"ccg": "03L", "name": "Mine"},
                                 format="json")  # fmt: skip
    assert refused.status_code == 403


def test_programme_intentions_follow_their_plans_readers(clients, ccg):
    programme = ProgrammeFactory(ccg=ccg, name="End of Life")
    published = PlanFactory(ccg=ccg, state="published", title="Plan 2015/16")
    draft = PlanFactory(ccg=ccg, state="draft", title="Plan 2016/17")
    ProgrammeIntentionFactory(programme=programme, plan=published, text="Published intention")
    ProgrammeIntentionFactory(programme=programme, plan=draft, text="Draft intention")
    ProgrammeMeasureFactory(programme=programme, text="95% die in their preferred place")
    draft_commitment = CommitmentFactory(priority=PriorityFactory(plan=draft))
    programme.commitments.add(draft_commitment)
    url = f"/api/v1/programmes/{programme.pk}/"
    full = clients["viewer"].get(url).json()
    assert [i["text"] for i in full["intentions"]] == ["Published intention", "Draft intention"]
    assert full["intentions"][0] == {
        "id": full["intentions"][0]["id"], "plan": published.pk, "plan_title": "Plan 2015/16",
        "text": "Published intention", "order": 0,
    }  # fmt: skip
    assert [m["text"] for m in full["measures"]] == ["95% die in their preferred place"]
    assert full["commitments"] == [draft_commitment.pk]
    scrutiny = clients["scrutiny"].get(url).json()
    assert [i["text"] for i in scrutiny["intentions"]] == ["Published intention"]
    assert scrutiny["commitments"] == []
    assert clients["outsider"].get(url).status_code == 404


def test_programmes_filter_by_ccg_in_constant_queries(clients, ccg, other_ccg):
    def make(count):
        for _ in range(count):
            programme = ProgrammeFactory(ccg=ccg)
            plan = PlanFactory(ccg=ccg)
            ProgrammeIntentionFactory(programme=programme, plan=plan)
            ProgrammeMeasureFactory(programme=programme)
            programme.commitments.add(CommitmentFactory(priority=PriorityFactory(plan=plan)))

    def count() -> int:
        clients["viewer"].get("/api/v1/programmes/")
        with CaptureQueriesContext(connection) as captured:
            assert clients["viewer"].get("/api/v1/programmes/").status_code == 200
        return len(captured)

    make(2)
    few = count()
    make(18)
    assert count() == few
    ProgrammeFactory(ccg=other_ccg, name="Elsewhere")
    assessor = client_as(user_with_role(Role.ASSURER))
    assert [p["name"] for p in rows(assessor.get("/api/v1/programmes/", {"ccg": "04R"}))] == [
        "Elsewhere"
    ]
    assert len(rows(clients["viewer"].get("/api/v1/programmes/", {"page_size": 100}))) == 20


# --- Principles ---------------------------------------------------------------------------


def test_principles_are_the_plans_principle_statements(clients, plan):
    created = clients["pm"].post(
        "/api/v1/principles/",
        {"plan": plan.pk, "group": "Core commissioning principles", "title": "Quality & Safety",
         "text": "We commission safe, high quality services."},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert "kind" not in body and body["order"] == 1
    statement = PlanStatement.objects.get(pk=body["id"])
    assert statement.kind == "principle"
    StatementFactory(plan=plan, kind="aim", text="Not a principle")
    listed = rows(clients["viewer"].get("/api/v1/principles/", {"plan": plan.pk}))
    assert [p["title"] for p in listed] == ["Quality & Safety"]
    grouped = rows(
        clients["viewer"].get("/api/v1/principles/", {"group": "core commissioning principles"})
    )
    assert [p["id"] for p in grouped] == [body["id"]]
    aim = plan.statements.get(kind="aim")
    assert clients["pm"].get(f"/api/v1/principles/{aim.pk}/").status_code == 404
    url = f"/api/v1/principles/{body['id']}/"
    # Kind is fixed: a principle stays a principle.
    changed = clients["pm"].patch(url, {"text": "Safe care.", "kind": "aim"}, format="json",
                                  HTTP_IF_MATCH='"1"')  # fmt: skip
    assert changed.status_code == 200 and changed.json()["text"] == "Safe care."
    statement.refresh_from_db()
    assert statement.kind == "principle"
    stale = clients["pm2"].patch(url, {"text": "Old"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["current"]["text"] == "Safe care."
    assert clients["gb"].delete(url).status_code == 403
    assert clients["pm"].delete(url).status_code == 204
    assert not PlanStatement.objects.filter(pk=statement.pk).exists()


def test_principles_of_a_published_plan_are_read_only(clients, ccg):
    published = PlanFactory(ccg=ccg, state="published")
    principle = StatementFactory(plan=published, kind="principle", text="Integration")
    url = f"/api/v1/principles/{principle.pk}/"
    assert clients["scrutiny"].get(url).status_code == 200
    response = clients["pm"].patch(url, {"text": "Changed"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "read-only"
    added = clients["pm"].post(
        "/api/v1/principles/", {"plan": published.pk, "text": "Best Value"}, format="json"
    )
    assert added.status_code == 409


# --- Locality focus -----------------------------------------------------------------------


def test_locality_focus_crud(clients, plan, ccg, other_ccg):
    city = LocalityFactory(ccg=ccg, name="Derby City")
    created = clients["pm"].post(
        "/api/v1/locality-focus/",
        {"plan": plan.pk, "locality": city.pk, "text": "Discharge planning"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["locality"], body["order"], body["revision"]) == (city.pk, 1, 1)
    url = f"/api/v1/locality-focus/{body['id']}/"
    changed = clients["pm"].patch(url, {"text": "Falls prevention", "revision": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["revision"] == 2
    stale = clients["pm"].patch(url, {"text": "Old", "revision": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["attempted"] == {"text": "Old"}
    foreign = LocalityFactory(ccg=other_ccg)
    wrong = clients["staff"].patch(url, {"locality": foreign.pk}, format="json")
    assert wrong.status_code == 400 and wrong.json()["field"] == "locality"
    refused = clients["viewer"].post(
        "/api/v1/locality-focus/", {"plan": plan.pk, "locality": city.pk, "text": "x"},
        format="json",
    )  # fmt: skip
    assert refused.status_code == 403
    LocalityFocusFactory(plan=plan, text="Elsewhere in the plan")
    assert [f["text"] for f in rows(clients["viewer"].get(
        "/api/v1/locality-focus/", {"locality": city.pk}))] == ["Falls prevention"]  # fmt: skip
    assert clients["pm"].delete(url).status_code == 204
    assert not LocalityFocus.objects.filter(locality=city).exists()


# --- Success measures ---------------------------------------------------------------------


def test_success_measures_crud_and_filters(clients, plan, ccg):
    priority = PriorityFactory(plan=plan, title="Urgent care")
    created = clients["pm"].post(
        "/api/v1/success-measures/",
        {"plan": plan.pk, "priority": priority.pk, "measure": "A&E four hour waits",
         "baseline": "93.1% (2012/13)", "aspiration": "95%", "source": "NHS England"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["priority"], body["baseline"], body["aspiration"]) == (
        priority.pk,
        "93.1% (2012/13)",
        "95%",
    )
    SuccessMeasureFactory(plan=plan, measure="Plan-wide measure")
    by_priority = rows(
        clients["viewer"].get("/api/v1/success-measures/", {"priority": priority.pk})
    )
    assert [m["measure"] for m in by_priority] == ["A&E four hour waits"]
    assert len(rows(clients["viewer"].get("/api/v1/success-measures/", {"ccg": "03L"}))) == 2
    other_plan_priority = PriorityFactory(plan=PlanFactory(ccg=ccg))
    wrong = clients["pm"].patch(
        f"/api/v1/success-measures/{body['id']}/",
        {"priority": other_plan_priority.pk},
        format="json",
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "priority"
    cleared = clients["pm"].patch(
        f"/api/v1/success-measures/{body['id']}/", {"priority": None}, format="json"
    )
    assert cleared.status_code == 200 and cleared.json()["priority"] is None
    assert clients["gb"].delete(f"/api/v1/success-measures/{body['id']}/").status_code == 403
    assert clients["pm"].delete(f"/api/v1/success-measures/{body['id']}/").status_code == 204
    assert SuccessMeasure.objects.count() == 1
