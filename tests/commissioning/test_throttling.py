"""API throttling: per token, per user across tokens and session, per address for anonymous
callers; 429 with Retry-After in the error shape. On PostgreSQL CI runs the counts live in
the real Redis (REDIS_URL), as in production."""

import uuid

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from commissioning.models import ApiToken

RATES = {"token": "2/min", "user": "5/min", "anon": "2/min", "auth": "2/min"}


@pytest.fixture
def tight_rates(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}
    # Counts of earlier tests (whose users had the same ids) are under another prefix.
    default = {**settings.CACHES["default"], "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}"}
    settings.CACHES = {**settings.CACHES, "default": default}


def token_client(user, name: str) -> APIClient:
    _, key = ApiToken.issue(user, name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_throttled(response):
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= 60
    body = response.json()
    assert body["code"] == "throttled" and body["retry_after"] == wait
    assert "Request was throttled" in body["detail"]


def test_each_token_has_its_own_allowance(tight_rates, planner):
    first, second = token_client(planner, "one"), token_client(planner, "two")
    assert [first.get("/api/v1/ccgs/").status_code for _ in range(2)] == [200, 200]
    assert_throttled(first.get("/api/v1/ccgs/"))
    assert second.get("/api/v1/ccgs/").status_code == 200  # the other token still works


def test_the_user_allowance_covers_all_their_tokens_and_session(tight_rates, planner):
    browser = APIClient()
    browser.force_login(planner)
    statuses = [browser.get("/api/v1/ccgs/").status_code for _ in range(3)]
    statuses += [token_client(planner, f"t{n}").get("/api/v1/ccgs/").status_code for n in (1, 2)]
    assert statuses == [200] * 5
    assert_throttled(browser.get("/api/v1/ccgs/"))
    assert_throttled(token_client(planner, "t3").get("/api/v1/ccgs/"))


def test_other_users_are_not_slowed_by_a_busy_one(tight_rates, planner, role_user):
    busy = token_client(planner, "busy")
    for _ in range(2):
        busy.get("/api/v1/ccgs/")
    assert_throttled(busy.get("/api/v1/ccgs/"))
    other = token_client(role_user("governing-body"), "calm")
    assert other.get("/api/v1/ccgs/").status_code == 200


def test_password_guessing_for_tokens_is_throttled_by_address(tight_rates, planner):
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    guess = {"username": planner.username, "password": "guess"}
    statuses = [client.post("/api/v1/auth/token/", guess).status_code for _ in range(2)]
    assert statuses == [401, 401]
    assert_throttled(client.post("/api/v1/auth/token/", guess))
    elsewhere = APIClient(REMOTE_ADDR="203.0.113.10")
    assert elsewhere.post("/api/v1/auth/token/", guess).status_code == 401


def test_anonymous_reads_of_the_schema_are_throttled_by_address(tight_rates, db):
    client = APIClient(REMOTE_ADDR="203.0.113.11")
    json = "application/vnd.oai.openapi+json"
    for _ in range(2):
        assert client.get("/api/schema/", HTTP_ACCEPT=json).status_code == 200
    assert_throttled(client.get("/api/schema/", HTTP_ACCEPT=json))


def test_a_cache_outage_lets_requests_through(tight_rates, planner, monkeypatch):
    class Unreachable:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(SimpleRateThrottle, "cache", Unreachable())
    client = token_client(planner, "during outage")
    assert [client.get("/api/v1/ccgs/").status_code for _ in range(4)] == [200] * 4
