"""Shared checks: permission refusals and the optimistic concurrency compare-and-swap."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import F

from ..errors import EditConflict, NotAllowed, ReadOnly


def require(refusal: str | None) -> None:
    """Raise for a refusal from `plans.capabilities`: NotAllowed when the user's role stands
    in the way, ReadOnly when the plan's state does."""
    if refusal is None:
        return
    if getattr(refusal, "by_role", False):
        raise NotAllowed(str(refusal))
    raise ReadOnly(str(refusal))


def claim_revision(instance: models.Model, expected: int | None, attempted: dict) -> None:
    """Bump `revision` only if it is still `expected` (None skips the check, for callers with
    no starting point, like the demo loader). The conditional UPDATE takes the row's write
    lock, so of two saves from the same starting revision exactly one wins; the loser gets
    an EditConflict carrying the record as it now is and the values it tried to save."""
    model = type(instance)
    rows = model._base_manager.filter(pk=instance.pk)
    if expected is not None:
        rows = rows.filter(revision=expected)
    if rows.update(revision=F("revision") + 1) == 0:
        raise _conflict(model._base_manager.get(pk=instance.pk), attempted)
    instance.revision = model._base_manager.values_list("revision", flat=True).get(pk=instance.pk)


@transaction.atomic
def check_revision(instance: models.Model, expected: int | None, attempted: dict | None = None):
    """Refuse (EditConflict) unless the record is still at revision `expected`, without
    changing it: for writes that change no field (an empty PATCH) or remove the record (a
    DELETE with If-Match). The row stays locked until the caller's transaction ends, so a
    delete that follows cannot race a save. None skips the check."""
    conflict = revision_conflict(instance, expected, attempted)
    if conflict is not None:
        raise conflict


def revision_conflict(instance: models.Model, expected: int | None,
                      attempted: dict | None = None) -> EditConflict | None:  # fmt: skip
    """The EditConflict to raise if the record is no longer at revision `expected` (None
    when it is, or when `expected` is None), with its row locked: call it inside the
    transaction of the write it guards."""
    if expected is None:
        return None
    model = type(instance)
    current = model._base_manager.select_for_update().get(pk=instance.pk)
    return _conflict(current, attempted or {}) if current.revision != expected else None


def _conflict(current: models.Model, attempted: dict) -> EditConflict:
    """The record as it now is, who saved it last (when history knows) and what was tried."""
    history = getattr(current, "history", None)
    last = history.order_by("-history_date").first() if history is not None else None
    return EditConflict(
        current,
        attempted,
        saved_by=last.history_user if last else None,
        saved_at=last.history_date if last else None,
    )


def set_history_user(instance: models.Model, user) -> None:
    """Tell django-simple-history who made the change (also outside a request)."""
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user


REASON_LENGTH = 100  # django-simple-history's history_change_reason column


def change_reason(text: str) -> str:
    """A history change reason that fits its column (PostgreSQL refuses longer ones)."""
    text = " ".join((text or "").split())
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"
