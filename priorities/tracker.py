"""The delivery tracker: a plan's commitments and actions with their current status, latest
progress update and overdue flag; filters (priority, lead, locality, status, quarter due,
overdue only) and counts by status for each priority.

A fixed number of queries however many actions a plan has: the latest update of each row is
read by subqueries, its priority, commitment and locality by joins. Every queryset starts from
`for_user(user)`. Pages (priorities.views_delivery) and the API share these functions: the
filtering works on any queryset of actions or commitments (`filter_actions`,
`filter_commitments`), `Filters.from_params` reads the filters from query parameters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from commissioning.years import FinancialYear

from . import delivery
from .models import (
    Action,
    Commitment,
    DeliveryStatus,
    PriorityArea,
    ProgressUpdate,
    quarter_end,
    quarter_of,
)

# --- Quarters -------------------------------------------------------------------------------

_QUARTER = re.compile(r"^\s*(\d{4}\s*[/-]\s*\d{2,4})\s*[- ]?\s*Q\s*([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a financial year: Q1 is April to June."""

    year: FinancialYear
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read "2013/14 Q2" (the value `Action.due_quarter` gives), or "2013-14-Q2"."""
        match = _QUARTER.match(text or "")
        if not match:
            raise ValueError(f"'{text}' is not a quarter: write it like 2013/14 Q2")
        return cls(FinancialYear.parse(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        year, number = quarter_of(day)
        return cls(year, number)

    @property
    def value(self) -> str:
        return f"{self.year.label} Q{self.number}"

    @property
    def label(self) -> str:
        """As due dates are written: Q2 2013/14."""
        return f"Q{self.number} {self.year.label}"

    @property
    def end(self) -> dt.date:
        return quarter_end(self.year, self.number)

    @property
    def start(self) -> dt.date:
        if self.number == 1:
            return self.year.start
        return quarter_end(self.year, self.number - 1) + dt.timedelta(days=1)


# --- Filters --------------------------------------------------------------------------------


class InvalidFilter(ValueError):
    """A filter value that cannot be read; `field` names the parameter."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Filters:
    priority: int | None = None  # a PriorityArea id
    lead: str = ""  # a lead, matched whole and ignoring case
    locality: int | None = None  # a Locality id (a commitment's; its actions follow it)
    status: str = ""  # a DeliveryStatus value
    quarter: Quarter | None = None  # the quarter an action is due in
    overdue: bool = False  # only actions past their due date and not complete

    PARAMS = ("priority", "lead", "locality", "status", "quarter", "overdue")

    @property
    def active(self) -> bool:
        return any(
            (self.priority, self.lead, self.locality, self.status, self.quarter, self.overdue)
        )

    @property
    def actions_only(self) -> bool:
        """Commitments have no due date: a due quarter or overdue filter leaves only actions."""
        return self.quarter is not None or self.overdue

    @classmethod
    def from_params(cls, params: Mapping) -> Filters:
        """Read filters from query parameters (empty ones ignored); InvalidFilter if one
        cannot be read."""

        def text(name: str) -> str:
            return str(params.get(name) or "").strip()

        def number(name: str) -> int | None:
            value = text(name)
            if not value:
                return None
            if not value.isdigit():
                raise InvalidFilter(name, f"{name} must be a number (an id)")
            return int(value)

        status = text("status")
        if status and status not in DeliveryStatus.values:
            raise InvalidFilter(
                "status", f"status must be one of {', '.join(DeliveryStatus.values)}"
            )
        quarter = None
        if text("quarter"):
            try:
                quarter = Quarter.parse(text("quarter"))
            except ValueError as error:
                raise InvalidFilter("quarter", str(error)) from None
        overdue = text("overdue").lower()
        if overdue not in ("", "0", "1", "true", "false", "yes", "no", "on", "off"):
            raise InvalidFilter("overdue", "overdue must be true or false")
        return cls(
            priority=number("priority"),
            lead=text("lead"),
            locality=number("locality"),
            status=status,
            quarter=quarter,
            overdue=overdue in ("1", "true", "yes", "on"),
        )


def overdue_condition(today: dt.date) -> Q:
    """The database form of `delivery.is_overdue`: due before today and not complete."""
    return Q(due_on__lt=today) & ~Q(status=DeliveryStatus.COMPLETE)


def filter_actions(queryset: QuerySet, filters: Filters, today: dt.date) -> QuerySet:
    if filters.priority:
        queryset = queryset.filter(commitment__priority_id=filters.priority)
    if filters.lead:
        queryset = queryset.filter(lead__iexact=filters.lead)
    if filters.locality:
        queryset = queryset.filter(commitment__locality_id=filters.locality)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.quarter is not None:
        queryset = queryset.filter(due_on__range=(filters.quarter.start, filters.quarter.end))
    if filters.overdue:
        queryset = queryset.filter(overdue_condition(today))
    return queryset


def filter_commitments(queryset: QuerySet, filters: Filters, today: dt.date) -> QuerySet:
    if filters.actions_only:
        return queryset.none()
    if filters.priority:
        queryset = queryset.filter(priority_id=filters.priority)
    if filters.lead:
        queryset = queryset.filter(lead__iexact=filters.lead)
    if filters.locality:
        queryset = queryset.filter(locality_id=filters.locality)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return queryset


# --- Rows -----------------------------------------------------------------------------------


def with_latest_update(queryset: QuerySet, subject: str) -> QuerySet:
    """Annotate each action or commitment (`subject` "action" or "commitment") with its latest
    update's date, narrative and illustrative flag: the update its status came from (latest
    date, then latest recorded, as services.delivery decides)."""
    # access: the updates of rows already read through for_user (an update shares their plan)
    updates = ProgressUpdate.objects.filter(**{subject: OuterRef("pk")}).order_by(
        "-reported_on", "-id"
    )
    return queryset.annotate(
        latest_reported_on=Subquery(updates.values("reported_on")[:1]),
        latest_narrative=Subquery(updates.values("narrative")[:1]),
        latest_illustrative=Subquery(updates.values("illustrative")[:1]),
    )


def tracked_actions(user, *, plan=None, filters: Filters = Filters(), today=None) -> QuerySet:
    """The actions `user` may read (of `plan`, if given), filtered, with their priority,
    commitment, locality and latest update; in the plan's order."""
    today = today or timezone.localdate()
    queryset = Action.objects.for_user(user)
    if plan is not None:
        queryset = queryset.for_plan(plan)
    queryset = filter_actions(queryset, filters, today)
    return (
        with_latest_update(queryset, "action")
        .select_related("commitment__priority__plan", "commitment__locality")
        .order_by(
            "commitment__priority__order",
            "commitment__priority_id",
            "commitment__order",
            "commitment_id",
            "order",
            "id",
        )
    )


def tracked_commitments(user, *, plan=None, filters: Filters = Filters(), today=None) -> QuerySet:
    today = today or timezone.localdate()
    queryset = Commitment.objects.for_user(user)
    if plan is not None:
        queryset = queryset.for_plan(plan)
    queryset = filter_commitments(queryset, filters, today)
    return (
        with_latest_update(queryset, "commitment")
        .select_related("priority__plan", "locality")
        .order_by("priority__order", "priority_id", "order", "id")
    )


@dataclass(frozen=True)
class LatestUpdate:
    reported_on: dt.date
    narrative: str
    illustrative: bool


@dataclass(frozen=True)
class Row:
    """One line of the tracker: a commitment, or an action under one."""

    kind: str  # "commitment" or "action"
    item: Action | Commitment
    priority: PriorityArea
    commitment: Commitment
    status: str
    rag: delivery.Rag
    latest: LatestUpdate | None
    overdue: bool

    @property
    def lead(self) -> str:
        return self.item.lead

    @property
    def locality(self):
        return self.commitment.locality

    @property
    def due_label(self) -> str:
        return self.item.due_label if self.kind == "action" else ""

    @property
    def sort_key(self) -> tuple:
        c, p = self.commitment, self.priority
        own = (0, 0, 0) if self.kind == "commitment" else (1, self.item.order, self.item.pk)
        return (p.order, p.pk, c.order, c.pk, *own)


def _latest(item) -> LatestUpdate | None:
    if item.latest_reported_on is None:
        return None
    return LatestUpdate(
        item.latest_reported_on, item.latest_narrative or "", bool(item.latest_illustrative)
    )


def action_row(action: Action, today: dt.date) -> Row:
    return Row(
        kind="action",
        item=action,
        priority=action.commitment.priority,
        commitment=action.commitment,
        status=action.status,
        rag=delivery.rag(action.status),
        latest=_latest(action),
        overdue=delivery.is_overdue(action.due_on, action.status, today),
    )


def commitment_row(commitment: Commitment) -> Row:
    return Row(
        kind="commitment",
        item=commitment,
        priority=commitment.priority,
        commitment=commitment,
        status=commitment.status,
        rag=delivery.rag(commitment.status),
        latest=_latest(commitment),
        overdue=False,
    )


# --- Counts and the whole tracker -------------------------------------------------------------


@dataclass(frozen=True)
class PriorityCounts:
    priority: PriorityArea
    counts: dict[str, int]  # every status, zeros included, in DeliveryStatus order

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def counts_for(priorities: Iterable[PriorityArea], rows: Iterable[Row]) -> list[PriorityCounts]:
    """For each priority, its actions among `rows` counted by status."""
    statuses: dict[int, list[str]] = {}
    for row in rows:
        if row.kind == "action":
            statuses.setdefault(row.priority.pk, []).append(row.status)
    return [
        PriorityCounts(p, delivery.counts_by_status(statuses.get(p.pk, []))) for p in priorities
    ]


@dataclass(frozen=True)
class Options:
    """What the filters may choose from, for one plan."""

    priorities: list[PriorityArea]
    leads: list[str]
    localities: list[tuple[int, str]]  # (id, name)
    quarters: list[Quarter]
    statuses: list[tuple[str, str]] = field(default_factory=lambda: list(DeliveryStatus.choices))


def options_for(user, plan) -> Options:
    """The plan's priorities, the leads named on its commitments and actions, the localities
    of its commitments and the quarters its actions are due in (four queries)."""
    priorities = list(PriorityArea.objects.for_user(user).for_plan(plan).order_by("order", "id"))
    actions = Action.objects.for_user(user).for_plan(plan)
    commitments = Commitment.objects.for_user(user).for_plan(plan)
    leads = (
        actions.exclude(lead="")
        .order_by()
        .values_list("lead", flat=True)
        .union(commitments.exclude(lead="").order_by().values_list("lead", flat=True))
    )
    unique_leads: dict[str, str] = {}
    # The union comes back in no set order: sorting first keeps the capitalised spelling
    # of a name written two ways ("Jo Smith" before "jo smith") on every database.
    for lead in sorted(lead.strip() for lead in leads):
        unique_leads.setdefault(lead.casefold(), lead)
    localities = (
        commitments.exclude(locality=None)
        .values_list("locality_id", "locality__name")
        .order_by("locality__name")
        .distinct()
    )
    due_dates = actions.exclude(due_on=None).values_list("due_on", flat=True).distinct()
    return Options(
        priorities=priorities,
        leads=sorted(unique_leads.values(), key=str.casefold),
        localities=list(localities),
        quarters=sorted({Quarter.of(day) for day in due_dates}),
    )


@dataclass(frozen=True)
class Tracker:
    plan: object
    filters: Filters
    today: dt.date
    rows: list[Row]
    counts: list[PriorityCounts]

    @property
    def totals(self) -> dict[str, int]:
        totals = dict.fromkeys(DeliveryStatus.values, 0)
        for line in self.counts:
            for status, count in line.counts.items():
                totals[status] += count
        return totals

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.rows if row.overdue)

    @property
    def action_count(self) -> int:
        return sum(1 for row in self.rows if row.kind == "action")

    @property
    def commitment_count(self) -> int:
        return sum(1 for row in self.rows if row.kind == "commitment")


def build(
    user,
    plan,
    filters: Filters = Filters(),
    *,
    today=None,
    priorities: list[PriorityArea] | None = None,
) -> Tracker:
    """The tracker of `plan` as `user` may read it: rows in the plan's order (each commitment
    before its actions), and counts by status for each priority (the chosen one only, when
    filtered by priority). Pass `priorities` when already read (Options.priorities)."""
    today = today or timezone.localdate()
    if priorities is None:
        priorities = list(
            PriorityArea.objects.for_user(user).for_plan(plan).order_by("order", "id")
        )
    actions = tracked_actions(user, plan=plan, filters=filters, today=today)
    commitments = tracked_commitments(user, plan=plan, filters=filters, today=today)
    rows = [action_row(a, today) for a in actions] + [commitment_row(c) for c in commitments]
    rows.sort(key=lambda row: row.sort_key)
    shown = [p for p in priorities if not filters.priority or p.pk == filters.priority]
    return Tracker(
        plan=plan, filters=filters, today=today, rows=rows, counts=counts_for(shown, rows)
    )
