"""What the plan services refuse, with messages written for the person who asked."""

from __future__ import annotations


class PlanError(Exception):
    """Base: `message` is shown to the user as it is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(PlanError):
    """The user's role does not allow this (HTTP 403)."""


class InvalidMove(PlanError):
    """The plan's state or content does not allow this now (HTTP 409, or 400 for bad input)."""


class ReadOnly(InvalidMove):
    """The plan's state does not allow this change: approved, published, superseded or
    withdrawn, or no consultation open (HTTP 409)."""


class EditConflict(PlanError):
    """Someone saved the record after the editor loaded it (HTTP 409; 412 with If-Match).

    `current` is the record as it is now; `attempted` the values that were not saved.
    """

    def __init__(self, current, attempted: dict, message: str | None = None, *, saved_by=None,
                 saved_at=None):  # fmt: skip
        super().__init__(
            message
            or "Someone else saved this after you started editing. Your changes have not been "
            "saved: compare the two versions, then save again."
        )
        self.current = current
        self.attempted = attempted
        self.saved_by = saved_by  # the user who saved `current`, when history knows
        self.saved_at = saved_at
