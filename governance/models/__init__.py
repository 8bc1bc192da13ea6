from .performance import (
    Direction,
    Frequency,
    ImportStatus,
    Measurement,
    MeasurementImport,
    PeriodType,
    Standard,
    StandardGroup,
    StandardThreshold,
    Unit,
)

__all__ = [
    "Direction",
    "Frequency",
    "ImportStatus",
    "Measurement",
    "MeasurementImport",
    "PeriodType",
    "Standard",
    "StandardGroup",
    "StandardThreshold",
    "Unit",
]
