"""Display logic of the priorities pages: delivery status tags, the rows of the priorities tab
and of the plan on a page. Works on records the views have read (through `for_user`); reads
nothing itself, so it is tested without rendering."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from commissioning.years import FinancialYear
from plans.markdown import render_markdown

from . import delivery
from .models import DeliveryStatus


@dataclass(frozen=True)
class Status:
    """A delivery status as the pages show it: the words, and the RAG colour beside them."""

    code: str
    label: str  # "On track": always shown, so colour is never the only signal
    rag: str  # "Green": said by screen readers, printed in black and white
    tag_class: str


def status(code: str) -> Status:
    rag = delivery.rag(code)
    return Status(
        code=code, label=DeliveryStatus(code).label, rag=rag.label, tag_class=rag.tag_class
    )


def commitment_status(commitment, action_statuses: list[str]) -> str:
    """A commitment's own status once progress is reported on it; until then its actions'
    statuses rolled up (not started when it has none)."""
    if commitment.status_reported_on is not None or not action_statuses:
        return commitment.status
    return delivery.roll_up(action_statuses)


@dataclass
class ActionRow:
    action: object
    first: bool
    last: bool
    status: Status
    overdue: bool


@dataclass
class CommitmentRow:
    commitment: object
    first: bool
    last: bool
    status: Status
    actions: list[ActionRow] = field(default_factory=list)


@dataclass
class PriorityRow:
    priority: object
    first: bool
    last: bool
    commitments: list[CommitmentRow] = field(default_factory=list)

    @property
    def action_count(self) -> int:
        return sum(len(c.actions) for c in self.commitments)

    @property
    def complete_count(self) -> int:
        return sum(1 for c in self.commitments for a in c.actions if a.status.code == "complete")


def _edges(items: list) -> list[tuple[object, bool, bool]]:
    return [(item, i == 0, i == len(items) - 1) for i, item in enumerate(items)]


def priority_rows(
    priorities, *, today: dt.date, siblings: int | None = None, position: int = 0
) -> list[PriorityRow]:
    """Each priority (with `commitments` and their `actions` prefetched) as rows for the page.

    `siblings`/`position` place a single priority among all the plan's (its first/last flags)
    when only that one is rendered (an htmx fragment)."""
    priorities = list(priorities)
    rows = []
    for index, priority in enumerate(priorities):
        total = siblings if siblings is not None else len(priorities)
        at = position if siblings is not None else index
        row = PriorityRow(priority, first=at == 0, last=at == total - 1)
        for commitment, c_first, c_last in _edges(list(priority.commitments.all())):
            actions = []
            for action, a_first, a_last in _edges(list(commitment.actions.all())):
                actions.append(
                    ActionRow(
                        action,
                        first=a_first,
                        last=a_last,
                        status=status(action.status),
                        overdue=delivery.is_overdue(action.due_on, action.status, today),
                    )
                )
            code = commitment_status(commitment, [a.action.status for a in actions])
            row.commitments.append(
                CommitmentRow(commitment, c_first, c_last, status=status(code), actions=actions)
            )
        rows.append(row)
    return rows


@dataclass
class FocusGroup:
    locality: object
    items: list[tuple[object, bool, bool]]


def focus_groups(focus_items) -> list[FocusGroup]:
    """Locality focus areas grouped by locality (in the order given: locality name, order)."""
    groups: list[FocusGroup] = []
    for item in focus_items:
        if not groups or groups[-1].locality.pk != item.locality_id:
            groups.append(FocusGroup(item.locality, []))
        groups[-1].items.append(item)
    for group in groups:
        group.items = _edges(group.items)
    return groups


def measure_rows(measures) -> list[tuple[object, bool, bool]]:
    return _edges(list(measures))


# --- The plan on a page --------------------------------------------------------------------


def delivery_year(plan, today: dt.date) -> FinancialYear:
    """The year whose delivery the plan on a page shows: this year, within the plan's span."""
    year = FinancialYear.containing(today)
    return min(max(year, plan.first_year), plan.last_year)


_BLANK_LINE = re.compile(r"\n\s*\n")


def first_paragraph(markdown_text: str) -> str:
    """The first paragraph of a section's Markdown (not a heading, list or table)."""
    for block in _BLANK_LINE.split(markdown_text or ""):
        block = block.strip()
        if block and not block.startswith(("#", "|", "-", "*", ">", "1.")):
            return block
    return ""


def section_excerpt(sections, *names: str):
    """The first paragraph of the first section whose title starts with one of `names`, as
    safe HTML, with the section; (None, None) when the plan has none."""
    for section in sections:
        title = section.title.strip().lower()
        if any(title.startswith(name) for name in names):
            text = first_paragraph(section.body)
            return section, (render_markdown(text) if text else None)
    return None, None


def principle_groups(statements) -> list[tuple[str, list]]:
    """Principles grouped under their headings, in order."""
    groups: list[tuple[str, list]] = []
    for statement in statements:
        if not groups or groups[-1][0] != statement.group:
            groups.append((statement.group, []))
        groups[-1][1].append(statement)
    return groups
