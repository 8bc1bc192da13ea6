"""CSRF on every form: each page route (the URL resolver's, outside /api/ and the admin)
refuses a POST without the token with 403, as a permitted (staff) signed-in user, and every
<form method="post"> on the demo's main pages carries the token.

The URL arguments are the demo world's real objects where a route names one (so the view
exists and would act), otherwise stand-ins: CsrfViewMiddleware refuses before the view runs.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.commissioning.security_pages import ODS, audit, demo_world, main_pages
from tests.factories import UserFactory

CSRF_FAILURE = "CSRF verification failed"
SKIP_PREFIXES = ("api/", settings.ADMIN_URL)  # the API and the admin: tested apart below


def page_routes(patterns=None, prefix=""):
    """(route string, name) of every page URL pattern."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from page_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name


def fill(route: str, pks: dict) -> str:
    def value(match):
        converter, name = match.group(1) or "str", match.group(2)
        if name == "ods":
            return ODS
        if converter == "int":
            return str(pks.get(name, 1))
        if name == "fmt":
            return "csv"
        return "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route).lstrip("^").rstrip("$")


ROUTES = [
    (route, name)
    for route, name in page_routes()
    if not route.startswith(SKIP_PREFIXES) and route not in {"healthz", "readyz"}
]


@pytest.fixture
def world(db):
    planner = demo_world()
    from plans.models import Plan

    plan = Plan.objects.filter(ccg__ods_code=ODS).order_by("pk").first()
    staff = UserFactory(username="csrf.staff", is_staff=True, is_superuser=True)
    return {"planner": planner, "staff": staff, "pks": {"pk": plan.pk}}


def client_for(user, enforce=True):
    client = Client(enforce_csrf_checks=enforce)
    client.force_login(user)
    return client


def test_the_walk_covers_the_page_routes():
    names = {name for _, name in ROUTES}
    assert len(ROUTES) >= 60, len(ROUTES)
    for expected in ("login", "logout", "account", "plan-edit", "ccg-risks", "meeting-detail"):
        assert expected in names


def test_every_page_route_refuses_a_post_without_the_token(world):
    client = client_for(world["staff"])
    accepted = []
    for route, name in ROUTES:
        url = fill(route, world["pks"])
        response = client.post(url, {"name": "x"})
        if response.status_code != 403 or CSRF_FAILURE not in response.content.decode():
            accepted.append(f"{name} {url} -> {response.status_code}")
    assert accepted == []


def test_with_the_token_the_same_posts_pass_the_csrf_check(world):
    """The control: the 403s above are the CSRF check's, not the views' own refusals."""
    client = client_for(world["staff"])
    client.raise_request_exception = False  # a view's own failure is not the point here
    client.get("/accounts/")  # sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    refused = []
    for route, name in ROUTES:
        if name in {"logout", "ccg-switch"}:
            continue  # signs the client out / GET only; checked elsewhere
        url = fill(route, world["pks"])
        response = client.post(url, {"csrfmiddlewaretoken": token})
        if CSRF_FAILURE in response.content.decode():
            refused.append(f"{name} {url}")
    assert refused == []


def test_sign_in_and_sign_out_need_the_token(world):
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    signed_in = client_for(world["planner"])
    assert signed_in.post("/accounts/logout/").status_code == 403
    assert signed_in.get("/").status_code == 200  # still signed in


def test_the_admin_and_the_api_with_a_session_need_the_token(world):
    client = client_for(world["staff"])
    admin = client.post(f"/{settings.ADMIN_URL}auth/user/add/", {"username": "x"})
    assert admin.status_code == 403 and CSRF_FAILURE in admin.content.decode()
    api = client.post("/api/v1/auth/token/", {}, content_type="application/json")
    assert api.status_code != 403  # token sign-in has no session: CSRF does not apply
    session_write = client.post("/api/v1/plans/", {}, content_type="application/json")
    assert session_write.status_code == 403
    assert "CSRF" in session_write.json()["detail"]


def test_every_post_form_on_the_main_pages_carries_the_token(world):
    client = client_for(world["planner"], enforce=False)
    pages = {**main_pages(), "login": "/accounts/login/"}
    forms = 0
    missing = []
    for name, path in pages.items():
        response = (Client() if name == "login" else client).get(path)
        assert response.status_code == 200, (name, path)
        for form in audit(response.content.decode()).post_forms:
            forms += 1
            if not form["csrf"]:
                missing.append(f"{name}: form action={form['action']}")
    assert missing == []
    assert forms >= len(pages)  # at least the sign-out form on every signed-in page
