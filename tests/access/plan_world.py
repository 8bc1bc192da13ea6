"""Plans in the permission matrix's world: a published (not public) plan of each CCG with one
of everything hung under it, so every plan page and API resource has a record to reach."""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from plans.models import PackBuild
from tests.plans.factories import (
    CommentFactory,
    ConsultationFactory,
    MilestoneFactory,
    PlanFactory,
    SectionFactory,
    StatementFactory,
    VersionFactory,
)


def plan_world(a, b, objects: dict) -> dict:
    things = {}
    for name, ccg in (("a", a), ("b", b)):
        plan = PlanFactory(ccg=ccg, state="published", title=f"Plan of {ccg.ods_code}")
        things[f"plan_{name}"] = plan
        things[f"section_{name}"] = SectionFactory(plan=plan)
        things[f"statement_{name}"] = StatementFactory(plan=plan)
        things[f"milestone_{name}"] = MilestoneFactory(plan=plan)
        consultation = ConsultationFactory(
            plan=plan, opens_on=dt.date(2015, 12, 14), closes_on=dt.date(2016, 1, 22)
        )
        consultation.closed_at = consultation.opened_at
        consultation.save()
        things[f"comment_{name}"] = CommentFactory(plan=plan, consultation=consultation)
        things[f"version_{name}"] = VersionFactory(plan=plan, to_state="published")
        things[f"pack_{name}"] = _pack(plan, published=True)
        things[f"unpublished_pack_{name}"] = _pack(plan, published=False)
    objects["plans"] = (things["plan_a"].pk, things["plan_b"].pk)
    objects["sections"] = (things["section_a"].pk, things["section_b"].pk)
    objects["plan-statements"] = (things["statement_a"].pk, things["statement_b"].pk)
    objects["milestones"] = (things["milestone_a"].pk, things["milestone_b"].pk)
    objects["consultation-comments"] = (things["comment_a"].pk, things["comment_b"].pk)
    objects["packs"] = (things["pack_a"].pk, things["pack_b"].pk)
    return things


def _pack(plan, *, published: bool) -> PackBuild:
    """A finished plan document build of `plan` with a (tiny) file."""
    build = PackBuild.objects.create(ccg=plan.ccg, kind="plan-document", plan=plan,
                                     title=plan.title, status="done", progress=100,
                                     published=published, page_count=1,
                                     finished_at=timezone.now())  # fmt: skip
    build.file.save(f"matrix-{build.pk}.pdf", ContentFile(b"%PDF-1.7 matrix"), save=True)
    return build
