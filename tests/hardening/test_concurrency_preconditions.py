"""Preconditions on the revision resources, whatever the request body (runs on SQLite too).

- DELETE with If-Match: a stale revision is 412 with the body a PATCH conflict has
  (`detail`, `code: edit-conflict`, `current`, `attempted`, `saved_by`) and the current ETag,
  and nothing is deleted; the current one deletes; no header deletes (as before).
- PATCH with a stale If-Match is 412 even when the body changes nothing (`{}`), and a stale
  `revision` in the body is 409; the record is left as it was.

Every resource of the router whose ETag is `"<revision>"` (plans/api_common.py), found from
the registry, with the records of the permission matrix's world (plan content in a draft
plan made here, as in tests/api/test_etags.py), written by staff.
"""

import pytest
from django.db import transaction

from commissioning.api_concurrency import ConditionalRequestsMixin
from commissioning.api_registry import router
from plans.api_common import PlanApiMixin, ServiceDestroyMixin
from tests.access.world import build_world, client_for
from tests.api.test_etags import HARMLESS, draft_records, stale


def revision_resources(verb: str) -> list[str]:
    """The resources whose ETag is `"<revision>"` that answer `verb` (delete or patch)."""
    found = []
    for prefix, viewset, _ in sorted(router.registry, key=lambda entry: entry[0]):
        if not issubclass(viewset, PlanApiMixin) or issubclass(viewset, ConditionalRequestsMixin):
            continue
        if verb not in viewset.http_method_names:
            continue
        if (verb == "delete" and issubclass(viewset, ServiceDestroyMixin)) or (
            verb == "patch" and hasattr(viewset, "partial_update")
        ):
            found.append(prefix)
    return found


DELETABLE = revision_resources("delete")
EDITABLE = revision_resources("patch")
# The world's records of these cannot be deleted (they hold others): a refusal, not a conflict.
KEPT_BY_CONTENT = {"qipp-programmes"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def staff(world, db):
    return client_for(world, "staff")


def url_of(world, prefix) -> str:
    own = draft_records(world).get(prefix, world.objects[prefix][0])
    return f"/api/v1/{prefix}/{own}/"


def test_the_resources_are_found():
    assert {"sections", "plan-statements", "milestones", "priorities", "commitments",
            "actions", "principles", "locality-focus", "success-measures", "agenda-items",
            "assurance-checkpoints"} <= set(DELETABLE)  # fmt: skip
    assert {"risks", "plans", "sections", "priorities", "qipp-monthly"} <= set(EDITABLE)


@pytest.mark.parametrize("prefix", DELETABLE)
def test_a_delete_with_a_stale_if_match_is_412_and_deletes_nothing(world, staff, prefix):
    url = url_of(world, prefix)
    before = staff.get(url)
    assert before.status_code == 200, (prefix, before.status_code)
    etag, body = before["ETag"], before.json()
    patch_conflict = staff.patch(url, {}, format="json", HTTP_IF_MATCH=stale(etag))

    refused = staff.delete(url, HTTP_IF_MATCH=stale(etag))
    assert refused.status_code == 412, (prefix, refused.status_code, refused.content)
    answer = refused.json()
    assert answer["code"] == "edit-conflict" and answer["detail"]
    assert answer["current"] == body and answer["attempted"] == {}
    assert refused["ETag"] == etag
    assert set(answer) == set(patch_conflict.json()), "not the PATCH conflict's shape"
    after = staff.get(url)
    assert after.status_code == 200, f"{prefix}: deleted despite a stale If-Match"
    assert (after.json(), after["ETag"]) == (body, etag)

    assert_deletes(staff, url, prefix, HTTP_IF_MATCH=etag)


@pytest.mark.parametrize("prefix", DELETABLE)
def test_a_delete_without_if_match_still_deletes(world, staff, prefix):
    url = url_of(world, prefix)
    assert staff.get(url).status_code == 200
    assert_deletes(staff, url, prefix)


def assert_deletes(client, url, prefix, **headers):
    """Deleted (204, then 404); or refused by what the record holds (a QIPP programme with
    schemes): 409 that is not an edit conflict, and the record is still there."""
    response = client.delete(url, **headers)
    if response.status_code == 409 and prefix in KEPT_BY_CONTENT:
        assert response.json()["code"] != "edit-conflict", response.json()
        assert client.get(url).status_code == 200
        return
    assert response.status_code == 204, (prefix, response.status_code, response.content)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("prefix", ["sections", "priorities"])
def test_a_malformed_if_match_on_delete_is_400(world, staff, prefix):
    url = url_of(world, prefix)
    refused = staff.delete(url, HTTP_IF_MATCH="yesterday")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    assert staff.get(url).status_code == 200


@pytest.mark.parametrize("prefix", EDITABLE)
def test_an_empty_patch_with_a_stale_precondition_is_refused(world, staff, prefix):
    url = url_of(world, prefix)
    before = staff.get(url)
    assert before.status_code == 200, (prefix, before.status_code)
    etag, body = before["ETag"], before.json()
    history = staff.get(url)
    # Nothing to change; but a comment's answer must name its outcome (else 400, bad input).
    change = HARMLESS["consultation-comments"](body) if prefix == "consultation-comments" else {}

    refused = staff.patch(url, change, format="json", HTTP_IF_MATCH=stale(etag))
    assert refused.status_code == 412, (prefix, refused.status_code, refused.content)
    assert refused.json()["code"] == "edit-conflict" and refused.json()["current"] == body
    assert refused["ETag"] == etag

    revision = int(etag.strip('"'))
    stale_revision = revision - 1 if revision > 1 else revision + 1
    in_body = staff.patch(url, {**change, "revision": stale_revision}, format="json")
    assert in_body.status_code == 409, (prefix, in_body.status_code, in_body.content)
    assert in_body.json()["code"] == "edit-conflict"

    after = staff.get(url)
    assert (after.json(), after["ETag"]) == (body, etag) == (history.json(), history["ETag"])

    current = staff.patch(url, change, format="json", HTTP_IF_MATCH=etag)
    assert current.status_code == 200, (prefix, current.status_code, current.content)
