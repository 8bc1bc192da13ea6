"""Later apps join the snapshot (versions, refresh copy, diff) by registering a collection."""

import pytest

from plans import services, snapshots
from plans.diffing import ADDED, diff_snapshots

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_collection():
    """A stand-in for what priorities registers: items kept outside the plans app."""
    store: dict[int, list[dict]] = {}
    collection = snapshots.Collection(
        name="test-priorities",
        label="Priorities",
        item_label="priority",
        title_field="title",
        fields=(("title", "Title"),),
        serialize=lambda plan: list(store.get(plan.pk, [])),
        copy=lambda source, target, user: store.__setitem__(
            target.pk, list(store.get(source.pk, []))
        ),
        position=50,
    )
    snapshots.register(collection)
    yield store
    snapshots._registry.pop("test-priorities")


def test_registered_collections_are_frozen_copied_and_diffed(
    extra_collection, published_plan, planner
):
    extra_collection[published_plan.pk] = [{"key": "p1", "order": 1, "title": "Mental Health"}]
    refresh = services.start_refresh(published_plan, user=planner)
    assert extra_collection[refresh.pk] == [{"key": "p1", "order": 1, "title": "Mental Health"}]
    extra_collection[refresh.pk].append({"key": "p2", "order": 2, "title": "Primary Care"})
    version = services.transition(refresh, user=planner, to="submitted")
    assert [p["title"] for p in version.content["collections"]["test-priorities"]] == [
        "Mental Health",
        "Primary Care",
    ]
    diff = diff_snapshots(snapshots.take(published_plan), version.content)
    priorities = next(c for c in diff.collections if c.name == "test-priorities")
    assert [(i.title, i.status) for i in priorities.items] == [
        ("Mental Health", "unchanged"),
        ("Primary Care", ADDED),
    ]


def test_collections_come_in_their_stated_order():
    names = [c.name for c in snapshots.collections()]
    assert names.index("statements") < names.index("sections")
