"""`GET /api/v1/audit-events/`: the audit log through the API, for the CCG's governing body
members and planning managers (and staff): filters, pages, one event, CSV, and nothing for
anyone else."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from commissioning.access import Role
from commissioning.models import ApiToken
from governance import services_risks as risks
from tests.factories import UserFactory, user_with_role
from tests.governance.test_risk_services import make_risk

pytestmark = pytest.mark.django_db


def client_of(user) -> APIClient:
    client = APIClient()
    _, key = ApiToken.issue(user, "audit", read_only=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def world(ccg, other_ccg):
    manager = user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Ian", last_name="Atkinson")
    risk = make_risk(ccg, reference="R01", title="QIPP savings not delivered")
    risks.update_risk(risk, user=manager, expected_revision=1, owner="CFO")
    make_risk(other_ccg, reference="R01", title="Acute over-performance")
    return {"manager": manager, "risk": risk}


def test_a_governing_body_member_reads_the_changes_with_their_fields(ccg, world):
    client = client_of(user_with_role(Role.GOVERNING_BODY, ccg))
    response = client.get("/api/v1/audit-events/", {"ccg": "03L", "kind": "risk"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    changed, created = body["results"]  # newest first
    assert (changed["change"], created["change"]) == ("changed", "created")
    assert changed["who"] == "Ian Atkinson" and changed["user"] == world["manager"].pk
    assert changed["ccg"] == "03L" and changed["record"] == "R01 QIPP savings not delivered"
    assert changed["changes"] == [
        {"field": "owner", "label": "Owner", "old": "(empty)", "new": "CFO"}
    ]
    assert changed["changes_text"] == "Owner: (empty) -> CFO"
    assert changed["url"] == f"/ccgs/03L/risks/{world['risk'].pk}/"
    assert created["who"] == "system" and created["user"] is None

    one = client.get(f"/api/v1/audit-events/{changed['id']}/")
    assert one.status_code == 200 and one.json() == changed


def test_filters_and_pages(ccg, world):
    client = client_of(world["manager"])
    mine = client.get("/api/v1/audit-events/", {"user": world["manager"].pk})
    assert [e["change"] for e in mine.json()["results"]] == ["changed"]
    created = client.get("/api/v1/audit-events/", {"change": "created", "kind": "risk"})
    assert created.json()["count"] == 1
    future = client.get("/api/v1/audit-events/", {"since": "2099-01-01"})
    assert future.json()["count"] == 0
    everything = client.get("/api/v1/audit-events/").json()["count"]
    paged = client.get("/api/v1/audit-events/", {"page_size": 1, "page": 2}).json()
    assert paged["count"] == everything and len(paged["results"]) == 1 and paged["previous"]

    bad = client.get("/api/v1/audit-events/", {"kind": "nonsense", "user": "x"})
    assert bad.status_code == 400
    assert {"detail", "code"} <= set(bad.json())


def test_csv_gives_every_event_with_the_field_changes(ccg, world):
    client = client_of(world["manager"])
    response = client.get("/api/v1/audit-events/", {"kind": "risk", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["Change"], r["Field changes"]) for r in rows] == [
        ("changed", "Owner: (empty) -> CFO"),
        ("created", ""),
    ]


@pytest.mark.parametrize("who", [Role.SCRUTINY, Role.VIEWER, Role.ASSURER, "other-ccg"])
def test_nobody_else_reads_the_ccgs_events(ccg, other_ccg, world, who):
    if who == "other-ccg":
        user = user_with_role(Role.GOVERNING_BODY, other_ccg)
    else:
        user = user_with_role(who, ccg)
    client = client_of(user)
    own = client.get("/api/v1/audit-events/", {"page_size": 500}).json()["results"]
    assert all(e["ccg"] != "03L" for e in own)
    assert client.get("/api/v1/audit-events/", {"ccg": "03L"}).json()["count"] == 0
    event = client_of(world["manager"]).get("/api/v1/audit-events/").json()["results"][0]
    assert client.get(f"/api/v1/audit-events/{event['id']}/").status_code == 404


def test_staff_read_every_ccg_and_writes_are_refused(ccg, world):
    staff = client_of(UserFactory(is_staff=True))
    seen = {e["ccg"] for e in staff.get("/api/v1/audit-events/").json()["results"]}
    assert {"03L", "04R"} <= seen
    assert staff.post("/api/v1/audit-events/", {}, format="json").status_code in (403, 405)
    assert APIClient().get("/api/v1/audit-events/").status_code == 401
