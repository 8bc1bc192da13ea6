"""Display logic of the plan pages: rows for NHS.UK components, grouped statements, the word
by word diff as HTML, history rows. Kept out of templates so it is tested without rendering.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from django.urls import reverse
from markupsafe import Markup, escape

from commissioning.jinja2 import long_date

from . import snapshots
from .diffing import ADDED, CHANGED, REMOVED, PlanDiff, Words
from .markdown import render_markdown
from .models import PlanKind, PlanState, StatementKind

KIND_LABELS = dict(PlanKind.choices)
STATE_LABELS = dict(PlanState.choices)
STATEMENT_HEADINGS = OrderedDict(
    [
        (StatementKind.AIM, "Strategic aims"),
        (StatementKind.VALUE, "Values"),
        (StatementKind.PRINCIPLE, "Principles"),
        (StatementKind.OBJECTIVE, "Objectives"),
    ]
)

MARKDOWN_HINT = Markup(
    "Written in Markdown. Start a paragraph after a blank line; "
    "<code>## Heading</code> for a heading, <code>- item</code> for a bulleted list, "
    "<code>1. item</code> for a numbered list, <code>**bold**</code>, "
    "<code>[link text](https://example.org)</code>; tables with <code>| a | b |</code> rows."
)


# --- Forms ------------------------------------------------------------------------------


def form_errors(form) -> list[dict]:
    """The error summary's list: each message linking to its field, in the form's order."""
    if not form.is_bound or not form.errors:
        return []
    first = next((name for name, f in form.fields.items() if not f.widget.is_hidden), "")
    errors = [{"text": message, "href": f"#{first}"} for message in form.non_field_errors()]
    for name in form.fields:
        for message in form.errors.get(name, []):
            errors.append({"text": message, "href": f"#{name}"})
    return errors


# --- Plans ------------------------------------------------------------------------------


def _row(key: str, *, text: str | None = None, html: Markup | None = None) -> dict:
    value = {"html": html} if html is not None else {"text": text if text else "Not stated"}
    return {"key": {"text": key}, "value": value}


def _plan_link(plan) -> Markup:
    return Markup('<a class="nhsuk-link" href="{}">{}</a> ({}, {})').format(
        reverse("plan-detail", kwargs={"pk": plan.pk}),
        plan.title,
        plan.period_label,
        plan.get_state_display().lower(),
    )


def plan_facts(plan, *, refreshed_by=(), parent_visible: bool = True) -> list[dict]:
    """The overview's summary list."""
    rows = [
        _row("CCG", text=f"{plan.ccg.name} ({plan.ccg.ods_code})"),
        _row("Kind", text=plan.get_kind_display()),
        _row(
            "Period",
            text=f"{plan.first_year.label} to {plan.last_year.label}"
            if plan.is_multi_year
            else plan.first_year.label,
        ),  # fmt: skip
        _row("State", text=plan.get_state_display()),
        _row("Version", text=plan.version_label),
        _row("Public", text="Yes: anyone may read it once published" if plan.is_public else "No"),
    ]
    if plan.refreshes_id:
        parent = plan.refreshes
        rows.append(
            _row(
                "Refreshes",
                html=_plan_link(parent) if parent_visible else escape(parent.title),
            )
        )
    if refreshed_by:
        rows.append(
            _row("Refreshed by", html=Markup("<br>").join(_plan_link(p) for p in refreshed_by))
        )
    if plan.state_changed_at:
        rows.append(_row("State changed", text=long_date(plan.state_changed_at.date())))
    return rows


@dataclass
class StatementGroup:
    heading: str  # "" for statements under no heading
    items: list = field(default_factory=list)


@dataclass
class StatementKindBlock:
    kind: str
    heading: str
    groups: list[StatementGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


def group_statements(statements) -> list[StatementKindBlock]:
    """Statements (model rows or snapshot dicts) by kind, in the kinds' order, then by
    heading in the order headings first appear. Every kind is listed, even when empty."""
    blocks = {
        kind: StatementKindBlock(kind, heading) for kind, heading in STATEMENT_HEADINGS.items()
    }
    for statement in statements:
        kind = _get(statement, "kind")
        block = blocks.get(kind)
        if block is None:
            continue
        heading = _get(statement, "group") or ""
        group = next((g for g in block.groups if g.heading == heading), None)
        if group is None:
            group = StatementGroup(heading)
            block.groups.append(group)
        group.items.append(statement)
    return list(blocks.values())


def _get(item, name: str):
    return item.get(name) if isinstance(item, dict) else getattr(item, name)


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


# --- Versions and the diff ----------------------------------------------------------------


def version_title(version) -> str:
    return f"Version {version.number} ({version.label})"


def words_html(words: list[Words]) -> Markup:
    """A word by word change: insertions in <ins>, deletions in <del>, each also announced in
    words ("added:", "removed:") so colour and strike-through are not the only signal."""
    parts = []
    for run in words:
        text = escape(run.text)
        if run.op == "insert":
            parts.append(
                Markup(
                    '<ins class="app-diff__ins"><span class="nhsuk-u-visually-hidden">'
                    "added: </span>{}</ins>"
                ).format(text)  # fmt: skip
            )
        elif run.op == "delete":
            parts.append(
                Markup(
                    '<del class="app-diff__del"><span class="nhsuk-u-visually-hidden">'
                    "removed: </span>{}</del>"
                ).format(text)  # fmt: skip
            )
        else:
            parts.append(text)
    return Markup("").join(parts)


STATUS_TAGS = {
    ADDED: ("Added", "nhsuk-tag--green"),
    REMOVED: ("Removed", "nhsuk-tag--red"),
    CHANGED: ("Changed", "nhsuk-tag--yellow"),
}


def diff_summary(diff: PlanDiff) -> list[dict]:
    """One row per collection: how many items were added, removed, changed and moved."""
    rows = []
    if diff.plan_fields:
        rows.append(
            {
                "name": "plan",
                "label": "Plan details",
                "added": 0,
                "removed": 0,
                "changed": len(diff.plan_fields),
                "moved": 0,
            }
        )
    for collection in diff.collections:
        rows.append(
            {
                "name": collection.name,
                "label": collection.label,
                "added": collection.count(ADDED),
                "removed": collection.count(REMOVED),
                "changed": collection.count(CHANGED),
                "moved": collection.moved_count,
            }
        )
    return rows


def item_html(collection_name: str, item: dict | None) -> Markup:
    """An item of a snapshot as the scrutiny table shows it: a section's text rendered, other
    items as their fields."""
    if item is None:
        return Markup("")
    if collection_name == "sections":
        return render_markdown(item.get("body") or "")
    collection = snapshots.get(collection_name)
    fields = collection.fields if collection else [(k, k) for k in item if k not in ("key",)]
    lines = []
    for name, label in fields:
        value = item.get(name)
        if value in (None, ""):
            continue
        lines.append(
            Markup(
                '<p class="nhsuk-body-s"><span class="app-diff__label">{}:</span> {}</p>'
            ).format(label, value)
        )
    return Markup("").join(lines)


def item_plain(collection_name: str, item: dict | None) -> str:
    """An added or removed item's text as written: a section's body (its title is the
    heading already), other items' field values."""
    if not item:
        return ""
    if collection_name == "sections":
        return item.get("body") or ""
    collection = snapshots.get(collection_name)
    names = [n for n, _ in collection.fields] if collection else [k for k in item if k != "key"]
    title = collection.title_field if collection else ""
    values = [str(item.get(n)) for n in names if item.get(n) not in (None, "") and n != title]
    return " · ".join(values) if values else str(item.get(title) or "")


def other_collections(content: dict) -> list[dict]:
    """Collections of a snapshot besides sections and statements (those later apps register),
    each with its items' fields as label/value pairs, for the version page."""
    result = []
    stored = content.get("collections", {})
    for collection in snapshots.collections():
        if collection.name in ("sections", "statements"):
            continue
        items = stored.get(collection.name) or []
        rows = []
        for item in sorted(items, key=lambda i: i.get("order", 0)):
            values = [(label, item.get(name)) for name, label in collection.fields]
            rows.append(
                {
                    "title": str(item.get(collection.title_field) or ""),
                    "values": [(k, v) for k, v in values if v not in (None, "")],
                }
            )
        result.append({"name": collection.name, "label": collection.label, "items": rows})
    return result


# --- History ------------------------------------------------------------------------------

HISTORY_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
SHORT_VALUE = 80


def _shown(value) -> str:
    if value is None or value == "":
        return "(empty)"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if hasattr(value, "label") and not isinstance(value, str):
        return str(value.label)
    text = str(value)
    return text if len(text) <= SHORT_VALUE else text[: SHORT_VALUE - 1] + "…"


def field_change_rows(model, changes) -> list[dict]:
    """A history delta's changes as {"label", "old", "new"} for the page."""
    rows = []
    for change in changes:
        try:
            model_field = model._meta.get_field(change.field)
            label = str(model_field.verbose_name)
            choices = dict(model_field.flatchoices) if model_field.choices else None
        except Exception:  # a field the model no longer has
            label, choices = change.field.replace("_", " "), None
        old, new = change.old, change.new
        if choices:
            old, new = choices.get(old, old), choices.get(new, new)
        rows.append(
            {"label": label[:1].upper() + label[1:], "old": _shown(old), "new": _shown(new)}
        )
    return rows


def scrutiny_table(plan, diff, *, against_parent: bool) -> dict:
    """The table scrutiny committees were shown: for each area that changed, what the
    current plan states beside what is proposed."""
    if plan.refreshes_id:
        new_heading = f"Proposed for {plan.first_year.label}"
    else:
        new_heading = f"Proposed: {diff.new_label}"
    old_heading = "Current plan states" if against_parent else f"{diff.old_label} states"
    tables = []
    for collection in diff.collections:
        rows = [
            {
                "title": item.title,
                "status": STATUS_TAGS.get(item.status),
                "moved": item.moved,
                "old": item_html(collection.name, item.old),
                "new": item_html(collection.name, item.new),
                "has_old": item.old is not None,
                "has_new": item.new is not None,
            }
            for item in collection.items
            if item.is_change
        ]
        unchanged = [item.title for item in collection.items if not item.is_change]
        tables.append(
            {
                "name": collection.name,
                "label": collection.label,
                "rows": rows,
                "unchanged": unchanged,
            }  # fmt: skip
        )
    return {"old_heading": old_heading, "new_heading": new_heading, "tables": tables}
