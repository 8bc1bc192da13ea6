"""The audit log of a CCG: every recorded change to its plans, priorities, finance and QIPP,
risks, committees and meetings, and the memberships and seats of its people.

Read from django-simple-history's historical tables, one per tracked model. `KINDS` is the
one table that says, for each kind of record, the lookup from its history rows to the CCG's id
(`plan__ccg_id`, `priority__plan__ccg_id`, `ccg_id` ...), how a row is named and which page
shows it. Governance is the top app, so this module may import every app's models.

Reading a page: one UNION query orders and slices (kind, history id, date) across all the
tracked tables, one counts them; then, for each kind present on the page, one query reads its
rows (with the user and whatever names it) and the id of each row's previous row, one reads
those previous rows, and one says which records still exist (for their links). So the number
of queries depends on the kinds on a page, never on the number of rows.

Not in the log: a record whose owning record (the path to the CCG) has since been deleted, as
its rows no longer join to a CCG; changes made with `QuerySet.update()` or `bulk_create`,
which django-simple-history does not see; the history of many-to-many links (consultation
invitations, programme commitments), which have tables of their own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from commissioning.access import Role, ccg_scope
from commissioning.models import GoverningBodyMembership, Membership
from finance.models import (
    BudgetAssumption,
    Contract,
    ContractLine,
    FinancialChallenge,
    FinancialPlan,
    LocalityBudget,
    PooledBudget,
    PooledContribution,
    PooledScheme,
    QippMonth,
    QippProgramme,
    QippScheme,
    StatedAmount,
)
from plans import presenters
from plans.models import (
    Consultation,
    ConsultationComment,
    Milestone,
    Plan,
    PlanStatement,
    Section,
)
from priorities.models import (
    Action,
    Commitment,
    LocalityFocus,
    PriorityArea,
    Programme,
    ProgrammeIntention,
    ProgrammeMeasure,
    SuccessMeasure,
)

from .models import (
    AgendaItem,
    AssuranceCheckpoint,
    Attendance,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingAction,
    Resolution,
    Risk,
    RiskAction,
)

# Who reads a CCG's audit log (besides staff and superusers, who run the admin).
AUDIT_ROLES = frozenset({Role.GOVERNING_BODY, Role.PLANNING_MANAGER})
CHANGE_TYPES = {"created": "+", "changed": "~", "deleted": "-"}
CHANGE_NAMES = {symbol: name for name, symbol in CHANGE_TYPES.items()}
SYSTEM = "system"
# Never worth showing as a change: the concurrency counter moves on every save.
ALWAYS_EXCLUDED = ("revision", "updated_at")
SHORT = 80


def _short(value, limit: int = SHORT) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field(name: str, limit: int = SHORT) -> Callable:
    return lambda row: _short(getattr(row, name), limit)


def _related(row, name: str):
    """A related record read with select_related (None when it has since been deleted)."""
    try:
        return getattr(row, name)
    except Exception:  # the related row is gone: a LEFT JOIN with nothing on the right
        return None


def _user_name(user) -> str:
    if user is None:
        return SYSTEM
    return user.get_full_name() or user.get_username()


def _page(name: str, **kwargs_of: Callable) -> Callable:
    """A link builder: `name` reversed with each keyword worked out from (row, ods)."""

    def build(row, ods: str) -> str | None:
        kwargs = {}
        for key, of in kwargs_of.items():
            value = of(row, ods)
            if value is None:
                return None
            kwargs[key] = value
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            return None

    return build


def _ods(row, ods):
    return ods


def _attr(path: str) -> Callable:
    def read(row, ods):
        value = row
        for part in path.split("."):
            value = _related(value, part) if value is not None else None
        return value

    return read


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    model: type
    ccg_path: str  # from a history row to the CCG's id
    describe: Callable  # history row -> the record's name
    related: tuple[str, ...] = ()  # select_related for `describe` and `link`
    link: Callable | None = None  # (history row, ods) -> url
    excluded: tuple[str, ...] = field(default=())  # fields never diffed (m2m)


def _plan_page(name: str) -> Callable:
    return _page(name, pk=_attr("plan_id"))


def _meeting_when(row) -> str:
    committee = _related(row, "committee")
    when = f"{row.date:%-d %B %Y}" if row.date else ""
    parts = (committee.name if committee else "", when, row.title)
    return ", ".join(part for part in parts if part)


def _membership(row) -> str:
    user = _related(row, "user")
    role = dict(Role.choices).get(row.role, row.role)
    return f"{_user_name(user) if user else 'A deleted user'}: {role}"


def _seat(row) -> str:
    person = _related(row, "person")
    return f"{person.name if person else 'Vacant'}: {row.title}"


def _committee_member(row) -> str:
    person = _related(row, "person")
    committee = _related(row, "committee")
    who = person.name if person else (row.title or "Vacant seat")
    return f"{who} ({committee.name})" if committee else who


def _attendance(row) -> str:
    member = _related(row, "member")
    person = _related(member, "person") if member is not None else None
    who = person.name if person else (row.name or (member.title if member else "") or "Someone")
    return f"{who} ({'present' if row.present else 'apologies'})"


def _year(row, name: str = "year") -> str:
    value = getattr(row, name, None)
    return str(getattr(value, "label", value) or "")


KINDS: tuple[Kind, ...] = (
    # Plans
    Kind("plan", "Plan", Plan, "ccg_id", _field("title"),
         link=_page("plan-detail", pk=_attr("id"))),
    Kind("section", "Plan section", Section, "plan__ccg_id", _field("title"),
         link=_plan_page("plan-sections")),
    Kind("statement", "Plan statement", PlanStatement, "plan__ccg_id",
         lambda r: _short(r.title or r.text), link=_plan_page("plan-detail")),
    Kind("milestone", "Milestone", Milestone, "plan__ccg_id", _field("title"),
         link=_plan_page("plan-milestones")),
    Kind("consultation", "Consultation", Consultation, "plan__ccg_id",
         lambda r: f"{r.opens_on:%-d %b %Y} to {r.closes_on:%-d %b %Y}",
         link=_plan_page("plan-consultation"),
         excluded=("invited_users", "invited_partners", "invited_localities")),
    Kind("consultation-comment", "Consultation comment", ConsultationComment, "plan__ccg_id",
         _field("body", 60), link=_plan_page("plan-consultation")),
    # Priorities and programmes
    Kind("priority-area", "Priority area", PriorityArea, "plan__ccg_id", _field("title"),
         link=_plan_page("plan-priorities")),
    Kind("commitment", "Commitment", Commitment, "priority__plan__ccg_id", _field("text"),
         related=("priority",), link=_page("plan-priorities", pk=_attr("priority.plan_id"))),
    Kind("action", "Action", Action, "commitment__priority__plan__ccg_id", _field("text"),
         related=("commitment__priority",),
         link=_page("plan-delivery", pk=_attr("commitment.priority.plan_id"))),
    Kind("success-measure", "Success measure", SuccessMeasure, "plan__ccg_id",
         _field("measure"), link=_plan_page("plan-priorities")),
    Kind("locality-focus", "Locality focus", LocalityFocus, "plan__ccg_id", _field("text"),
         link=_plan_page("plan-priorities")),
    Kind("programme", "Programme", Programme, "ccg_id", _field("name"),
         link=_page("programme-detail", pk=_attr("id")), excluded=("commitments",)),
    Kind("programme-intention", "Programme intention", ProgrammeIntention, "plan__ccg_id",
         _field("text"), link=_page("programme-detail", pk=_attr("programme_id"))),
    Kind("programme-measure", "Programme measure", ProgrammeMeasure, "programme__ccg_id",
         _field("text"), link=_page("programme-detail", pk=_attr("programme_id"))),
    # Finance and QIPP
    Kind("financial-plan", "Financial plan", FinancialPlan, "ccg_id",
         lambda r: f"Financial plan {_year(r)}", link=_page("ccg-finance", ods=_ods)),
    Kind("stated-amount", "Stated amount", StatedAmount, "financial_plan__ccg_id",
         _field("label"), link=_page("ccg-finance", ods=_ods)),
    Kind("budget-assumption", "Budget assumption", BudgetAssumption, "financial_plan__ccg_id",
         _field("name"), link=_page("ccg-finance", ods=_ods)),
    Kind("financial-challenge", "Financial challenge", FinancialChallenge, "ccg_id",
         lambda r: f"Challenge {_year(r, 'first_year')} to {_year(r, 'last_year')}",
         link=_page("ccg-finance", ods=_ods)),
    Kind("contract", "Contract", Contract, "ccg_id",
         lambda r: _short(r.title or f"{_related(r, 'provider') or ''} {_year(r)}".strip()),
         related=("provider",), link=_page("ccg-finance", ods=_ods)),
    Kind("contract-line", "Contract line", ContractLine, "contract__ccg_id", _field("name"),
         link=_page("ccg-finance", ods=_ods)),
    Kind("pooled-budget", "Pooled budget", PooledBudget, "ccg_id",
         lambda r: f"{r.name} {_year(r)}", link=_page("ccg-finance", ods=_ods)),
    Kind("pooled-contribution", "Pooled budget contribution", PooledContribution,
         "pooled_budget__ccg_id", _field("contributor"), link=_page("ccg-finance", ods=_ods)),
    Kind("pooled-scheme", "Pooled budget scheme", PooledScheme, "pooled_budget__ccg_id",
         _field("name"), link=_page("ccg-finance", ods=_ods)),
    Kind("locality-budget", "Locality budget", LocalityBudget, "locality__ccg_id",
         lambda r: f"{_related(r, 'locality') or 'Locality'} {_year(r)} month {r.month}",
         related=("locality",), link=_page("ccg-finance", ods=_ods)),
    Kind("qipp-programme", "QIPP programme", QippProgramme, "ccg_id", _field("name"),
         link=_page("ccg-qipp", ods=_ods)),
    Kind("qipp-scheme", "QIPP scheme", QippScheme, "ccg_id",
         lambda r: _short(f"{r.reference} {r.project}"),
         link=_page("qipp-scheme", ods=_ods, pk=_attr("id"))),
    Kind("qipp-month", "QIPP month", QippMonth, "scheme__ccg_id",
         lambda r: f"{getattr(_related(r, 'scheme'), 'reference', 'Scheme')} month {r.month}",
         related=("scheme",), link=_page("qipp-scheme", ods=_ods, pk=_attr("scheme_id"))),
    # Governance
    Kind("committee", "Committee", Committee, "ccg_id", _field("name"),
         link=_page("committee-detail", ods=_ods, pk=_attr("id"))),
    Kind("committee-member", "Committee member", CommitteeMember, "committee__ccg_id",
         _committee_member, related=("person", "committee"),
         link=_page("committee-detail", ods=_ods, pk=_attr("committee_id"))),
    Kind("meeting", "Meeting", Meeting, "committee__ccg_id", _meeting_when,
         related=("committee",), link=_page("meeting-detail", ods=_ods, pk=_attr("id"))),
    Kind("attendance", "Attendance", Attendance, "meeting__committee__ccg_id", _attendance,
         related=("member__person",),
         link=_page("meeting-detail", ods=_ods, pk=_attr("meeting_id"))),
    Kind("agenda-item", "Agenda item", AgendaItem, "meeting__committee__ccg_id",
         lambda r: _short(f"{r.number}. {r.title}"),
         link=_page("meeting-detail", ods=_ods, pk=_attr("meeting_id"))),
    Kind("resolution", "Resolution", Resolution, "item__meeting__committee__ccg_id",
         lambda r: _short(f"({r.number}) {r.text}"), related=("item",),
         link=_page("meeting-detail", ods=_ods, pk=_attr("item.meeting_id"))),
    Kind("meeting-action", "Meeting action", MeetingAction, "committee__ccg_id",
         _field("text"), link=_page("ccg-actions", ods=_ods)),
    Kind("risk", "Risk", Risk, "ccg_id", lambda r: _short(f"{r.reference} {r.title}"),
         link=_page("risk-detail", ods=_ods, pk=_attr("id"))),
    Kind("risk-action", "Risk action", RiskAction, "risk__ccg_id", _field("text"),
         link=_page("risk-detail", ods=_ods, pk=_attr("risk_id"))),
    Kind("assurance-checkpoint", "Assurance checkpoint", AssuranceCheckpoint, "ccg_id",
         lambda r: f"Q{r.quarter} {_year(r)} checkpoint",
         link=_page("assurance-checkpoint", ods=_ods, pk=_attr("id"))),
    # People
    Kind("membership", "Role", Membership, "ccg_id", _membership, related=("user",)),
    Kind("governing-body-seat", "Governing body seat", GoverningBodyMembership, "ccg_id", _seat,
         related=("person",), link=_page("ccg-detail", ods=_ods)),
)  # fmt: skip

BY_SLUG = {kind.slug: kind for kind in KINDS}
KIND_CHOICES = [(kind.slug, kind.label) for kind in sorted(KINDS, key=lambda k: k.label)]


# --- Who reads it --------------------------------------------------------------------------


def reads_audit(user, ccg) -> bool:
    """Whether `user` reads the audit log of `ccg`: its governing body members and planning
    managers, and staff."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return ccg_scope(user).role_in(ccg.pk) in AUDIT_ROLES


def audit_ccg_ids(user) -> set[int] | None:
    """The CCGs whose audit log `user` reads; None: every CCG (staff)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    if user.is_staff or user.is_superuser:
        return None
    return ccg_scope(user).ccg_ids(set(AUDIT_ROLES))


# --- Filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """What the page, the export and the API filter by; every part optional."""

    ccg_ids: frozenset[int] | None = None  # None: every CCG
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    kinds: tuple[str, ...] = ()  # slugs; empty: every kind
    user_id: int | None = None
    system: bool = False  # only changes no user made (imports, the demo loader, commands)
    change: str = ""  # created, changed or deleted


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _kinds(filters: AuditFilters) -> list[tuple[int, Kind]]:
    chosen = set(filters.kinds)
    return [(i, k) for i, k in enumerate(KINDS) if not chosen or k.slug in chosen]


def _rows_of(kind: Kind, filters: AuditFilters):
    rows = kind.model.history.all()
    if filters.ccg_ids is not None:
        rows = rows.filter(**{f"{kind.ccg_path}__in": filters.ccg_ids})
    if filters.since:
        rows = rows.filter(history_date__gte=_day_start(filters.since))
    if filters.until:
        rows = rows.filter(history_date__lt=_day_start(filters.until + dt.timedelta(days=1)))
    if filters.system:
        rows = rows.filter(history_user__isnull=True)
    elif filters.user_id is not None:
        rows = rows.filter(history_user_id=filters.user_id)
    if filters.change:
        rows = rows.filter(history_type=CHANGE_TYPES[filters.change])
    return rows


def event_index(filters: AuditFilters):
    """Every matching change as (history_date, history_id, kind number), newest first: one
    UNION query, which a paginator counts and slices in the database."""
    parts = [
        _rows_of(kind, filters)
        .order_by()
        .annotate(kind_no=Value(number, output_field=IntegerField()))
        .values_list("history_date", "history_id", "kind_no")
        for number, kind in _kinds(filters)
    ]
    if not parts or (filters.ccg_ids is not None and not filters.ccg_ids):
        nothing = Membership.history.none().annotate(kind_no=Value(0, output_field=IntegerField()))
        return nothing.values_list("history_date", "history_id", "kind_no")
    first, *others = parts
    combined = first.union(*others, all=True) if others else first
    return combined.order_by("-history_date", "-history_id", "-kind_no")


# --- Events ----------------------------------------------------------------------------------


@dataclass
class AuditEvent:
    id: str  # "<kind>-<history id>"
    when: dt.datetime
    who: str
    user_id: int | None
    username: str
    kind: str
    kind_label: str
    record_id: int
    record: str
    url: str | None
    change: str  # created, changed, deleted
    reason: str
    changes: list[dict]  # {"field", "label", "old", "new"}
    unrecorded: bool  # a change with no earlier row to compare with (copied in bulk)
    ccg_id: int | None = None

    @property
    def when_text(self) -> str:
        return timezone.localtime(self.when).strftime("%-d %b %Y, %H:%M:%S")

    @property
    def change_label(self) -> str:
        return self.change.capitalize()

    @property
    def changes_text(self) -> str:
        return "; ".join(f"{c['label']}: {c['old']} -> {c['new']}" for c in self.changes)


def events_for(index_rows: Iterable, ods_by_ccg: dict[int, str] | Callable) -> list[AuditEvent]:
    """The events of index rows (from `event_index`), in their order: per kind on the page,
    its rows with their previous rows and whether the records still exist."""
    index_rows = list(index_rows)
    wanted = defaultdict(list)
    for _when, history_id, number in index_rows:
        wanted[number].append(history_id)
    found = {}
    for number, ids in wanted.items():
        kind = KINDS[number]
        history = kind.model.history
        earlier = history.filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
            id=OuterRef("id"),
        ).order_by("-history_date", "-history_id")
        rows = list(
            history.filter(history_id__in=ids)
            .select_related("history_user", *kind.related)
            .annotate(previous_id=Subquery(earlier.values("history_id")[:1]),
                      ccg_of=F(kind.ccg_path))
        )  # fmt: skip
        previous_ids = [r.previous_id for r in rows if r.previous_id is not None]
        previous = {p.history_id: p for p in history.filter(history_id__in=previous_ids)}
        existing = set()
        if kind.link is not None:
            record_ids = {r.id for r in rows}
            existing = set(kind.model._default_manager.filter(pk__in=record_ids)
                           .values_list("pk", flat=True))  # fmt: skip
        for row in rows:
            found[(number, row.history_id)] = _event(
                kind, row, previous.get(row.previous_id), row.id in existing, ods_by_ccg
            )
    return [found[(n, h)] for _w, h, n in index_rows if (n, h) in found]


def _event(kind: Kind, row, before, exists: bool, ods_by_ccg) -> AuditEvent:
    changes = []
    if row.history_type == "~" and before is not None:
        # Many-to-many fields are never diffed here: each would cost a query a row.
        m2m = {f.name for f in row._history_m2m_fields}
        excluded = {*ALWAYS_EXCLUDED, *kind.excluded, *m2m}
        delta = row.diff_against(before, excluded_fields=excluded)
        fields = [c.field for c in delta.changes]
        shown = presenters.field_change_rows(kind.model, delta.changes)
        changes = [{"field": f, **c} for f, c in zip(fields, shown, strict=True)]
    user = row.history_user
    ccg_id = row.ccg_of
    ods = ods_by_ccg(ccg_id) if callable(ods_by_ccg) else ods_by_ccg.get(ccg_id)
    url = kind.link(row, ods) if (kind.link is not None and exists and ods) else None
    return AuditEvent(
        id=f"{kind.slug}-{row.history_id}",
        when=row.history_date,
        who=_user_name(user),
        user_id=user.pk if user else None,
        username=user.get_username() if user else "",
        kind=kind.slug,
        kind_label=kind.label,
        record_id=row.id,
        record=_safe_describe(kind, row),
        url=url,
        change=CHANGE_NAMES.get(row.history_type, "changed"),
        reason=row.history_change_reason or "",
        changes=changes,
        unrecorded=row.history_type == "~" and before is None,
        ccg_id=ccg_id,
    )


def _safe_describe(kind: Kind, row) -> str:
    try:
        return kind.describe(row) or f"{kind.label} {row.id}"
    except Exception:  # a name that cannot be read any longer should not hide the change
        return f"{kind.label} {row.id}"


def event_by_id(event_id: str, filters: AuditFilters, ods_by_ccg) -> AuditEvent | None:
    """One event by its id ("risk-12"), within the filters' CCGs; None when not found."""
    slug, _, number = event_id.rpartition("-")
    kind = BY_SLUG.get(slug)
    if kind is None or not number.isdigit() or len(number) > 18:
        return None
    position = KINDS.index(kind)
    row = (_rows_of(kind, filters).filter(history_id=int(number))
           .values_list("history_date", "history_id").first())  # fmt: skip
    if row is None:
        return None
    events = events_for([(row[0], row[1], position)], ods_by_ccg)
    return events[0] if events else None


def iter_events(filters: AuditFilters, ods_by_ccg, chunk: int = 500) -> Iterator[AuditEvent]:
    """Every matching event, newest first, read `chunk` at a time (the export)."""
    index = event_index(filters)
    start = 0
    while True:
        rows = list(index[start : start + chunk])
        if not rows:
            return
        yield from events_for(rows, ods_by_ccg)
        if len(rows) < chunk:
            return
        start += chunk


# --- Spreadsheet rows ------------------------------------------------------------------------

EXPORT_HEADINGS = ("When", "Who", "Username", "Kind of record", "Record", "Record id",
                   "Change", "Field", "Old value", "New value", "Reason")  # fmt: skip


def export_rows(events: Iterable[AuditEvent]) -> Iterator[tuple]:
    """One row for each changed field (a creation or deletion: one row with no field), so a
    spreadsheet filters by field as it does by record."""
    for event in events:
        when = timezone.localtime(event.when).strftime("%Y-%m-%d %H:%M:%S")
        head = (when, event.who, event.username, event.kind_label, event.record,
                event.record_id, event.change_label)  # fmt: skip
        if event.changes:
            for change in event.changes:
                yield (*head, change["label"], change["old"], change["new"], event.reason)
        else:
            yield (*head, "", "", "", event.reason)
