"""What plans itself puts into annual review packs (the plan document's own sections come
from plans.packs.document): the purpose and process of the review, the refresh as "current
plan states / proposed", and the consultation's comments with the CCG's responses.

Registered like any other app's sections (PlansConfig.ready()). Reads go through
`for_user(context.user)`.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from . import presenters, snapshots
from .diffing import diff_snapshots
from .models import Consultation, ConsultationComment, Milestone, PackKind
from .packs.registry import PackContext, PackSection, register_section
from .services.lifecycle import baseline_for_refresh

REVIEW = frozenset({PackKind.ANNUAL_REVIEW})


def purpose_section(context: PackContext) -> str | None:
    plan = context.plan
    if plan is None:
        return None
    consultations = list(Consultation.objects.filter(plan__in=type(plan).objects.for_user(
        context.user).filter(pk=plan.pk).values("pk")).order_by("opens_on"))  # fmt: skip
    milestones = list(Milestone.objects.for_user(context.user).filter(plan=plan)
                      .order_by("due_on", "pk"))  # fmt: skip
    return render_to_string("print/plans/purpose.jinja", {
        "plan": plan, "parent": plan.refreshes if plan.refreshes_id else None,
        "consultations": consultations, "milestones": milestones,
    })  # fmt: skip


def refresh_section(context: PackContext) -> str | None:
    plan = context.plan
    if plan is None or not plan.refreshes_id:
        return None
    baseline = baseline_for_refresh(plan)
    if baseline is None:
        return None
    old, old_label = baseline
    diff = diff_snapshots(old, snapshots.take(plan), old_label=old_label,
                          new_label=f"{plan.title} ({plan.version_label})")  # fmt: skip
    table = presenters.scrutiny_table(plan, diff, against_parent=True)
    return render_to_string("print/plans/refresh.jinja", {
        "plan": plan, "table": table, "summary": presenters.diff_summary(diff),
    })  # fmt: skip


def consultation_section(context: PackContext) -> str | None:
    plan = context.plan
    if plan is None:
        return None
    comments = list(
        ConsultationComment.objects.for_user(context.user).filter(plan=plan)
        .select_related("partner", "locality").order_by("created_at", "pk")
    )  # fmt: skip
    if not comments:
        return None
    return render_to_string("print/plans/consultation.jinja", {"comments": comments})


def register() -> None:
    register_section(PackSection("review-purpose", "Purpose and process of the review", REVIEW,
                                 10, purpose_section))  # fmt: skip
    register_section(PackSection("review-refresh", "The refresh: current plan and proposed",
                                 REVIEW, 15, refresh_section))  # fmt: skip
    register_section(PackSection("review-consultation", "Consultation comments and responses",
                                 REVIEW, 90, consultation_section))  # fmt: skip
