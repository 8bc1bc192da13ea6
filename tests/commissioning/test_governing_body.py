"""Composition rules, one case a row (NHS (CCG) Regulations 2012 reg. 11; seed 002 p32)."""

from dataclasses import dataclass

import pytest

from commissioning.governing_body import check_composition
from commissioning.models.people import SeatCategory as C


@dataclass
class Seat:
    category: str
    is_chair: bool = False
    voting: bool = True
    is_vacant: bool = False


def compliant():
    return [
        Seat(C.GP, is_chair=True),
        *[Seat(C.GP) for _ in range(5)],  # 6 GPs of 12 voting members: exactly half
        Seat(C.ACCOUNTABLE_OFFICER),
        Seat(C.CHIEF_FINANCE_OFFICER),
        Seat(C.REGISTERED_NURSE),
        Seat(C.SECONDARY_CARE_DOCTOR),
        Seat(C.LAY_GOVERNANCE),
        Seat(C.LAY_PPI),
    ]


def codes(seats):
    return [w.code for w in check_composition(seats)]


def without(category):
    seats = compliant()
    seats.remove(next(s for s in seats if s.category == category))
    return seats


@pytest.mark.parametrize(
    ("seats", "expected"),
    [
        (compliant(), []),
        (without(C.REGISTERED_NURSE), ["no-registered-nurse"]),
        (without(C.SECONDARY_CARE_DOCTOR), ["no-secondary-care-doctor"]),
        (without(C.ACCOUNTABLE_OFFICER), ["no-accountable-officer"]),
        (without(C.CHIEF_FINANCE_OFFICER), ["no-chief-finance-officer"]),
        (without(C.LAY_GOVERNANCE), ["no-lay-governance", "too-few-lay-members"]),
        (without(C.LAY_PPI), ["no-lay-ppi", "too-few-lay-members"]),
        # A chair who is not a GP (the lay member chairs)
        (
            [
                Seat(C.GP),
                *[s for s in compliant() if s.category != C.LAY_GOVERNANCE][1:],
                Seat(C.LAY_GOVERNANCE, is_chair=True),
            ],
            ["chair-not-gp"],
        ),
        ([s for s in compliant() if not s.is_chair] + [Seat(C.GP)], ["no-chair"]),
        # 2 GPs among 8 voting members
        (
            [s for s in compliant() if s.category != C.GP]
            + [Seat(C.GP, is_chair=True), Seat(C.GP)],
            ["gps-not-half"],
        ),
        # Exactly half is enough: 4 GPs of 8 voting (nurse and doctor do not vote)
        (
            [
                *compliant()[:4],
                Seat(C.ACCOUNTABLE_OFFICER),
                Seat(C.CHIEF_FINANCE_OFFICER),
                Seat(C.REGISTERED_NURSE, voting=False),
                Seat(C.SECONDARY_CARE_DOCTOR, voting=False),
                Seat(C.LAY_GOVERNANCE),
                Seat(C.LAY_PPI),
            ],
            [],
        ),
        # A vacant seat does not count, and the warning says it is vacant
        (
            [*without(C.SECONDARY_CARE_DOCTOR), Seat(C.SECONDARY_CARE_DOCTOR, is_vacant=True)],
            ["no-secondary-care-doctor"],
        ),
        # Observers are not members
        (
            [
                Seat(C.GP, is_chair=True),
                Seat(C.OBSERVER),
                Seat(C.OBSERVER),
                Seat(C.OBSERVER),
                Seat(C.OBSERVER),
                Seat(C.OBSERVER),
            ],
            [
                "too-few-members",
                "no-accountable-officer",
                "no-chief-finance-officer",
                "no-registered-nurse",
                "no-secondary-care-doctor",
                "no-lay-governance",
                "no-lay-ppi",
                "too-few-lay-members",
            ],
        ),
        (
            [],
            [
                "too-few-members",
                "no-chair",
                "no-voting-members",
                "no-accountable-officer",
                "no-chief-finance-officer",
                "no-registered-nurse",
                "no-secondary-care-doctor",
                "no-lay-governance",
                "no-lay-ppi",
                "too-few-lay-members",
            ],
        ),
    ],
)
def test_composition(seats, expected):
    assert codes(seats) == expected


def test_messages_are_specific():
    seats = [s for s in compliant() if s.category != C.GP] + [Seat(C.GP, is_chair=True)]
    messages = [w.message for w in check_composition(seats)]
    assert "Fewer than half of voting members are GPs (1 of 7)." in messages
    vacant = [*without(C.SECONDARY_CARE_DOCTOR), Seat(C.SECONDARY_CARE_DOCTOR, is_vacant=True)]
    assert [w.message for w in check_composition(vacant)] == [
        "No secondary care specialist doctor (the seat is vacant)."
    ]


def test_accepts_a_generator():
    assert codes(s for s in compliant()) == []
