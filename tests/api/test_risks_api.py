"""`risks/`: the risk register through the API: scores and bands from the matrix, filters,
CSV, writes by planning managers with the revision check, reviews that add to the score
history, closing and reopening, and who reads what (risks are internal to the CCG)."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from commissioning.access import Role
from governance import services_risks as services
from governance.models import Risk, RiskBand
from tests.factories import UserFactory, user_with_role
from tests.governance.test_risk_services import TODAY, make_committee, make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def people(ccg, other_ccg):
    return {
        "pm": user_with_role(Role.PLANNING_MANAGER, ccg, username="pm"),
        "gb": user_with_role(Role.GOVERNING_BODY, ccg, username="gb"),
        "viewer": user_with_role(Role.VIEWER, ccg, username="viewer"),
        "scrutiny": user_with_role(Role.SCRUTINY, ccg, username="scrutiny"),
        "outsider": user_with_role(Role.PLANNING_MANAGER, other_ccg, username="outsider"),
        "assurer": user_with_role(Role.ASSURER, username="assurer"),
        "staff": UserFactory(username="staff", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def clients(people):
    return {name: client_as(user) for name, user in people.items()}


@pytest.fixture
def audit(ccg):
    return make_committee(ccg)


@pytest.fixture
def register(ccg, other_ccg, audit):
    qipp = make_risk(ccg, title="QIPP savings not delivered", current=(4, 4), committee=audit,
                     owner="Chief Finance Officer", next_review_on=dt.date(2016, 4, 30),
                     added_on=dt.date(2016, 1, 4))  # fmt: skip
    services.add_risk_action(qipp, user=None, text="Agree recovery plan", owner="CFO",
                             due_on=dt.date(2016, 6, 30))  # fmt: skip
    ae = make_risk(ccg, title="A&E 4-hour standard missed", current=(3, 3),
                   next_review_on=dt.date(2016, 9, 30))  # fmt: skip
    low = make_risk(ccg, title="Lease expires", current=(1, 3), target=(1, 1))
    closed = make_risk(ccg, title="Closed", current=(5, 5))
    services.close_risk(closed, user=None)
    theirs = make_risk(other_ccg, title="Southern Derbyshire's risk", current=(5, 4))
    return {"qipp": qipp, "ae": ae, "low": low, "closed": closed, "theirs": theirs}


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def titles(response):
    return [row["title"] for row in results(response)]


# --- Reading --------------------------------------------------------------------------------


def test_a_risk_as_the_api_shows_it(clients, register, audit):
    response = clients["gb"].get(f"/api/v1/risks/{register['qipp'].pk}/")

    body = response.json()
    assert response["ETag"] == '"1"'
    expected = {
        "ccg": "03L", "reference": "R01", "title": "QIPP savings not delivered",
        "inherent_likelihood": 5, "inherent_consequence": 4, "inherent_score": 20,
        "inherent_band": "extreme",
        "current_likelihood": 4, "current_consequence": 4, "current_score": 16,
        "current_band": "extreme",
        "target_likelihood": 2, "target_consequence": 3, "target_score": 6,
        "target_band": "moderate",
        "escalated": True, "owner": "Chief Finance Officer", "committee": audit.pk,
        "next_review_on": "2016-04-30", "review_overdue": True, "status": "open",
        "last_reviewed_on": None, "revision": 1,
    }  # fmt: skip
    assert {name: body[name] for name in expected} == expected
    assert body["actions"] == [
        {"id": body["actions"][0]["id"], "text": "Agree recovery plan", "owner": "CFO",
         "due_on": "2016-06-30", "done_on": None, "complete": False}
    ]  # fmt: skip
    assert [(r["reviewed_on"], r["score"], r["band"], r["note"]) for r in body["reviews"]] == [
        ("2016-01-04", 16, "extreme", "Added to the register.")
    ]
    for name in (
        "cause",
        "event",
        "effect",
        "key_controls",
        "internal_assurance",
        "external_assurance",
        "gaps_in_control",
        "gaps_in_assurance",
    ):
        assert name in body  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {},
            ["QIPP savings not delivered", "A&E 4-hour standard missed", "Lease expires", "Closed"],
        ),
        (
            {"status": "open"},
            ["QIPP savings not delivered", "A&E 4-hour standard missed", "Lease expires"],
        ),
        ({"band": "extreme"}, ["QIPP savings not delivered", "Closed"]),
        ({"band": "high"}, ["A&E 4-hour standard missed"]),
        ({"band": "low"}, ["Lease expires"]),
        ({"min_score": 9}, ["QIPP savings not delivered", "A&E 4-hour standard missed", "Closed"]),
        ({"overdue_review": "true"}, ["QIPP savings not delivered"]),
        (
            {"ordering": "-current_score"},
            ["Closed", "QIPP savings not delivered", "A&E 4-hour standard missed", "Lease expires"],
        ),
        ({"search": "A&E"}, ["A&E 4-hour standard missed"]),
    ],  # fmt: skip
)
def test_filters(clients, register, query, expected):
    assert titles(clients["pm"].get("/api/v1/risks/", {"ccg": "03L", **query})) == expected


def test_the_committee_filter(clients, register, audit):
    response = clients["pm"].get("/api/v1/risks/", {"committee": audit.pk})
    assert titles(response) == ["QIPP savings not delivered"]


def test_bands_follow_the_ccgs_own_matrix(clients, ccg, register):
    RiskBand.objects.create(ccg=ccg, code="red", label="Red", min_score=9, max_score=25)
    RiskBand.objects.create(ccg=ccg, code="green", label="Green", min_score=1, max_score=8)
    body = clients["pm"].get(f"/api/v1/risks/{register['ae'].pk}/").json()
    assert body["current_band"] == "red"
    assert titles(clients["staff"].get("/api/v1/risks/", {"band": "red"})) == [
        "QIPP savings not delivered", "A&E 4-hour standard missed", "Closed"
    ]  # fmt: skip
    extreme = clients["staff"].get("/api/v1/risks/", {"band": "extreme"})
    assert titles(extreme) == ["Southern Derbyshire's risk"]


def test_the_register_as_csv(clients, register):
    response = clients["viewer"].get("/api/v1/risks/", {"ccg": "03L", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="risk-register.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 4
    first = rows[0]
    assert (first["CCG"], first["Reference"], first["Current score"]) == ("03L", "R01", "16")
    assert (first["Current band"], first["Escalated"], first["Committee"]) == (
        "extreme", "Yes", str(register["qipp"].committee_id)
    )  # fmt: skip
    assert "Actions" not in first and "Reviews" not in first


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("pm", True),
        ("gb", True),
        ("viewer", True),
        ("assurer", True),
        ("staff", True),
        ("scrutiny", False),
        ("outsider", False),
    ],  # fmt: skip
)
def test_who_reads_risks(clients, register, who, sees):
    own = register["qipp"].pk
    listing = clients[who].get("/api/v1/risks/", {"ccg": "03L"})
    assert (len(results(listing)) == 4) is sees
    assert clients[who].get(f"/api/v1/risks/{own}/").status_code == (200 if sees else 404)


def test_the_list_reads_in_a_fixed_number_of_queries(clients, ccg, register):
    client = clients["pm"]
    client.get("/api/v1/risks/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/risks/").status_code == 200
        return len(queries)

    few = count()
    for number in range(5):
        risk = make_risk(ccg, title=f"More {number}")
        services.add_risk_action(risk, user=None, text="Act")
        services.review_risk(risk, user=None, likelihood=2, consequence=2)
    assert count() == few


# --- Writing --------------------------------------------------------------------------------

NEW = {
    "ccg": "03L",
    "title": "Continuing healthcare costs rise",
    "inherent_likelihood": 4,
    "inherent_consequence": 4,
    "current_likelihood": 3,
    "current_consequence": 4,
    "target_likelihood": 2,
    "target_consequence": 2,
    "owner": "Director of Nursing",
}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pm", 201),
        ("staff", 201),
        ("gb", 403),
        ("viewer", 403),
        ("assurer", 403),
        ("scrutiny", 403),
        ("outsider", 400),
    ],  # fmt: skip
)
def test_who_adds_risks(clients, ccg, who, status):
    response = clients[who].post("/api/v1/risks/", NEW, format="json")
    assert response.status_code == status, response.content
    if status == 201:
        body = response.json()
        assert (body["reference"], body["current_score"], body["current_band"]) == (
            "R01", 12, "high"
        )  # fmt: skip
        assert len(body["reviews"]) == 1
    elif status == 403:
        assert response.json()["detail"] == (
            "Only planning managers of Rotherham can change its risk register."
        )
    else:
        assert response.json()["field"] == "ccg"  # another CCG is "does not exist"


def test_bad_input_is_refused_with_the_field(clients, register, audit, other_ccg):
    client = clients["pm"]
    off_matrix = client.post("/api/v1/risks/", {**NEW, "current_likelihood": 6}, format="json")
    duplicate = client.post("/api/v1/risks/", {**NEW, "reference": "R01"}, format="json")
    closed = client.post("/api/v1/risks/", {**NEW, "status": "closed"}, format="json")
    theirs = make_committee(other_ccg, "Their audit committee")
    foreign = client.post("/api/v1/risks/", {**NEW, "committee": theirs.pk}, format="json")

    assert (off_matrix.status_code, off_matrix.json()["field"]) == (400, "current_likelihood")
    assert (duplicate.status_code, duplicate.json()["field"]) == (400, "reference")
    assert duplicate.json()["detail"] == "Rotherham already has a risk R01."
    assert (closed.status_code, closed.json()["field"]) == (400, "status")
    assert (foreign.status_code, foreign.json()["field"]) == (400, "committee")


def test_a_change_with_if_match_and_a_stale_one(clients, register):
    client = clients["pm"]
    url = f"/api/v1/risks/{register['qipp'].pk}/"

    changed = client.patch(url, {"current_likelihood": 3}, format="json", HTTP_IF_MATCH='"1"')
    stale = client.patch(url, {"title": "Mine"}, format="json", HTTP_IF_MATCH='"1"')
    conflict = client.patch(url, {"title": "Mine", "revision": 1}, format="json")

    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    assert changed.json()["current_score"] == 12 and len(changed.json()["reviews"]) == 2
    assert stale.status_code == 412
    assert stale.json()["current"]["current_score"] == 12
    assert stale.json()["attempted"] == {"title": "Mine"}
    assert conflict.status_code == 409


def test_closing_and_reopening_through_status(clients, register):
    client = clients["pm"]
    url = f"/api/v1/risks/{register['qipp'].pk}/"

    closed = client.patch(url, {"status": "closed"}, format="json")
    refused = client.patch(url, {"title": "Changed"}, format="json")
    reopened = client.patch(url, {"status": "open", "title": "Reopened"}, format="json")

    assert closed.json()["status"] == "closed" and closed.json()["review_overdue"] is False
    assert refused.status_code == 409 and refused.json()["code"] == "read-only"
    assert (reopened.json()["status"], reopened.json()["title"]) == ("open", "Reopened")


def test_a_review_through_the_api(clients, register, people):
    client = clients["pm"]
    url = f"/api/v1/risks/{register['qipp'].pk}/review/"

    reviewed = client.post(url, {"likelihood": 2, "consequence": 4, "note": "Plan agreed",
                                 "revision": 1}, format="json")  # fmt: skip
    stale = client.post(url, {"likelihood": 1, "consequence": 1}, format="json",
                        HTTP_IF_MATCH='"1"')  # fmt: skip
    bad = client.post(url, {"likelihood": 0, "consequence": 4}, format="json")
    future = client.post(url, {"likelihood": 1, "consequence": 4, "reviewed_on": "2016-06-01"},
                         format="json")  # fmt: skip

    body = reviewed.json()
    assert reviewed.status_code == 200, body
    assert (body["current_score"], body["current_band"], body["escalated"]) == (8, "high", False)
    assert (body["last_reviewed_on"], body["next_review_on"]) == ("2016-05-10", "2016-08-10")
    assert [(r["score"], r["note"], r["reviewed_by"]) for r in body["reviews"]] == [
        (16, "Added to the register.", None), (8, "Plan agreed", "pm")
    ]  # fmt: skip
    assert stale.status_code == 412
    assert (bad.status_code, bad.json()["field"]) == (400, "likelihood")
    assert (future.status_code, future.json()["field"]) == (400, "reviewed_on")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("pm", 200),
        ("staff", 200),
        ("gb", 403),
        ("viewer", 403),
        ("assurer", 403),
        ("scrutiny", 404),
        ("outsider", 404),
    ],  # fmt: skip
)
def test_who_reviews_and_changes_risks(clients, register, who, status):
    pk = register["qipp"].pk
    scores = {"likelihood": 2, "consequence": 2}
    review = clients[who].post(f"/api/v1/risks/{pk}/review/", scores, format="json")
    change = clients[who].patch(f"/api/v1/risks/{pk}/", {"owner": "CEO"}, format="json")
    assert (review.status_code, change.status_code) == (status, status)
    assert Risk.objects.get(pk=pk).owner == ("CEO" if status == 200 else "Chief Finance Officer")


def test_risks_are_not_deleted(clients, register):
    response = clients["staff"].delete(f"/api/v1/risks/{register['qipp'].pk}/")
    assert response.status_code == 405
