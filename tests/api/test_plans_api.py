"""The plans API: plans themselves (create, read, update with preconditions, filters)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commissioning.access import Role
from commissioning.models import ApiToken
from commissioning.years import FinancialYear
from plans.models import Plan
from tests.factories import CCGFactory, UserFactory, user_with_role
from tests.plans.factories import PlanFactory

NEW_PLAN = {
    "ccg": "03L",
    "kind": "commissioning-intentions",
    "title": "Commissioning Intentions 2015/16",
    "first_year": "2015/16",
    "last_year": "2015/16",
    "summary": "What we will buy next year.",
}


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def pm(planner):
    return client_as(planner)


@pytest.fixture
def draft(ccg):
    return PlanFactory(ccg=ccg, title="Commissioning Plan 2015-19", vision="Healthy lives.")


def test_planning_manager_creates_a_plan_with_its_draft_number(pm, ccg):
    response = pm.post("/api/v1/plans/", {**NEW_PLAN, "draft_number": 5}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["ccg"] == "03L" and body["kind"] == "commissioning-intentions"
    assert (body["first_year"], body["last_year"], body["period"]) == (
        "2015/16",
        "2015/16",
        "2015/16",
    )
    assert (body["state"], body["draft_number"], body["version_label"]) == ("draft", 5, "Draft 5")
    assert body["revision"] == 1 and response["ETag"] == '"1"'
    assert body["refreshes"] is None
    plan = Plan.objects.get(pk=body["id"])
    assert plan.first_year == FinancialYear(2015) and plan.history.count() == 1


def test_multi_year_plan_reads_as_a_period(pm):
    body = pm.post("/api/v1/plans/", {**NEW_PLAN, "last_year": "2018/19"}, format="json").json()
    assert body["period"] == "2015-19"


@pytest.mark.parametrize("role", [Role.GOVERNING_BODY, Role.VIEWER])
def test_only_planning_managers_create_plans(role_user, role):
    response = client_as(role_user(role)).post("/api/v1/plans/", NEW_PLAN, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only planning managers of Rotherham can create plans.",
        "code": "not-allowed",
    }
    assert not Plan.objects.exists()


def test_a_ccg_out_of_sight_is_refused_as_unknown(pm, other_ccg):
    response = pm.post("/api/v1/plans/", {**NEW_PLAN, "ccg": "04R"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "ccg" and response.json()["code"] == "invalid"


def test_invalid_years_are_refused_with_the_field(pm):
    response = pm.post("/api/v1/plans/", {**NEW_PLAN, "first_year": "2016/17"}, format="json")
    assert response.status_code == 400
    assert response.json()["field"] == "last_year"
    assert "must not be before the first year" in response.json()["detail"]
    bad = pm.post("/api/v1/plans/", {**NEW_PLAN, "first_year": "2015/17"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "first_year"


def test_retrieve_sends_the_etag_and_update_moves_it_on(pm, draft):
    read = pm.get(f"/api/v1/plans/{draft.pk}/")
    assert read.status_code == 200 and read["ETag"] == '"1"'
    saved = pm.patch(
        f"/api/v1/plans/{draft.pk}/",
        {"vision": "Healthier lives, closer to home."},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert saved.status_code == 200, saved.json()
    assert saved["ETag"] == '"2"' and saved.json()["revision"] == 2
    draft.refresh_from_db()
    assert draft.vision == "Healthier lives, closer to home."


def test_stale_if_match_is_412_with_both_versions(pm, planner, draft, role_user):
    other = client_as(role_user(Role.PLANNING_MANAGER))
    first = other.patch(
        f"/api/v1/plans/{draft.pk}/", {"vision": "Theirs."}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert first.status_code == 200
    second = pm.patch(
        f"/api/v1/plans/{draft.pk}/", {"vision": "Mine."}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert second.status_code == 412
    body = second.json()
    assert body["code"] == "edit-conflict" and "Someone else saved this" in body["detail"]
    assert body["current"]["vision"] == "Theirs." and body["current"]["revision"] == 2
    assert body["attempted"] == {"vision": "Mine."}
    assert second["ETag"] == '"2"'
    draft.refresh_from_db()
    assert draft.vision == "Theirs."


def test_stale_revision_field_is_409_with_both_versions(pm, draft):
    assert (
        pm.patch(
            f"/api/v1/plans/{draft.pk}/", {"title": "Plan A", "revision": 1}, format="json"
        ).status_code
        == 200
    )
    conflict = pm.patch(
        f"/api/v1/plans/{draft.pk}/",
        {"title": "Plan B", "first_year": "2016/17", "revision": 1},
        format="json",
    )
    assert conflict.status_code == 409
    body = conflict.json()
    assert body["current"]["title"] == "Plan A"
    assert body["attempted"] == {"title": "Plan B", "first_year": "2016/17"}
    draft.refresh_from_db()
    assert (draft.title, draft.first_year) == ("Plan A", FinancialYear(2015))


def test_no_precondition_saves_over_the_latest(pm, draft):
    Plan.objects.filter(pk=draft.pk).update(revision=7)
    response = pm.patch(f"/api/v1/plans/{draft.pk}/", {"summary": "Short."}, format="json")
    assert response.status_code == 200 and response.json()["revision"] == 8


def test_malformed_if_match_is_400(pm, draft):
    response = pm.patch(
        f"/api/v1/plans/{draft.pk}/", {"summary": "x"}, format="json", HTTP_IF_MATCH="yesterday"
    )
    assert response.status_code == 400 and response.json()["field"] == "If-Match"


def test_ccg_and_draft_number_are_fixed_after_create(pm, draft, other_ccg):
    for change in ({"draft_number": 6}, {"ccg": "03L", "draft_number": 2}):
        response = pm.patch(f"/api/v1/plans/{draft.pk}/", change, format="json")
        assert response.status_code == 400
        assert response.json()["field"] == "draft_number"
    same = pm.patch(f"/api/v1/plans/{draft.pk}/", {"ccg": "03L", "title": "Same"}, format="json")
    assert same.status_code == 200
    ignored = pm.patch(f"/api/v1/plans/{draft.pk}/", {"state": "published"}, format="json")
    assert ignored.status_code == 200 and ignored.json()["state"] == "draft"


def test_published_plan_is_read_only(pm, ccg):
    plan = PlanFactory(ccg=ccg, state="published")
    response = pm.patch(f"/api/v1/plans/{plan.pk}/", {"title": "New"}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This plan is published and read-only. Start an annual refresh to change it.",
        "code": "read-only",
    }


def test_governing_body_cannot_edit_a_draft(role_user, draft):
    client = client_as(role_user(Role.GOVERNING_BODY))
    response = client.patch(f"/api/v1/plans/{draft.pk}/", {"title": "New"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Only planning managers of Rotherham can change this plan."
    )


def test_plans_are_not_deleted_or_replaced(pm, draft):
    assert pm.delete(f"/api/v1/plans/{draft.pk}/").status_code == 405
    assert pm.put(f"/api/v1/plans/{draft.pk}/", NEW_PLAN, format="json").status_code == 405
    assert Plan.objects.filter(pk=draft.pk).exists()


def test_read_only_token_cannot_write(planner, draft):
    _, key = ApiToken.issue(planner, "reporting", read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(f"/api/v1/plans/{draft.pk}/").status_code == 200
    refused = client.patch(f"/api/v1/plans/{draft.pk}/", {"title": "x"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This API token is read-only."
    moved = client.post(f"/api/v1/plans/{draft.pk}/transition/", {"to": "withdrawn"})
    assert moved.status_code == 403
    draft.refresh_from_db()
    assert draft.state == "draft" and draft.title != "x"


def test_writing_token_reaches_the_services(planner, draft):
    _, key = ApiToken.issue(planner, "authoring")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.patch(f"/api/v1/plans/{draft.pk}/", {"title": "By token"}, format="json")
    assert response.status_code == 200


def test_anonymous_is_401(api_client, draft):
    assert api_client.get("/api/v1/plans/").status_code == 401
    assert api_client.post("/api/v1/plans/", NEW_PLAN, format="json").status_code == 401


# --- Filters ------------------------------------------------------------------------------


@pytest.fixture
def plans(ccg, other_ccg):
    return {
        "rotherham": PlanFactory(ccg=ccg, title="Rotherham 2015-19", state="published"),
        "intentions": PlanFactory(
            ccg=ccg,
            kind="commissioning-intentions",
            title="Intentions 2016/17",
            first_year=FinancialYear(2016),
            last_year=FinancialYear(2016),
        ),
        "old": PlanFactory(
            ccg=ccg,
            kind="delivery-plan",
            title="Delivery Plan 2013/14",
            first_year=FinancialYear(2013),
            last_year=FinancialYear(2013),
            state="superseded",
        ),
        "derbyshire": PlanFactory(ccg=other_ccg, title="Southern Derbyshire 2015-19"),
    }


def titles(client, **query):
    response = client.get("/api/v1/plans/", query)
    assert response.status_code == 200, response.json()
    return sorted(item["title"] for item in response.json()["results"])


def test_filters_by_ccg_kind_state_and_year(plans, role_user, ccg, other_ccg):
    assessor = client_as(user_with_role(Role.ASSURER))
    assert titles(assessor, ccg="04R") == ["Southern Derbyshire 2015-19"]
    assert titles(assessor, ccg="03L", kind="delivery-plan") == ["Delivery Plan 2013/14"]
    assert titles(assessor, state="published") == ["Rotherham 2015-19"]
    assert titles(assessor, ccg="03L", year="2016/17") == [
        "Intentions 2016/17",
        "Rotherham 2015-19",
    ]
    assert titles(assessor, year="2013/14") == ["Delivery Plan 2013/14"]
    assert titles(assessor, year="2019/20") == []


def test_bad_filter_values_are_400(plans):
    client = client_as(user_with_role(Role.ASSURER))
    year = client.get("/api/v1/plans/", {"year": "2016/18"})
    assert year.status_code == 400 and year.json()["field"] == "year"
    assert client.get("/api/v1/plans/", {"kind": "wish-list"}).status_code == 400
    assert client.get("/api/v1/plans/", {"state": "lost"}).status_code == 400


def test_lists_show_only_what_the_user_reads(plans, role_user):
    scrutiny = client_as(role_user(Role.SCRUTINY))
    # Scrutiny members read published (and superseded) plans of their CCG only.
    assert titles(scrutiny) == ["Delivery Plan 2013/14", "Rotherham 2015-19"]
    assert titles(client_as(role_user(Role.VIEWER))) == [
        "Delivery Plan 2013/14",
        "Intentions 2016/17",
        "Rotherham 2015-19",
    ]
    assert titles(client_as(UserFactory())) == []


def test_the_plan_list_costs_the_same_queries_for_2_or_20_plans(planner, ccg):
    client = client_as(planner)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/plans/", {"page_size": 100})
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    PlanFactory.create_batch(2, ccg=ccg)
    few, count = count_queries()
    assert count == 2
    refreshed = Plan.objects.first()
    others = [CCGFactory() for _ in range(3)]
    PlanFactory.create_batch(9, ccg=ccg, refreshes=refreshed)
    PlanFactory.create_batch(9, ccg=ccg)
    for other in others:
        PlanFactory(ccg=other)
    many, count = count_queries()
    assert count == 20
    assert many == few
