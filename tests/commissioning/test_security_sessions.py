"""Sessions end SESSION_AGE_SECONDS (8 hours; the environment variable is read in
tests/commissioning/test_security_settings.py) after sign-in, not extended by use; the
session cookie is HttpOnly and SameSite=Lax. An expired session is signed out (the store's
expiry date is moved into the past: no sleeping)."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

EIGHT_HOURS = 8 * 60 * 60


@pytest.fixture
def user(db):
    return UserFactory(username="sam.ward")


def sign_in(client):
    response = client.post("/accounts/login/", {"username": "sam.ward", "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_a_session_lasts_eight_hours_from_sign_in(user):
    assert settings.SESSION_COOKIE_AGE == EIGHT_HOURS
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    client = Client()
    response = sign_in(client)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == EIGHT_HOURS
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    stored = Session.objects.get(session_key=cookie.value).expire_date
    remaining = (stored - timezone.now()).total_seconds()
    assert EIGHT_HOURS - 60 < remaining <= EIGHT_HOURS


def test_using_the_site_does_not_extend_the_session(user):
    client = Client()
    sign_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    before = Session.objects.get(session_key=key).expire_date
    for path in ("/", "/accounts/", "/"):
        response = client.get(path)
        assert response.status_code == 200
        assert settings.SESSION_COOKIE_NAME not in response.cookies  # no new cookie
    assert Session.objects.get(session_key=key).expire_date == before


def test_a_session_past_its_age_is_signed_out(user):
    client = Client()
    sign_in(client)
    assert client.get("/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    # Eight hours and a second later, as far as the session store knows.
    store = SessionStore(key)
    store.load()
    store.set_expiry(timezone.now() - dt.timedelta(seconds=1))
    store.save()

    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/").status_code == 302


def test_a_session_within_its_age_still_works(user):
    client = Client()
    sign_in(client)
    store = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    store.load()
    store.set_expiry(timezone.now() + dt.timedelta(seconds=60))
    store.save()
    assert client.get("/").status_code == 200


@override_settings(SESSION_COOKIE_AGE=60)
def test_the_age_is_the_setting(user):
    response = sign_in(Client())
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 60
