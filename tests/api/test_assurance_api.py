"""`assurance-checkpoints/`: read by the CCG's internal roles, assurers and staff; written by
assurers (any CCG) and staff with the scorecard, findings and actions nested; filters, CSV,
revisions and refusals in the API's error shape."""

import csv
import datetime as dt
import io

import pytest
from rest_framework.test import APIClient

from commissioning.access import Role
from governance import services_assurance as services
from governance.models import AssuranceCheckpoint, ScorecardResult
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
URL = "/api/v1/assurance-checkpoints/"


def client_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def assurer_user(db):
    return user_with_role(Role.ASSURER)


@pytest.fixture
def assurer(assurer_user):
    return client_as(assurer_user)


@pytest.fixture
def checkpoint(ccg, assurer_user):
    return services.create_checkpoint(
        ccg, user=assurer_user, year="2013/14", quarter=1, held_on=dt.date(2013, 9, 2),
        rating="Assured with support",
        scorecard=[{"metric": "A&E – 4 Hour Target", "target": "95%", "met": False},
                   {"metric": "QIPP", "target": "4 QIPP workstream areas", "met": True}],
        findings=[{"area": "QIPP", "text": "On target."}],
        actions=[{"text": "Publish the scorecard", "owner": "Rotherham CCG",
                  "due_on": dt.date(2013, 10, 18)}],
    )  # fmt: skip


NEW = {
    "ccg": "03L",
    "year": "2014/15",
    "quarter": 2,
    "held_on": "2014-09-01",
    "assessor": "Area team",
    "rating": "Assured",
    "scorecard": [
        {"metric": "Friends and Family Test", "target": "15%", "met": None},
        {"metric": "52 Week Waits", "result": "1 breach", "met": False},
    ],
    "findings": [{"area": "Finance", "text": "Balanced."}],
    "actions": [{"text": "Share the plan", "owner": "Area Team", "due_on": "2014-10-01"}],
}


# --- Reading -------------------------------------------------------------------------------------


def test_a_planning_manager_reads_their_ccgs_checkpoints_with_the_parts(planner, checkpoint):
    client = client_as(planner)
    listing = client.get(URL)
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["results"]] == [checkpoint.pk]
    detail = client.get(f"{URL}{checkpoint.pk}/")
    body = detail.json()
    assert detail["ETag"] == f'"{checkpoint.revision}"'
    assert (body["ccg"], body["year"], body["quarter"]) == ("03L", "2013/14", 1)
    assert (body["rating_scheme"], body["rating"]) == ("assurance-2013", "Assured with support")
    assert [(r["metric"], r["target"], r["met"], r["met_text"]) for r in body["scorecard"]] == [
        ("A&E – 4 Hour Target", "95%", False, "Not met"),
        ("QIPP", "4 QIPP workstream areas", True, "Met"),
    ]
    assert body["findings"][0]["area"] == "QIPP"
    action = body["actions"][0]
    assert (action["owner"], action["due_on"], action["overdue"]) == (
        "Rotherham CCG",
        "2013-10-18",
        True,
    )


def test_scrutiny_and_other_ccgs_see_nothing(ccg, other_ccg, role_user, checkpoint):
    for user in (role_user(Role.SCRUTINY), role_user(Role.PLANNING_MANAGER, other_ccg)):
        client = client_as(user)
        assert client.get(URL).json()["count"] == 0
        assert client.get(f"{URL}{checkpoint.pk}/").status_code == 404


def test_filters(assurer, assurer_user, ccg, other_ccg, checkpoint):
    services.create_checkpoint(other_ccg, user=assurer_user, year="2013/14", quarter=2)
    services.create_checkpoint(ccg, user=assurer_user, year="2016/17", quarter=1, rating="Good")

    def ids(**params):
        return sorted(item["id"] for item in assurer.get(URL, params).json()["results"])

    assert len(ids()) == 3
    assert ids(ccg="03L", year="2013/14") == [checkpoint.pk]
    assert len(ids(year="2013/14")) == 2
    assert len(ids(quarter=2)) == 1
    assert ids(rating="assured with support") == [checkpoint.pk]
    assert len(ids(rating_scheme="iaf-2016")) == 1
    refused = assurer.get(URL, {"year": "2013"})
    assert refused.status_code == 200  # a start year is read as its financial year
    bad = assurer.get(URL, {"year": "13/14"})
    assert bad.status_code == 400


def test_csv_gives_one_row_per_checkpoint(planner, checkpoint):
    response = client_as(planner).get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="assurance-checkpoint.csv"' in response["Content-Disposition"]
    rows = list(
        csv.DictReader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff")))
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row["CCG"], row["Year"], row["Rating"]) == ("03L", "2013/14", "Assured with support")
    assert row["Targets met"] == "1 of 2"
    assert row["Scorecard"] == (
        "A&E – 4 Hour Target (target 95%): Not met; QIPP (target 4 QIPP workstream areas): Met"
    )
    assert (row["Open actions"], row["Overdue actions"]) == ("1", "1")


# --- Writing -------------------------------------------------------------------------------------


def test_an_assurer_records_a_checkpoint_with_its_parts(assurer, ccg):
    response = assurer.post(URL, NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rating_scheme"] == "assurance-2013"
    assert [r["metric"] for r in body["scorecard"]] == ["Friends and Family Test", "52 Week Waits"]
    assert body["scorecard"][0]["met_text"] == "Not assessed"
    assert body["actions"][0]["due_on"] == "2014-10-01"
    checkpoint = AssuranceCheckpoint.objects.get(pk=body["id"])
    assert checkpoint.history.first().history_user.memberships.get().role == Role.ASSURER


def test_an_assurer_writes_for_any_ccg(assurer, other_ccg):
    response = assurer.post(URL, {**NEW, "ccg": "04R"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("role", [Role.PLANNING_MANAGER, Role.GOVERNING_BODY, Role.VIEWER])
def test_the_ccgs_people_cannot_write(role_user, checkpoint, role):
    client = client_as(role_user(role))
    created = client.post(URL, NEW, format="json")
    assert created.status_code == 403
    assert created.json()["code"] == "not-allowed"
    assert "Only NHS England assurers" in created.json()["detail"]
    changed = client.patch(f"{URL}{checkpoint.pk}/", {"rating": "Assured"}, format="json")
    assert changed.status_code == 403
    assert client.delete(f"{URL}{checkpoint.pk}/").status_code == 403
    assert AssuranceCheckpoint.objects.count() == 1


def test_scrutiny_gets_404_writing_a_checkpoint(role_user, checkpoint):
    client = client_as(role_user(Role.SCRUTINY))
    assert client.patch(f"{URL}{checkpoint.pk}/", {"rating": ""}, format="json").status_code == 404
    assert client.delete(f"{URL}{checkpoint.pk}/").status_code == 404


def test_anonymous_is_401(checkpoint):
    assert APIClient().get(URL).status_code == 401
    assert APIClient().post(URL, NEW, format="json").status_code == 401


def test_refusals_name_the_field(assurer, checkpoint):
    wrong_scheme = assurer.post(URL, {**NEW, "rating": "Outstanding"}, format="json")
    assert wrong_scheme.status_code == 400
    assert wrong_scheme.json()["field"] == "rating"
    twice = assurer.post(URL, {**NEW, "year": "2013/14", "quarter": 1}, format="json")
    assert twice.status_code == 400
    assert twice.json()["field"] == "quarter"
    assert "already" in twice.json()["detail"]
    no_metric = assurer.post(URL, {**NEW, "scorecard": [{"target": "95%"}]}, format="json")
    assert no_metric.status_code == 400
    assert no_metric.json()["field"].startswith("scorecard")
    assert no_metric.json()["errors"]["scorecard"]["0"]["metric"]
    moved = assurer.patch(f"{URL}{checkpoint.pk}/", {"quarter": 3}, format="json")
    assert moved.status_code == 400
    assert moved.json()["field"] == "quarter"


def test_a_patch_sets_a_part_list_whole(assurer, checkpoint):
    kept, dropped = checkpoint.scorecard.all()
    response = assurer.patch(
        f"{URL}{checkpoint.pk}/",
        {"scorecard": [{"id": kept.pk, "result": "Below 95%"}, {"metric": "New"}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [(r["metric"], r["result"]) for r in response.json()["scorecard"]] == [
        ("A&E – 4 Hour Target", "Below 95%"),
        ("New", ""),
    ]
    assert not ScorecardResult.objects.filter(pk=dropped.pk).exists()
    # Parts not sent are left alone.
    assert len(response.json()["findings"]) == 1


def test_if_match_and_revision_conflicts(assurer, checkpoint):
    url = f"{URL}{checkpoint.pk}/"
    etag = assurer.get(url)["ETag"]
    first = assurer.patch(url, {"rating": "Assured"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] != etag
    stale = assurer.patch(url, {"rating": "Not assured"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    body = stale.json()
    assert body["code"] == "edit-conflict"
    assert body["current"]["rating"] == "Assured"
    assert body["attempted"]["rating"] == "Not assured"
    by_field = assurer.patch(url, {"rating": "Not assured", "revision": 1}, format="json")
    assert by_field.status_code == 409


def test_deleting_a_checkpoint(assurer, checkpoint):
    assert assurer.delete(f"{URL}{checkpoint.pk}/").status_code == 204
    assert not AssuranceCheckpoint.objects.exists()
