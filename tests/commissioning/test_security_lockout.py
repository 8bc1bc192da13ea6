"""Sign-in lockout (django-axes): 5 failures for one username from one address lock that pair
out for 15 minutes, on the sign-in page, the admin's sign-in and POST /api/v1/auth/token/.

The test settings raise the limit out of the way of other suites and let Client.login()
through; here the real limit and the real backend list of base.py are put back.
"""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from rest_framework.test import APIClient

from commissioning.models import ApiToken
from commissioning.settings import base
from tests.factories import PASSWORD, UserFactory

LIMIT = 5
REAL = override_settings(
    AXES_FAILURE_LIMIT=LIMIT,
    AXES_COOLOFF_TIME=dt.timedelta(minutes=15),
    AUTHENTICATION_BACKENDS=base.AUTHENTICATION_BACKENDS,
)
LOCKOUT_TEXT = "You have entered a wrong username or password too many times"


@pytest.fixture(autouse=True)
def real_lockout():
    with REAL:
        yield


@pytest.fixture
def user(db):
    return UserFactory(username="sam.ward")


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_the_settings_lock_out_username_and_address_together_for_15_minutes():
    assert base.AXES_FAILURE_LIMIT == 5
    assert base.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert base.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert base.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_the_fifth_failure_locks_the_pair_out_even_for_the_right_password(user):
    client = Client()
    statuses = [sign_in(client, "sam.ward", "wrong").status_code for _ in range(LIMIT - 1)]
    assert statuses == [200] * (LIMIT - 1)  # the form again, with its error

    fifth = sign_in(client, "sam.ward", "wrong")
    assert fifth.status_code == 429
    assert int(fifth["Retry-After"]) == 15 * 60
    page = fifth.content.decode()
    assert LOCKOUT_TEXT in page and "Wait 15 minutes, then try again." in page
    assert "Signing in is paused" in page and 'class="nhsuk-error-summary' in page

    right = sign_in(client, "sam.ward", PASSWORD)
    assert right.status_code == 429 and LOCKOUT_TEXT in right.content.decode()
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username="sam.ward").failures_since_start >= LIMIT


def test_four_failures_then_the_right_password_signs_in_and_resets_the_count(user):
    client = Client()
    for _ in range(LIMIT - 1):
        sign_in(client, "sam.ward", "wrong")
    response = sign_in(client, "sam.ward", PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    assert not AccessAttempt.objects.filter(username="sam.ward").exists()  # reset on success


def test_the_lockout_is_per_username_and_address(user):
    UserFactory(username="jo.bloggs")
    for _ in range(LIMIT):
        sign_in(Client(), "sam.ward", "wrong", address="10.0.0.1")

    # The same user from another address, and another user from the same address, sign in.
    other_address = Client()
    assert sign_in(other_address, "sam.ward", PASSWORD, address="10.0.0.2").status_code == 302
    other_user = Client()
    assert sign_in(other_user, "jo.bloggs", PASSWORD, address="10.0.0.1").status_code == 302
    assert sign_in(Client(), "sam.ward", PASSWORD, address="10.0.0.1").status_code == 429


def test_after_the_cool_off_the_right_password_works_again(user):
    for _ in range(LIMIT):
        sign_in(Client(), "sam.ward", "wrong")
    assert sign_in(Client(), "sam.ward", PASSWORD).status_code == 429
    # 16 minutes pass: the stored attempt is older than the cool-off.
    attempt = AccessAttempt.objects.get(username="sam.ward")
    attempt.attempt_time -= dt.timedelta(minutes=16)
    attempt.save()
    client = Client()
    assert sign_in(client, "sam.ward", PASSWORD).status_code == 302 and signed_in(client)


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_limit_is_a_setting(user):
    assert sign_in(Client(), "sam.ward", "wrong").status_code == 200
    assert sign_in(Client(), "sam.ward", "wrong").status_code == 429


def token_request(client, password, address="10.0.0.9"):
    return client.post(
        "/api/v1/auth/token/",
        {"username": "sam.ward", "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_the_token_endpoint_locks_out_too_in_the_api_error_shape(user):
    client = APIClient()
    statuses = [token_request(client, "wrong").status_code for _ in range(LIMIT - 1)]
    assert statuses == [401] * (LIMIT - 1)

    fifth = token_request(client, "wrong")
    assert fifth.status_code == 429
    body = fifth.json()
    assert body["code"] == "locked-out" and LOCKOUT_TEXT in body["detail"]
    assert int(fifth["Retry-After"]) == 15 * 60

    right = token_request(client, PASSWORD)
    assert right.status_code == 429 and right.json()["code"] == "locked-out"
    assert not ApiToken.objects.filter(user=user).exists()
    # Another address is not locked out.
    assert token_request(client, PASSWORD, address="10.0.0.10").status_code == 201


def test_failures_on_the_page_and_the_api_count_together(user):
    for _ in range(3):
        sign_in(Client(), "sam.ward", "wrong", address="10.0.0.5")
    api = APIClient()
    assert token_request(api, "wrong", address="10.0.0.5").status_code == 401
    assert token_request(api, "wrong", address="10.0.0.5").status_code == 429


def test_the_admin_sign_in_is_throttled(db):
    UserFactory(username="admin.person", is_staff=True, is_superuser=True)
    client = Client()
    url = "/" + base.ADMIN_URL + "login/"
    statuses = [
        client.post(
            url, {"username": "admin.person", "password": "wrong"}, REMOTE_ADDR="10.0.0.7"
        ).status_code
        for _ in range(LIMIT)
    ]
    assert statuses == [200] * (LIMIT - 1) + [429]
    locked = client.post(
        url, {"username": "admin.person", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert locked.status_code == 429 and LOCKOUT_TEXT in locked.content.decode()
    assert not signed_in(client)


def test_the_address_behind_trusted_proxies_is_the_client_s(user, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for n in range(LIMIT):
        Client().post(
            "/accounts/login/",
            {"username": "sam.ward", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n % 2 + 1}",
        )
    attempts = dict(
        AccessAttempt.objects.filter(username="sam.ward").values_list(
            "ip_address", "failures_since_start"
        )
    )
    assert attempts == {"192.0.2.1": 3, "192.0.2.2": 2}
