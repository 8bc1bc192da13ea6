import pytest

from commissioning.access import Role
from commissioning.models import ApiToken
from tests.factories import UserFactory, user_with_role


@pytest.fixture
def user(ccg):
    return user_with_role(Role.PLANNING_MANAGER, ccg, username="planner")


def obtain(api_client, **body):
    return api_client.post("/api/v1/auth/token/", body, format="json")


def test_a_script_gets_a_token_with_username_and_password(api_client, user, password):
    response = obtain(api_client, username="planner", password=password, name="Nightly sync")
    assert response.status_code == 201
    key = response.json()["token"]
    token = ApiToken.objects.get(user=user)
    assert token.name == "Nightly sync" and not token.read_only
    assert key not in token.key_hash and token.prefix == key[:8]  # only a hash is stored

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listing = api_client.get("/api/v1/ccgs/")
    assert listing.status_code == 200
    assert [c["ods_code"] for c in listing.json()["results"]] == ["03L"]
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"username": "planner", "password": "wrong"}, 401, "detail"),
        ({"username": "nobody", "password": "x"}, 401, "detail"),
        ({"username": "planner"}, 400, "password"),
        ({}, 400, "username"),
    ],
)
def test_bad_credentials_are_refused_clearly(api_client, user, body, status, field):
    response = obtain(api_client, **body)
    assert response.status_code == status
    body = response.json()
    assert body["detail"] and body["code"] == ("invalid" if status == 400 else "not-authenticated")
    if status == 400:
        assert body["field"] == field and field in body["errors"]
    assert not ApiToken.objects.exists()


def test_inactive_users_get_no_token(api_client, user, password):
    user.is_active = False
    user.save()
    assert obtain(api_client, username="planner", password=password).status_code == 401


def test_revoked_and_unknown_tokens_are_refused(api_client, user):
    token, key = ApiToken.issue(user, "old")
    token.revoke()
    for credentials in (f"Token {key}", "Token not-a-real-key"):
        api_client.credentials(HTTP_AUTHORIZATION=credentials)
        assert api_client.get("/api/v1/ccgs/").status_code == 401


def test_read_only_tokens_cannot_write_even_for_staff(api_client, db):
    staff = UserFactory(username="ops", is_staff=True)
    _, key = ApiToken.issue(staff, "dashboard", read_only=True)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/ccgs/").status_code == 200
    response = api_client.post("/api/v1/ccgs/", {"ods_code": "99X", "name": "X"}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
