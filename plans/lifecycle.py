"""The plan lifecycle as data: which moves exist, who may make them, and why not.

draft -> consultation -> submitted -> approved -> published -> superseded, or withdrawn.
Planning managers draft, open and close consultation and submit; governing body members
approve or send back with reasons; either may publish an approved plan or withdraw one.
A plan becomes superseded only when its refresh is published (never by hand).
Pure: no database access, so every rule is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from commissioning.access import Role

from .models.states import PlanState

PM, GB = Role.PLANNING_MANAGER, Role.GOVERNING_BODY
S = PlanState


@dataclass(frozen=True)
class Move:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: str
    note_required: bool = False
    new_draft: bool = False  # the plan goes back for more work as the next draft number
    button: str = "primary"  # or "secondary", "warning"


MOVES: tuple[Move, ...] = (
    Move("open-consultation", frozenset({S.DRAFT}), S.CONSULTATION, frozenset({PM}),
         "Open consultation"),
    Move("close-consultation", frozenset({S.CONSULTATION}), S.DRAFT, frozenset({PM}),
         "Close consultation", button="secondary"),
    Move("submit", frozenset({S.DRAFT, S.CONSULTATION}), S.SUBMITTED, frozenset({PM}),
         "Submit to the governing body"),
    Move("approve", frozenset({S.SUBMITTED}), S.APPROVED, frozenset({GB}), "Approve"),
    Move("send-back", frozenset({S.SUBMITTED}), S.DRAFT, frozenset({GB}),
         "Send back with reasons", note_required=True, new_draft=True, button="secondary"),
    Move("reopen", frozenset({S.APPROVED}), S.DRAFT, frozenset({PM, GB}),
         "Reopen as a new draft", note_required=True, new_draft=True, button="secondary"),
    Move("publish", frozenset({S.APPROVED}), S.PUBLISHED, frozenset({PM, GB}), "Publish"),
    Move("withdraw",
         frozenset({S.DRAFT, S.CONSULTATION, S.SUBMITTED, S.APPROVED, S.PUBLISHED}),
         S.WITHDRAWN, frozenset({PM, GB}), "Withdraw", note_required=True, button="warning"),
)  # fmt: skip

BY_NAME = {move.name: move for move in MOVES}
ROLE_NAMES = {PM: "planning managers", GB: "governing body members"}


def move_between(source: str, target: str) -> Move | None:
    """The one move from `source` to `target`, if there is one."""
    for move in MOVES:
        if source in move.sources and move.target == target:
            return move
    return None


@dataclass(frozen=True)
class Check:
    move: Move | None
    allowed: bool
    reason: str = ""


def _who(roles: frozenset[str]) -> str:
    return " or ".join(ROLE_NAMES[r] for r in sorted(roles, key=list(ROLE_NAMES).index))


def check_move(
    *,
    state: str,
    target: str,
    roles: set[str],
    ccg_name: str,
    section_count: int = 1,
    has_open_consultation_dates: bool = True,
    note: str | None = None,
) -> Check:
    """Whether someone holding `roles` in the plan's CCG may move it from `state` to
    `target`, and if not, a reason they can act on. `note=None` skips the note check
    (used to list buttons before anyone has written a note)."""
    if target == S.SUPERSEDED:
        return Check(None, False, "A plan is superseded automatically when its refresh is "
                     "published.")  # fmt: skip
    move = move_between(state, target)
    if move is None:
        return Check(None, False, _no_move_reason(state, target))
    if not roles & move.roles:
        return Check(move, False, f"Only {_who(move.roles)} of {ccg_name} can "
                     f"{move.label[0].lower() + move.label[1:]}.")  # fmt: skip
    if move.target == S.SUBMITTED and section_count == 0:
        return Check(move, False, "Add at least one section before submitting the plan.")
    if move.target == S.CONSULTATION and not has_open_consultation_dates:
        return Check(move, False, "Give the dates the consultation opens and closes.")
    if move.note_required and note is not None and not note.strip():
        return Check(move, False, f"Give a reason: {move.label[0].lower() + move.label[1:]} "
                     "needs a note saying why.")  # fmt: skip
    return Check(move, True)


def _no_move_reason(state: str, target: str) -> str:
    here, there = S(state).label.lower(), S(target).label.lower()
    if state == target:
        return f"The plan is already {here}."
    if state in (S.SUPERSEDED, S.WITHDRAWN):
        return f"The plan is {here}: it can no longer change state."
    if state == S.PUBLISHED:
        return ("A published plan is read-only: start an annual refresh to change it, or "
                "withdraw it.")  # fmt: skip
    if target == S.APPROVED:
        return "Only a plan submitted to the governing body can be approved."
    if target == S.PUBLISHED:
        return "Only an approved plan can be published."
    if target == S.SUBMITTED:
        return f"A plan that is {here} cannot be submitted."
    return f"A plan that is {here} cannot be moved to {there}."


def moves_from(state: str) -> list[Move]:
    return [move for move in MOVES if state in move.sources]
