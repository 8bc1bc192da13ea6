"""Every error of the API has one shape, `{"detail", "code", "field"?, "errors"?}`, and is
JSON: never an HTML page or a stack trace."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from commissioning.access import Role
from commissioning.models import ApiToken
from plans.api_plans import PlanViewSet
from tests.factories import user_with_role
from tests.plans.factories import PlanFactory


@pytest.fixture
def pm(planner):
    client = APIClient()
    client.force_login(planner)
    return client


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in body["detail"]
    return body


def test_field_errors_name_the_first_field_and_list_them_all(pm, ccg):
    body = assert_error(pm.post("/api/v1/plans/", {"ccg": "03L"}, format="json"), 400, "invalid")
    assert body["field"] in body["errors"]
    assert {"kind", "title"} <= set(body["errors"])


def test_malformed_json_is_a_clear_400(pm):
    response = pm.post("/api/v1/plans/", "{not json", content_type="application/json")
    assert assert_error(response, 400, "malformed-request")["detail"].startswith("JSON parse")


def test_unsupported_media_type(pm):
    response = pm.post("/api/v1/plans/", "title=x", content_type="text/plain")
    assert_error(response, 415, "unsupported-media-type")


def test_anonymous_callers_are_told_to_authenticate(db):
    body = assert_error(APIClient().get("/api/v1/plans/"), 401, "not-authenticated")
    assert "credentials" in body["detail"]


def test_bad_tokens_are_refused_in_shape(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    assert_error(client.get("/api/v1/plans/"), 401, "not-authenticated")


def test_read_only_token_writes_are_forbidden_in_shape(planner):
    _, key = ApiToken.issue(planner, "reader", read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = assert_error(client.post("/api/v1/ccgs/", {}, format="json"), 403, "not-allowed")
    assert body["detail"] == "This API token is read-only."


def test_records_of_other_ccgs_are_not_found(pm, other_ccg):
    plan = PlanFactory(ccg=other_ccg)
    assert_error(pm.get(f"/api/v1/plans/{plan.pk}/"), 404, "not-found")


def test_unknown_api_addresses_answer_json_not_a_page(pm):
    for path in ("/api/v1/no-such-resource/", "/api/v2/plans/", "/api/v1/plans/1/nothing/"):
        body = assert_error(pm.get(path), 404, "not-found")
        assert "/api/v1/" in body["detail"]


def test_method_not_allowed(pm, ccg):
    plan = PlanFactory(ccg=ccg)
    assert_error(pm.delete(f"/api/v1/plans/{plan.pk}/"), 405, "method-not-allowed")


def test_an_unexpected_failure_is_a_plain_json_500(planner, monkeypatch, caplog):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("secret internals: table plans_plan")

    monkeypatch.setattr(PlanViewSet, "list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(planner)
    response = client.get("/api/v1/plans/")
    body = assert_error(response, 500, "server-error")
    assert "secret internals" not in response.content.decode()
    assert "logged" in body["detail"]
    assert any("secret internals" in record.getMessage() for record in caplog.records)


def test_the_test_client_still_sees_the_exception(planner, monkeypatch):
    monkeypatch.setattr(PlanViewSet, "list", lambda *a, **k: 1 / 0)
    client = Client()
    client.force_login(planner)
    with pytest.raises(ZeroDivisionError):
        client.get("/api/v1/plans/")


def test_pages_outside_the_api_keep_their_html_404(client, ccg):
    user = user_with_role(Role.PLANNING_MANAGER, ccg)
    client.force_login(user)
    response = client.get("/ccgs/NOPE/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Page not found" in response.content.decode()


def test_schema_documents_the_error_shape_on_every_operation(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["schemas"]["ApiError"]["required"] == ["detail", "code"]
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            paged = any(p["name"] == "page" for p in operation.get("parameters", []))
            wanted = {"403", "429"} | ({"404"} if "{" in path or paged else set())
            query = any(p["in"] == "query" for p in operation.get("parameters", []))
            if method in ("post", "put", "patch") or query:
                wanted.add("400")
            if {} not in operation.get("security", []):
                wanted.add("401")
            if not wanted <= set(responses):
                missing.append(f"{method.upper()} {path}: {sorted(wanted - set(responses))}")
            assert "Retry-After" in responses["429"]["headers"]
    assert not missing, missing
