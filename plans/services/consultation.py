"""Consultation: open a window on a draft, invite stakeholders, take comments, respond."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from commissioning.models import Locality, PartnerOrganisation

from .. import snapshots
from ..capabilities import comment_refusal, is_planning_manager, manage_refusal
from ..errors import InvalidMove, NotAllowed
from ..models import Consultation, ConsultationComment, Outcome, Plan, PlanState
from .guards import claim_revision, require, set_history_user


def _same_ccg(plan: Plan, users, partners, localities) -> None:
    User = get_user_model()
    user_ids = [getattr(u, "pk", u) for u in users]
    outsiders = User.objects.filter(pk__in=user_ids).exclude(memberships__ccg=plan.ccg)
    if outsiders.exists():
        names = ", ".join(sorted(u.get_username() for u in outsiders))
        raise InvalidMove(
            f"Only people with a role in {plan.ccg.display_name} can be invited: {names}",
            field="invited_users",
        )
    if len(set(user_ids)) != User.objects.filter(pk__in=user_ids).count():
        raise InvalidMove("Some invited people do not exist.", field="invited_users")
    for model, items, field in (
        (PartnerOrganisation, partners, "invited_partners"),
        (Locality, localities, "invited_localities"),
    ):
        ids = {getattr(i, "pk", i) for i in items}
        if model.objects.filter(pk__in=ids, ccg=plan.ccg).count() != len(ids):
            raise InvalidMove(
                f"Invite only {model._meta.verbose_name_plural} of {plan.ccg.display_name}.",
                field=field,
            )


def create_consultation(plan: Plan, *, user, opens_on, closes_on, purpose: str = "",
                        invited_users=(), invited_partners=(), invited_localities=()):  # fmt: skip
    """Called by `transition` when a plan moves into consultation."""
    if closes_on < opens_on:
        raise InvalidMove("The closing date must be on or after the opening date.",
                          field="closes_on")  # fmt: skip
    _same_ccg(plan, invited_users, invited_partners, invited_localities)
    consultation = Consultation(
        plan=plan,
        opens_on=opens_on,
        closes_on=closes_on,
        purpose=purpose,
        opened_by=user if getattr(user, "is_authenticated", False) else None,
    )
    set_history_user(consultation, user)
    consultation.save()
    consultation.invited_users.set(invited_users)
    consultation.invited_partners.set(invited_partners)
    consultation.invited_localities.set(invited_localities)
    return consultation


def close_open_consultations(plan: Plan, *, user, at) -> None:
    for consultation in plan.consultations.filter(closed_at__isnull=True):
        consultation.closed_at = at
        set_history_user(consultation, user)
        consultation.save()


def open_consultation(plan: Plan, *, user, opens_on, closes_on, note: str = "", **window):
    """Open consultation on a draft (a lifecycle move that freezes a version)."""
    from .lifecycle import transition

    return transition(
        plan,
        user=user,
        to=PlanState.CONSULTATION,
        note=note,
        consultation={"opens_on": opens_on, "closes_on": closes_on, **window},
    )


def target_choices(plan: Plan) -> list[tuple[str, str, str]]:
    """What a comment may be about: (collection, key, label) for each commentable item."""
    content = snapshots.take(plan)["collections"]
    choices = []
    for collection in snapshots.collections():
        if not collection.extra.get("commentable"):
            continue
        for item in content.get(collection.name, []):
            label = str(item.get(collection.title_field) or "")[:200]
            choices.append((collection.name, str(item["key"]), label))
    return choices


@transaction.atomic
def add_comment(plan: Plan, *, user, body: str, target_collection: str = "", target_key=None,
                on_behalf_of: str = "", partner=None, locality=None,
                today=None) -> ConsultationComment:  # fmt: skip
    require(comment_refusal(user, plan, today))
    if not (body or "").strip():
        raise InvalidMove("Enter your comment.", field="body")
    recording_for_others = bool(on_behalf_of or partner or locality)
    if recording_for_others and not is_planning_manager(user, plan):
        raise NotAllowed("Only planning managers can record comments for other stakeholders.")
    for item, field in ((partner, "partner"), (locality, "locality")):
        if item is not None and item.ccg_id != plan.ccg_id:
            raise InvalidMove(f"Choose a {field} of {plan.ccg.display_name}.", field=field)
    label = ""
    if target_collection or target_key:
        match = [
            c for c in target_choices(plan)
            if c[0] == target_collection and c[1] == str(target_key)
        ]  # fmt: skip
        if not match:
            raise InvalidMove("Choose a part of this plan to comment on.", field="target")
        label = match[0][2]
    consultation = plan.consultations.filter(closed_at__isnull=True).order_by("-id").first()
    comment = ConsultationComment(
        plan=plan,
        consultation=consultation,
        target_collection=target_collection or "",
        target_key=target_key or None,
        target_label=label,
        author=user if getattr(user, "is_authenticated", False) else None,
        on_behalf_of=on_behalf_of,
        partner=partner,
        locality=locality,
        body=body.strip(),
    )
    set_history_user(comment, user)
    comment.save()
    return comment


@transaction.atomic
def respond_to_comment(comment: ConsultationComment, *, user, response: str, outcome: str,
                       outcome_reason: str = "",
                       expected_revision: int | None = None) -> ConsultationComment:  # fmt: skip
    """The planning manager's answer: accepted, partly accepted or not accepted (with why)."""
    require(manage_refusal(user, comment.plan))
    if outcome not in Outcome.values:
        raise InvalidMove("Choose whether the comment is accepted, partly accepted or not "
                          "accepted.", field="outcome")  # fmt: skip
    if outcome != Outcome.ACCEPTED and not (outcome_reason or "").strip():
        raise InvalidMove(
            f"Give the reason the comment is {Outcome(outcome).label.lower()}.",
            field="outcome_reason",
        )
    attempted = {"response": response, "outcome": outcome, "outcome_reason": outcome_reason}
    claim_revision(comment, expected_revision, attempted)
    comment.response = (response or "").strip()
    comment.outcome = outcome
    comment.outcome_reason = (outcome_reason or "").strip()
    comment.responded_by = user if getattr(user, "is_authenticated", False) else None
    comment.responded_at = timezone.now()
    set_history_user(comment, user)
    comment.save()
    return comment
