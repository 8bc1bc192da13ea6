"""The priorities API under /api/v1/: priority areas, commitments, actions (the delivery
tracker, also as CSV), progress updates, programmes, principles, locality focus and success
measures. Registered into the shared router from `PrioritiesConfig.ready()`; the resources
live in the api_*.py modules and share the plans API's rules (plans/api_common.py)."""

from __future__ import annotations


def register_api() -> None:
    from commissioning.api_registry import register

    from .api_content import ActionViewSet, CommitmentViewSet, PriorityViewSet
    from .api_delivery import ProgressUpdateViewSet
    from .api_plan_items import LocalityFocusViewSet, PrincipleViewSet, SuccessMeasureViewSet
    from .api_programmes import ProgrammeViewSet

    register("priorities", PriorityViewSet, basename="priority")
    register("commitments", CommitmentViewSet, basename="commitment")
    register("actions", ActionViewSet, basename="action")
    register("progress-updates", ProgressUpdateViewSet, basename="progress-update")
    register("programmes", ProgrammeViewSet, basename="programme")
    register("principles", PrincipleViewSet, basename="principle")
    register("locality-focus", LocalityFocusViewSet, basename="locality-focus")
    register("success-measures", SuccessMeasureViewSet, basename="success-measure")
