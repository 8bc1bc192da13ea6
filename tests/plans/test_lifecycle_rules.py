"""The lifecycle as data: every state × target × role, one case a row."""

import pytest

from commissioning.access import Role
from plans.lifecycle import MOVES, check_move, move_between, moves_from
from plans.models import PlanState

PM, GB, SC, VW = Role.PLANNING_MANAGER, Role.GOVERNING_BODY, Role.SCRUTINY, Role.VIEWER
S = PlanState

# (state, target, role, allowed)
CASES = [
    (S.DRAFT, S.CONSULTATION, PM, True),
    (S.DRAFT, S.CONSULTATION, GB, False),
    (S.DRAFT, S.SUBMITTED, PM, True),
    (S.DRAFT, S.SUBMITTED, GB, False),
    (S.DRAFT, S.SUBMITTED, SC, False),
    (S.DRAFT, S.SUBMITTED, VW, False),
    (S.DRAFT, S.APPROVED, GB, False),
    (S.DRAFT, S.PUBLISHED, PM, False),
    (S.DRAFT, S.WITHDRAWN, PM, True),
    (S.DRAFT, S.WITHDRAWN, SC, False),
    (S.CONSULTATION, S.DRAFT, PM, True),
    (S.CONSULTATION, S.DRAFT, GB, False),
    (S.CONSULTATION, S.SUBMITTED, PM, True),
    (S.CONSULTATION, S.APPROVED, GB, False),
    (S.SUBMITTED, S.APPROVED, GB, True),
    (S.SUBMITTED, S.APPROVED, PM, False),
    (S.SUBMITTED, S.DRAFT, GB, True),
    (S.SUBMITTED, S.DRAFT, PM, False),
    (S.SUBMITTED, S.CONSULTATION, PM, False),
    (S.APPROVED, S.PUBLISHED, PM, True),
    (S.APPROVED, S.PUBLISHED, GB, True),
    (S.APPROVED, S.PUBLISHED, SC, False),
    (S.APPROVED, S.DRAFT, PM, True),
    (S.APPROVED, S.DRAFT, GB, True),
    (S.PUBLISHED, S.DRAFT, PM, False),
    (S.PUBLISHED, S.SUPERSEDED, PM, False),
    (S.PUBLISHED, S.SUPERSEDED, GB, False),
    (S.PUBLISHED, S.WITHDRAWN, GB, True),
    (S.PUBLISHED, S.WITHDRAWN, PM, True),
    (S.SUPERSEDED, S.PUBLISHED, GB, False),
    (S.SUPERSEDED, S.WITHDRAWN, PM, False),
    (S.WITHDRAWN, S.DRAFT, PM, False),
]


@pytest.mark.parametrize(("state", "target", "role", "allowed"), CASES)
def test_who_may_move_a_plan(state, target, role, allowed):
    check = check_move(
        state=state, target=target, roles={role}, ccg_name="NHS Rotherham CCG", note="Because"
    )
    assert check.allowed is allowed, check.reason
    assert bool(check.reason) is (not allowed)


@pytest.mark.parametrize(
    ("state", "target", "roles", "reason"),
    [
        (S.SUBMITTED, S.APPROVED, {PM},
         "Only governing body members of NHS Rotherham CCG can approve."),
        (S.DRAFT, S.SUBMITTED, {GB},
         "Only planning managers of NHS Rotherham CCG can submit to the governing body."),
        (S.DRAFT, S.APPROVED, {GB},
         "Only a plan submitted to the governing body can be approved."),
        (S.SUBMITTED, S.PUBLISHED, {GB}, "Only an approved plan can be published."),
        (S.PUBLISHED, S.DRAFT, {PM},
         "A published plan is read-only: start an annual refresh to change it, or withdraw it."),
        (S.PUBLISHED, S.SUPERSEDED, {GB},
         "A plan is superseded automatically when its refresh is published."),
        (S.WITHDRAWN, S.DRAFT, {PM}, "The plan is withdrawn: it can no longer change state."),
        (S.DRAFT, S.DRAFT, {PM}, "The plan is already draft."),
    ],
)  # fmt: skip
def test_refusals_say_why(state, target, roles, reason):
    check = check_move(state=state, target=target, roles=roles, ccg_name="NHS Rotherham CCG")
    assert not check.allowed
    assert check.reason == reason


def test_sending_back_needs_a_reason():
    blank = check_move(state=S.SUBMITTED, target=S.DRAFT, roles={GB}, ccg_name="X", note=" ")
    given = check_move(state=S.SUBMITTED, target=S.DRAFT, roles={GB}, ccg_name="X", note="Why")
    assert not blank.allowed and "needs a note" in blank.reason
    assert given.allowed and given.move.new_draft


def test_submitting_needs_a_section():
    check = check_move(state=S.DRAFT, target=S.SUBMITTED, roles={PM}, ccg_name="X", section_count=0)
    assert check.reason == "Add at least one section before submitting the plan."


def test_consultation_needs_its_dates():
    check = check_move(
        state=S.DRAFT,
        target=S.CONSULTATION,
        roles={PM},
        ccg_name="X",
        has_open_consultation_dates=False,
    )
    assert check.reason == "Give the dates the consultation opens and closes."


def test_each_pair_of_states_has_at_most_one_move():
    pairs = [(source, move.target) for move in MOVES for source in move.sources]
    assert len(pairs) == len(set(pairs))
    assert move_between(S.SUBMITTED, S.DRAFT).name == "send-back"
    assert move_between(S.APPROVED, S.DRAFT).name == "reopen"


def test_nothing_moves_out_of_the_final_states_and_nothing_moves_in_to_superseded():
    assert moves_from(S.SUPERSEDED) == [] and moves_from(S.WITHDRAWN) == []
    assert all(move.target != S.SUPERSEDED for move in MOVES)
