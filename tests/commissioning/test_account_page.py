"""The account page (/accounts/): who the user is, their roles, and their API tokens, which
they create (the key shown once), see used and revoke; the keys then work on /api/v1/ with
exactly the user's access."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.access import Role
from commissioning.models import ApiToken, Membership
from commissioning.models.access import hash_token
from commissioning.views_account import when
from tests.access.actors import ACTORS
from tests.factories import CCGFactory, UserFactory, user_with_role
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

ACCOUNT = "/accounts/"
KEY = re.compile(r'id="new-token-key".*?<code class="nhsuk-code__content">([^<]+)</code>', re.S)


def signed_in(client, user):
    client.force_login(user)
    return client


def create(client, name="Nightly sync", read_only=False):
    data = {"action": "create", "name": name}
    if read_only:
        data["read_only"] = "on"
    return client.post(ACCOUNT, data)


def key_of(response) -> str:
    match = KEY.search(response.content.decode())
    assert match, "the new key is not on the page"
    return match.group(1)


def token_table(response) -> str:
    """The active tokens' table (empty when there are none)."""
    html = response.content.decode()
    match = re.search(r'<table class="nhsuk-table" id="active-tokens">.*?</table>', html, re.S)
    return match.group(0) if match else ""


def revoked_section(response) -> str:
    html = response.content.decode()
    match = re.search(r'<details[^>]*id="revoked-tokens".*?</details>', html, re.S)
    return match.group(0) if match else ""


@pytest.fixture
def planner(ccg):
    return user_with_role(
        Role.PLANNING_MANAGER, ccg, username="sward", first_name="Sam", last_name="Ward"
    )


# --- Signing in -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_sent_to_sign_in_and_back(client, method):
    response = getattr(client, method)(ACCOUNT)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/accounts/"
    assert not ApiToken.objects.exists()


def test_the_header_links_signed_in_users_to_their_account(client, planner):
    signed_in(client, planner)
    html = client.get("/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert re.search(r'<a class="nhsuk-header__account-link" href="/accounts/">', header)
    assert "Sam Ward" in header
    client.logout()
    login_page = client.get(reverse("login")).content.decode()
    assert 'href="/accounts/"' not in login_page


# --- Who the user is, and their roles ---------------------------------------------------


def test_the_page_shows_the_user_and_their_roles_in_words(client, planner, ccg, other_ccg):
    Membership.objects.create(user=planner, ccg=other_ccg, role=Role.SCRUTINY)
    response = signed_in(client, planner).get(ACCOUNT)
    assert response.status_code == 200
    assert response["Cache-Control"].count("no-store") == 1
    html = response.content.decode()
    assert "<title>Your account – Commissioning plans</title>" in html
    assert "Sam Ward" in html and "sward" in html
    rows = re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", html, re.S)
    roles = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows[1:3]]
    # By CCG name: Rotherham, then Southern Derbyshire.
    assert roles == [
        "NHS Rotherham CCG 03L Planning manager",
        "NHS Southern Derbyshire CCG 04R Scrutiny member",
    ]
    assert '<a class="nhsuk-link" href="/ccgs/03L/">NHS Rotherham CCG</a>' in html
    assert '<a class="nhsuk-link" href="/ccgs/04R/">NHS Southern Derbyshire CCG</a>' in html


def test_a_national_role_is_shown_as_one(client):
    assurer = user_with_role(Role.ASSURER, username="nhse")
    html = signed_in(client, assurer).get(ACCOUNT).content.decode()
    assert "Every CCG" in html and "National role" in html
    assert "Assurer (NHS England)" in html
    assert "You do not have a role in any CCG yet" not in html


def test_users_without_a_role_and_staff_are_told_so(client):
    nobody = UserFactory(username="nobody")
    assert "You do not have a role in any CCG yet" in (
        signed_in(client, nobody).get(ACCOUNT).content.decode()
    )
    staff = UserFactory(username="ops", is_staff=True)
    html = signed_in(client, staff).get(ACCOUNT).content.decode()
    assert "You are staff of this service" in html
    assert "You do not have a role in any CCG yet" not in html


# --- Listing tokens ---------------------------------------------------------------------


def test_tokens_are_listed_with_their_access_and_use_and_revoked_ones_apart(client, planner):
    used, _ = ApiToken.issue(planner, "Finance sync")
    ApiToken.objects.filter(pk=used.pk).update(
        created_at=timezone.make_aware(dt.datetime(2016, 3, 1, 9, 0)),
        last_used_at=timezone.make_aware(dt.datetime(2016, 3, 3, 14, 5)),
    )
    unused, _ = ApiToken.issue(planner, "Dashboard", read_only=True)
    old, _ = ApiToken.issue(planner, "Old laptop")
    old.revoke()
    ApiToken.objects.filter(pk=old.pk).update(
        revoked_at=timezone.make_aware(dt.datetime(2016, 4, 1, 10, 30))
    )

    response = signed_in(client, planner).get(ACCOUNT)
    table = token_table(response)
    assert "Finance sync" in table and "Dashboard" in table
    assert "Old laptop" not in table
    assert f"<code>{used.prefix}…</code>" in table and f"<code>{unused.prefix}…</code>" in table
    finance_row = re.search(rf'id="token-{used.pk}">(.*?)</tr>', table, re.S).group(1)
    assert "Read and write" in finance_row
    assert "1 March 2016 at 09:00" in finance_row and "3 March 2016 at 14:05" in finance_row
    dashboard_row = re.search(rf'id="token-{unused.pk}">(.*?)</tr>', table, re.S).group(1)
    assert "Read-only" in dashboard_row and "Never" in dashboard_row
    assert f"?revoke={unused.pk}" in dashboard_row

    revoked = revoked_section(response)
    assert "Show revoked tokens (1)" in revoked
    assert "Old laptop" in revoked and "1 April 2016 at 10:30" in revoked
    assert "?revoke=" not in revoked


def test_a_user_with_no_tokens_is_told_so(client, planner):
    response = signed_in(client, planner).get(ACCOUNT)
    assert 'id="no-active-tokens"' in response.content.decode()
    assert revoked_section(response) == ""


@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "anonymous"])
def test_every_signed_in_user_sees_only_their_own_tokens(client, ccg, other_ccg, actor):
    users = {
        "no-role": UserFactory(username="norole"),
        **{role: user_with_role(role, ccg) for role in Role if role != Role.ASSURER},
        "other-ccg": user_with_role(Role.PLANNING_MANAGER, other_ccg),
        Role.ASSURER: user_with_role(Role.ASSURER),
        "staff": UserFactory(username="staffer", is_staff=True, is_superuser=True),
    }
    for name, user in users.items():
        ApiToken.issue(user, f"Token of {name}")
    response = signed_in(client, users[actor]).get(ACCOUNT)
    assert response.status_code == 200
    shown = re.findall(r"Token of ([\w-]+)", response.content.decode())
    assert set(shown) == {actor}


# --- Creating a token -------------------------------------------------------------------


def test_a_new_token_shows_its_key_once(client, planner):
    response = create(signed_in(client, planner), "Nightly sync", read_only=True)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = key_of(response)
    token = ApiToken.objects.get(user=planner)
    assert (token.name, token.read_only) == ("Nightly sync", True)
    assert token.key_hash == hash_token(key) and token.prefix == key[:8]
    html = response.content.decode()
    assert "API token created: Nightly sync" in html
    assert "Copy the key now: it will not be shown again" in html
    assert f"Authorization: Token {key}" in html
    assert "http://testserver/api/v1/ccgs/" in html
    assert "The token is read-only" in html
    assert "Nightly sync" in token_table(response)
    # The form is empty again, ready for another token.
    assert re.search(r'id="name" name="name" type="text"[^>]* value=""', html)

    again = client.get(ACCOUNT)
    assert key not in again.content.decode()
    assert "Nightly sync" in token_table(again)
    assert not KEY.search(again.content.decode())


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name for the token"),
        ("   ", "Enter a name for the token"),
        ("x" * 101, "Name must be 100 characters or fewer"),
        ("nightly SYNC", "You already have a token with this name"),
    ],
    ids=["empty", "blank", "too-long", "taken"],
)
def test_invalid_names_show_the_error_summary_and_keep_what_was_typed(
    client, planner, name, message
):
    ApiToken.issue(planner, "Nightly sync")
    response = create(signed_in(client, planner), name, read_only=True)
    assert response.status_code == 400
    assert ApiToken.objects.filter(user=planner).count() == 1
    html = response.content.decode()
    assert "<title>Error: Your account – Commissioning plans</title>" in html
    summary = re.search(r'<div\s+class="nhsuk-error-summary".*?</ul>', html, re.S).group(0)
    assert 'href="#name"' in summary and message in summary
    assert 'id="name-error"' in html
    assert re.search(rf'id="name" name="name" type="text"[^>]* value="{name}"', html)
    assert re.search(
        r'id="read_only" name="read_only" type="checkbox" value="on"[^>]*checked', html
    )
    assert not KEY.search(html)


def test_a_revoked_tokens_name_can_be_used_again_and_others_names_do_not_count(client, planner):
    old, _ = ApiToken.issue(planner, "Nightly sync")
    old.revoke()
    ApiToken.issue(UserFactory(username="someone"), "Laptop")
    signed_in(client, planner)
    assert create(client, "Nightly sync").status_code == 200
    assert create(client, "Laptop").status_code == 200
    assert ApiToken.objects.filter(user=planner).active().count() == 2


def test_an_unknown_action_is_refused(client, planner):
    response = signed_in(client, planner).post(ACCOUNT, {"action": "delete-everything"})
    assert response.status_code == 400


def test_posts_need_the_csrf_token(planner):
    client = signed_in(Client(enforce_csrf_checks=True), planner)
    token, _ = ApiToken.issue(planner, "Laptop")
    assert create(client, "Nightly sync").status_code == 403
    assert client.post(ACCOUNT, {"action": "revoke", "token": token.pk}).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.filter(user=planner).count() == 1


# --- Revoking a token -------------------------------------------------------------------


def test_revoking_asks_first_then_the_api_refuses_the_key_at_once(client, api_client, planner):
    signed_in(client, planner)
    key = key_of(create(client, "Laptop"))
    token = ApiToken.objects.get(user=planner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/ccgs/").status_code == 200

    confirm = client.get(ACCOUNT, {"revoke": token.pk})
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Revoke this token" in html and "Revoking cannot be undone" in html
    assert '<input type="hidden" name="action" value="revoke">' in html
    assert f'<input type="hidden" name="token" value="{token.pk}">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    token.refresh_from_db()
    assert token.revoked_at is None  # asking is not revoking

    done = client.post(ACCOUNT, {"action": "revoke", "token": token.pk}, follow=True)
    assert done.redirect_chain == [(ACCOUNT, 302)]
    assert "API token revoked: Laptop" in done.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Laptop" not in token_table(done) and "Laptop" in revoked_section(done)

    refused = api_client.get("/api/v1/ccgs/")
    assert refused.status_code == 401
    assert refused.json()["detail"]


def test_another_users_token_answers_404(client, planner):
    theirs, key = ApiToken.issue(UserFactory(username="someone"), "Their laptop")
    signed_in(client, planner)
    assert client.get(ACCOUNT, {"revoke": theirs.pk}).status_code == 404
    assert client.post(ACCOUNT, {"action": "revoke", "token": theirs.pk}).status_code == 404
    for bad in ("", "abc", "999999"):
        assert client.get(ACCOUNT, {"revoke": bad}).status_code == 404
        assert client.post(ACCOUNT, {"action": "revoke", "token": bad}).status_code == 404
    assert client.post(ACCOUNT, {"action": "revoke"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_revoking_twice_says_so(client, planner):
    token, _ = ApiToken.issue(planner, "Laptop")
    token.revoke()
    signed_in(client, planner)
    page = client.get(ACCOUNT, {"revoke": token.pk}, follow=True)
    assert "The API token Laptop is revoked already." in page.content.decode()
    posted = client.post(ACCOUNT, {"action": "revoke", "token": token.pk}, follow=True)
    assert "The API token Laptop is revoked already." in posted.content.decode()


# --- The key on the API: the user's access, read-only or not -----------------------------


def test_a_key_from_the_page_sees_what_the_user_sees_and_its_use_is_shown(
    client, api_client, planner, ccg, other_ccg
):
    own_plan, other_plan = PlanFactory(ccg=ccg), PlanFactory(ccg=other_ccg)
    key = key_of(create(signed_in(client, planner), "Sync"))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    ccgs = api_client.get("/api/v1/ccgs/")
    assert [c["ods_code"] for c in ccgs.json()["results"]] == ["03L"]
    plans = api_client.get("/api/v1/plans/").json()["results"]
    assert [p["id"] for p in plans] == [own_plan.pk]
    assert api_client.get(f"/api/v1/plans/{other_plan.pk}/").status_code == 404
    assert api_client.get("/api/v1/ccgs/04R/").status_code == 404

    table = token_table(client.get(ACCOUNT))
    assert "Never" not in table
    assert when(ApiToken.objects.get(user=planner).last_used_at) in table


def test_a_read_and_write_key_writes_as_the_user_a_read_only_one_cannot(
    client, api_client, planner, ccg
):
    plan = PlanFactory(ccg=ccg, state="draft", title="Draft plan")
    signed_in(client, planner)
    writer = key_of(create(client, "Writer"))
    reader = key_of(create(client, "Reader", read_only=True))

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {reader}")
    assert api_client.get(f"/api/v1/plans/{plan.pk}/").status_code == 200
    refused = api_client.patch(f"/api/v1/plans/{plan.pk}/", {"title": "By reader"}, format="json")
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    plan.refresh_from_db()
    assert plan.title == "Draft plan"

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {writer}")
    changed = api_client.patch(f"/api/v1/plans/{plan.pk}/", {"title": "By writer"}, format="json")
    assert changed.status_code == 200
    plan.refresh_from_db()
    assert plan.title == "By writer"


def test_a_key_of_a_user_who_may_only_read_cannot_write_either(client, api_client, ccg):
    viewer = user_with_role(Role.VIEWER, ccg, username="viewer")
    plan = PlanFactory(ccg=ccg, state="draft")
    key = key_of(create(signed_in(client, viewer), "Viewer's token"))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get(f"/api/v1/plans/{plan.pk}/").status_code == 200
    response = api_client.patch(f"/api/v1/plans/{plan.pk}/", {"title": "X"}, format="json")
    assert response.status_code == 403


def test_a_key_follows_the_users_memberships_as_they_change(client, api_client, planner, ccg):
    later = CCGFactory(ods_code="02P", name="NHS Barnsley CCG")
    key = key_of(create(signed_in(client, planner), "Sync"))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/ccgs/02P/").status_code == 404
    Membership.objects.create(user=planner, ccg=later, role=Role.VIEWER)
    assert api_client.get("/api/v1/ccgs/02P/").status_code == 200


def test_when_writes_uk_time():
    summer = dt.datetime(2016, 7, 1, 8, 5, tzinfo=dt.UTC)
    assert when(summer) == "1 July 2016 at 09:05"
    assert when(None) == ""
