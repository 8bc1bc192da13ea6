"""The permission matrix for the priorities API: every resource written as every actor.

Reads of every prefix are walked by test_permission_matrix.test_api_read_access (the world
holds a record of each under CCG A's and CCG B's published plans). Here: writes. Plan content
follows the plan's lifecycle: only CCG A's planning manager (and staff, superusers acting in
every role) change a draft; readers who may not write get 403 with the reason; those who
cannot see the record get 404 (400 naming the field when they refer to it in a new record);
anonymous 401. Progress is recorded on approved or published plans only; programmes are
changed by the CCG's planning managers at any time.
"""

import datetime as dt

import pytest

from commissioning.access import Role
from commissioning.api_registry import router
from tests.access.actors import ACTORS, READS_A
from tests.access.world import client_for
from tests.factories import LocalityFactory
from tests.plans.factories import PlanFactory, StatementFactory
from tests.priorities.factories import (
    ActionFactory,
    CommitmentFactory,
    LocalityFocusFactory,
    PriorityFactory,
    SuccessMeasureFactory,
)

DRAFT_READERS = {Role.PLANNING_MANAGER, Role.GOVERNING_BODY, Role.VIEWER, Role.ASSURER, "staff"}
WRITERS = {Role.PLANNING_MANAGER, "staff"}

# Plan content of this app: a change each, and what a new record needs (given its parents).
CONTENT_WRITES = {
    "priorities": {"title": "Changed"},
    "commitments": {"text": "We will change"},
    "actions": {"text": "Changed", "due_quarter": "2013/14 Q3"},
    "success-measures": {"measure": "Changed"},
    "locality-focus": {"text": "Changed"},
    "principles": {"text": "Changed"},
}
CONTENT_PREFIXES = sorted(CONTENT_WRITES)


def new_record(prefix, things) -> dict:
    return {
        "priorities": {"plan": things["plan"], "title": "New priority"},
        "commitments": {"priority": things["priorities"], "text": "We will add"},
        "actions": {"commitment": things["commitments"], "text": "New action"},
        "success-measures": {"plan": things["plan"], "measure": "New measure"},
        "locality-focus": {"plan": things["plan"], "locality": things["locality"], "text": "New"},
        "principles": {"plan": things["plan"], "text": "New principle"},
    }[prefix]


# The field a new record names its (unseen) parent by.
PARENT = {"commitments": "priority", "actions": "commitment"}


def test_every_priorities_prefix_is_in_this_matrix():
    prefixes = sorted(
        p for p, viewset, _ in router.registry if viewset.__module__.startswith("priorities.")
    )
    assert prefixes == sorted([*CONTENT_PREFIXES, "progress-updates", "programmes"])


def draft_objects(world) -> dict:
    """A draft plan of CCG A with one of everything (the world's plans are published)."""
    plan = PlanFactory(ccg=world.a, state="draft", title="Draft plan of 03L")
    priority = PriorityFactory(plan=plan)
    commitment = CommitmentFactory(priority=priority)
    return {
        "plan": plan.pk,
        "locality": LocalityFactory(ccg=world.a).pk,
        "priorities": priority.pk,
        "commitments": commitment.pk,
        "actions": ActionFactory(commitment=commitment, due_on=dt.date(2013, 9, 30)).pk,
        "success-measures": SuccessMeasureFactory(plan=plan, priority=priority).pk,
        "locality-focus": LocalityFocusFactory(plan=plan).pk,
        "principles": StatementFactory(plan=plan, kind="principle", text="Integration").pk,
    }


def published_objects(world) -> dict:
    things = world.things
    return {
        "plan": things["plan_a"].pk,
        "locality": LocalityFactory(ccg=world.a).pk,
        **{prefix: world.objects[prefix][0] for prefix in CONTENT_PREFIXES},
    }


def expected(actor, readers, success, unseen=404):
    if actor == "anonymous":
        return 401
    if actor in WRITERS:
        return success
    return 403 if actor in readers else unseen


@pytest.mark.parametrize("prefix", CONTENT_PREFIXES)
@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_planning_manager_writes_a_draft_plans_content(world, prefix, actor):
    own = draft_objects(world)
    client = client_for(world, actor)
    url = f"/api/v1/{prefix}/{own[prefix]}/"
    changed = client.patch(url, CONTENT_WRITES[prefix], format="json")
    assert changed.status_code == expected(actor, DRAFT_READERS, 200), (
        prefix,
        actor,
        changed.status_code,
    )
    # Creating under a parent the actor cannot see names the parent field as unknown.
    created = client.post(f"/api/v1/{prefix}/", new_record(prefix, own), format="json")
    assert created.status_code == expected(actor, DRAFT_READERS, 201, unseen=400), (
        prefix,
        actor,
        created.status_code,
    )
    if created.status_code == 400:
        assert created.json()["field"] == PARENT.get(prefix, "plan")
    deleted = client.delete(url)
    assert deleted.status_code == expected(actor, DRAFT_READERS, 204), (prefix, actor)


@pytest.mark.parametrize("prefix", CONTENT_PREFIXES)
@pytest.mark.parametrize("actor", ACTORS)
def test_a_published_plans_content_is_read_only(world, prefix, actor):
    own = published_objects(world)
    client = client_for(world, actor)
    url = f"/api/v1/{prefix}/{own[prefix]}/"
    changed = client.patch(url, CONTENT_WRITES[prefix], format="json")
    assert changed.status_code == expected(actor, READS_A, 409), (prefix, actor)
    created = client.post(f"/api/v1/{prefix}/", new_record(prefix, own), format="json")
    assert created.status_code == expected(actor, READS_A, 409, unseen=400), (prefix, actor)
    assert client.delete(url).status_code == expected(actor, READS_A, 409), (prefix, actor)


@pytest.mark.parametrize("actor", ACTORS)
def test_progress_is_recorded_by_the_planning_manager_on_a_published_plan(world, actor):
    client = client_for(world, actor)
    action, commitment = world.things["action_a"], world.things["commitment_a"]
    on_action = client.post(
        "/api/v1/progress-updates/",
        {"action": action.pk, "status": "at-risk", "narrative": "Slipping"},
        format="json",
    )
    on_commitment = client.post(
        "/api/v1/progress-updates/",
        {"commitment": commitment.pk, "status": "on-track", "narrative": "Going well"},
        format="json",
    )
    want = expected(actor, READS_A, 201, unseen=400)
    assert (on_action.status_code, on_commitment.status_code) == (want, want), actor
    action.refresh_from_db()
    assert action.status == ("at-risk" if want == 201 else "not-started")


@pytest.mark.parametrize("actor", ACTORS)
def test_progress_is_not_recorded_on_a_draft_plan(world, actor):
    own = draft_objects(world)
    response = client_for(world, actor).post(
        "/api/v1/progress-updates/",
        {"action": own["actions"], "status": "on-track", "narrative": "Early days"},
        format="json",
    )
    assert response.status_code == expected(actor, DRAFT_READERS, 409, unseen=400), actor


@pytest.mark.parametrize("actor", ACTORS)
def test_progress_updates_are_never_changed(world, actor):
    client = client_for(world, actor)
    url = f"/api/v1/progress-updates/{world.things['update_a'].pk}/"
    codes = {
        client.patch(url, {"narrative": "Rewritten"}, format="json").status_code,
        client.delete(url).status_code,
    }
    assert codes == ({401} if actor == "anonymous" else {405}), (actor, codes)


@pytest.mark.parametrize("actor", ACTORS)
def test_programmes_are_changed_by_the_ccgs_planning_managers(world, actor):
    client = client_for(world, actor)
    programme = world.things["programme_a"]
    changed = client.patch(
        f"/api/v1/programmes/{programme.pk}/", {"lead": "Dr Changed"}, format="json"
    )
    assert changed.status_code == expected(actor, READS_A, 200), (actor, changed.status_code)
    created = client.post(
        "/api/v1/programmes/", {"ccg": "03L", "name": f"Stroke {actor}"}, format="json"
    )
    assert created.status_code == expected(actor, READS_A, 201, unseen=400), actor
