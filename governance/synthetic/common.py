"""Shared by the synthetic content makers: labels, the year, sizes, money, grouping."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from commissioning.years import FinancialYear

SYNTHETIC = "Synthetic benchmark data"
YEAR = FinancialYear(2015)
STATUSES = ["on-track", "at-risk", "off-track", "complete", "not-started"]
STATEMENT_KINDS = ["aim", "value", "principle", "objective"]
PURPOSES = ["decision", "approval", "assurance", "discussion", "noting", "information"]
UNITS = ["first-outpatient", "follow-up", "non-elective-spell", "ae-attendance", "prescription"]


@dataclass(frozen=True)
class Sizes:
    """How many of each thing per CCG (per parent where the name says so)."""

    sections: int = 6
    statements: int = 6
    priorities: int = 5
    commitments: int = 3  # per priority
    actions: int = 3  # per commitment
    milestones: int = 3
    comments: int = 3
    programmes: int = 2
    qipp_programmes: int = 2
    qipp_schemes: int = 8
    risks: int = 10
    members: int = 6  # of the governing body
    meetings: int = 2  # of the governing body
    agenda_items: int = 6  # per meeting
    checkpoints: int = 2

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def group_by(rows, attribute: str) -> dict:
    """Rows by the value of their `attribute` (a column, e.g. "ccg_id"), in their order."""
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(getattr(row, attribute), []).append(row)
    return grouped
