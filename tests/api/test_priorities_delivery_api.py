"""The delivery API: progress updates (recorded, never edited) and the tracker as CSV."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from commissioning.access import Role
from priorities import services
from priorities.models import ProgressUpdate
from tests.factories import LocalityFactory, user_with_role
from tests.plans.factories import PlanFactory
from tests.priorities.factories import (
    ActionFactory,
    CommitmentFactory,
    PriorityFactory,
    ProgressUpdateFactory,
)


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
        "viewer": user_with_role(Role.VIEWER, ccg, username="viewer"),
        "outsider": user_with_role(Role.PLANNING_MANAGER, other_ccg, username="outsider"),
    }


@pytest.fixture
def clients(people):
    return {name: client_as(user) for name, user in people.items()}


@pytest.fixture
def published(ccg):
    plan = PlanFactory(ccg=ccg, state="published", title="Commissioning Plan 2013/14")
    priority = PriorityFactory(plan=plan, title="Mental health")
    commitment = CommitmentFactory(priority=priority, text="We will open a crisis house")
    action = ActionFactory(commitment=commitment, text="Agree the specification")
    return plan, commitment, action


# --- Progress updates ---------------------------------------------------------------------


def test_planning_manager_records_progress_and_the_status_follows(clients, published):
    plan, commitment, action = published
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    created = clients["pm"].post(
        "/api/v1/progress-updates/",
        {"action": action.pk, "status": "at-risk", "narrative": "Provider capacity is short.",
         "reported_on": str(yesterday)},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["plan"], body["action"], body["commitment"]) == (plan.pk, action.pk, None)
    assert (body["status"], body["rag"], body["reported_by"]) == ("at-risk", "amber", "pm")
    assert body["reported_on"] == str(yesterday) and body["illustrative"] is False
    # Kept as reported, never edited; the answer still carries the record's ETag (issue 9).
    assert created["ETag"] == clients["pm"].get(f"/api/v1/progress-updates/{body['id']}/")["ETag"]
    shown = clients["viewer"].get(f"/api/v1/actions/{action.pk}/").json()
    assert (shown["status"], shown["rag"], shown["status_reported_on"]) == (
        "at-risk",
        "amber",
        str(yesterday),
    )
    # A later update wins; one dated earlier does not.
    clients["pm"].post(
        "/api/v1/progress-updates/",
        {"action": action.pk, "status": "on-track", "narrative": "Capacity found."},
        format="json",
    )
    back_dated = clients["pm"].post(
        "/api/v1/progress-updates/",
        {"action": action.pk, "status": "off-track", "narrative": "Old news.",
         "reported_on": str(yesterday - dt.timedelta(days=30))},
        format="json",
    )  # fmt: skip
    assert back_dated.status_code == 201
    action.refresh_from_db()
    assert action.status == "on-track"
    on_commitment = clients["pm"].post(
        "/api/v1/progress-updates/",
        {"commitment": commitment.pk, "status": "complete", "narrative": "Crisis house open.",
         "illustrative": True},
        format="json",
    )  # fmt: skip
    assert on_commitment.status_code == 201, on_commitment.json()
    assert on_commitment.json()["illustrative"] is True
    commitment.refresh_from_db()
    assert commitment.status == "complete"
    assert clients["viewer"].get(f"/api/v1/commitments/{commitment.pk}/").json()["rag"] == "blue"


def test_progress_is_refused_on_a_draft_plan(clients, ccg):
    action = ActionFactory(commitment=CommitmentFactory(priority=PriorityFactory(
        plan=PlanFactory(ccg=ccg, state="draft"))))  # fmt: skip
    response = clients["pm"].post(
        "/api/v1/progress-updates/",
        {"action": action.pk, "status": "on-track", "narrative": "Going well."},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Progress is recorded once the plan is approved or published.",
        "code": "read-only",
    }
    assert not ProgressUpdate.objects.exists()


def test_only_planning_managers_record_progress(clients, published):
    _, commitment, action = published
    payload = {"action": action.pk, "status": "on-track", "narrative": "Going well."}
    for who in ("gb", "viewer", "scrutiny"):
        refused = clients[who].post("/api/v1/progress-updates/", payload, format="json")
        assert refused.status_code == 403, who
        assert refused.json() == {
            "detail": "Only planning managers of Rotherham can record progress.",
            "code": "not-allowed",
        }
    unseen = clients["outsider"].post("/api/v1/progress-updates/", payload, format="json")
    assert unseen.status_code == 400 and unseen.json()["field"] == "action"
    assert not ProgressUpdate.objects.exists()
    action.refresh_from_db()
    assert action.status == "not-started"


def test_progress_updates_are_checked(clients, published):
    _, commitment, action = published

    def post(**payload):
        return clients["pm"].post("/api/v1/progress-updates/", payload, format="json")

    both = post(action=action.pk, commitment=commitment.pk, status="on-track", narrative="x")
    assert both.status_code == 400 and both.json()["field"] == "action"
    neither = post(status="on-track", narrative="x")
    assert neither.status_code == 400 and neither.json()["field"] == "action"
    unknown = post(action=action.pk, status="going-fine", narrative="x")
    assert unknown.status_code == 400 and unknown.json()["field"] == "status"
    blank = post(action=action.pk, status="on-track", narrative="   ")
    assert blank.status_code == 400 and blank.json()["field"] == "narrative"
    future = post(action=action.pk, status="on-track", narrative="x",
                  reported_on=str(timezone.localdate() + dt.timedelta(days=1)))  # fmt: skip
    assert future.status_code == 400 and future.json() == {
        "detail": "The date of an update cannot be in the future.",
        "code": "invalid-move",
        "field": "reported_on",
    }
    assert not ProgressUpdate.objects.exists()


def test_the_delivery_record_is_kept_as_reported(clients, published):
    _, _, action = published
    update = ProgressUpdateFactory(action=action, narrative="As reported")
    url = f"/api/v1/progress-updates/{update.pk}/"
    assert clients["viewer"].get(url).json()["narrative"] == "As reported"
    assert clients["pm"].patch(url, {"narrative": "Rewritten"}, format="json").status_code == 405
    assert clients["pm"].put(url, {"narrative": "Rewritten"}, format="json").status_code == 405
    assert clients["pm"].delete(url).status_code == 405
    update.refresh_from_db()
    assert update.narrative == "As reported"


def test_progress_update_filters(clients, published, other_ccg):
    plan, commitment, action = published
    second = ActionFactory(commitment=commitment, text="Recruit staff")
    ProgressUpdateFactory(action=action, status="on-track", reported_on=dt.date(2013, 7, 1),
                          narrative="A1")  # fmt: skip
    ProgressUpdateFactory(action=action, status="at-risk", reported_on=dt.date(2013, 10, 1),
                          narrative="A2")  # fmt: skip
    ProgressUpdateFactory(action=second, status="off-track", reported_on=dt.date(2013, 9, 1),
                          narrative="B1")  # fmt: skip
    ProgressUpdate.objects.create(plan=plan, commitment=commitment, status="on-track",
                                  narrative="C1", reported_on=dt.date(2013, 8, 1))  # fmt: skip
    ProgressUpdateFactory(
        action=ActionFactory(commitment=CommitmentFactory(priority=PriorityFactory(
            plan=PlanFactory(ccg=other_ccg, state="published")))),
        narrative="Elsewhere",
    )  # fmt: skip
    assessor = client_as(user_with_role(Role.ASSURER))

    def narratives(client=assessor, **query):
        response = client.get("/api/v1/progress-updates/", query)
        assert response.status_code == 200, response.json()
        return [row["narrative"] for row in response.json()["results"]]

    assert narratives(plan=plan.pk) == ["A2", "B1", "C1", "A1"]  # latest first
    assert narratives(action=action.pk) == ["A2", "A1"]
    assert narratives(commitment=commitment.pk) == ["C1"]
    assert narratives(plan=plan.pk, status="on-track") == ["C1", "A1"]
    assert narratives(plan=plan.pk, reported_after="2013-08-01") == ["A2", "B1", "C1"]
    assert narratives(plan=plan.pk, reported_before="2013-08-31") == ["C1", "A1"]
    assert narratives(ccg="04R") == ["Elsewhere"]
    assert narratives(clients["viewer"]) == ["A2", "B1", "C1", "A1"]
    assert narratives(clients["viewer"], ccg="04R") == []


# --- The tracker as CSV -------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


HEADER = ["Priority", "Commitment", "Action", "Lead", "Due", "Status", "RAG", "Overdue",
          "Latest update", "Latest narrative"]  # fmt: skip


@pytest.fixture
def tracker(ccg, monkeypatch):
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: dt.date(2014, 1, 15)
    )
    plan = PlanFactory(ccg=ccg, state="published", title="Operational Plan 2013/14")
    older = PriorityFactory(plan=plan, title="Older people", order=1)
    mental = PriorityFactory(plan=plan, title="Mental health", order=2)
    care = CommitmentFactory(priority=older, text="We will coordinate care", order=1)
    beds = CommitmentFactory(priority=mental, text="We will open £2m of beds", order=1)
    late = ActionFactory(commitment=care, text="Appoint coordinators", lead="Ann Lee",
                         due_on=dt.date(2013, 9, 30), due_precision="quarter", order=1)  # fmt: skip
    done = ActionFactory(commitment=care, text="=HYPERLINK(\"http://evil\")", lead="+Cat",
                         due_on=dt.date(2013, 8, 1), order=2)  # fmt: skip
    open_ = ActionFactory(commitment=beds, text="Open the ward", due_on=dt.date(2014, 3, 31),
                          due_precision="quarter", order=1)  # fmt: skip
    pm = user_with_role(Role.PLANNING_MANAGER, ccg, username="tracker-pm")
    services.record_progress(late, user=pm, status="on-track", narrative="Advertised",
                             reported_on=dt.date(2013, 7, 1))  # fmt: skip
    services.record_progress(late, user=pm, status="at-risk", narrative="No applicants yet",
                             reported_on=dt.date(2013, 10, 1))  # fmt: skip
    services.record_progress(done, user=pm, status="complete", narrative="-Done, early",
                             reported_on=dt.date(2013, 7, 30))  # fmt: skip
    return {"plan": plan, "late": late, "done": done, "open": open_, "pm": pm}


def test_tracker_csv_has_every_action_with_its_latest_update(clients, tracker):
    plan = tracker["plan"]
    response = clients["viewer"].get("/api/v1/actions/", {"plan": plan.pk, "format": "csv"})
    rows = read_csv(response)
    assert response["Content-Disposition"] == (
        f'attachment; filename="delivery-tracker-plan-{plan.pk}.csv"'
    )
    assert rows[0] == HEADER
    assert rows[1:] == [
        ["Older people", "We will coordinate care", "Appoint coordinators", "Ann Lee",
         "Q2 2013/14", "At risk", "Amber", "Overdue", "2013-10-01", "No applicants yet"],
        ["Older people", "We will coordinate care", "'=HYPERLINK(\"http://evil\")", "'+Cat",
         "1 August 2013", "Complete", "Blue", "", "2013-07-30", "'-Done, early"],
        ["Mental health", "We will open £2m of beds", "Open the ward", "", "Q4 2013/14",
         "Not started", "Grey", "", "", ""],
    ]  # fmt: skip


def test_tracker_csv_is_never_cut_to_a_page_and_follows_filters(clients, tracker):
    plan = tracker["plan"]
    paged = clients["viewer"].get("/api/v1/actions/", {"plan": plan.pk, "page_size": 1})
    assert len(paged.json()["results"]) == 1 and paged.json()["count"] == 3
    whole = read_csv(
        clients["viewer"].get(
            "/api/v1/actions/", {"plan": plan.pk, "page_size": 1, "page": 2, "format": "csv"}
        )
    )
    assert len(whole) == 4
    overdue = read_csv(
        clients["viewer"].get("/api/v1/actions/", {"plan": plan.pk, "overdue": "true",
                                                   "format": "csv"})
    )  # fmt: skip
    assert [row[2] for row in overdue[1:]] == ["Appoint coordinators"]
    by_accept = clients["viewer"].get("/api/v1/actions/", {"plan": plan.pk}, HTTP_ACCEPT="text/csv")
    assert len(read_csv(by_accept)) == 4
    # Only lists are spreadsheets; other CCGs' rows never appear.
    detail = clients["viewer"].get(f"/api/v1/actions/{tracker['late'].pk}/", {"format": "csv"})
    assert detail.status_code == 404
    assert read_csv(clients["outsider"].get("/api/v1/actions/", {"format": "csv"})) == [HEADER]
    anonymous = APIClient().get("/api/v1/actions/", {"format": "csv"})
    assert anonymous.status_code == 401


def test_tracker_csv_refusals_are_readable(clients, tracker):
    response = clients["viewer"].get("/api/v1/actions/", {"due_quarter": "soon", "format": "csv"})
    assert response.status_code == 400
    # A refusal is never a spreadsheet: JSON in the API's error shape.
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["detail"], body["code"], body["field"]) == (
        "'soon' is not a quarter: write it like 2013/14 Q2", "invalid", "due_quarter"
    )  # fmt: skip


def test_tracker_csv_takes_a_constant_number_of_queries(clients, tracker, ccg):
    plan = tracker["plan"]
    url, query = "/api/v1/actions/", {"plan": plan.pk, "format": "csv"}

    def count() -> int:
        clients["viewer"].get(url, query)
        with CaptureQueriesContext(connection) as captured:
            response = clients["viewer"].get(url, query)
        assert response.status_code == 200
        return len(captured)

    few = count()
    locality = LocalityFactory(ccg=ccg)
    for n in range(20):
        commitment = CommitmentFactory(
            priority=PriorityFactory(plan=plan), locality=locality, text=f"We will {n}"
        )
        action = ActionFactory(commitment=commitment, due_on=dt.date(2013, 6, 30))
        services.record_progress(
            action, user=tracker["pm"], status="on-track", narrative=f"Update {n}",
            reported_on=dt.date(2013, 6, 1),
        )  # fmt: skip
    assert count() == few
    assert len(read_csv(clients["viewer"].get(url, query))) == 24


def test_progress_update_list_takes_a_constant_number_of_queries(clients, tracker):
    plan = tracker["plan"]

    def count() -> int:
        clients["viewer"].get("/api/v1/progress-updates/", {"plan": plan.pk})
        with CaptureQueriesContext(connection) as captured:
            response = clients["viewer"].get("/api/v1/progress-updates/", {"plan": plan.pk})
        assert response.status_code == 200
        return len(captured)

    few = count()
    for n in range(20):
        services.record_progress(
            tracker["open"], user=tracker["pm"], status="on-track", narrative=f"Update {n}",
            reported_on=dt.date(2013, 6, 1),
        )  # fmt: skip
    assert count() == few
