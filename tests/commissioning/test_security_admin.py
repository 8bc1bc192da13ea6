"""The admin: for active staff only, at ADMIN_URL (default admin/); its sign-in is under the
lockout too (tests/commissioning/test_security_lockout.py)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent

RESOLVE = r"""
import json, django
django.setup()
from django.urls import Resolver404, resolve, reverse
def resolves(path):
    try:
        return resolve(path).app_name
    except Resolver404:
        return None
print(json.dumps({
    "index": reverse("admin:index"),
    "login": reverse("admin:login"),
    "moved": resolves(reverse("admin:index")),
    "old": resolves("/admin/"),
}))
"""


def admin_paths(**env) -> dict:
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "commissioning.settings.test",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", RESOLVE],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_admin_is_at_admin_by_default():
    paths = admin_paths()
    assert paths["index"] == "/admin/" and paths["moved"] == "admin"


@pytest.mark.parametrize("value", ["back-office/", "/back-office", "back-office"])
def test_admin_url_moves_the_admin(value):
    paths = admin_paths(ADMIN_URL=value)
    assert paths["index"] == "/back-office/"
    assert paths["login"] == "/back-office/login/"
    assert paths["moved"] == "admin"
    assert paths["old"] is None  # nothing at /admin/ any more


@pytest.mark.parametrize(
    ("who", "kwargs", "allowed"),
    [
        ("active staff", {"is_staff": True}, True),
        ("superuser", {"is_staff": True, "is_superuser": True}, True),
        ("not staff", {}, False),
        ("inactive staff", {"is_staff": True, "is_active": False}, False),
    ],
)
def test_only_active_staff_reach_the_admin(db, who, kwargs, allowed):
    client = Client()
    client.force_login(UserFactory(username=who.replace(" ", "."), **kwargs))
    response = client.get(f"/{settings.ADMIN_URL}")
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(f"/{settings.ADMIN_URL}login/")


def test_anonymous_visitors_are_sent_to_the_admin_sign_in(db):
    response = Client().get(f"/{settings.ADMIN_URL}")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/{settings.ADMIN_URL}login/")
