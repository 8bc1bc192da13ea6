"""Is a meeting quorate? Worked out from the committee's quorum rules (data on the committee)
and who attended, with the reasons in plain words.

Pure: no database. `rules_of(committee)` and `attendees_of(attendance rows)` turn records
into the plain values `check()` reads, so the rules can be tested as a table.

What counts:
- towards the number: voting members who were present (people in attendance, observers and
  guests who are not members never count);
- as the chair: the chair, or the vice chair when the chair was not there;
- as a lay member or a GP: a member of that category who was present (not someone merely in
  attendance or observing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# Seats that make someone part of the committee (the others attend without being members).
MEMBER_ROLES = frozenset({"chair", "vice-chair", "core", "additional"})


@dataclass(frozen=True)
class QuorumRules:
    members: int | None = None  # voting members who must be present
    requires_chair: bool = False  # the chair or vice chair
    requires_lay_member: bool = False
    requires_gp: bool = False
    note: str = ""  # the quorum as the terms state it

    @property
    def is_set(self) -> bool:
        return bool(
            self.members or self.requires_chair or self.requires_lay_member or self.requires_gp
        )


@dataclass(frozen=True)
class Attendee:
    """One committee seat's attendance at a meeting."""

    name: str
    role: str = "core"
    category: str = "other"
    voting: bool = True
    present: bool = True

    @property
    def is_member(self) -> bool:
        return self.role in MEMBER_ROLES


@dataclass(frozen=True)
class QuorumResult:
    quorate: bool
    reasons: list[str] = field(default_factory=list)
    checked: bool = True  # False when there are no rules or no attendance to check against
    voting_present: int = 0

    @property
    def summary(self) -> str:
        if not self.checked:
            return "Quorum not checked"
        return "Quorate" if self.quorate else "Not quorate"


def _people(count: int, noun: str = "voting member") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _names(attendees: list[Attendee]) -> str:
    names = [a.name for a in attendees]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def check(rules: QuorumRules, attendees: Iterable[Attendee]) -> QuorumResult:
    """Whether the meeting was quorate, with a reason for each rule (met or not)."""
    attendees = list(attendees)
    present = [a for a in attendees if a.present and a.is_member]
    voting = [a for a in present if a.voting]
    if not rules.is_set:
        return QuorumResult(
            quorate=False,
            checked=False,
            voting_present=len(voting),
            reasons=[
                "The committee's quorum rules have not been recorded, so it cannot be checked."
            ],  # fmt: skip
        )
    if not attendees:
        return QuorumResult(
            quorate=False,
            checked=False,
            reasons=["No attendance has been recorded for this meeting yet."],
        )
    reasons: list[str] = []
    met = True

    if rules.members:
        if len(voting) >= rules.members:
            reasons.append(
                f"{_people(len(voting))} present; the quorum is {_people(rules.members)}."
            )
        else:
            met = False
            shown = "No voting members" if not voting else f"Only {_people(len(voting))}"
            reasons.append(f"{shown} present; the quorum is {_people(rules.members)}.")

    if rules.requires_chair:
        chairs = [a for a in present if a.role == "chair"]
        vice = [a for a in present if a.role == "vice-chair"]
        if chairs:
            reasons.append(f"The chair was present ({_names(chairs)}).")
        elif vice:
            reasons.append(f"The vice chair was present ({_names(vice)}); the chair was not.")
        else:
            met = False
            reasons.append("Neither the chair nor the vice chair was present.")

    for required, category, noun in (
        (rules.requires_lay_member, "lay", "lay member"),
        (rules.requires_gp, "gp", "GP member"),
    ):
        if not required:
            continue
        found = [a for a in present if a.category == category]
        if found:
            reasons.append(f"A {noun} was present ({_names(found)}).")
        else:
            met = False
            reasons.append(f"No {noun} was present; the quorum needs one.")

    return QuorumResult(quorate=met, reasons=reasons, voting_present=len(voting))


# --- From records -------------------------------------------------------------------------


def rules_of(committee) -> QuorumRules:
    return QuorumRules(
        members=committee.quorum_members,
        requires_chair=committee.quorum_requires_chair,
        requires_lay_member=committee.quorum_requires_lay_member,
        requires_gp=committee.quorum_requires_gp,
        note=committee.quorum_note,
    )


def attendees_of(attendance) -> list[Attendee]:
    """Attendance rows (with their members) as attendees; guests who are not members count
    for nothing but are listed so that "no attendance recorded" is not said of them."""
    result = []
    for row in attendance:
        member = row.member
        if member is None:
            result.append(Attendee(name=row.name, role="guest", voting=False, present=row.present))
        else:
            result.append(
                Attendee(
                    name=str(member),
                    role=member.role,
                    category=member.category,
                    voting=member.voting,
                    present=row.present,
                )
            )
    return result


def check_meeting(committee, attendance) -> QuorumResult:
    return check(rules_of(committee), attendees_of(attendance))
