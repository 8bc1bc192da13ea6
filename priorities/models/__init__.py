from .content import (
    Action,
    Commitment,
    DuePrecision,
    LocalityFocus,
    PriorityArea,
    SuccessMeasure,
    quarter_end,
    quarter_of,
)
from .delivery import ProgressUpdate
from .programmes import Programme, ProgrammeIntention, ProgrammeMeasure
from .status import DeliveryStatus

__all__ = [
    "Action",
    "Commitment",
    "DeliveryStatus",
    "DuePrecision",
    "LocalityFocus",
    "PriorityArea",
    "Programme",
    "ProgrammeIntention",
    "ProgrammeMeasure",
    "ProgressUpdate",
    "SuccessMeasure",
    "quarter_end",
    "quarter_of",
]
