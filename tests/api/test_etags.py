"""Optimistic concurrency across the whole API: every resource the router holds.

Every resource with a detail route answers GET with an ETag; every one that takes PUT or
PATCH refuses a stale If-Match with 412 and leaves the record as it was, and takes the
current ETag. Records that carry a `revision` have `"<revision>"` ETags (plans/api_common.py);
the others a hash of what they answer (commissioning/api_concurrency.py). Data: the
permission matrix's world (one of everything in CCG A and CCG B), written by staff, who are
superusers acting in every role. Plan content of a published plan is read-only, so it is
written in a draft plan made here.
"""

import datetime as dt
import re

import pytest
from django.db import transaction

from commissioning.api_concurrency import ConditionalRequestsMixin, etag_for
from commissioning.api_registry import router
from tests.access.world import build_world, client_for
from tests.plans.factories import (
    CommentFactory,
    ConsultationFactory,
    PlanFactory,
    SectionFactory,
    StatementFactory,
)
from tests.priorities.factories import (
    ActionFactory,
    CommitmentFactory,
    LocalityFocusFactory,
    PriorityFactory,
    SuccessMeasureFactory,
)

STRONG_ETAG = re.compile(r'^"[\x21\x23-\x7e]+"$')
# A change that leaves the record as it is, where an empty PATCH would not reach the check.
HARMLESS = {
    "consultation-comments": lambda body: {"response": "Thank you.", "outcome": "accepted"},
    # An empty PATCH of a risk changes nothing and so checks nothing: name a field.
    "risks": lambda body: {"title": body["title"]},
}


def registry():
    return sorted(router.registry, key=lambda entry: entry[0])


def detail_prefixes():
    return [prefix for prefix, viewset, _ in registry() if hasattr(viewset, "retrieve")]


def editable_prefixes():
    return [
        prefix
        for prefix, viewset, _ in registry()
        if "patch" in viewset.http_method_names and hasattr(viewset, "partial_update")
    ]


def deletable_prefixes():
    """Resources whose DELETE this mixin guards (the revision ones decide for themselves)."""
    return [
        prefix
        for prefix, viewset, _ in registry()
        if issubclass(viewset, ConditionalRequestsMixin)
        and "delete" in viewset.http_method_names
        and hasattr(viewset, "destroy")
    ]


def viewset_of(prefix):
    return next(viewset for p, viewset, _ in router.registry if p == prefix)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module (a hundred tests), rolled back after it; each test runs in
    its own transaction inside, so what one writes the next does not see."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def staff(world, db):
    return client_for(world, "staff")


def draft_records(world) -> dict:
    """Plan content in a draft plan of CCG A (the world's plans are published: read-only)."""
    plan = PlanFactory(ccg=world.a, state="draft", title="Draft plan of 03L")
    priority = PriorityFactory(plan=plan)
    commitment = CommitmentFactory(priority=priority)
    return {
        "plans": plan.pk,
        "sections": SectionFactory(plan=plan).pk,
        "plan-statements": StatementFactory(plan=plan).pk,
        "consultation-comments": CommentFactory(
            plan=plan, consultation=ConsultationFactory(plan=plan)
        ).pk,
        "priorities": priority.pk,
        "commitments": commitment.pk,
        "actions": ActionFactory(commitment=commitment, due_on=dt.date(2013, 9, 30)).pk,
        "principles": StatementFactory(plan=plan, kind="principle", text="Integration").pk,
        "locality-focus": LocalityFocusFactory(plan=plan).pk,
        "success-measures": SuccessMeasureFactory(plan=plan, priority=priority).pk,
    }


def url_of(world, prefix, drafts=None) -> str:
    own = (drafts or {}).get(prefix, world.objects[prefix][0])
    return f"/api/v1/{prefix}/{own}/"


def stale(etag: str) -> str:
    """A well-formed ETag of the same kind that is not the current one."""
    inner = etag.strip('"')
    if inner.isdigit():  # a revision: the one before (or, for the first, another)
        return f'"{int(inner) - 1 if int(inner) > 1 else int(inner) + 1}"'
    return '"' + ("0" if inner[0] != "0" else "1") + inner[1:] + '"'


def test_the_registry_is_walked():
    assert "ccgs" in detail_prefixes() and "dashboard" in detail_prefixes()
    assert {"ccgs", "standards", "resolutions", "plans"} <= set(editable_prefixes())
    assert "progress-updates" not in editable_prefixes()  # kept as reported


@pytest.mark.parametrize("prefix", detail_prefixes())
def test_every_detail_answer_carries_an_etag(world, staff, prefix):
    response = staff.get(url_of(world, prefix))
    assert response.status_code == 200, (prefix, response.status_code)
    etag = response.headers.get("ETag")
    assert etag and STRONG_ETAG.match(etag), (prefix, etag)
    assert staff.get(url_of(world, prefix))["ETag"] == etag, f"{prefix}: ETag is not stable"
    if issubclass(viewset_of(prefix), ConditionalRequestsMixin):
        assert etag == etag_for(response.json())
        again = staff.get(url_of(world, prefix), HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again["ETag"] == etag and not again.content


@pytest.mark.parametrize("prefix", editable_prefixes())
def test_every_update_refuses_a_stale_if_match_and_takes_the_current_one(world, staff, prefix):
    url = url_of(world, prefix, draft_records(world))
    before = staff.get(url)
    assert before.status_code == 200, (prefix, before.status_code)
    etag, body = before["ETag"], before.json()
    change = HARMLESS.get(prefix, lambda body: {})(body)

    refused = staff.patch(url, change, format="json", HTTP_IF_MATCH=stale(etag))
    assert refused.status_code == 412, (prefix, refused.status_code, refused.json())
    assert refused.json()["code"] in ("precondition-failed", "edit-conflict")
    assert refused.json()["current"] == body
    assert refused["ETag"] == etag
    after = staff.get(url)
    assert (after.json(), after["ETag"]) == (body, etag), f"{prefix}: the record changed"

    accepted = staff.patch(url, change, format="json", HTTP_IF_MATCH=etag)
    assert accepted.status_code == 200, (prefix, accepted.status_code, accepted.json())
    saved = staff.get(url)
    assert accepted["ETag"] == saved["ETag"], f"{prefix}: the answer's ETag is not the record's"
    assert accepted.json() == saved.json()


@pytest.mark.parametrize("prefix", deletable_prefixes())
def test_every_guarded_delete_refuses_a_stale_if_match(world, staff, prefix):
    url = url_of(world, prefix)
    etag = staff.get(url)["ETag"]
    refused = staff.delete(url, HTTP_IF_MATCH=stale(etag))
    assert refused.status_code == 412, (prefix, refused.status_code)
    assert refused["ETag"] == etag
    assert staff.get(url).status_code == 200, f"{prefix}: deleted despite a stale If-Match"


def test_read_only_and_create_only_resources_gain_no_writes(world, staff):
    """The mixin guards the writes a resource has; it adds none."""
    dashboard = url_of(world, "dashboard")
    assert staff.patch(dashboard, {}, format="json").status_code == 405
    assert staff.delete(dashboard).status_code == 405
    update = url_of(world, "progress-updates")
    assert staff.patch(update, {}, format="json").status_code == 405
    assert staff.post("/api/v1/planning-rules/", {}, format="json").status_code == 405


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema, viewset_filter):
    for path, methods in schema["paths"].items():
        if not path.startswith("/api/v1/") or "{" not in path:
            continue
        prefix = path.split("/")[3]
        if not any(p == prefix and viewset_filter(v) for p, v, _ in router.registry):
            continue
        if path.count("/") != 5:  # the record itself, not its extra actions
            continue
        for method, operation in methods.items():
            if method in ("get", "put", "patch", "delete"):
                yield path, method, operation


def test_the_schema_documents_if_match_412_and_the_etag(schema):
    guarded = list(operations(schema, lambda v: issubclass(v, ConditionalRequestsMixin)))
    assert guarded
    for path, method, operation in guarded:
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if method == "get":
            assert "If-None-Match" in headers and "304" in operation["responses"], path
            assert "ETag" in operation["responses"]["200"]["headers"], path
            continue
        assert "If-Match" in headers, (path, method)
        failed = operation["responses"]["412"]
        assert failed["content"]["application/json"]["schema"]["$ref"].endswith(
            "/PreconditionFailed"
        ), (path, method)
        assert "ETag" in failed["headers"]
