"""Core pages: sign in, home (the CCGs a user can see), the CCG overview, the CCG switcher."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.access import Role
from commissioning.models import CommissionedProvider, PracticeListSize
from commissioning.models.people import SeatCategory
from tests.factories import (
    CCGFactory,
    LocalityFactory,
    PartnerFactory,
    PersonFactory,
    PracticeFactory,
    ProviderFactory,
    SeatFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def full_governing_body(ccg):
    """A governing body that meets every composition rule."""
    SeatFactory(ccg=ccg, title="Chair", category=SeatCategory.GP, is_chair=True, order=1)
    for n in range(5):
        SeatFactory(ccg=ccg, title=f"GP member {n}", category=SeatCategory.GP, order=2 + n)
    for order, category in enumerate(
        [
            SeatCategory.ACCOUNTABLE_OFFICER,
            SeatCategory.CHIEF_FINANCE_OFFICER,
            SeatCategory.REGISTERED_NURSE,
            SeatCategory.SECONDARY_CARE_DOCTOR,
            SeatCategory.LAY_GOVERNANCE,
            SeatCategory.LAY_PPI,
        ],
        start=10,
    ):
        SeatFactory(ccg=ccg, title=category.label, category=category, order=order)


# --- Anonymous users ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/ccgs/03L/", "/ccgs/switch/?ccg=03L"], ids=["home", "ccg", "switch"]
)
def test_anonymous_user_is_sent_to_sign_in(client, ccg, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_url_names_are_the_public_contract():
    assert reverse("home") == "/"
    assert reverse("login") == "/accounts/login/"
    assert reverse("logout") == "/accounts/logout/"
    assert reverse("ccg-detail", kwargs={"ods": "03L"}) == "/ccgs/03L/"
    assert reverse("ccg-switch")


# --- Sign in and out -----------------------------------------------------------------------


def test_sign_in_page_has_labelled_fields_with_autocomplete(client):
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Sign in – Commissioning plans</title>" in html
    assert re.search(r'<label\s+class="nhsuk-label"\s+for="username"', html)
    assert re.search(r'<label\s+class="nhsuk-label"\s+for="password"', html)
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert "There is a problem" not in html


def test_wrong_password_shows_the_error_summary(client, planner):
    response = client.post(
        reverse("login"), {"username": planner.username, "password": "not-the-password"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in – Commissioning plans</title>" in html
    assert "nhsuk-error-summary" in html
    assert "There is a problem" in html
    assert 'href="#username"' in html
    assert "Enter a correct username and password" in html
    assert "_auth_user_id" not in client.session


def test_empty_form_names_each_missing_field(client):
    response = client.post(reverse("login"), {"username": "", "password": ""})

    html = response.content.decode()
    assert 'href="#username"' in html and "Enter your username" in html
    assert 'href="#password"' in html and "Enter your password" in html


def test_right_password_signs_in_and_goes_home(client, planner, password):
    response = client.post(reverse("login"), {"username": planner.username, "password": password})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(planner.pk)


def test_sign_in_returns_to_the_page_asked_for(client, planner, password):
    response = client.post(
        reverse("login") + "?next=/ccgs/03L/",
        {"username": planner.username, "password": password, "next": "/ccgs/03L/"},
    )

    assert response.status_code == 302
    assert response.url == "/ccgs/03L/"


def test_sign_in_refuses_to_send_users_off_site(client, planner, password):
    response = client.post(
        reverse("login"),
        {"username": planner.username, "password": password, "next": "https://evil.example/"},
    )

    assert response.url == reverse("home")


def test_sign_out_is_a_post_form_with_csrf_token(client, planner):
    html = signed_in(client, planner).get(reverse("home")).content.decode()

    form = re.search(r'<form[^>]*action="/accounts/logout/"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'method="post"' in form.group(0)
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_navigation_offers_admin_to_staff_only(client, planner, staff_user):
    html = signed_in(client, planner).get(reverse("home")).text
    assert 'href="/admin/"' not in html
    assert 'href="/api/docs/"' in html

    html = signed_in(client, staff_user).get(reverse("home")).text
    assert 'href="/admin/"' in html


# --- Home ----------------------------------------------------------------------------------


def test_home_lists_only_the_ccgs_the_user_can_see(client, planner, ccg, other_ccg):
    PracticeFactory.create_batch(3, ccg=ccg)
    PracticeFactory(ccg=ccg, close_date=dt.date(2016, 3, 31), status="C")

    response = signed_in(client, planner).get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "NHS Rotherham CCG" in html
    assert 'href="/ccgs/03L/"' in html
    assert "NHS Southern Derbyshire CCG" not in html
    assert "250,000" in html
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*03L(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert re.search(r">\s*3\s*</td>", row), "three open practices, the closed one not counted"


def test_home_says_not_stated_for_an_unknown_population(client, planner, ccg):
    ccg.population = None
    ccg.save()

    html = signed_in(client, planner).get(reverse("home")).content.decode()

    assert "Not stated" in html


def test_user_without_a_role_is_told_whom_to_ask(client, ccg):
    from tests.factories import UserFactory

    response = signed_in(client, UserFactory()).get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "You do not have a role in any CCG yet" in html
    assert "planning manager" in html
    assert "NHS Rotherham CCG" not in html


def test_assurer_sees_every_ccg(client, ccg, other_ccg):
    assurer = user_with_role(Role.ASSURER)

    html = signed_in(client, assurer).get(reverse("home")).content.decode()

    assert "NHS Rotherham CCG" in html
    assert "NHS Southern Derbyshire CCG" in html


# --- CCG overview --------------------------------------------------------------------------


def test_overview_shows_the_ccg(client, planner, ccg):
    ccg.population_note = "ONS mid-2013 estimate"
    ccg.population_as_of = dt.date(2013, 6, 30)
    ccg.region = "North of England"
    ccg.website = "https://www.rotherhamccg.nhs.uk/"
    ccg.save()
    locality = LocalityFactory(ccg=ccg, name="Wath", code="WAT", stated_practice_count=7)
    practice = PracticeFactory(ccg=ccg, locality=locality, name="Wath Health Centre")
    PracticeListSize.objects.create(practice=practice, date=dt.date(2015, 1, 1), patients=8000)
    PracticeListSize.objects.create(practice=practice, date=dt.date(2016, 1, 1), patients=8123)
    PracticeFactory(ccg=ccg, name="Unnamed practice 1", is_placeholder=True)
    PracticeFactory(ccg=ccg, name="Named but uncoded", ods_code_is_stand_in=True)
    provider = ProviderFactory(ods_code="RFR", name="The Rotherham NHS Foundation Trust")
    CommissionedProvider.objects.create(ccg=ccg, provider=provider, note="Main acute provider")
    PartnerFactory(ccg=ccg, name="Rotherham Metropolitan Borough Council")

    response = signed_in(client, planner).get(reverse("ccg-detail", kwargs={"ods": "03L"}))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>NHS Rotherham CCG – Commissioning plans</title>" in html
    assert html.count("<h1") == 1
    assert "ONS mid-2013 estimate" in html and "30 June 2013" in html
    assert "North of England" in html
    assert "Wath" in html and "WAT" in html
    assert "8,123" in html and "8,000" not in html
    assert "Placeholder" in html
    assert "Stand-in code" in html
    assert "The Rotherham NHS Foundation Trust" in html and "Main acute provider" in html
    assert "Acute" in html
    assert "Rotherham Metropolitan Borough Council" in html and "Local authority" in html
    assert 'aria-current="page"' in html, "the CCG's overview is current in the navigation"


def test_overview_is_404_for_a_user_of_another_ccg(client, role_user, other_ccg):
    outsider = role_user(Role.VIEWER, in_ccg=other_ccg)

    response = signed_in(client, outsider).get(reverse("ccg-detail", kwargs={"ods": "03L"}))

    assert response.status_code == 404


def test_overview_is_404_for_an_unknown_ccg(client, planner):
    response = signed_in(client, planner).get(reverse("ccg-detail", kwargs={"ods": "ZZZ"}))

    assert response.status_code == 404


def test_assurer_can_open_any_ccg(client, ccg, other_ccg):
    assurer = user_with_role(Role.ASSURER)

    for ods in ("03L", "04R"):
        response = signed_in(client, assurer).get(reverse("ccg-detail", kwargs={"ods": ods}))
        assert response.status_code == 200


def test_governing_body_without_a_nurse_shows_the_warning(client, planner, ccg):
    full_governing_body(ccg)
    ccg.governing_body.filter(category=SeatCategory.REGISTERED_NURSE).delete()

    html = signed_in(client, planner).get(reverse("ccg-detail", kwargs={"ods": "03L"})).text

    assert "nhsuk-warning-callout" in html or "nhsuk-card--warning" in html
    assert "<li>No registered nurse.</li>" in html
    assert "meets the composition rules" not in html


def test_complete_governing_body_meets_the_rules(client, planner, ccg):
    full_governing_body(ccg)

    html = signed_in(client, planner).get(reverse("ccg-detail", kwargs={"ods": "03L"})).text

    assert "meets the composition rules" in html
    assert "composition-warnings" not in html


def test_vacant_seat_shows_vacant(client, planner, ccg):
    SeatFactory(ccg=ccg, person=None, title="Registered nurse", category="registered-nurse")

    html = signed_in(client, planner).get(reverse("ccg-detail", kwargs={"ods": "03L"})).text

    assert "Vacant" in html
    assert "No registered nurse (the seat is vacant)." in html


def test_past_seats_are_not_shown(client, planner, ccg):
    person = PersonFactory(ccg=ccg, name="Dr Former Member")
    SeatFactory(ccg=ccg, person=person, end_date=dt.date(2015, 3, 31))

    html = signed_in(client, planner).get(reverse("ccg-detail", kwargs={"ods": "03L"})).text

    assert "Dr Former Member" not in html


def test_closed_ccg_names_its_successor(client, ccg, other_ccg):
    other_ccg.close_date = dt.date(2018, 3, 31)
    other_ccg.successor = ccg
    other_ccg.save()
    assurer = user_with_role(Role.ASSURER)

    html = signed_in(client, assurer).get(reverse("ccg-detail", kwargs={"ods": "04R"})).text

    assert "31 March 2018" in html
    assert 'href="/ccgs/03L/"' in html


def populate(ccg, practices: int):
    """A CCG with `practices` practices spread over localities, list sizes and a full board."""
    localities = [LocalityFactory(ccg=ccg) for _ in range(max(1, practices // 5))]
    for n in range(practices):
        practice = PracticeFactory(ccg=ccg, locality=localities[n % len(localities)])
        PracticeListSize.objects.create(practice=practice, date=dt.date(2016, 1, 1), patients=n)
        provider = ProviderFactory()
        CommissionedProvider.objects.create(ccg=ccg, provider=provider)
        PartnerFactory(ccg=ccg)
        SeatFactory(ccg=ccg, order=n)


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_overview_query_count_does_not_grow_with_the_data(client, ccg, other_ccg):
    assurer = user_with_role(Role.ASSURER)
    populate(ccg, 2)
    populate(other_ccg, 20)
    signed_in(client, assurer)

    small = count_queries(client, reverse("ccg-detail", kwargs={"ods": ccg.ods_code}))
    large = count_queries(client, reverse("ccg-detail", kwargs={"ods": other_ccg.ods_code}))

    assert small == large


def test_home_query_count_does_not_grow_with_the_data(client):
    assurer = user_with_role(Role.ASSURER)
    signed_in(client, assurer)
    populate(CCGFactory(), 2)
    few = count_queries(client, reverse("home"))
    for _ in range(10):
        populate(CCGFactory(), 3)

    assert count_queries(client, reverse("home")) == few


# --- Switcher ------------------------------------------------------------------------------


def test_switcher_is_shown_to_a_user_of_two_ccgs(client, planner, other_ccg):
    user_with_two = planner
    from commissioning.models import Membership

    Membership.objects.create(user=user_with_two, ccg=other_ccg, role=Role.VIEWER)

    html = signed_in(client, user_with_two).get(reverse("home")).text

    assert '<label class="nhsuk-label app-ccg-switcher__label" for="ccg-switcher">' in html
    assert 'action="/ccgs/switch/"' in html
    assert 'value="04R"' in html


def test_switcher_is_hidden_from_a_user_of_one_ccg(client, planner):
    html = signed_in(client, planner).get(reverse("home")).text

    assert "ccg-switcher" not in html


def test_switcher_redirects_to_a_visible_ccg(client, planner):
    response = signed_in(client, planner).get(reverse("ccg-switch"), {"ccg": "03L"})

    assert response.status_code == 302
    assert response.url == "/ccgs/03L/"


def test_switcher_refuses_a_ccg_the_user_cannot_see(client, planner, other_ccg):
    response = signed_in(client, planner).get(reverse("ccg-switch"), {"ccg": "04R"})

    assert response.status_code == 404


def test_switcher_without_a_choice_is_404(client, planner):
    response = signed_in(client, planner).get(reverse("ccg-switch"))

    assert response.status_code == 404
