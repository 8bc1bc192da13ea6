"""The synthetic CCGs' organisations, plans and priorities, and `ContentMaker`, which makes all
of a group of CCGs' content level by level; `delete_content` takes it away again."""

from __future__ import annotations

import datetime as dt
import random

from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from commissioning.models import (
    GoverningBodyMembership,
    Locality,
    PartnerOrganisation,
    Person,
)
from commissioning.years import FinancialYear
from finance.models import (
    BudgetAssumption,
    Contract,
    ContractLine,
    FinancialChallenge,
    FinancialPlan,
    LocalityBudget,
    PooledBudget,
    PooledContribution,
    PooledScheme,
    QippImport,
    QippMonth,
    QippProgramme,
    QippScheme,
    StatedAmount,
)
from plans import snapshots
from plans.models import (
    Consultation,
    ConsultationComment,
    Milestone,
    PackBuild,
    Plan,
    PlanStatement,
    PlanVersion,
    Section,
)
from priorities.models import (
    Action,
    Commitment,
    LocalityFocus,
    PriorityArea,
    Programme,
    ProgrammeIntention,
    ProgrammeMeasure,
    ProgressUpdate,
    SuccessMeasure,
)

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
from .common import STATEMENT_KINDS, STATUSES, SYNTHETIC, YEAR, Sizes, group_by
from .finance import FinanceContent
from .meetings import GovernanceContent


class ContentMaker(FinanceContent, GovernanceContent):
    """Makes the content of a group of CCGs; `counts` adds up what was made, by model."""

    def __init__(self, sizes: Sizes, seed: int, batch_size: int):
        self.sizes = sizes
        self.rng = random.Random(seed + 7919)  # noqa: S311 - synthetic figures, not secrets
        self.batch_size = batch_size
        self.counts: dict[str, int] = {}
        self.now = timezone.now()

    def create(self, model, objects: list) -> list:
        if not objects:
            return []
        if hasattr(model, "history"):
            made = bulk_create_with_history(objects, model, batch_size=self.batch_size,
                                            default_date=self.now)  # fmt: skip
        else:
            made = model.objects.bulk_create(objects, batch_size=self.batch_size)
        name = model._meta.verbose_name_plural
        self.counts[name] = self.counts.get(name, 0) + len(made)
        return made

    # --- The group ------------------------------------------------------------------------

    def make(self, ccgs: list, links: dict) -> None:
        """Everything for `ccgs` (providers from `links`: ccg pk -> providers)."""
        localities = self.localities(ccgs)
        partners = self.create(PartnerOrganisation, [
            PartnerOrganisation(ccg=ccg, name=f"Synthetic {kind} partner of {ccg.ods_code}",
                                kind=kind, note=SYNTHETIC)
            for ccg in ccgs for kind in ("local-authority", "health-and-wellbeing-board")
        ])  # fmt: skip
        people = self.people(ccgs)
        plans = self.plans(ccgs)
        priorities, commitments = self.plan_content(plans, localities)
        self.programmes(ccgs, plans, commitments)
        self.finance(ccgs, plans, links, localities, partners, priorities)
        committees = self.committees(ccgs, people, plans)
        self.risks(ccgs, committees, priorities)
        self.assurance(ccgs)
        self.versions(plans)

    def localities(self, ccgs) -> dict[int, list]:
        made = self.create(Locality, [
            Locality(ccg=ccg, name=f"Synthetic locality {k + 1} ({ccg.ods_code})",
                     code=f"{ccg.ods_code}L{k + 1}", population=(ccg.population or 200_000) // 2)
            for ccg in ccgs for k in range(2)
        ])  # fmt: skip
        return group_by(made, "ccg_id")

    def people(self, ccgs) -> dict[int, list]:
        count = max(self.sizes.members, 3)
        made = self.create(Person, [
            Person(ccg=ccg, name=f"Synthetic person {k + 1} ({ccg.ods_code})",
                   job_title=["GP", "Lay member", "Chief Officer", "Chief Finance Officer"][k % 4],
                   note=SYNTHETIC)
            for ccg in ccgs for k in range(count)
        ])  # fmt: skip
        people = group_by(made, "ccg_id")
        categories = ["gp", "lay-governance", "accountable-officer", "chief-finance-officer"]
        self.create(GoverningBodyMembership, [
            GoverningBodyMembership(ccg=ccg, person=person, title=f"Synthetic seat {k + 1}",
                                    category=categories[k % 4], is_chair=k == 0, order=k)
            for ccg in ccgs for k, person in enumerate(people[ccg.pk][:3])
        ])  # fmt: skip
        return people

    # --- The plan -------------------------------------------------------------------------

    def plans(self, ccgs) -> list:
        return self.create(Plan, [
            Plan(ccg=ccg, kind="strategic-plan",
                 title=f"Synthetic strategic plan 2015-19 ({ccg.ods_code})",
                 first_year=YEAR, last_year=FinancialYear(2018),
                 vision="Synthetic vision: healthy lives for everyone",
                 mission="Synthetic mission: commission the best services we can afford",
                 summary=SYNTHETIC, state="published", state_changed_at=self.now)
            for ccg in ccgs
        ])  # fmt: skip

    def plan_content(self, plans, localities) -> tuple[dict[int, list], dict[int, list]]:
        """Sections, statements, priorities > commitments > actions with updates, measures,
        locality focus, milestones and a closed consultation; returns the priorities and the
        commitments by plan."""
        s, rng = self.sizes, self.rng
        self.create(Section, [
            Section(plan=plan, order=k + 1, title=f"Synthetic section {k + 1}",
                    body=f"## Part {k + 1}\n\nSynthetic text of section {k + 1}.\n\n"
                         "- one point\n- another point\n")
            for plan in plans for k in range(s.sections)
        ])  # fmt: skip
        self.create(PlanStatement, [
            PlanStatement(plan=plan, order=k + 1, kind=STATEMENT_KINDS[k % 4],
                          text=f"Synthetic statement {k + 1}")
            for plan in plans for k in range(s.statements)
        ])  # fmt: skip
        priorities = self.create(PriorityArea, [
            PriorityArea(plan=plan, order=k + 1, title=f"Synthetic priority {k + 1}",
                         objective="Reduce emergency admissions by 5% a year",
                         end_state="People are cared for at home wherever possible")
            for plan in plans for k in range(s.priorities)
        ])  # fmt: skip
        plan_of = {plan.pk: plan for plan in plans}
        commitments = []
        for priority in priorities:
            places = localities.get(plan_of[priority.plan_id].ccg_id, [])
            for k in range(s.commitments):
                status = STATUSES[rng.randrange(len(STATUSES))]
                commitments.append(Commitment(
                    priority=priority, order=k + 1, lead=f"Synthetic lead {k + 1}",
                    text=f"We will deliver synthetic commitment {priority.order}.{k + 1}",
                    locality=places[k % len(places)] if places and k % 2 else None,
                    status=status, status_reported_on=dt.date(2016, 3, 31)))  # fmt: skip
        commitments = self.create(Commitment, commitments)
        actions = [
            Action(commitment=commitment, order=k + 1, lead="Synthetic head of commissioning",
                   text=f"Synthetic action {k + 1} of commitment {commitment.pk}",
                   due_on=dt.date(2016 + k % 3, 3, 31),
                   status=STATUSES[rng.randrange(len(STATUSES))],
                   status_reported_on=dt.date(2016, 3, 31))
            for commitment in commitments for k in range(s.actions)
        ]  # fmt: skip
        actions = self.create(Action, actions)
        plan_of_priority = {p.pk: p.plan_id for p in priorities}
        plan_of_commitment = {c.pk: plan_of_priority[c.priority_id] for c in commitments}
        self.create(ProgressUpdate, [
            ProgressUpdate(plan_id=plan_of_commitment[action.commitment_id], action=action,
                           status=action.status, reported_on=dt.date(2016, 3, 31),
                           narrative=f"Synthetic update: {action.get_status_display()}",
                           illustrative=True)
            for action in actions
        ] + [
            ProgressUpdate(plan_id=plan_of_commitment[c.pk], commitment=c, status=c.status,
                           reported_on=dt.date(2016, 3, 31), illustrative=True,
                           narrative=f"Synthetic update: {c.get_status_display()}")
            for c in commitments
        ])  # fmt: skip
        self.create(SuccessMeasure, [
            SuccessMeasure(plan_id=priority.plan_id, priority=priority, order=priority.order,
                           measure=f"Synthetic measure of priority {priority.order}",
                           baseline="100 in 2014/15", aspiration="80 by 2018/19", source=SYNTHETIC)
            for priority in priorities
        ])  # fmt: skip
        self.create(LocalityFocus, [
            LocalityFocus(plan=plan, locality=locality, order=k + 1,
                          text=f"Synthetic focus of {locality.name}")
            for plan in plans for k, locality in enumerate(localities.get(plan.ccg_id, []))
        ])  # fmt: skip
        self.create(Milestone, [
            Milestone(plan=plan, title=f"Synthetic milestone {k + 1}",
                      due_on=dt.date(2015, 1 + k % 12, 1),
                      done_on=dt.date(2015, 1 + k % 12, 1) if k % 2 == 0 else None)
            for plan in plans for k in range(s.milestones)
        ])  # fmt: skip
        consultations = self.create(Consultation, [
            Consultation(plan=plan, opens_on=dt.date(2014, 12, 1), closes_on=dt.date(2015, 1, 16),
                         purpose="Synthetic consultation", closed_at=self.now)
            for plan in plans
        ])  # fmt: skip
        outcomes = ["accepted", "partly-accepted", "not-accepted"]
        self.create(ConsultationComment, [
            ConsultationComment(
                plan_id=consultation.plan_id, consultation=consultation,
                on_behalf_of=f"Synthetic stakeholder {k + 1}",
                body=f"Synthetic comment {k + 1}: please say more about access.",
                response="Synthetic response: the plan now says more.",
                outcome=outcomes[k % 3],
                outcome_reason="" if k % 3 == 0 else "Not affordable this year",
                responded_at=self.now)
            for consultation in consultations for k in range(s.comments)
        ])  # fmt: skip
        commitments_of_plan: dict[int, list] = {}
        for commitment in commitments:
            commitments_of_plan.setdefault(plan_of_commitment[commitment.pk], []).append(commitment)
        return group_by(priorities, "plan_id"), commitments_of_plan

    def versions(self, plans) -> None:
        """Submitted, approved and published: one snapshot of the finished plan for each."""
        rows = []
        for plan in plans:
            content = snapshots.take(plan)
            steps = [("draft", "submitted", "Draft 1"), ("submitted", "approved", "Final"),
                     ("approved", "published", "Final")]  # fmt: skip
            for number, (source, target, label) in enumerate(steps, start=1):
                content = {**content, "plan": {**content["plan"], "state": target,
                                               "version_label": label}}  # fmt: skip
                rows.append(PlanVersion(plan=plan, number=number, label=label, from_state=source,
                                        to_state=target, created_at=self.now, content=content,
                                        note="Synthetic"))  # fmt: skip
        self.create(PlanVersion, rows)

    def programmes(self, ccgs, plans, commitments) -> None:
        s = self.sizes
        programmes = self.create(Programme, [
            Programme(ccg=ccg, name=f"Synthetic programme {k + 1}", order=k + 1,
                      lead="Synthetic director of transformation", description=SYNTHETIC)
            for ccg in ccgs for k in range(s.programmes)
        ])  # fmt: skip
        plan_of_ccg = {plan.ccg_id: plan for plan in plans}
        self.create(ProgrammeIntention, [
            ProgrammeIntention(plan=plan_of_ccg[p.ccg_id], programme=p, order=1,
                               text=f"Synthetic intention of {p.name}")
            for p in programmes if p.ccg_id in plan_of_ccg
        ])  # fmt: skip
        self.create(ProgrammeMeasure, [
            ProgrammeMeasure(programme=p, order=k + 1, text=f"Synthetic programme measure {k + 1}")
            for p in programmes for k in range(2)
        ])  # fmt: skip
        through = Programme.commitments.through
        links = []
        for programme in programmes:
            plan = plan_of_ccg.get(programme.ccg_id)
            mine = commitments.get(plan.pk, []) if plan else []
            links += [through(programme=programme, commitment=c)
                      for c in mine[programme.order - 1 :: max(s.programmes, 1)]]  # fmt: skip
        self.create(through, links)


# --- Deleting it again ----------------------------------------------------------------------

# Children before parents (several links PROTECT): model, then the lookup to its CCG.
OWNED = [
    (MeetingAction, "committee__ccg"), (Resolution, "item__meeting__committee__ccg"),
    (Attendance, "meeting__committee__ccg"), (AgendaItem, "meeting__committee__ccg"),
    (Meeting, "committee__ccg"), (CommitteeMember, "committee__ccg"),
    (RiskAction, "risk__ccg"), (RiskReview, "risk__ccg"), (Risk, "ccg"), (Committee, "ccg"),
    (ScorecardResult, "checkpoint__ccg"), (Finding, "checkpoint__ccg"),
    (AgreedAction, "checkpoint__ccg"), (AssuranceCheckpoint, "ccg"),
    (QippMonth, "scheme__ccg"), (QippScheme, "ccg"), (QippProgramme, "ccg"), (QippImport, "ccg"),
    (ContractLine, "contract__ccg"), (Contract, "ccg"),
    (PooledContribution, "pooled_budget__ccg"), (PooledScheme, "pooled_budget__ccg"),
    (PooledBudget, "ccg"), (LocalityBudget, "locality__ccg"),
    (StatedAmount, "financial_plan__ccg"), (BudgetAssumption, "financial_plan__ccg"),
    (FinancialPlan, "ccg"), (FinancialChallenge, "ccg"),
    (Programme.commitments.through, "programme__ccg"), (ProgrammeMeasure, "programme__ccg"),
    (ProgrammeIntention, "programme__ccg"), (Programme, "ccg"),
    (ProgressUpdate, "plan__ccg"), (Action, "commitment__priority__plan__ccg"),
    (Commitment, "priority__plan__ccg"), (SuccessMeasure, "plan__ccg"),
    (LocalityFocus, "plan__ccg"), (PriorityArea, "plan__ccg"),
    (ConsultationComment, "plan__ccg"), (Consultation, "plan__ccg"), (Milestone, "plan__ccg"),
    (PackBuild, "ccg"), (PlanVersion, "plan__ccg"), (Section, "plan__ccg"),
    (PlanStatement, "plan__ccg"),
    (Plan, "ccg"), (GoverningBodyMembership, "ccg"), (Person, "ccg"),
    (PartnerOrganisation, "ccg"), (Locality, "ccg"),
]  # fmt: skip


def delete_content(ccgs) -> None:
    """Delete what `ContentMaker` made for `ccgs` (a queryset), with its history rows, and
    without writing "deleted" history rows for it (the audit log has nothing to say about
    synthetic data going away)."""
    from django.test.utils import override_settings

    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        for model, lookup in OWNED:
            rows = model.objects.filter(**{f"{lookup}__in": ccgs})
            if hasattr(model, "history"):
                model.history.model.objects.filter(id__in=rows.values("pk")).delete()
            # Plan versions refuse deletion (they are frozen records of real plans); synthetic
            # ones go with their synthetic plan.
            models.QuerySet.delete(rows)
