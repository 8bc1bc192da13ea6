"""What a plan version freezes, and what a refresh copies: a registry of collections.

A snapshot is plain JSON:

    {"schema": 1,
     "plan": {"title": ..., "kind": ..., "first_year": "2015/16", "last_year": "2018/19",
              "vision": ..., "mission": ..., "summary": ..., "state": ..., "version_label": ...},
     "collections": {"sections": [{"key": "<uuid>", "order": 1, "title": ..., "body": ...}],
                     "statements": [...], "priorities": [...], ...}}

Every item has a `key` (stable across versions and refreshes), an `order`, and optionally a
`parent` (the key of the item it sits under, e.g. a commitment's priority). Apps above
`plans` (priorities, ...) join the snapshot by registering a Collection in their
`AppConfig.ready()`, the way apps register with the admin; plans never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

SCHEMA = 1
PLAN_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("period", "Period"),
    ("summary", "Summary"),
    ("vision", "Vision"),
    ("mission", "Mission"),
)


@dataclass(frozen=True)
class Collection:
    """Items of one kind hung under a plan.

    `fields` are (name, label) pairs compared by the diff (text is diffed word by word);
    `serialize(plan)` returns the items as dicts with `key`, `order`, optional `parent` and
    the fields; `copy(source, target, user)` copies the items of `source` into the plan
    `target` keeping their keys, recording `user` in their history (called when a refresh is
    started, after the collections listed before it).
    """

    name: str
    label: str
    item_label: str
    title_field: str
    fields: tuple[tuple[str, str], ...]
    serialize: Callable
    copy: Callable
    position: int = 100
    parent_collection: str | None = None
    extra: dict = field(default_factory=dict)


_registry: dict[str, Collection] = {}


def register(collection: Collection) -> None:
    _registry[collection.name] = collection


def collections() -> list[Collection]:
    return sorted(_registry.values(), key=lambda c: (c.position, c.name))


def get(name: str) -> Collection | None:
    return _registry.get(name)


def plan_fields(plan) -> dict:
    return {
        "title": plan.title,
        "kind": plan.kind,
        "first_year": plan.first_year.label,
        "last_year": plan.last_year.label,
        "period": plan.period_label,
        "summary": plan.summary,
        "vision": plan.vision,
        "mission": plan.mission,
        "state": plan.state,
        "version_label": plan.version_label,
        "draft_number": plan.draft_number,
    }


def take(plan) -> dict:
    """The plan as it is now, with every registered collection."""
    return {
        "schema": SCHEMA,
        "plan": plan_fields(plan),
        "collections": {c.name: c.serialize(plan) for c in collections()},
    }


def copy_content(source, target, user=None) -> None:
    """Copy every collection of `source` into `target`; `user` is recorded in the history."""
    for collection in collections():
        collection.copy(source, target, user)
