"""Programmes span plans: planning managers of the CCG change them at any time; what a
programme intends in a plan is that plan's content and follows its lifecycle."""

from __future__ import annotations

from django.db import transaction

from commissioning.access import Role, ccg_scope
from plans.errors import InvalidMove, NotAllowed
from plans.services.guards import claim_revision, set_history_user

from ..models import Programme, ProgrammeIntention, ProgrammeMeasure
from .content import _save_new


def programme_refusal(user, ccg) -> str | None:
    if user is None or getattr(user, "is_superuser", False):
        return None
    if ccg_scope(user).role_in(ccg.pk) != Role.PLANNING_MANAGER:
        return f"Only planning managers of {ccg.display_name} can change programmes."
    return None


def _require(user, ccg) -> None:
    refusal = programme_refusal(user, ccg)
    if refusal:
        raise NotAllowed(refusal)


@transaction.atomic
def create_programme(ccg, *, user, name: str, lead: str = "", description: str = "",
                     order: int = 0) -> Programme:  # fmt: skip
    _require(user, ccg)
    if Programme.objects.filter(ccg=ccg, name__iexact=name.strip()).exists():
        raise InvalidMove(f"{ccg.display_name} already has a programme called {name}.",
                          field="name")  # fmt: skip
    programme = Programme(ccg=ccg, name=name.strip(), lead=lead, description=description,
                          order=order)  # fmt: skip
    programme.full_clean()
    set_history_user(programme, user)
    programme.save()
    return programme


@transaction.atomic
def update_programme(programme: Programme, *, user, expected_revision: int | None,
                     **values) -> Programme:  # fmt: skip
    unknown = set(values) - {"name", "lead", "description", "order"}
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    _require(user, programme.ccg)
    claim_revision(programme, expected_revision, values)
    for name, value in values.items():
        setattr(programme, name, value)
    programme.full_clean()
    set_history_user(programme, user)
    programme.save()
    return programme


@transaction.atomic
def link_commitment(programme: Programme, commitment, *, user) -> None:
    _require(user, programme.ccg)
    if commitment.plan.ccg_id != programme.ccg_id:
        raise InvalidMove("Link only commitments of the programme's CCG.", field="commitment")
    programme.commitments.add(commitment)


@transaction.atomic
def unlink_commitment(programme: Programme, commitment, *, user) -> None:
    _require(user, programme.ccg)
    programme.commitments.remove(commitment)


@transaction.atomic
def add_intention(programme: Programme, plan, *, user, text: str, order: int | None = None,
                  key=None) -> ProgrammeIntention:  # fmt: skip
    if plan.ccg_id != programme.ccg_id:
        raise InvalidMove("A programme's intentions belong to plans of its own CCG.",
                          field="plan")  # fmt: skip
    item = ProgrammeIntention(plan=plan, programme=programme, text=text)
    return _save_new(item, user=user, order=order, key=key)


@transaction.atomic
def add_programme_measure(programme: Programme, *, user, text: str,
                          order: int | None = None) -> ProgrammeMeasure:  # fmt: skip
    _require(user, programme.ccg)
    if order is None:
        order = programme.measures.count() + 1
    measure = ProgrammeMeasure(programme=programme, text=text, order=order)
    measure.full_clean()
    set_history_user(measure, user)
    measure.save()
    return measure


@transaction.atomic
def update_programme_measure(measure: ProgrammeMeasure, *, user, expected_revision: int | None,
                             **values) -> ProgrammeMeasure:  # fmt: skip
    unknown = set(values) - {"text", "order"}
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    _require(user, measure.programme.ccg)
    claim_revision(measure, expected_revision, values)
    for name, value in values.items():
        setattr(measure, name, value)
    measure.full_clean()
    set_history_user(measure, user)
    measure.save()
    return measure


@transaction.atomic
def delete_programme_measure(measure: ProgrammeMeasure, *, user) -> None:
    _require(user, measure.programme.ccg)
    set_history_user(measure, user)
    measure.delete()
