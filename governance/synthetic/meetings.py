"""Governance of the synthetic CCGs: committees with members, meetings, agenda items,
resolutions and actions; risks with reviews and actions; assurance checkpoints (a part of
`ContentMaker`)."""

from __future__ import annotations

import datetime as dt

from commissioning.years import FinancialYear

from ..models import (
    AgendaItem,
    AgreedAction,
    AssuranceCheckpoint,
    Attendance,
    Committee,
    CommitteeMember,
    Finding,
    Meeting,
    MeetingAction,
    Resolution,
    Risk,
    RiskAction,
    RiskReview,
    ScorecardResult,
)
from .common import PURPOSES, SYNTHETIC, group_by


class GovernanceContent:
    """A part of ContentMaker: uses its `sizes`, `rng` and `create`."""

    def committees(self, ccgs, people, plans) -> dict[int, object]:
        """A public governing body (members, meetings, items, resolutions, actions) and a
        private audit committee per CCG; returns the governing body by CCG."""
        s = self.sizes
        made = self.create(Committee, [
            Committee(ccg=ccg, name=name, kind=kind, is_public=public, is_required=not public,
                      frequency="Monthly", quorum_members=2, quorum_requires_chair=public,
                      order=k, source_note=SYNTHETIC, duties="Synthetic terms of reference")
            for ccg in ccgs
            for k, (name, kind, public) in enumerate([
                ("Synthetic Governing Body", "governing-body", True),
                ("Synthetic Audit Committee", "audit", False)])
        ])  # fmt: skip
        bodies = {c.ccg_id: c for c in made if c.kind == "governing-body"}
        roles = ["chair", "vice-chair", "core", "core", "additional", "in-attendance"]
        categories = ["gp", "lay", "officer", "clinician", "gp", "officer"]
        members = self.create(CommitteeMember, [
            CommitteeMember(committee=bodies[ccg.pk], person=person, order=k,
                            title=f"Synthetic seat {k + 1}", role=roles[k % 6],
                            category=categories[k % 6], voting=roles[k % 6] != "in-attendance")
            for ccg in ccgs for k, person in enumerate(people[ccg.pk][: s.members])
        ])  # fmt: skip
        meetings = self.create(Meeting, [
            Meeting(committee=bodies[ccg.pk], date=dt.date(2015, 4, 2) + dt.timedelta(weeks=4 * k),
                    time=dt.time(9, 30), location="Synthetic town hall",
                    status="held", title=f"Synthetic meeting {k + 1}")
            for ccg in ccgs for k in range(s.meetings)
        ])  # fmt: skip
        members_of = group_by(members, "committee_id")
        self.create(Attendance, [
            Attendance(meeting=meeting, member=member, present=k % 4 != 3)
            for meeting in meetings
            for k, member in enumerate(members_of.get(meeting.committee_id, []))
        ])  # fmt: skip
        plan_of_ccg = {plan.ccg_id: plan for plan in plans}
        ccg_of_body = {body.pk: ccg_id for ccg_id, body in bodies.items()}
        items = self.create(AgendaItem, [
            AgendaItem(meeting=meeting, number=str(k + 1), order=k + 1,
                       title=f"Synthetic agenda item {k + 1}", presenters="Synthetic officer",
                       purpose=PURPOSES[k % 6], part="private" if k % 5 == 4 else "public",
                       plan=plan_of_ccg.get(ccg_of_body[meeting.committee_id]) if k == 0 else None,
                       minutes=f"Synthetic minutes of item {k + 1}.",
                       paper_subject=f"Synthetic paper {k + 1}" if k % 2 == 0 else "",
                       paper_purpose="For the governing body to note" if k % 2 == 0 else "",
                       paper_recommendations="Note the report" if k % 2 == 0 else "")
            for meeting in meetings for k in range(s.agenda_items)
        ])  # fmt: skip
        self.create(Resolution, [
            Resolution(item=item, number=1, text=f"Synthetic resolution of item {item.number}")
            for item in items if item.purpose in ("decision", "approval")
        ])  # fmt: skip
        meeting_of = {m.pk: m for m in meetings}
        self.create(MeetingAction, [
            MeetingAction(committee_id=meeting_of[item.meeting_id].committee_id,
                          meeting_id=item.meeting_id, item=item, owner="Synthetic officer",
                          text=f"Synthetic action from item {item.number}",
                          due_on=meeting_of[item.meeting_id].date + dt.timedelta(days=28),
                          status="complete" if int(item.number) % 3 == 0 else "open")
            for item in items if item.purpose in ("decision", "discussion")
        ])  # fmt: skip
        return bodies

    def risks(self, ccgs, bodies, priorities) -> None:
        rng = self.rng
        rows = []
        for ccg in ccgs:
            for k in range(self.sizes.risks):
                inherent = (rng.randint(3, 5), rng.randint(3, 5))
                current = (rng.randint(1, inherent[0]), rng.randint(1, inherent[1]))
                target = (rng.randint(1, current[0]), rng.randint(1, current[1]))
                rows.append(Risk(
                    ccg=ccg, reference=f"SR{k + 1:02d}", title=f"Synthetic risk {k + 1}",
                    strategic_objective="Deliver financial balance", committee=bodies.get(ccg.pk),
                    cause="Synthetic cause", event="Synthetic event", effect="Synthetic effect",
                    owner="Synthetic chief finance officer",
                    inherent_likelihood=inherent[0], inherent_consequence=inherent[1],
                    current_likelihood=current[0], current_consequence=current[1],
                    target_likelihood=target[0], target_consequence=target[1],
                    key_controls="Synthetic monthly monitoring",
                    last_reviewed_on=dt.date(2015, 12, 1),
                    next_review_on=dt.date(2016, 3 if k % 3 else 1, 1),
                    status="closed" if k % 5 == 1 else "open", illustrative=True))  # fmt: skip
        risks = self.create(Risk, rows)
        self.create(RiskReview, [
            RiskReview(risk=risk, reviewed_on=dt.date(2015, 12, 1), note="Synthetic review",
                       likelihood=risk.current_likelihood, consequence=risk.current_consequence)
            for risk in risks
        ])  # fmt: skip
        self.create(RiskAction, [
            RiskAction(risk=risk, text=f"Synthetic mitigation {k + 1}", owner="Synthetic owner",
                       due_on=dt.date(2016, 1 + k, 1),
                       done_on=dt.date(2016, 1, 15) if k == 0 and risk.status == "closed" else None)
            for risk in risks for k in range(2)
        ])  # fmt: skip

    def assurance(self, ccgs) -> None:
        checkpoints = self.create(AssuranceCheckpoint, [
            AssuranceCheckpoint(ccg=ccg, year=FinancialYear(2013 + k // 4), quarter=k % 4 + 1,
                                held_on=dt.date(2013 + k // 4, 7, 1)
                                + dt.timedelta(weeks=13 * (k % 4)),
                                assessor="Synthetic area team", rating="Assured with support",
                                summary=SYNTHETIC, source_note=SYNTHETIC)
            for ccg in ccgs for k in range(self.sizes.checkpoints)
        ])  # fmt: skip
        self.create(ScorecardResult, [
            ScorecardResult(checkpoint=c, metric=metric, target="95%", result="93%",
                            met=k == 1, order=k + 1)
            for c in checkpoints
            for k, metric in enumerate(["A&E – 4 Hour Target", "RTT – 18 weeks"])
        ])  # fmt: skip
        self.create(Finding, [
            Finding(checkpoint=c, area="QIPP", text="Synthetic finding.", order=1)
            for c in checkpoints
        ])  # fmt: skip
        self.create(AgreedAction, [
            AgreedAction(checkpoint=c, text="Synthetic agreed action.", owner="CCG", order=1,
                         due_on=(c.held_on or dt.date(2014, 1, 1)) + dt.timedelta(days=30))
            for c in checkpoints
        ])  # fmt: skip
