"""The plans API under /api/v1/: plans (with lifecycle moves, refresh, versions and diffs),
sections, statements, milestones and consultation comments. Registered into the shared
router from `PlansConfig.ready()`; the resources live in the api_*.py modules."""

from __future__ import annotations


def register_api() -> None:
    from commissioning.api_registry import register

    from .api_consultation import CommentViewSet
    from .api_content import MilestoneViewSet, SectionViewSet, StatementViewSet
    from .api_packs import PackViewSet
    from .api_plans import PlanViewSet

    register("plans", PlanViewSet, basename="plan")
    register("sections", SectionViewSet, basename="section")
    register("plan-statements", StatementViewSet, basename="plan-statement")
    register("milestones", MilestoneViewSet, basename="milestone")
    register("consultation-comments", CommentViewSet, basename="consultation-comment")
    register("packs", PackViewSet, basename="pack")
