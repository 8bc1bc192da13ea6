"""The committees and meetings API: committees/, meetings/, agenda-items/, resolutions/ and
meeting-actions/ — reads by role (private parts hidden from scrutiny members), filters and
CSV, writes through the services with revisions, and the write matrix for every actor."""

import datetime as dt

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from commissioning.access import Role
from governance import services_meetings as services
from tests.access.actors import ACTORS, READS_A
from tests.access.world import build_world, client_for
from tests.factories import UserFactory, user_with_role
from tests.governance import meetings_factories as make

DAY = dt.date(2015, 11, 5)


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def people(ccg, other_ccg):
    return {
        "pm": user_with_role(Role.PLANNING_MANAGER, ccg, username="pm"),
        "gb": user_with_role(Role.GOVERNING_BODY, ccg, username="gb"),
        "scrutiny": user_with_role(Role.SCRUTINY, ccg, username="scrutiny"),
        "outsider": user_with_role(Role.PLANNING_MANAGER, other_ccg, username="outsider"),
        "staff": UserFactory(username="staff", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def clients(people):
    return {name: client_as(user) for name, user in people.items()}


@pytest.fixture
def records(ccg, other_ccg):
    body, seats = make.governing_body(ccg)
    audit = make.committee(ccg, name="Audit Committee", kind="audit", is_public=False)
    earlier = make.meeting(body, dt.date(2015, 10, 1))
    meeting = make.meeting(body, DAY, location="Town Hall")
    audit_meeting = make.meeting(audit, dt.date(2015, 11, 12))
    public = make.item(meeting, "Commissioning Plan refresh", purpose="decision")
    private = make.item(meeting, "Contract negotiations", part="private")
    services.add_resolution(public, user=None, text="That the priorities be noted.")
    services.add_resolution(private, user=None, text="That terms be agreed.")
    carried = services.raise_action(
        earlier, user=None, text="Circulate the draft", due_on=dt.date(2015, 10, 20)
    )
    raised = services.raise_action(
        meeting, user=None, text="Publish the plan", due_on=dt.date(2099, 1, 1)
    )
    elsewhere = make.meeting(make.committee(other_ccg), DAY)
    return {
        "body": body,
        "seats": seats,
        "audit": audit,
        "earlier": earlier,
        "meeting": meeting,
        "audit_meeting": audit_meeting,
        "public": public,
        "private": private,
        "carried": carried,
        "raised": raised,
        "elsewhere": elsewhere,
    }


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response):
    return {row["id"] for row in rows(response)}


# --- Reading ----------------------------------------------------------------------------------


def test_committees(clients, records):
    body = clients["pm"].get(f"/api/v1/committees/{records['body'].pk}/")
    data = body.json()
    assert body.status_code == 200 and body["ETag"] == '"1"'
    assert (data["ccg"], data["kind"], data["quorum_members"]) == ("03L", "governing-body", 3)
    assert data["quorum_rules"] == [
        "3 voting members present",
        "the chair or vice chair present",
        "a lay member present",
    ]
    assert [m["name"] for m in data["members"]][:2] == ["Dr Julie Kitlowski", "Sue Cassin"]
    assert ids(clients["pm"].get("/api/v1/committees/", {"kind": "audit"})) == {records["audit"].pk}
    assert ids(clients["scrutiny"].get("/api/v1/committees/")) == {records["body"].pk}
    assert clients["outsider"].get("/api/v1/committees/", {"ccg": "03L"}).json()["count"] == 0


def test_committees_as_csv(clients, records):
    response = clients["pm"].get("/api/v1/committees/", {"format": "csv", "ccg": "03L"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="committee.csv"' in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    assert "Dr Julie Kitlowski (Chair)" in lines[1] + lines[2]


def test_meetings_with_attendance_and_quorum(clients, records):
    meeting, seats = records["meeting"], records["seats"]
    url = f"/api/v1/meetings/{meeting.pk}/"
    attendance = [
        {"member": seats["chair"].pk, "status": "present"},
        {"member": seats["lay"].pk, "status": "present"},
        {"member": seats["gp"].pk, "status": "present"},
        {"member": seats["vice"].pk, "status": "apologies"},
    ]
    response = clients["pm"].patch(
        url, {"record_attendance": attendance, "guests": ["Councillor Steele"]}, format="json"
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["quorum"]["quorate"] is True and data["quorum"]["voting_present"] == 3
    assert "3 voting members present; the quorum is 3 voting members." in data["quorum"]["reasons"]
    assert {(row["name"], row["present"]) for row in data["attendance"]} >= {
        ("Councillor Steele", True),
        ("Sue Cassin", False),
    }
    # Scrutiny members read the meeting of a public committee, not its attendance.
    seen = clients["scrutiny"].get(url).json()
    assert (seen["attendance"], seen["quorum"]) == (None, None)
    private = f"/api/v1/meetings/{records['audit_meeting'].pk}/"
    assert clients["scrutiny"].get(private).status_code == 404
    assert clients["gb"].get(private).status_code == 200


def test_meeting_filters(clients, records):
    def found(**params):
        return ids(clients["staff"].get("/api/v1/meetings/", params))

    assert found(ccg="03L") == {
        records["earlier"].pk,
        records["meeting"].pk,
        records["audit_meeting"].pk,
    }
    assert found(committee=records["audit"].pk) == {records["audit_meeting"].pk}
    assert found(ccg="03L", date_from="2015-11-01", date_to="2015-11-06") == {records["meeting"].pk}
    services.update_meeting(records["earlier"], user=None, expected_revision=None, status="held")
    assert found(status="held") == {records["earlier"].pk}
    csv = clients["pm"].get("/api/v1/meetings/", {"format": "csv"})
    assert csv.status_code == 200 and "Town Hall" in csv.content.decode("utf-8-sig")


def test_private_agenda_items_and_their_resolutions_are_hidden(clients, records):
    public, private = records["public"], records["private"]
    assert ids(clients["pm"].get("/api/v1/agenda-items/")) == {public.pk, private.pk}
    assert ids(clients["scrutiny"].get("/api/v1/agenda-items/")) == {public.pk}
    assert clients["scrutiny"].get(f"/api/v1/agenda-items/{private.pk}/").status_code == 404
    labels = [r["label"] for r in rows(clients["pm"].get("/api/v1/resolutions/"))]
    assert sorted(labels) == ["(1)", "(2)"]
    seen = rows(clients["scrutiny"].get("/api/v1/resolutions/"))
    assert [(r["label"], r["text"]) for r in seen] == [("(1)", "That the priorities be noted.")]
    assert rows(clients["scrutiny"].get("/api/v1/meeting-actions/")) == []
    assert (
        clients["scrutiny"].get(f"/api/v1/meeting-actions/{records['raised'].pk}/").status_code
        == 404
    )


def test_agenda_item_filters_and_csv(clients, records):
    def found(**params):
        return ids(clients["pm"].get("/api/v1/agenda-items/", params))

    assert found(meeting=records["meeting"].pk, part="private") == {records["private"].pk}
    assert found(purpose="decision") == {records["public"].pk}
    assert found(date_from="2015-12-01") == set()
    csv = clients["pm"].get("/api/v1/agenda-items/", {"format": "csv"}).content.decode("utf-8-sig")
    assert "(1) That the priorities be noted." in csv


# --- Writing ----------------------------------------------------------------------------------


def test_the_secretariat_minutes_a_meeting(clients, records):
    pm, meeting = clients["pm"], records["meeting"]
    created = pm.post(
        "/api/v1/agenda-items/",
        {
            "meeting": meeting.pk,
            "title": "Any other business",
            "paper_subject": "AOB",
            "minutes": "Nothing raised.",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    item = created.json()
    assert (item["number"], item["ccg"], item["committee"]) == ("3", "03L", records["body"].pk)
    # Resolutions number through the meeting: one on item 1 comes before item 2's.
    first = pm.post(
        "/api/v1/resolutions/",
        {"item": records["public"].pk, "text": "That the plan be published."},
        format="json",
    )
    assert first.status_code == 201 and first.json()["number"] == 2
    later = pm.post("/api/v1/resolutions/", {"item": item["id"], "text": "Noted."}, format="json")
    assert later.json()["label"] == "(4)"
    private = records["private"].resolutions.get()
    assert private.number == 3
    # Minutes with the revision check: a stale If-Match is a 412 with both versions.
    url = f"/api/v1/agenda-items/{item['id']}/"
    saved = pm.patch(url, {"minutes": "AOB: none."}, format="json", HTTP_IF_MATCH='"1"')
    assert saved.status_code == 200 and saved["ETag"] == '"2"'
    stale = pm.patch(url, {"minutes": "Mine."}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current"]["minutes"] == "AOB: none."
    assert stale.json()["attempted"] == {"minutes": "Mine."}
    # The meeting can't be changed after creation.
    moved = pm.patch(url, {"meeting": records["earlier"].pk}, format="json")
    assert moved.status_code == 400 and moved.json()["field"] == "meeting"
    # Deleting an item renumbers the rest.
    assert pm.delete(f"/api/v1/agenda-items/{records['public'].pk}/").status_code == 204
    private.refresh_from_db()
    assert private.number == 1
    # Text of a resolution is changed; deleting renumbers.
    resolution = f"/api/v1/resolutions/{later.json()['id']}/"
    assert pm.patch(resolution, {"text": "Noted, with thanks."}, format="json").json()[
        "number"
    ] == (2)
    assert pm.delete(f"/api/v1/resolutions/{private.pk}/").status_code == 204
    assert pm.get(resolution).json()["label"] == "(1)"


def test_actions(clients, records):
    pm = clients["pm"]
    created = pm.post(
        "/api/v1/meeting-actions/",
        {
            "meeting": records["meeting"].pk,
            "item": records["public"].pk,
            "text": "Send to NHS England",
            "owner": "Chief Officer",
            "due_on": "2015-12-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["status"], data["committee"], data["created_by"]) == (
        "open",
        records["body"].pk,
        "pm",
    )
    url = f"/api/v1/meeting-actions/{data['id']}/"
    closed = pm.patch(
        url, {"status": "complete", "revision": data["revision"]}, format="json"
    ).json()
    assert closed["status"] == "complete" and closed["closed_on"] is not None
    early = pm.patch(url, {"status": "dropped", "closed_on": "2015-01-01"}, format="json")
    assert early.status_code == 400 and early.json()["field"] == "closed_on"
    conflict = pm.patch(url, {"owner": "CFO", "revision": data["revision"]}, format="json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "edit-conflict"
    wrong_item = pm.post(
        "/api/v1/meeting-actions/",
        {"meeting": records["earlier"].pk, "item": records["public"].pk, "text": "x"},
        format="json",
    )
    assert wrong_item.status_code == 400 and wrong_item.json()["field"] == "item"
    assert pm.delete(url).status_code == 405


def test_action_filters(clients, records):
    def found(**params):
        return ids(clients["pm"].get("/api/v1/meeting-actions/", params))

    carried, raised = records["carried"].pk, records["raised"].pk
    assert found(overdue="true") == {carried}
    assert found(overdue="false") == {raised}
    assert found(carried_to=records["meeting"].pk) == {carried}
    assert found(meeting=records["meeting"].pk) == {raised}
    assert found(date_from="2016-01-01") == {raised}
    assert found(date_to="2015-12-31", status="open") == {carried}
    assert found(committee=records["audit"].pk) == set()
    csv = clients["pm"].get("/api/v1/meeting-actions/", {"format": "csv", "status": "open"})
    text = csv.content.decode("utf-8-sig")
    assert "Circulate the draft" in text and "Publish the plan" in text


def test_committees_meetings_and_members_are_written_by_planning_managers(clients, records):
    created = clients["pm"].post(
        "/api/v1/committees/",
        {
            "ccg": "03L",
            "name": "Quality Committee",
            "kind": "quality",
            "reports_to": records["body"].pk,
            "quorum_members": 4,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    committee = created.json()
    assert committee["quorum_rules"] == ["4 voting members present"]
    duplicate = clients["pm"].post(
        "/api/v1/committees/", {"ccg": "03L", "name": "quality committee", "kind": "quality"}
    )
    assert duplicate.status_code == 400 and duplicate.json()["field"] == "name"
    meeting = clients["pm"].post(
        "/api/v1/meetings/", {"committee": committee["id"], "date": "2016-01-14"}, format="json"
    )
    assert meeting.status_code == 201 and meeting.json()["status"] == "scheduled"
    refused = clients["gb"].post(
        "/api/v1/meetings/", {"committee": committee["id"], "date": "2016-01-14"}, format="json"
    )
    assert refused.status_code == 403 and "Only planning managers" in refused.json()["detail"]
    unseen = clients["outsider"].post(
        "/api/v1/meetings/", {"committee": committee["id"], "date": "2016-01-14"}, format="json"
    )
    assert unseen.status_code == 400 and unseen.json()["field"] == "committee"


# --- The write matrix -------------------------------------------------------------------------

WRITERS = {Role.PLANNING_MANAGER, "staff"}
INTERNAL_READERS = READS_A - {Role.SCRUTINY}
CHANGES = {
    "committees": {"frequency": "Monthly"},
    "meetings": {"location": "Oak House"},
    "agenda-items": {"minutes": "Noted."},
    "resolutions": {"text": "That the plan be noted."},
    "meeting-actions": {"owner": "Chief Finance Officer"},
}


def new_records(world) -> dict:
    things = world.things
    return {
        "committees": {"ccg": "03L", "name": "Finance Committee", "kind": "finance-performance"},
        "meetings": {"committee": things["committee_a"].pk, "date": "2016-01-14"},
        "agenda-items": {"meeting": things["meeting_a"].pk, "title": "New item"},
        "resolutions": {"item": things["agenda_item_a"].pk, "text": "Resolved again."},
        "meeting-actions": {"meeting": things["meeting_a"].pk, "text": "New action"},
    }


def expected(actor, readers, success, unseen=404):
    if actor == "anonymous":
        return 401
    if actor in WRITERS:
        return success
    return 403 if actor in readers else unseen


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("prefix", sorted(CHANGES))
@pytest.mark.parametrize("actor", ACTORS)
def test_write_matrix(world, prefix, actor):
    """Only CCG A's planning manager (and staff) write CCG A's committee records; readers get
    403 with the reason; those who cannot see them 404 (400 naming the unseen parent when
    creating; a new committee names the CCG). Actions are internal: scrutiny members don't
    see them."""
    client = client_for(world, actor)
    readers = INTERNAL_READERS if prefix == "meeting-actions" else READS_A
    own = world.objects[prefix][0]
    changed = client.patch(f"/api/v1/{prefix}/{own}/", CHANGES[prefix], format="json")
    assert changed.status_code == expected(actor, readers, 200), (actor, changed.content)
    created = client.post(f"/api/v1/{prefix}/", new_records(world)[prefix], format="json")
    # Creating an action, the parent is the meeting, which scrutiny members can see.
    create_readers = READS_A if prefix == "meeting-actions" else readers
    assert created.status_code == expected(actor, create_readers, 201, unseen=400), (
        actor,
        created.content,
    )


def test_a_meeting_time_is_a_local_clock_time_without_an_offset():
    from commissioning.api_fields import LocalTimeField

    field = LocalTimeField()
    assert field.to_representation(field.to_internal_value("14:00")) == "14:00:00"
    assert str(field.to_internal_value("09:30:15")) == "09:30:15"
    for wrong in ("05:36:57-12:12", "14:00Z", "25:00", "2pm"):
        with pytest.raises(serializers.ValidationError):
            field.to_internal_value(wrong)
