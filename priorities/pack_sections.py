"""What priorities puts into PDF packs (registered with plans.packs in AppConfig.ready()).

- Plan documents and the plan on a page: the priority areas with their objectives, "We will
  ..." commitments and actions (lead, due), and the transformational programmes.
- Annual review packs: delivery by priority, each commitment's status in words with its RAG.
Every read goes through `for_user(context.user)`: a pack shows what its requester may read.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.template.loader import render_to_string

from plans.models import PackKind
from plans.packs.registry import PackContext, PackSection, register_section

from . import delivery
from .models import Action, Commitment, PriorityArea, Programme, ProgrammeIntention


def _priorities(context: PackContext):
    return list(
        PriorityArea.objects.for_user(context.user).filter(plan=context.plan)
        .order_by("order", "pk")
        .prefetch_related(Prefetch(
            "commitments",
            queryset=Commitment.objects.for_user(context.user).order_by("order", "pk")
            .select_related("locality")
            .prefetch_related(Prefetch("actions", queryset=Action.objects.for_user(
                context.user).order_by("order", "pk"))),
        ))
    )  # fmt: skip


def priorities_section(context: PackContext) -> str | None:
    if context.plan is None:
        return None
    priorities = _priorities(context)
    if not priorities:
        return None
    return render_to_string("print/priorities/priorities.jinja", {
        "priorities": priorities, "compact": context.kind == PackKind.PLAN_ON_A_PAGE,
    })  # fmt: skip


def programmes_section(context: PackContext) -> str | None:
    if context.plan is None:
        return None
    programmes = list(
        Programme.objects.for_user(context.user).filter(ccg=context.plan.ccg)
        .filter(intentions__plan=context.plan).distinct().order_by("order", "name")
        .prefetch_related("measures", Prefetch(
            "intentions", to_attr="plan_intentions",
            queryset=ProgrammeIntention.objects.for_user(context.user)
            .filter(plan=context.plan).order_by("order", "pk")))
    )  # fmt: skip
    if not programmes:
        return None
    intentions = {programme.pk: programme.plan_intentions for programme in programmes}
    return render_to_string("print/priorities/programmes.jinja",
                            {"programmes": programmes, "intentions": intentions})  # fmt: skip


def delivery_section(context: PackContext) -> str | None:
    if context.plan is None:
        return None
    priorities = _priorities(context)
    rows = []
    for priority in priorities:
        commitments = list(priority.commitments.all())
        statuses = []
        for commitment in commitments:
            actions = list(commitment.actions.all())
            status = (delivery.roll_up(a.status for a in actions) if actions
                      and not commitment.status_reported_on else commitment.status)  # fmt: skip
            statuses.append(status)
            commitment.pack_status = status
            commitment.pack_rag = delivery.rag(status)
        overall = delivery.roll_up(statuses)
        rows.append({"priority": priority, "commitments": commitments, "status": overall,
                     "rag": delivery.rag(overall),
                     "counts": delivery.counts_by_status(statuses)})  # fmt: skip
    if not rows:
        return None
    return render_to_string("print/priorities/delivery.jinja", {"rows": rows})


def register() -> None:
    documents = frozenset({PackKind.PLAN_DOCUMENT, PackKind.PLAN_ON_A_PAGE})
    register_section(PackSection("priorities", "Our priorities", documents, 20,
                                 priorities_section))  # fmt: skip
    register_section(PackSection("programmes", "Transformational programmes", documents, 30,
                                 programmes_section))  # fmt: skip
    review = frozenset({PackKind.ANNUAL_REVIEW})
    register_section(PackSection("delivery", "Delivery by priority", review, 20,
                                 delivery_section))  # fmt: skip
