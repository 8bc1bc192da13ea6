from .consultation import Consultation, ConsultationComment, Milestone, Outcome
from .packs import FINISHED_STATUSES, PLAN_KINDS, PackBuild, PackKind, PackStatus
from .plan import Plan, PlanContent, PlanStatement, Section, StatementKind
from .states import (
    DRAFTING_STATES,
    EDITABLE_STATES,
    PUBLISHED_STATES,
    PlanKind,
    PlanState,
)
from .versions import PlanVersion, VersionIsImmutable

__all__ = [
    "DRAFTING_STATES",
    "EDITABLE_STATES",
    "FINISHED_STATUSES",
    "PLAN_KINDS",
    "PUBLISHED_STATES",
    "Consultation",
    "ConsultationComment",
    "Milestone",
    "Outcome",
    "PackBuild",
    "PackKind",
    "PackStatus",
    "Plan",
    "PlanContent",
    "PlanKind",
    "PlanState",
    "PlanStatement",
    "PlanVersion",
    "Section",
    "StatementKind",
    "VersionIsImmutable",
]
