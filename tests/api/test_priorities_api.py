"""The priorities API: priority areas, commitments and actions (writes, conflicts, filters,
counts and query counts)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commissioning.access import Role
from priorities.models import Action, Commitment, PriorityArea
from tests.factories import LocalityFactory, UserFactory, user_with_role
from tests.plans.factories import PlanFactory
from tests.priorities.factories import ActionFactory, CommitmentFactory, PriorityFactory

TODAY = dt.date(2014, 1, 15)


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
    return PlanFactory(ccg=ccg, title="Commissioning Plan 2013/14")


@pytest.fixture
def today(monkeypatch):
    """A fixed today (15 January 2014) for overdue rules."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Writing a priority with its commitments and actions ---------------------------------


def test_planning_manager_writes_a_priority_with_commitments_and_actions(clients, plan, ccg):
    pm = clients["pm"]
    locality = LocalityFactory(ccg=ccg, name="Derby City")
    created = pm.post(
        "/api/v1/priorities/",
        {
            "plan": plan.pk,
            "title": "Older people and people with a long term condition",
            "objective": "Our objective is to keep people well at home",
            "end_state": "People live independently for longer",
            "hwb_aims": "Older people live healthy, independent lives",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    priority = created.json()
    assert priority["order"] == 1 and priority["revision"] == 1 and priority["key"]
    assert created["ETag"] == '"1"'
    assert priority["action_counts"] == dict.fromkeys(
        ["not-started", "on-track", "at-risk", "off-track", "complete"], 0
    )
    assert (priority["actions_total"], priority["actions_overdue"]) == (0, 0)

    commitment = pm.post(
        "/api/v1/commitments/",
        {
            "priority": priority["id"],
            "text": "We will develop care coordination",
            "lead": "Head of Commissioning",
            "locality": locality.pk,
        },
        format="json",
    )
    assert commitment.status_code == 201, commitment.json()
    body = commitment.json()
    assert (body["plan"], body["locality"], body["status"], body["rag"]) == (
        plan.pk,
        locality.pk,
        "not-started",
        "grey",
    )

    quarterly = pm.post(
        "/api/v1/actions/",
        {"commitment": body["id"], "text": "Appoint care coordinators", "lead": "Jo Smith",
         "due_quarter": "2013/14 Q2"},
        format="json",
    )  # fmt: skip
    assert quarterly.status_code == 201, quarterly.json()
    action = quarterly.json()
    assert (action["due_on"], action["due_precision"]) == ("2013-09-30", "quarter")
    assert (action["due_label"], action["due_quarter"]) == ("Q2 2013/14", "2013/14 Q2")
    assert (action["plan"], action["priority"], action["status"]) == (
        plan.pk,
        priority["id"],
        "not-started",
    )
    dated = pm.post(
        "/api/v1/actions/",
        {"commitment": body["id"], "text": "Launch the service", "due_on": "2014-03-31"},
        format="json",
    )
    assert dated.status_code == 201, dated.json()
    assert (dated.json()["due_precision"], dated.json()["due_label"]) == ("date", "31 March 2014")
    assert dated.json()["order"] == 2

    again = pm.get(f"/api/v1/priorities/{priority['id']}/").json()
    assert again["action_counts"]["not-started"] == 2 and again["actions_total"] == 2
    stored = Action.objects.get(pk=action["id"])
    assert stored.history.first().history_user.username == "pm"


def test_due_quarter_and_due_date_cannot_disagree(clients, plan):
    commitment = CommitmentFactory(priority=PriorityFactory(plan=plan))
    both = clients["pm"].post(
        "/api/v1/actions/",
        {"commitment": commitment.pk, "text": "x", "due_on": "2013-06-01",
         "due_quarter": "2013/14 Q2"},
        format="json",
    )  # fmt: skip
    assert both.status_code == 400 and both.json()["field"] == "due_quarter"
    bad = clients["pm"].post(
        "/api/v1/actions/",
        {"commitment": commitment.pk, "text": "x", "due_quarter": "Q5 2013/14"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "due_quarter"
    action = ActionFactory(
        commitment=commitment, due_on=dt.date(2013, 9, 30), due_precision="quarter"
    )
    cleared = clients["pm"].patch(
        f"/api/v1/actions/{action.pk}/", {"due_quarter": ""}, format="json"
    )
    assert cleared.status_code == 200, cleared.json()
    assert (cleared.json()["due_on"], cleared.json()["due_label"]) == (None, "")
    written_the_other_way = clients["pm"].patch(
        f"/api/v1/actions/{action.pk}/", {"due_quarter": "Q4 2013/14"}, format="json"
    )
    assert written_the_other_way.json()["due_on"] == "2014-03-31"


def test_only_planning_managers_write_and_others_do_not_see_drafts(clients, plan):
    priority = PriorityFactory(plan=plan)
    commitment = CommitmentFactory(priority=priority)
    for who in ("gb", "viewer"):
        refused = clients[who].post(
            "/api/v1/commitments/", {"priority": priority.pk, "text": "We will"}, format="json"
        )
        assert refused.status_code == 403
        assert refused.json() == {
            "detail": "Only planning managers of Rotherham can change this plan.",
            "code": "not-allowed",
        }
        assert clients[who].delete(f"/api/v1/commitments/{commitment.pk}/").status_code == 403
        changed = clients[who].patch(
            f"/api/v1/priorities/{priority.pk}/", {"title": "Mine"}, format="json"
        )
        assert changed.status_code == 403
    # A scrutiny member does not see a draft plan; another CCG sees nothing of it.
    unseen = clients["scrutiny"].post(
        "/api/v1/commitments/", {"priority": priority.pk, "text": "We will"}, format="json"
    )
    assert unseen.status_code == 400 and unseen.json()["field"] == "priority"
    assert clients["scrutiny"].get(f"/api/v1/priorities/{priority.pk}/").status_code == 404
    assert clients["outsider"].patch(
        f"/api/v1/commitments/{commitment.pk}/", {"text": "Ours"}, format="json"
    ).status_code == 404  # fmt: skip
    assert clients["staff"].patch(
        f"/api/v1/commitments/{commitment.pk}/", {"lead": "Staff"}, format="json"
    ).status_code == 200  # fmt: skip
    assert list(priority.commitments.all()) == [commitment]


def test_status_is_not_written_through_the_content_api(clients, plan):
    action = ActionFactory(commitment=CommitmentFactory(priority=PriorityFactory(plan=plan)))
    response = clients["pm"].patch(
        f"/api/v1/actions/{action.pk}/",
        {"status": "complete", "text": "Renamed"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["text"]) == ("not-started", "Renamed")
    action.refresh_from_db()
    assert action.status == "not-started"


def test_approved_plan_content_is_read_only(clients, ccg):
    approved = PlanFactory(ccg=ccg, state="approved")
    priority = PriorityFactory(plan=approved)
    commitment = CommitmentFactory(priority=priority)
    action = ActionFactory(commitment=commitment)
    pm = clients["pm"]
    for url, change in (
        (f"/api/v1/priorities/{priority.pk}/", {"title": "New"}),
        (f"/api/v1/commitments/{commitment.pk}/", {"text": "We will change"}),
        (f"/api/v1/actions/{action.pk}/", {"text": "Changed"}),
    ):
        response = pm.patch(url, change, format="json")
        assert response.status_code == 409, url
        assert response.json()["code"] == "read-only"
        assert response.json()["detail"].startswith("This plan is approved and read-only.")
        assert pm.delete(url).status_code == 409
    added = pm.post(
        "/api/v1/actions/", {"commitment": commitment.pk, "text": "More"}, format="json"
    )
    assert added.status_code == 409
    assert Action.objects.filter(commitment=commitment).count() == 1
    # Those who could never write it are told so by role, not by state.
    assert clients["gb"].patch(
        f"/api/v1/priorities/{priority.pk}/", {"title": "New"}, format="json"
    ).status_code == 403  # fmt: skip


def test_two_editors_of_one_commitment_see_both_texts(clients, plan):
    commitment = CommitmentFactory(
        priority=PriorityFactory(plan=plan), text="We will improve access"
    )
    url = f"/api/v1/commitments/{commitment.pk}/"
    etag = clients["pm"].get(url)["ETag"]
    assert etag == '"1"'
    mine = clients["pm"].patch(
        url, {"text": "We will improve access to GPs"}, format="json", HTTP_IF_MATCH=etag
    )
    assert mine.status_code == 200 and mine["ETag"] == '"2"'
    theirs = clients["pm2"].patch(
        url, {"text": "We will improve access at weekends"}, format="json", HTTP_IF_MATCH=etag
    )
    assert theirs.status_code == 412
    body = theirs.json()
    assert body["code"] == "edit-conflict" and body["saved_by"] == "pm"
    assert body["current"]["text"] == "We will improve access to GPs"
    assert body["attempted"] == {"text": "We will improve access at weekends"}
    assert theirs["ETag"] == '"2"'
    stale = clients["pm2"].patch(url, {"text": "Again", "revision": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["revision"] == 2
    fresh = clients["pm2"].patch(url, {"text": "Again", "revision": 2}, format="json")
    assert fresh.status_code == 200 and fresh.json()["revision"] == 3
    malformed = clients["pm"].patch(url, {"text": "x"}, format="json", HTTP_IF_MATCH="yesterday")
    assert malformed.status_code == 400 and malformed.json()["field"] == "If-Match"


def test_conflict_on_a_priority_shows_its_counts(clients, plan):
    priority = PriorityFactory(plan=plan, title="Mental health")
    ActionFactory(commitment=CommitmentFactory(priority=priority), status="at-risk")
    url = f"/api/v1/priorities/{priority.pk}/"
    assert clients["pm"].patch(url, {"title": "Mental wellbeing"}, format="json").status_code == (
        200
    )
    stale = clients["pm2"].patch(url, {"title": "Mind", "revision": 1}, format="json")
    assert stale.status_code == 409
    current = stale.json()["current"]
    assert current["title"] == "Mental wellbeing" and current["action_counts"]["at-risk"] == 1


def test_parents_are_fixed_and_localities_belong_to_the_plans_ccg(clients, plan, other_ccg):
    priority, elsewhere = PriorityFactory(plan=plan), PriorityFactory(plan=plan)
    commitment = CommitmentFactory(priority=priority)
    moved = clients["pm"].patch(
        f"/api/v1/commitments/{commitment.pk}/", {"priority": elsewhere.pk}, format="json"
    )
    assert moved.status_code == 400 and moved.json()["field"] == "priority"
    other_plan = PlanFactory(ccg=plan.ccg)
    replanned = clients["pm"].patch(
        f"/api/v1/priorities/{priority.pk}/", {"plan": other_plan.pk}, format="json"
    )
    assert replanned.status_code == 400 and replanned.json()["field"] == "plan"
    foreign = LocalityFactory(ccg=other_ccg)
    # Out of the planning manager's sight: "does not exist".
    unseen = clients["pm"].patch(
        f"/api/v1/commitments/{commitment.pk}/", {"locality": foreign.pk}, format="json"
    )
    assert unseen.status_code == 400 and unseen.json()["field"] == "locality"
    # Staff see it, and the model says why not.
    wrong = clients["staff"].patch(
        f"/api/v1/commitments/{commitment.pk}/", {"locality": foreign.pk}, format="json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "locality"
    assert wrong.json()["detail"] == "Choose a locality of the plan's CCG"


def test_put_and_delete_cascade(clients, plan):
    priority = PriorityFactory(plan=plan, title="Old")
    ActionFactory(commitment=CommitmentFactory(priority=priority))
    url = f"/api/v1/priorities/{priority.pk}/"
    put = clients["pm"].put(
        url, {"plan": plan.pk, "title": "Planned care", "objective": "", "order": 3}, format="json"
    )
    assert put.status_code == 200, put.json()
    assert (put.json()["title"], put.json()["order"]) == ("Planned care", 3)
    assert clients["pm"].delete(url).status_code == 204
    assert not PriorityArea.objects.filter(pk=priority.pk).exists()
    assert not Commitment.objects.filter(priority_id=priority.pk).exists()
    assert not Action.objects.exists()


# --- Filters ------------------------------------------------------------------------------


@pytest.fixture
def tracker(plan, ccg, other_ccg):
    """Two priorities of one plan, a priority of another plan, one in another CCG."""
    city, county = LocalityFactory(ccg=ccg, name="City"), LocalityFactory(ccg=ccg, name="County")
    older = PriorityFactory(plan=plan, title="Older people", order=1)
    mental = PriorityFactory(plan=plan, title="Mental health", order=2)
    care = CommitmentFactory(priority=older, text="We will coordinate care", lead="Ann Lee",
                             locality=city, status="on-track", order=1)  # fmt: skip
    beds = CommitmentFactory(priority=mental, text="We will open beds", lead="Bob Roe",
                             locality=county, status="at-risk", order=1)  # fmt: skip
    actions = {
        "late": ActionFactory(commitment=care, text="Late", lead="Ann Lee",
                              due_on=dt.date(2013, 9, 30), due_precision="quarter",
                              status="on-track"),
        "done": ActionFactory(commitment=care, text="Done", lead="Cat Poe",
                              due_on=dt.date(2013, 8, 1), status="complete"),
        "later": ActionFactory(commitment=beds, text="Later", lead="Bob Roe",
                               due_on=dt.date(2014, 3, 31), due_precision="quarter",
                               status="off-track"),
        "undated": ActionFactory(commitment=beds, text="Undated", lead="bob roe"),
    }  # fmt: skip
    other = PlanFactory(ccg=ccg)
    ActionFactory(commitment=CommitmentFactory(priority=PriorityFactory(plan=other)),
                  text="Other plan", due_on=dt.date(2013, 5, 1))  # fmt: skip
    ActionFactory(
        commitment=CommitmentFactory(priority=PriorityFactory(plan=PlanFactory(ccg=other_ccg))),
        text="Other CCG",
    )
    return {"older": older, "mental": mental, "care": care, "beds": beds, "city": city,
            "county": county, **actions}  # fmt: skip


def texts(client, url, **query):
    return [row.get("text") or row.get("title") for row in results(client.get(url, query))]


def test_action_filters(clients, people, plan, tracker, today):
    assessor = client_as(user_with_role(Role.ASSURER))

    def actions(**query):
        return texts(assessor, "/api/v1/actions/", plan=plan.pk, **query)

    assert actions() == ["Late", "Done", "Later", "Undated"]
    assert texts(assessor, "/api/v1/actions/", ccg="03L") == [
        "Late", "Done", "Later", "Undated", "Other plan"
    ]  # fmt: skip
    assert texts(assessor, "/api/v1/actions/", ccg="04R") == ["Other CCG"]
    assert actions(priority=tracker["mental"].pk) == ["Later", "Undated"]
    assert actions(commitment=tracker["care"].pk) == ["Late", "Done"]
    assert actions(status="off-track") == ["Later"]
    assert actions(lead="BOB") == ["Later", "Undated"]
    assert actions(locality=tracker["city"].pk) == ["Late", "Done"]
    assert actions(overdue="true") == ["Late"]
    assert actions(overdue="false") == ["Done", "Later", "Undated"]
    assert actions(due_quarter="2013/14 Q2") == ["Late", "Done"]
    assert actions(due_quarter="Q4 2013/14") == ["Later"]
    assert actions(due_before="2013-09-30") == ["Late", "Done"]
    assert actions(due_after="2013-09-30") == ["Late", "Later"]
    assert actions(due_after="2013-09-01", due_before="2013-12-31") == ["Late"]
    rows = {
        row["text"]: row for row in results(assessor.get("/api/v1/actions/", {"plan": plan.pk}))
    }
    assert {text: row["overdue"] for text, row in rows.items()} == {
        "Late": True, "Done": False, "Later": False, "Undated": False
    }  # fmt: skip
    assert {text: row["rag"] for text, row in rows.items()} == {
        "Late": "green", "Done": "blue", "Later": "red", "Undated": "grey"
    }  # fmt: skip
    bad = assessor.get("/api/v1/actions/", {"due_quarter": "next spring"})
    assert bad.status_code == 400 and bad.json()["field"] == "due_quarter"
    # The scope holds whatever the filter says.
    assert texts(clients["outsider"], "/api/v1/actions/", plan=plan.pk) == []


def test_overdue_follows_today(clients, plan, tracker, monkeypatch):
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: dt.date(2014, 4, 1)
    )
    overdue = texts(clients["viewer"], "/api/v1/actions/", plan=plan.pk, overdue="true")
    assert overdue == ["Late", "Later"]


def test_commitment_filters(clients, plan, tracker):
    def commitments(**query):
        return texts(clients["viewer"], "/api/v1/commitments/", plan=plan.pk, **query)

    assert commitments() == ["We will coordinate care", "We will open beds"]
    assert commitments(status="at-risk") == ["We will open beds"]
    assert commitments(lead="ann") == ["We will coordinate care"]
    assert commitments(locality=tracker["county"].pk) == ["We will open beds"]
    assert commitments(priority=tracker["older"].pk) == ["We will coordinate care"]
    assert texts(clients["viewer"], "/api/v1/commitments/", ccg="04R") == []
    rows = results(clients["viewer"].get("/api/v1/commitments/", {"plan": plan.pk}))
    assert [row["rag"] for row in rows] == ["green", "amber"]


def test_priority_filters_keep_whole_counts(clients, plan, tracker, today):
    def priorities(**query):
        return texts(clients["viewer"], "/api/v1/priorities/", plan=plan.pk, **query)

    assert priorities() == ["Older people", "Mental health"]
    assert priorities(status="complete") == ["Older people"]
    assert priorities(status="at-risk") == ["Mental health"]  # the commitment's own status
    assert priorities(lead="cat") == ["Older people"]
    assert priorities(locality=tracker["county"].pk) == ["Mental health"]
    assert priorities(priority=tracker["mental"].pk) == ["Mental health"]
    filtered = results(
        clients["viewer"].get("/api/v1/priorities/", {"plan": plan.pk, "status": "complete"})
    )
    # Filtering by one action's status does not narrow the counts of the priority's actions.
    assert filtered[0]["action_counts"] == {
        "not-started": 0, "on-track": 1, "at-risk": 0, "off-track": 0, "complete": 1
    }  # fmt: skip
    assert (filtered[0]["actions_total"], filtered[0]["actions_overdue"]) == (2, 1)
    mental = clients["viewer"].get(f"/api/v1/priorities/{tracker['mental'].pk}/").json()
    assert mental["action_counts"]["off-track"] == 1 and mental["action_counts"]["not-started"] == 1
    assert mental["actions_overdue"] == 0


# --- Constant queries ---------------------------------------------------------------------


def grow(plan, count: int, ccg) -> None:
    locality = LocalityFactory(ccg=ccg)
    for n in range(count):
        priority = PriorityFactory(plan=plan)
        commitment = CommitmentFactory(priority=priority, locality=locality)
        ActionFactory(commitment=commitment, due_on=dt.date(2013, 9, 30), status="at-risk")
        # A second action under each commitment: joins must not repeat per action.
        if n % 2:
            ActionFactory(commitment=commitment)


def queries_for(client, url, query) -> int:
    client.get(url, query)  # warm up: session, scope
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("prefix", ["priorities", "commitments", "actions"])
@pytest.mark.parametrize("who", ["viewer", "scrutiny-published", "assurer"])
def test_lists_take_a_constant_number_of_queries(clients, ccg, prefix, who):
    plan = PlanFactory(ccg=ccg, state="published")
    client = {
        "viewer": clients["viewer"],
        "scrutiny-published": clients["scrutiny"],
        "assurer": client_as(user_with_role(Role.ASSURER)),
    }[who]
    url = f"/api/v1/{prefix}/"
    grow(plan, 2, ccg)
    few = queries_for(client, url, {"plan": plan.pk})
    grow(plan, 18, ccg)
    many = queries_for(client, url, {"plan": plan.pk})
    assert len(results(client.get(url, {"plan": plan.pk}))) >= 20
    assert few == many, (prefix, few, many)
