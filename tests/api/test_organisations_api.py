import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.access import Role
from commissioning.models import CCG, GoverningBodyMembership, Practice, PracticeListSize
from commissioning.models.people import SeatCategory
from tests.factories import (
    CCGFactory,
    LocalityFactory,
    PersonFactory,
    PracticeFactory,
    SeatFactory,
    UserFactory,
    user_with_role,
)


@pytest.fixture
def staff_client(api_client, db):
    api_client.force_login(UserFactory(username="ops", is_staff=True))
    return api_client


@pytest.fixture
def reader(api_client, ccg):
    api_client.force_login(user_with_role(Role.GOVERNING_BODY, ccg))
    return api_client


def test_ccg_is_addressed_by_ods_code_with_counts_and_composition(reader, ccg):
    LocalityFactory(ccg=ccg)
    PracticeFactory.create_batch(3, ccg=ccg)
    PracticeFactory(ccg=ccg, close_date="2015-03-31", open_date="2000-01-01")
    SeatFactory(ccg=ccg, is_chair=True)
    body = reader.get("/api/v1/ccgs/03L/").json()
    assert body["ods_code"] == "03L" and body["name"] == "NHS Rotherham CCG"
    assert body["practice_count"] == 3  # open practices only
    assert body["locality_count"] == 1
    codes = [w["code"] for w in body["composition_warnings"]]
    assert "too-few-members" in codes and "no-registered-nurse" in codes


def test_lists_are_paginated_with_counts_and_links(reader, ccg):
    PracticeFactory.create_batch(7, ccg=ccg)
    first = reader.get("/api/v1/practices/", {"page_size": 5}).json()
    assert first["count"] == 7 and len(first["results"]) == 5
    assert first["next"].endswith("page=2&page_size=5") and first["previous"] is None
    second = reader.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None


def test_practices_filter_search_and_list_size(reader, ccg):
    locality = LocalityFactory(ccg=ccg, name="Derby Advanced Commissioning", code="DAC")
    practice = PracticeFactory(ccg=ccg, locality=locality, name="Hillview Medical Centre")
    PracticeFactory(ccg=ccg, name="Barnt Green Surgery")
    PracticeListSize.objects.create(practice=practice, date="2013-01-01", patients=8000)
    PracticeListSize.objects.create(practice=practice, date="2013-04-01", patients=8450)
    results = reader.get("/api/v1/practices/", {"locality": locality.pk}).json()["results"]
    assert [(r["name"], r["latest_list_size"], r["latest_list_size_date"]) for r in results] == [
        ("Hillview Medical Centre", 8450, "2013-04-01")
    ]
    found = reader.get("/api/v1/practices/", {"search": "barnt"}).json()["results"]
    assert [r["name"] for r in found] == ["Barnt Green Surgery"]
    assert reader.get("/api/v1/practices/", {"ccg": "03L"}).json()["count"] == 2


def test_staff_create_update_and_get_field_errors(staff_client, ccg):
    created = staff_client.post(
        "/api/v1/practices/",
        {"ods_code": "C87001", "name": "New Surgery", "ccg": "03L", "town": "Rotherham"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert Practice.objects.get(ods_code="C87001").ccg == ccg

    bad = staff_client.post(
        "/api/v1/practices/", {"ods_code": "C8700", "name": "", "ccg": "ZZZ"}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    errors = bad.json()["errors"]
    assert set(errors) >= {"ods_code", "name", "ccg"}
    assert "one capital letter and 5 digits" in errors["ods_code"][0]

    other = CCGFactory(ods_code="04R")
    foreign_locality = LocalityFactory(ccg=other)
    mismatch = staff_client.patch(
        "/api/v1/practices/C87001/", {"locality": foreign_locality.pk}, format="json"
    )
    assert mismatch.status_code == 400
    assert mismatch.json()["errors"]["locality"] == ["The locality belongs to another CCG."]

    renamed = staff_client.patch("/api/v1/ccgs/03L/", {"short_name": "Rotherham"}, format="json")
    assert renamed.status_code == 200 and CCG.objects.get(pk=ccg.pk).short_name == "Rotherham"


def test_vacant_seat_and_seat_rules(staff_client, ccg):
    vacant = staff_client.post(
        "/api/v1/governing-body-seats/",
        {"ccg": "03L", "title": "Hospital Doctor", "category": SeatCategory.SECONDARY_CARE_DOCTOR},
        format="json",
    )
    assert vacant.status_code == 201 and vacant.json()["person_name"] is None
    chair = staff_client.post(
        "/api/v1/governing-body-seats/",
        {"ccg": "03L", "title": "Chair", "category": "gp", "is_chair": True},
        format="json",
    )
    assert chair.status_code == 400 and "is_chair" in chair.json()["errors"]
    stranger = PersonFactory(ccg=CCGFactory(ods_code="05A"))
    foreign = staff_client.post(
        "/api/v1/governing-body-seats/",
        {"ccg": "03L", "title": "GP", "category": "gp", "person": stranger.pk},
        format="json",
    )
    assert foreign.status_code == 400 and foreign.json()["field"] == "person"
    assert GoverningBodyMembership.objects.count() == 1


@pytest.mark.parametrize(
    "prefix",
    ["ccgs", "localities", "practices", "providers", "partners", "people", "governing-body-seats"],
)
def test_list_query_count_does_not_grow_with_data(api_client, db, prefix):
    """Same number of SQL queries for a list of 2 CCGs' data as for 6 CCGs' data."""
    user = UserFactory(username="nhse")
    user_with_role(Role.ASSURER)  # another assurer exists; ours is made below
    from commissioning.models import Membership

    Membership.objects.create(user=user, role=Role.ASSURER)
    api_client.force_login(user)

    def grow(n):
        from commissioning.models import CommissionedProvider
        from tests.factories import PartnerFactory, ProviderFactory

        for _ in range(n):
            c = CCGFactory()
            loc = LocalityFactory(ccg=c)
            for p in PracticeFactory.create_batch(2, ccg=c, locality=loc):
                PracticeListSize.objects.create(practice=p, date="2013-04-01", patients=1000)
            SeatFactory(ccg=c)
            PartnerFactory(ccg=c)
            CommissionedProvider.objects.create(ccg=c, provider=ProviderFactory())

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get(f"/api/v1/{prefix}/").status_code == 200
        return len(queries)

    grow(2)
    small = count()
    grow(4)
    assert count() == small


def test_a_person_holds_one_current_seat(staff_client, ccg):
    person = PersonFactory(ccg=ccg)
    body = {"ccg": "03L", "title": "GP", "category": "gp", "person": person.pk}
    assert (
        staff_client.post("/api/v1/governing-body-seats/", body, format="json").status_code == 201
    )
    again = staff_client.post("/api/v1/governing-body-seats/", body, format="json")
    assert again.status_code == 400
    assert "already holds a current seat" in again.json()["errors"]["person"][0]
