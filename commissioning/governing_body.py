"""Governing body composition rules (NHS (CCG) Regulations 2012, reg. 11; seed 002 p32).

Pure functions over seats, so the rules are testable one case a row. A seat is anything with
`category`, `is_chair`, `voting` and `is_vacant` attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models.people import SeatCategory

MINIMUM_MEMBERS = 6
LAY = {SeatCategory.LAY_GOVERNANCE, SeatCategory.LAY_PPI, SeatCategory.LAY_OTHER}
NON_MEMBERS = {SeatCategory.OBSERVER}


@dataclass(frozen=True)
class CompositionWarning:
    code: str
    message: str


def check_composition(seats: Iterable) -> list[CompositionWarning]:
    """Every way the governing body falls short of the rules, in a stable order."""
    seats = list(seats)
    filled = [s for s in seats if not s.is_vacant and s.category not in NON_MEMBERS]
    categories = [s.category for s in filled]
    warnings: list[CompositionWarning] = []

    def warn(code: str, message: str) -> None:
        warnings.append(CompositionWarning(code, message))

    if len(filled) < MINIMUM_MEMBERS:
        warn(
            "too-few-members",
            f"Fewer than {MINIMUM_MEMBERS} members: {len(filled)} recorded.",
        )
    chairs = [s for s in filled if s.is_chair]
    if not chairs:
        warn("no-chair", "No chair is recorded.")
    elif not any(s.category == SeatCategory.GP for s in chairs):
        warn("chair-not-gp", "The chair is not a GP.")
    voting = [s for s in filled if s.voting]
    gps = [s for s in voting if s.category == SeatCategory.GP]
    if voting and len(gps) * 2 < len(voting):
        warn(
            "gps-not-half",
            f"Fewer than half of voting members are GPs ({len(gps)} of {len(voting)}).",
        )
    if not voting:
        warn("no-voting-members", "No voting members are recorded.")
    required = [
        (SeatCategory.ACCOUNTABLE_OFFICER, "no-accountable-officer", "accountable officer"),
        (SeatCategory.CHIEF_FINANCE_OFFICER, "no-chief-finance-officer", "chief finance officer"),
        (SeatCategory.REGISTERED_NURSE, "no-registered-nurse", "registered nurse"),
        (
            SeatCategory.SECONDARY_CARE_DOCTOR,
            "no-secondary-care-doctor",
            "secondary care specialist doctor",
        ),
        (SeatCategory.LAY_GOVERNANCE, "no-lay-governance", "lay member for audit and governance"),
        (SeatCategory.LAY_PPI, "no-lay-ppi", "lay member for patient and public involvement"),
    ]
    for category, code, label in required:
        if category not in categories:
            vacant = any(s.is_vacant and s.category == category for s in seats)
            suffix = " (the seat is vacant)" if vacant else ""
            warn(code, f"No {label}{suffix}.")
    lay_members = [c for c in categories if c in LAY]
    if len(lay_members) < 2:
        warn("too-few-lay-members", f"Fewer than two lay members: {len(lay_members)} recorded.")
    return warnings
