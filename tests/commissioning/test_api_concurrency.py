"""The ETag and If-Match mechanism of records without a revision
(commissioning/api_concurrency.py): its parts one by one, then through the people and
localities resources, which use it."""

from unittest import mock

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commissioning.access import Role
from commissioning.api_concurrency import (
    MalformedPrecondition,
    canonical_json,
    etag_for,
    parse_entity_tags,
    strong_match,
    weak_match,
)
from commissioning.models import Locality, Person
from tests.factories import LocalityFactory, PersonFactory, UserFactory, user_with_role

RECORD = {
    "id": 7,
    "ccg": "03L",
    "name": "Dr Jane Doe",
    "job_title": "Clinical Chair",
    "email": "",
    "note": None,
    "lead_areas": ["urgent care", "mental health"],
    "current_threshold": {"value": "95.000", "applies_from": "2013-04-01"},
}

# --- ETags -----------------------------------------------------------------------------------


def test_the_etag_is_a_quoted_hash_stable_for_the_same_data():
    reordered = dict(reversed(list(RECORD.items())))
    assert etag_for(RECORD) == etag_for(reordered) == etag_for(dict(RECORD))
    assert etag_for(RECORD) == '"' + etag_for(RECORD).strip('"') + '"'
    assert len(etag_for(RECORD)) == 34 and etag_for(RECORD).strip('"').isalnum()
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


@pytest.mark.parametrize(
    "change",
    [
        {"id": 8},
        {"ccg": "04R"},
        {"name": "Dr Jane Doe "},
        {"email": None},
        {"note": ""},
        {"lead_areas": ["mental health", "urgent care"]},
        {"current_threshold": {"value": "95.0", "applies_from": "2013-04-01"}},
        {"extra": None},
        {"id": "7"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_the_etag_changes_when_any_field_changes(change):
    assert etag_for({**RECORD, **change}) != etag_for(RECORD)


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        ("*", None),
        (" * ", None),
        ('"abc"', [(False, '"abc"')]),
        ('W/"abc"', [(True, '"abc"')]),
        ('""', [(False, '""')]),
        ('"a", W/"b" ,"c"', [(False, '"a"'), (True, '"b"'), (False, '"c"')]),
        ('"a,b"', [(False, '"a,b"')]),  # a comma may sit inside a tag
        (' , "a",, ', [(False, '"a"')]),  # empty list elements are skipped
    ],
)
def test_entity_tags_are_read_as_rfc_9110_writes_them(header, tags):
    assert parse_entity_tags(header) == tags


@pytest.mark.parametrize(
    "header",
    ["", " ", "abc", '"abc', 'abc"', '"a" "b"', '*, "a"', 'W/ "a"', 'w/"a"', '"a"b', '"a b"', ","],
)
def test_anything_else_is_malformed(header):
    with pytest.raises(MalformedPrecondition):
        parse_entity_tags(header)


@pytest.mark.parametrize(
    ("tags", "strong", "weak"),
    [
        ([(False, '"1"')], True, True),
        ([(True, '"1"')], False, True),  # a weak tag never matches strongly
        ([(False, '"2"')], False, False),
        ([(False, '"2"'), (False, '"1"')], True, True),
        (None, None, True),  # `*` (If-None-Match): any record
    ],
)
def test_strong_and_weak_comparison(tags, strong, weak):
    if strong is not None:
        assert strong_match(tags, '"1"') is strong
    assert weak_match(tags, '"1"') is weak


# --- Through the API -------------------------------------------------------------------------


@pytest.fixture
def staff_client(db):
    client = APIClient()
    client.force_login(UserFactory(username="ops", is_staff=True))
    return client


@pytest.fixture
def person(ccg):
    return PersonFactory(ccg=ccg, name="Dr Jane Doe", job_title="Clinical Chair")


def url(person) -> str:
    return f"/api/v1/people/{person.pk}/"


def read(client, person):
    response = client.get(url(person))
    assert response.status_code == 200
    return response["ETag"], response.json()


def unchanged(person) -> bool:
    saved = Person.objects.get(pk=person.pk)
    return (saved.name, saved.job_title) == ("Dr Jane Doe", "Clinical Chair")


def test_get_answers_the_etag_of_what_it_shows(staff_client, person):
    etag, body = read(staff_client, person)
    assert etag == etag_for(body)
    assert read(staff_client, person)[0] == etag


def test_a_stale_if_match_is_412_with_the_record_as_saved_and_nothing_changes(staff_client, person):
    etag, body = read(staff_client, person)
    Person.objects.filter(pk=person.pk).update(job_title="Chair")  # someone else's save
    current_etag, current = read(staff_client, person)
    assert current_etag != etag
    for method in ("patch", "put"):
        refused = getattr(staff_client, method)(
            url(person), {**body, "name": "Dr J Doe"}, format="json", HTTP_IF_MATCH=etag
        )
        assert refused.status_code == 412
        answer = refused.json()
        assert answer["code"] == "precondition-failed"
        assert "changed this record" in answer["detail"]
        assert answer["current"] == current and refused["ETag"] == current_etag
    saved = Person.objects.get(pk=person.pk)
    assert (saved.name, saved.job_title) == ("Dr Jane Doe", "Chair")


def test_the_current_etag_passes_and_the_answer_carries_the_new_one(staff_client, person):
    etag, _ = read(staff_client, person)
    changed = staff_client.patch(url(person), {"name": "Dr J Doe"}, format="json",
                                 HTTP_IF_MATCH=etag)  # fmt: skip
    assert changed.status_code == 200 and changed.json()["name"] == "Dr J Doe"
    assert changed["ETag"] != etag
    assert changed["ETag"] == read(staff_client, person)[0] == etag_for(changed.json())


def test_a_list_of_tags_passes_when_one_is_current(staff_client, person):
    etag, _ = read(staff_client, person)
    changed = staff_client.patch(url(person), {"name": "Dr J Doe"}, format="json",
                                 HTTP_IF_MATCH=f'"old", {etag}')  # fmt: skip
    assert changed.status_code == 200


@pytest.mark.parametrize("header", ["*", None])
def test_star_or_no_header_means_no_check(staff_client, person, header):
    Person.objects.filter(pk=person.pk).update(job_title="Chair")
    extra = {} if header is None else {"HTTP_IF_MATCH": header}
    changed = staff_client.patch(url(person), {"name": "Dr J Doe"}, format="json", **extra)
    assert changed.status_code == 200
    assert Person.objects.get(pk=person.pk).name == "Dr J Doe"
    assert changed["ETag"] == read(staff_client, person)[0]


def test_star_still_needs_the_record(staff_client, db):
    missing = staff_client.patch("/api/v1/people/999999/", {}, format="json", HTTP_IF_MATCH="*")
    assert missing.status_code == 404


@pytest.mark.parametrize("header", ["abc", '"unterminated', "", '"a" "b"'])
def test_a_malformed_if_match_is_400_in_the_error_shape(staff_client, person, header):
    for method in ("patch", "delete"):
        refused = getattr(staff_client, method)(
            url(person), {"name": "Dr J Doe"}, format="json", HTTP_IF_MATCH=header
        )
        assert refused.status_code == 400
        answer = refused.json()
        assert (answer["code"], answer["field"]) == ("invalid", "If-Match")
        assert "ETag you read" in answer["detail"] and answer["errors"]["If-Match"]
    assert unchanged(person)


def test_a_weak_tag_never_matches_if_match(staff_client, person):
    etag, _ = read(staff_client, person)
    refused = staff_client.patch(url(person), {"name": "Dr J Doe"}, format="json",
                                 HTTP_IF_MATCH=f"W/{etag}")  # fmt: skip
    assert refused.status_code == 412
    assert "weak" in refused.json()["detail"] and refused["ETag"] == etag
    assert unchanged(person)


def test_two_clients_in_turn_the_second_with_the_old_etag_is_refused(staff_client, person):
    other = APIClient()
    other.force_login(UserFactory(username="ops2", is_staff=True))
    etag, _ = read(staff_client, person)
    assert read(other, person)[0] == etag
    first = staff_client.patch(url(person), {"job_title": "Chair"}, format="json",
                               HTTP_IF_MATCH=etag)  # fmt: skip
    assert first.status_code == 200
    second = other.patch(url(person), {"name": "Dr J Doe"}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert second.json()["current"]["job_title"] == "Chair"
    saved = Person.objects.get(pk=person.pk)
    assert (saved.name, saved.job_title) == ("Dr Jane Doe", "Chair")
    # Having read the record as saved now, the second client's change goes through.
    retried = other.patch(url(person), {"name": "Dr J Doe"}, format="json",
                          HTTP_IF_MATCH=second["ETag"])  # fmt: skip
    assert retried.status_code == 200
    assert Person.objects.get(pk=person.pk).name == "Dr J Doe"


def test_delete_checks_if_match_too(staff_client, person):
    etag, _ = read(staff_client, person)
    refused = staff_client.delete(url(person), HTTP_IF_MATCH='"0123"')
    assert refused.status_code == 412 and refused["ETag"] == etag
    assert Person.objects.filter(pk=person.pk).exists()
    assert staff_client.delete(url(person), HTTP_IF_MATCH=etag).status_code == 204
    assert not Person.objects.filter(pk=person.pk).exists()


def test_an_invalid_change_with_the_current_etag_is_400_and_changes_nothing(staff_client, person):
    etag, _ = read(staff_client, person)
    refused = staff_client.patch(url(person), {"name": ""}, format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 400
    assert unchanged(person)


def test_if_none_match_answers_304_while_the_etag_is_current(staff_client, person):
    etag, _ = read(staff_client, person)
    for header in (etag, f"W/{etag}", f'"old", {etag}', "*"):
        same = staff_client.get(url(person), HTTP_IF_NONE_MATCH=header)
        assert same.status_code == 304 and same["ETag"] == etag and same.content == b""
    for header in ('"old"', "not a tag"):
        assert staff_client.get(url(person), HTTP_IF_NONE_MATCH=header).status_code == 200
    Person.objects.filter(pk=person.pk).update(job_title="Chair")
    changed = staff_client.get(url(person), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.json()["job_title"] == "Chair"


def test_the_answer_to_a_create_is_the_record_as_get_shows_it(staff_client, ccg):
    created = staff_client.post("/api/v1/localities/", {"ccg": "03L", "name": "Rotherham North",
                                                        "code": "RN"}, format="json")  # fmt: skip
    assert created.status_code == 201
    body = created.json()
    assert body["practice_count"] == 0  # an annotation: shown because the record is read again
    shown = staff_client.get(f"/api/v1/localities/{body['id']}/")
    assert (created["ETag"], body) == (shown["ETag"], shown.json())
    renamed = staff_client.patch(f"/api/v1/localities/{body['id']}/", {"name": "North"},
                                 format="json", HTTP_IF_MATCH=created["ETag"])  # fmt: skip
    assert renamed.status_code == 200
    assert Locality.objects.get(pk=body["id"]).name == "North"


def test_the_row_is_locked_through_for_user_while_it_is_checked(staff_client, person):
    etag, _ = read(staff_client, person)
    real = QuerySet.select_for_update
    locked = []

    def spy(queryset, **kwargs):
        locked.append((queryset.model, kwargs, str(queryset.query)))
        return real(queryset, **kwargs)

    with (
        mock.patch.object(QuerySet, "select_for_update", autospec=True, side_effect=spy),
        CaptureQueriesContext(connection) as queries,
    ):
        changed = staff_client.patch(url(person), {"name": "Dr J Doe"}, format="json",
                                     HTTP_IF_MATCH=etag)  # fmt: skip
    assert changed.status_code == 200
    assert [(model, kwargs) for model, kwargs, _ in locked] == [(Person, {"of": ("self",)})]
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    # No If-Match, no lock.
    locked.clear()
    with mock.patch.object(QuerySet, "select_for_update", autospec=True, side_effect=spy):
        staff_client.patch(url(person), {"name": "Dr Jane Doe"}, format="json")
    assert locked == []


def test_the_lock_query_reads_only_what_the_user_may_see(ccg, other_ccg):
    """The lock goes through `for_user`: for a planning manager of CCG A it cannot reach
    CCG B's rows (the API's own answer to them is a 404 before any check)."""
    from commissioning.api import LocalityViewSet

    mine, theirs = LocalityFactory(ccg=ccg), LocalityFactory(ccg=other_ccg)
    view = LocalityViewSet()
    view.request = mock.Mock(user=user_with_role(Role.PLANNING_MANAGER, ccg))
    assert list(view.get_lock_queryset(mine)) == [mine]
    assert list(view.get_lock_queryset(theirs)) == []
