"""The difference between two snapshots of a plan: section by section, item by item.

Items are matched by their `key` (kept across versions and refreshes), so an edited section
shows as changed, not as removed and added. Each item is added, removed, changed or
unchanged, and separately `moved` when its place among the items both sides share changed
(items inserted before it do not count as a move). Changed text is diffed word by word.
Pure: works on the JSON of `plans.snapshots`, so versions, refreshes and live content
compare alike.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from . import snapshots

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Words:
    op: str  # "equal", "insert", "delete"
    text: str


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str
    words: list[Words]


@dataclass
class ItemChange:
    key: str
    status: str
    title: str
    old: dict | None
    new: dict | None
    fields: list[FieldChange] = field(default_factory=list)
    moved: bool = False
    parent_title: str = ""

    @property
    def is_change(self) -> bool:
        return self.status != UNCHANGED or self.moved


@dataclass
class CollectionDiff:
    name: str
    label: str
    item_label: str
    items: list[ItemChange]

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def moved_count(self) -> int:
        return sum(1 for item in self.items if item.moved)

    @property
    def changes(self) -> list[ItemChange]:
        return [item for item in self.items if item.is_change]


@dataclass
class PlanDiff:
    old_label: str
    new_label: str
    plan_fields: list[FieldChange]
    collections: list[CollectionDiff]

    @property
    def has_changes(self) -> bool:
        return bool(self.plan_fields) or any(c.changes for c in self.collections)


def word_diff(old: str, new: str) -> list[Words]:
    """`old` to `new` as runs of equal, deleted and inserted words (whitespace kept)."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    runs: list[Words] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(runs, "equal", "".join(a[i1:i2]))
        else:
            if i2 > i1:
                _append(runs, "delete", "".join(a[i1:i2]))
            if j2 > j1:
                _append(runs, "insert", "".join(b[j1:j2]))
    return runs


def _append(runs: list[Words], op: str, text: str) -> None:
    if not text:
        return
    if runs and runs[-1].op == op:
        runs[-1] = Words(op, runs[-1].text + text)
    else:
        runs.append(Words(op, text))


def _text(value) -> str:
    return "" if value is None else str(value)


def field_changes(old: dict, new: dict, fields) -> list[FieldChange]:
    changes = []
    for name, label in fields:
        before, after = _text(old.get(name)), _text(new.get(name))
        if before != after:
            changes.append(FieldChange(name, label, before, after, word_diff(before, after)))
    return changes


def _moved_keys(old_order: list[str], new_order: list[str]) -> set[str]:
    """Keys of shared items outside the longest run kept in the same relative order."""
    shared = set(old_order) & set(new_order)
    a = [k for k in old_order if k in shared]
    b = [k for k in new_order if k in shared]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    kept = {a[block.a + i] for block in matcher.get_matching_blocks() for i in range(block.size)}
    return shared - kept


def _sorted(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: (item.get("order", 0), str(item.get("key"))))


def diff_items(
    old_items: list[dict],
    new_items: list[dict],
    *,
    fields,
    title_field: str,
    parent_titles: dict[str, str] | None = None,
) -> list[ItemChange]:
    """Old and new items matched by key, in the new order with removed items where they were."""
    old_items, new_items = _sorted(old_items), _sorted(new_items)
    old_by_key = {str(i["key"]): i for i in old_items}
    new_by_key = {str(i["key"]): i for i in new_items}
    moved = set()
    # Order is compared among siblings: items under the same parent.
    for parent in {i.get("parent") for i in old_items} | {i.get("parent") for i in new_items}:
        moved |= _moved_keys(
            [str(i["key"]) for i in old_items if i.get("parent") == parent],
            [str(i["key"]) for i in new_items if i.get("parent") == parent],
        )
    # A shared item whose parent changed has moved too.
    moved |= {
        k for k in old_by_key.keys() & new_by_key.keys()
        if old_by_key[k].get("parent") != new_by_key[k].get("parent")
    }  # fmt: skip
    parent_titles = parent_titles or {}
    result: list[ItemChange] = []
    pending_removed = [i for i in old_items if str(i["key"]) not in new_by_key]

    def flush_removed_before(position: int | None) -> None:
        while pending_removed and (
            position is None or old_items.index(pending_removed[0]) < position
        ):
            item = pending_removed.pop(0)
            result.append(
                ItemChange(
                    key=str(item["key"]),
                    status=REMOVED,
                    title=_text(item.get(title_field)),
                    old=item,
                    new=None,
                    parent_title=parent_titles.get(str(item.get("parent")), ""),
                )
            )

    for item in new_items:
        key = str(item["key"])
        before = old_by_key.get(key)
        if before is None:
            result.append(
                ItemChange(
                    key=key,
                    status=ADDED,
                    title=_text(item.get(title_field)),
                    old=None,
                    new=item,
                    parent_title=parent_titles.get(str(item.get("parent")), ""),
                )
            )
            continue
        flush_removed_before(old_items.index(before))
        changes = field_changes(before, item, fields)
        result.append(
            ItemChange(
                key=key,
                status=CHANGED if changes else UNCHANGED,
                title=_text(item.get(title_field)) or _text(before.get(title_field)),
                old=before,
                new=item,
                fields=changes,
                moved=key in moved,
                parent_title=parent_titles.get(str(item.get("parent")), ""),
            )
        )
    flush_removed_before(None)
    return result


def diff_snapshots(old: dict, new: dict, *, old_label: str = "", new_label: str = "") -> PlanDiff:
    """Compare two snapshots collection by collection (those registered now, in their order;
    collections only one side has are compared against nothing)."""
    plan_changes = field_changes(old.get("plan", {}), new.get("plan", {}), snapshots.PLAN_FIELDS)
    old_collections = old.get("collections", {})
    new_collections = new.get("collections", {})
    titles: dict[str, dict[str, str]] = {}
    result = []
    for collection in snapshots.collections():
        old_items = old_collections.get(collection.name, [])
        new_items = new_collections.get(collection.name, [])
        titles[collection.name] = {
            str(i["key"]): _text(i.get(collection.title_field)) for i in old_items + new_items
        }
        parent_titles = titles.get(collection.parent_collection or "", {})
        result.append(
            CollectionDiff(
                name=collection.name,
                label=collection.label,
                item_label=collection.item_label,
                items=diff_items(
                    old_items,
                    new_items,
                    fields=collection.fields,
                    title_field=collection.title_field,
                    parent_titles=parent_titles,
                ),
            )
        )
    return PlanDiff(old_label, new_label, plan_changes, result)
