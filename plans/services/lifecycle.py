"""Moving a plan through its lifecycle, freezing a version each time; the annual refresh."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .. import lifecycle, snapshots
from ..capabilities import next_refresh_year, refresh_refusal, roles_in
from ..errors import InvalidMove, NotAllowed
from ..models import Plan, PlanState, PlanVersion
from .guards import change_reason, require, set_history_user


def _freeze(plan: Plan, *, user, from_state: str, note: str, at) -> PlanVersion:
    number = (plan.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return PlanVersion.objects.create(
        plan=plan,
        number=number,
        label=plan.version_label,
        from_state=from_state,
        to_state=plan.state,
        note=note,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        created_at=at,
        content=snapshots.take(plan),
    )


def _locked(plan: Plan) -> Plan:
    """The plan row, locked for the rest of the transaction (one transition at a time)."""
    return Plan.objects.select_for_update().select_related("ccg").get(pk=plan.pk)


@transaction.atomic
def transition(plan: Plan, *, user, to: str, note: str = "", consultation=None) -> PlanVersion:
    """Move `plan` to state `to`, recording who, when and why in a new frozen version.

    Opening consultation needs `consultation` (a dict of `opens_on`, `closes_on` and
    optional `purpose`, `invited_users`, `invited_partners`, `invited_localities`).
    Publishing a refresh supersedes its published parent."""
    from .consultation import close_open_consultations, create_consultation

    current = _locked(plan)
    if to not in PlanState.values:
        raise InvalidMove(f"'{to}' is not a plan state.", field="to")
    check = lifecycle.check_move(
        state=current.state,
        target=to,
        roles=roles_in(user, current),
        ccg_name=current.ccg.display_name,
        section_count=current.sections.count(),
        has_open_consultation_dates=bool(
            consultation and consultation.get("opens_on") and consultation.get("closes_on")
        ),
        note=note or "",
    )
    if not check.allowed:
        if check.move is not None and not roles_in(user, current) & check.move.roles:
            raise NotAllowed(check.reason)
        raise InvalidMove(check.reason, field="note" if "note" in check.reason else "to")
    move = check.move
    now = timezone.now()
    from_state = current.state
    if to == PlanState.CONSULTATION:
        create_consultation(current, user=user, **consultation)
    if from_state == PlanState.CONSULTATION:
        close_open_consultations(current, user=user, at=now)
    if move.new_draft:
        current.draft_number += 1
    current.state = to
    current.state_changed_at = now
    set_history_user(current, user)
    current._change_reason = change_reason(f"{move.label}: {note}" if note else move.label)
    current.save()
    version = _freeze(current, user=user, from_state=from_state, note=note, at=now)
    if to == PlanState.PUBLISHED and current.refreshes_id:
        _supersede(current.refreshes, by=current, user=user, at=now)
    plan.refresh_from_db()
    return version


def _supersede(parent: Plan, *, by: Plan, user, at) -> None:
    parent = _locked(parent)
    if parent.state != PlanState.PUBLISHED:
        return
    parent.state = PlanState.SUPERSEDED
    parent.state_changed_at = at
    set_history_user(parent, user)
    parent.save()
    _freeze(
        parent,
        user=user,
        from_state=PlanState.PUBLISHED,
        note=f"Superseded by {by.title} ({by.period_label})",
        at=at,
    )


@transaction.atomic
def start_refresh(plan: Plan, *, user, title: str = "", first_year=None) -> Plan:
    """The annual refresh of a published multi-year plan: a new draft plan with a copy of the
    parent's content (keys kept, so the diff matches item to item), linked to its parent."""
    parent = _locked(plan)
    require(refresh_refusal(user, parent))
    year = first_year or next_refresh_year(parent)
    if not parent.first_year < year <= parent.last_year:
        raise InvalidMove(
            f"A refresh of {parent.period_label} must be for a year after "
            f"{parent.first_year.label}, up to {parent.last_year.label}.",
            field="first_year",
        )
    refresh = Plan(
        ccg=parent.ccg,
        kind=parent.kind,
        title=title or f"{parent.title}: {year.label} refresh",
        first_year=year,
        last_year=parent.last_year,
        refreshes=parent,
        summary=parent.summary,
        vision=parent.vision,
        mission=parent.mission,
        is_public=parent.is_public,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    refresh.full_clean()
    set_history_user(refresh, user)
    refresh._change_reason = change_reason(f"Annual refresh of {parent.title}")
    refresh.save()
    snapshots.copy_content(
        parent, refresh, user if getattr(user, "is_authenticated", False) else None
    )
    return refresh


def baseline_for_refresh(refresh: Plan) -> tuple[dict, str] | None:
    """What a refresh is compared with: its parent's published version (as published), or
    the parent's current content if it has no published version."""
    if not refresh.refreshes_id:
        return None
    parent = refresh.refreshes
    version = parent.versions.filter(to_state=PlanState.PUBLISHED).order_by("-number").first()
    if version is not None:
        return version.content, f"{parent.title} ({parent.period_label}), as published"
    return snapshots.take(parent), f"{parent.title} ({parent.period_label})"
