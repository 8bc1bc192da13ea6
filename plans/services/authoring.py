"""Writing a plan: its details, sections and statements."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from ..capabilities import edit_refusal, is_planning_manager
from ..errors import InvalidMove, NotAllowed
from ..models import Plan, PlanState, PlanStatement, Section
from .guards import claim_revision, require, set_history_user

PLAN_FIELDS = ("kind", "title", "first_year", "last_year", "summary", "vision", "mission",
               "is_public")  # fmt: skip


def _validated(instance) -> None:
    instance.full_clean()


@transaction.atomic
def create_plan(*, user, ccg, **values) -> Plan:
    """A new plan of `ccg` in draft. `draft_number` may be given for a plan whose earlier
    drafts were written elsewhere ("DRAFT 5")."""
    plan = Plan(ccg=ccg, created_by=user, state=PlanState.DRAFT, **values)
    if not is_planning_manager(user, plan):
        raise NotAllowed(f"Only planning managers of {ccg.display_name} can create plans.")
    _validated(plan)
    set_history_user(plan, user)
    plan.save()
    return plan


@transaction.atomic
def update_plan(plan: Plan, *, user, expected_revision: int | None, **values) -> Plan:
    unknown = set(values) - set(PLAN_FIELDS)
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    require(edit_refusal(user, plan))
    claim_revision(plan, expected_revision, values)
    for name, value in values.items():
        setattr(plan, name, value)
    _validated(plan)
    set_history_user(plan, user)
    plan.save()
    return plan


def _next_order(queryset) -> int:
    return (queryset.aggregate(top=Max("order"))["top"] or 0) + 1


@transaction.atomic
def add_section(plan: Plan, *, user, title: str, body: str = "", order: int | None = None,
                key=None) -> Section:  # fmt: skip
    require(edit_refusal(user, plan))
    section = Section(plan=plan, title=title, body=body)
    section.order = order if order is not None else _next_order(plan.sections.all())
    if key is not None:
        section.key = key
    _validated(section)
    set_history_user(section, user)
    section.save()
    return section


@transaction.atomic
def update_section(section: Section, *, user, expected_revision: int | None, **values) -> Section:
    """Save a section edited from `expected_revision`; EditConflict if someone saved first."""
    unknown = set(values) - {"title", "body", "order"}
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    require(edit_refusal(user, section.plan))
    claim_revision(section, expected_revision, values)
    for name, value in values.items():
        setattr(section, name, value)
    _validated(section)
    set_history_user(section, user)
    section.save()
    return section


@transaction.atomic
def delete_section(section: Section, *, user) -> None:
    require(edit_refusal(user, section.plan))
    set_history_user(section, user)
    section.delete()


@transaction.atomic
def move_section(section: Section, *, user, direction: int) -> None:
    """Swap the section with its neighbour above (direction -1) or below (+1)."""
    require(edit_refusal(user, section.plan))
    siblings = list(section.plan.sections.select_for_update().order_by("order", "id"))
    index = next(i for i, s in enumerate(siblings) if s.pk == section.pk)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings, start=1):
        if item.order != position:
            item.order = position
            item.revision += 1
            set_history_user(item, user)
            item.save(update_fields=["order", "revision", "updated_at"])


@transaction.atomic
def add_statement(plan: Plan, *, user, kind: str, text: str, title: str = "", group: str = "",
                  order: int | None = None, key=None) -> PlanStatement:  # fmt: skip
    require(edit_refusal(user, plan))
    statement = PlanStatement(plan=plan, kind=kind, text=text, title=title, group=group)
    statement.order = order if order is not None else _next_order(plan.statements.filter(kind=kind))
    if key is not None:
        statement.key = key
    _validated(statement)
    set_history_user(statement, user)
    statement.save()
    return statement


@transaction.atomic
def update_statement(statement: PlanStatement, *, user, expected_revision: int | None,
                     **values) -> PlanStatement:  # fmt: skip
    unknown = set(values) - {"kind", "group", "title", "text", "order"}
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    require(edit_refusal(user, statement.plan))
    claim_revision(statement, expected_revision, values)
    for name, value in values.items():
        setattr(statement, name, value)
    _validated(statement)
    set_history_user(statement, user)
    statement.save()
    return statement


@transaction.atomic
def delete_statement(statement: PlanStatement, *, user) -> None:
    require(edit_refusal(user, statement.plan))
    set_history_user(statement, user)
    statement.delete()
