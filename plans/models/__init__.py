from .consultation import Consultation, ConsultationComment, Milestone, Outcome
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
    "PUBLISHED_STATES",
    "Consultation",
    "ConsultationComment",
    "Milestone",
    "Outcome",
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
