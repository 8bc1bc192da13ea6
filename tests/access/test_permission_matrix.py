"""The permission matrix: every URL pattern and API route, as every kind of user.

Actors: anonymous; signed in with no role; each role in CCG A; a planning manager of CCG B
(another CCG); an NHS England assurer; staff. Each route declares who may see CCG A's
records. A route with no declared expectation fails the test, so every new page or API
resource must add itself here (ROUTES / API_OBJECTS), and the matrix grows with the product.
"""

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commissioning.access import Role
from commissioning.api_registry import router
from tests.access.actors import (
    ACTORS,
    EVERYONE_200,
    IN_CCG_ROLES,
    READS_A,
    READS_NATIONAL,
    SIGNED_IN_200,
    page_expectations,
)
from tests.access.assurance_routes import ASSURANCE_ROUTES
from tests.access.audit_routes import AUDIT_READERS, AUDIT_ROUTES
from tests.access.consultation_routes import CONSULTATION_ROUTES
from tests.access.delivery_routes import DELIVERY_ROUTES
from tests.access.finance_routes import FINANCE_ROUTES
from tests.access.meetings_routes import MEETINGS_ROUTES
from tests.access.performance_routes import PERFORMANCE_ROUTES
from tests.access.plan_routes import PACK_ROUTES, PLAN_ROUTES
from tests.access.priorities_routes import PRIORITIES_ROUTES
from tests.access.risks_routes import RISKS_ROUTES
from tests.access.world import client_for
from tests.plans.factories import (
    CommentFactory,
    ConsultationFactory,
    MilestoneFactory,
    PlanFactory,
    SectionFactory,
    StatementFactory,
)

# --- Pages ------------------------------------------------------------------------------
# name -> (method, url builder, {actor: expected status}); "login" means a redirect to login.


ROUTES = {
    "healthz": ("get", lambda w: reverse("healthz"), EVERYONE_200),
    "readyz": ("get", lambda w: reverse("readyz"), EVERYONE_200),
    "login": ("get", lambda w: reverse("login"), EVERYONE_200),
    "logout": ("post", lambda w: reverse("logout"), dict.fromkeys(ACTORS, 302)),
    "home": ("get", lambda w: reverse("home"), SIGNED_IN_200),
    "account": ("get", lambda w: reverse("account"), SIGNED_IN_200),
    "ccg-detail": (
        "get",
        lambda w: reverse("ccg-detail", args=["03L"]),
        page_expectations(READS_A),
    ),
    "ccg-switch": (
        "get",
        lambda w: reverse("ccg-switch") + "?ccg=03L",
        {**{actor: (302 if actor in READS_A else 404) for actor in ACTORS}, "anonymous": "login"},
    ),
    "api-schema": ("get", lambda w: reverse("api-schema"), EVERYONE_200),
    "api-docs": ("get", lambda w: reverse("api-docs"), EVERYONE_200),
    "api:api-root": ("get", lambda w: reverse("api:api-root"), {**SIGNED_IN_200, "anonymous": 401}),
    "api:token": ("get", lambda w: reverse("api:token"), dict.fromkeys(ACTORS, 405)),
    **PLAN_ROUTES,
    **PACK_ROUTES,
    **CONSULTATION_ROUTES,
    **PRIORITIES_ROUTES,
    **DELIVERY_ROUTES,
    **PERFORMANCE_ROUTES,
    **MEETINGS_ROUTES,
    **RISKS_ROUTES,
    **FINANCE_ROUTES,
    **ASSURANCE_ROUTES,
    **AUDIT_ROUTES,
}


def named_routes(patterns=None, namespace=""):
    """Every named URL pattern outside the admin (which is walked model by model below)."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns == "admin":
                continue
            yield from named_routes(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def api_route_names():
    """Each resource's list and detail routes, and its extra actions (whose access is
    checked by the tests of the API section below)."""
    names = set()
    for _prefix, viewset, basename in router.registry:
        names |= {f"api:{basename}-list", f"api:{basename}-detail"}
        names |= {f"api:{basename}-{extra.url_name}" for extra in viewset.get_extra_actions()}
    return names


def test_every_route_declares_its_access():
    declared = set(ROUTES) | api_route_names()
    found = set(named_routes())
    missing = sorted(found - declared)
    stale = sorted(set(ROUTES) - found)
    assert not missing, f"Add access expectations to ROUTES for: {missing}"
    assert not stale, f"ROUTES names routes that no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(ROUTES))
@pytest.mark.parametrize("actor", ACTORS)
def test_page_access(world, name, actor):
    method, build, expected = ROUTES[name]
    response = getattr(client_for(world, actor), method)(build(world))
    want = expected[actor]
    if want == "login":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == want, (name, actor, response.status_code)


# --- API --------------------------------------------------------------------------------
# Prefixes whose records are national reference data rather than a CCG's own.
NATIONAL = {"providers", "standards", "planning-rules"}
# Prefixes whose records are internal to the CCG: scrutiny members do not read them.
FINANCE = {"financial-plans", "stated-amounts", "budget-assumptions", "financial-challenges",
           "qipp-programmes", "qipp-schemes", "qipp-monthly", "qipp-imports", "contracts",
           "contract-lines", "pooled-budgets", "pooled-contributions", "pooled-schemes",
           "locality-budgets"}  # fmt: skip
INTERNAL = {"risks", "meeting-actions", "assurance-checkpoints", *FINANCE}


def api_prefixes():
    return sorted(prefix for prefix, _, _ in router.registry)


def test_every_api_resource_has_matrix_objects(world):
    missing = sorted(set(api_prefixes()) - set(world.objects))
    assert not missing, f"Add objects of CCG A and CCG B to the world fixture for: {missing}"


def lookup_of(item, prefix):
    for key in ("ods_code", "id", "code"):  # standards are addressed by code
        if key in item:
            return item[key]
    raise AssertionError(f"{prefix}: list items carry no ods_code or id")


@pytest.mark.parametrize("prefix", api_prefixes())
@pytest.mark.parametrize("actor", ACTORS)
def test_api_read_access(world, prefix, actor):
    client = client_for(world, actor)
    own, other = world.objects[prefix]
    readers = READS_NATIONAL if prefix in NATIONAL else READS_A
    if prefix in INTERNAL:
        readers = READS_A - {Role.SCRUTINY}
    if prefix == "audit-events":
        readers = AUDIT_READERS
    listing = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
    detail = client.get(f"/api/v1/{prefix}/{own}/")
    if actor == "anonymous":
        assert listing.status_code == 401 and detail.status_code == 401
        return
    assert listing.status_code == 200
    seen = {lookup_of(item, prefix) for item in listing.json()["results"]}
    if actor in readers:
        assert detail.status_code == 200, (prefix, actor)
        assert own in seen
    else:
        assert detail.status_code == 404, (prefix, actor, detail.status_code)
        assert own not in seen, f"{prefix}: {actor} sees CCG A's record in the list"
    # Another CCG's records stay invisible to CCG A's users, whatever the filter says.
    if actor in IN_CCG_ROLES and prefix not in NATIONAL:
        assert client.get(f"/api/v1/{prefix}/{other}/").status_code == 404
        assert other not in seen
        widened = client.get(f"/api/v1/{prefix}/", {"ccg": "04R", "page_size": 500})
        assert widened.status_code == 200
        assert widened.json()["count"] == 0, f"{prefix}: ?ccg= widened {actor}'s view"


def prefixes_of(app: str):
    return sorted(
        p for p, viewset, _ in router.registry if viewset.__module__.startswith(f"{app}.")
    )


ORGANISATION_PREFIXES = prefixes_of("commissioning")
# Pack builds are not plan content: their access is tested on their own below.
PLAN_PREFIXES = [p for p in prefixes_of("plans") if p != "packs"]


@pytest.mark.parametrize("prefix", ORGANISATION_PREFIXES)
@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "staff"])
def test_only_staff_write_organisations(world, prefix, actor):
    own, _ = world.objects[prefix]
    client = client_for(world, actor)
    created = client.post(f"/api/v1/{prefix}/", {}, format="json")
    changed = client.patch(f"/api/v1/{prefix}/{own}/", {"name": "Changed"}, format="json")
    deleted = client.delete(f"/api/v1/{prefix}/{own}/")
    expected = 401 if actor == "anonymous" else 403
    assert (created.status_code, changed.status_code, deleted.status_code) == (expected,) * 3


# Plan content is written through plans.services: only CCG A's planning manager (and staff,
# who are superusers and act in every role) may write CCG A's records; readers who may not
# write get 403 with the reason; those who cannot see the record get 404.
PLAN_WRITES = {
    "plans": {"title": "Changed"},
    "sections": {"title": "Changed"},
    "plan-statements": {"text": "Changed"},
    "milestones": {"title": "Changed"},
    "consultation-comments": {"response": "Thank you.", "outcome": "accepted"},
}
# Milestones and responses to comments are kept up to date after publication; the rest of a
# published plan is read-only (409 for those who could otherwise write it).
WRITABLE_WHEN_PUBLISHED = {"milestones", "consultation-comments"}
DRAFT_READERS = {Role.PLANNING_MANAGER, Role.GOVERNING_BODY, Role.VIEWER, Role.ASSURER, "staff"}
WRITERS = {Role.PLANNING_MANAGER, "staff"}


def test_every_plan_prefix_has_a_write_payload():
    assert sorted(PLAN_WRITES) == PLAN_PREFIXES


def draft_objects(world) -> dict:
    """A draft plan of CCG A with one of everything (the world's plans are published)."""
    plan = PlanFactory(ccg=world.a, state="draft", title="Draft plan of 03L")
    consultation = ConsultationFactory(plan=plan)
    return {
        "plans": plan.pk,
        "sections": SectionFactory(plan=plan).pk,
        "plan-statements": StatementFactory(plan=plan).pk,
        "milestones": MilestoneFactory(plan=plan).pk,
        "consultation-comments": CommentFactory(plan=plan, consultation=consultation).pk,
    }


def expected_write(actor, readers, success):
    if actor == "anonymous":
        return 401
    if actor in WRITERS:
        return success
    return 403 if actor in readers else 404


@pytest.mark.parametrize("prefix", PLAN_PREFIXES)
@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_planning_manager_writes_a_draft_plan(world, prefix, actor):
    own = draft_objects(world)[prefix]
    response = client_for(world, actor).patch(
        f"/api/v1/{prefix}/{own}/", PLAN_WRITES[prefix], format="json"
    )
    assert response.status_code == expected_write(actor, DRAFT_READERS, 200), (
        prefix,
        actor,
        response.status_code,
    )


@pytest.mark.parametrize("prefix", PLAN_PREFIXES)
@pytest.mark.parametrize("actor", ACTORS)
def test_writes_to_a_published_plan(world, prefix, actor):
    own, _ = world.objects[prefix]
    response = client_for(world, actor).patch(
        f"/api/v1/{prefix}/{own}/", PLAN_WRITES[prefix], format="json"
    )
    success = 200 if prefix in WRITABLE_WHEN_PUBLISHED else 409
    assert response.status_code == expected_write(actor, READS_A, success), (
        prefix,
        actor,
        response.status_code,
    )


@pytest.mark.parametrize("actor", ACTORS)
def test_plan_actions_access(world, actor):
    """Versions and diffs are read like the plan; moves and refreshes are writes."""
    client = client_for(world, actor)
    plan, version = world.things["plan_a"], world.things["version_a"]
    base = f"/api/v1/plans/{plan.pk}"
    reads = [
        client.get(f"{base}/versions/"),
        client.get(f"{base}/versions/{version.number}/"),
        client.get(f"{base}/diff/", {"from": version.number}),
    ]
    writes = [
        client.post(f"{base}/refresh/", {}, format="json"),
        client.post(f"{base}/transition/", {"to": "withdrawn", "note": "x"}, format="json"),
    ]
    read_codes = {r.status_code for r in reads}
    write_codes = [w.status_code for w in writes]
    if actor == "anonymous":
        assert read_codes == {401} and write_codes == [401, 401]
        return
    if actor not in READS_A:
        assert read_codes == {404} and write_codes == [404, 404]
        return
    assert read_codes == {200}, (actor, read_codes)
    # A refresh is for planning managers; withdrawing for them and governing body members
    # (staff act in every role).
    may_refresh = actor in {Role.PLANNING_MANAGER, "staff"}
    may_withdraw = actor in {Role.PLANNING_MANAGER, Role.GOVERNING_BODY, "staff"}
    assert write_codes == [201 if may_refresh else 403, 200 if may_withdraw else 403], (
        actor,
        write_codes,
    )


# --- Admin ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", sorted(admin.site._registry, key=lambda m: m._meta.label), ids=lambda m: m._meta.label
)
@pytest.mark.parametrize("actor", ACTORS)
def test_admin_is_for_staff_only(world, model, actor):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client_for(world, actor).get(url)
    if actor == "staff":
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


# --- PDF packs ------------------------------------------------------------------------------
# Building is for planning managers and governing body members of the plan's CCG (and staff);
# other readers of the plan get 403 with the reason, those who cannot read it 404. Published
# packs are read like their plan; unpublished ones by the CCG's internal roles (not scrutiny).
PACK_BUILDERS = {Role.PLANNING_MANAGER, Role.GOVERNING_BODY, "staff"}


@pytest.mark.parametrize("actor", ACTORS)
def test_pack_api_access(world, actor):
    client = client_for(world, actor)
    plan, unpublished = world.things["plan_a"], world.things["unpublished_pack_a"]
    started = client.post("/api/v1/packs/", {"kind": "plan-document", "plan": plan.pk},
                          format="json")  # fmt: skip
    hidden = client.get(f"/api/v1/packs/{unpublished.pk}/file/")
    published = client.post(f"/api/v1/packs/{unpublished.pk}/publish/", {}, format="json")
    if actor == "anonymous":
        assert (started.status_code, hidden.status_code) == (401, 401)
        return
    if actor not in READS_A:
        assert (started.status_code, hidden.status_code, published.status_code) == (404,) * 3
        return
    assert started.status_code == (202 if actor in PACK_BUILDERS else 403), actor
    if actor == Role.SCRUTINY:
        assert hidden.status_code == 404 and published.status_code == 404
    else:
        assert hidden.status_code == 200
        writers = {Role.PLANNING_MANAGER, "staff"}
        assert published.status_code == (200 if actor in writers else 403), actor
