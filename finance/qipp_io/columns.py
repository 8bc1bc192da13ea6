"""The columns of a QIPP report, in the order real monthly reports lay them out, and how the
headings people write map onto them."""

from __future__ import annotations

from commissioning.spreadsheets import normalise_heading
from priorities.models import DeliveryStatus

from ..models import ActivityUnit
from ..qipp_figures import MONTH_NAMES, MONTHS

MONTH_FIGURES = ("plan", "actual", "forecast")

#: Scheme columns: heading -> QippScheme field (Programme is the QIPP programme's name,
#: Provider its ODS code).
SCHEME_COLUMNS = {
    "Unique ref": "reference",
    "Programme": "qipp_programme",
    "Project name": "project",
    "Point of delivery": "point_of_delivery",
    "Provider": "provider",
    "Lead": "lead",
    "Activity change": "activity_change",
    "Activity unit": "activity_unit",
    "Status": "status",
    "Planned saving": "planned_saving",
}
#: Worked out from the months (finance.qipp_figures); checked when a file gives them.
DERIVED_COLUMNS = ("Gross plan", "Gross actual", "Gross variance", "Variance %")


def month_column(month: int, figure: str) -> str:
    """`M3 actual`."""
    return f"M{month} {figure}"


MONTH_COLUMNS = tuple(
    month_column(month, figure) for month in range(1, MONTHS + 1) for figure in MONTH_FIGURES
)
COLUMNS: tuple[str, ...] = (*SCHEME_COLUMNS, *DERIVED_COLUMNS, *MONTH_COLUMNS)
REQUIRED = ("Unique ref", "Programme", "Project name", "Planned saving")
FIELD_COLUMNS = {field: column for column, field in SCHEME_COLUMNS.items()}

# The normalised name of each column ("M1 plan" is `m1_plan`), and headings people also use.
KEY = {column: normalise_heading(column) for column in COLUMNS}
HEADING = {key: column for column, key in KEY.items()}


def _aliases() -> dict[str, str]:
    aliases = {
        "ref": "Unique ref",
        "reference": "Unique ref",
        "unique_reference": "Unique ref",
        "scheme_ref": "Unique ref",
        "qipp_ref": "Unique ref",
        "programme_name": "Programme",
        "workstream": "Programme",
        "qipp_programme": "Programme",
        "program": "Programme",
        "project": "Project name",
        "scheme": "Project name",
        "scheme_name": "Project name",
        "pod": "Point of delivery",
        "provider_code": "Provider",
        "provider_ods_code": "Provider",
        "scheme_lead": "Lead",
        "project_lead": "Lead",
        "activity": "Activity change",
        "unit": "Activity unit",
        "delivery_status": "Status",
        "saving": "Planned saving",
        "planned_savings": "Planned saving",
        "annual_saving": "Planned saving",
        "ytd_plan": "Gross plan",
        "ytd_actual": "Gross actual",
        "variance": "Gross variance",
        "ytd_variance": "Gross variance",
        "variance_percent": "Variance %",
        "variance_pct": "Variance %",
        "%_variance": "Variance %",
    }
    for month in range(1, MONTHS + 1):
        name = MONTH_NAMES[month - 1].lower()
        for figure in MONTH_FIGURES:
            column = month_column(month, figure)
            for written in (f"m{month:02d} {figure}", f"{name} {figure}", f"{name[:3]} {figure}",
                            f"{figure} m{month}"):  # fmt: skip
                aliases[normalise_heading(written)] = column
    return {alias: KEY[column] for alias, column in aliases.items()}


ALIASES = _aliases()


def _choices(choices) -> dict[str, str]:
    """Code or label (any case) -> code."""
    found = {}
    for code, label in choices:
        found[code.lower()] = code
        found[str(label).lower()] = code
    return found


UNIT_CHOICES = _choices(ActivityUnit.choices)
STATUS_CHOICES = _choices(DeliveryStatus.choices)
UNIT_LABELS = dict(ActivityUnit.choices)
STATUS_LABELS = dict(DeliveryStatus.choices)
