"""A QIPP report out of the database, in the layout of `COLUMNS`, as rows, CSV or XLSX.

The caller reads the schemes (through `for_user`) with `select_related("qipp_programme",
"provider")` and `prefetch_related("months")`; nothing here queries. Activity unit and status
are written as their labels ("first outpatient appointments", "On track"), which the import
reads back, as it reads codes. The derived columns come from finance.qipp_figures, so the
file re-imports with every scheme unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from commissioning.spreadsheets import csv_bytes, xlsx_bytes

from ..qipp_figures import MONTHS, ZERO, Month, figures
from .columns import COLUMNS, DERIVED_COLUMNS, MONTH_COLUMNS, STATUS_LABELS, UNIT_LABELS

MONEY_FORMAT = "#,##0.00"
_FORMATS = {
    "Activity change": "0.0",
    "Variance %": "0.00",  # the percentage as a number (-9.43), as in CSV
    **dict.fromkeys(("Planned saving", *DERIVED_COLUMNS[:3], *MONTH_COLUMNS), MONEY_FORMAT),
}
NUMBER_FORMATS: tuple[str | None, ...] = tuple(_FORMATS.get(column) for column in COLUMNS)


def scheme_row(scheme) -> list:
    """One scheme's cells in `COLUMNS` order: text, Decimal or None (blank)."""
    stored = {month.month: month for month in scheme.months.all()}
    worked = figures(Month(m.month, m.plan, m.actual, m.forecast) for m in stored.values())
    row = [
        scheme.reference,
        scheme.qipp_programme.name,
        scheme.project,
        scheme.point_of_delivery,
        scheme.provider.ods_code if scheme.provider_id else "",
        scheme.lead,
        scheme.activity_change,
        str(UNIT_LABELS.get(scheme.activity_unit, scheme.activity_unit)),
        str(STATUS_LABELS.get(scheme.status, scheme.status)),
        scheme.planned_saving,
        worked.ytd_plan,
        worked.ytd_actual,
        worked.variance,
        worked.variance_percent,
    ]
    for number in range(1, MONTHS + 1):
        month = stored.get(number)
        if month is None:
            row += [ZERO, None, None]
        else:
            row += [month.plan, month.actual, month.forecast]
    return row


def export_rows(schemes: Iterable) -> tuple[list[str], list[list]]:
    """The headings and one row per scheme (values unguarded: the writers guard them)."""
    return list(COLUMNS), [scheme_row(scheme) for scheme in schemes]


def qipp_csv(schemes: Iterable) -> bytes:
    """The report as CSV: UTF-8 with a byte order mark, text guarded against formulas."""
    headings, rows = export_rows(schemes)
    return csv_bytes(headings, rows)


def qipp_xlsx(schemes: Iterable) -> bytes:
    """The report as an Excel workbook: numbers as numbers, text guarded against formulas."""
    headings, rows = export_rows(schemes)
    return xlsx_bytes(headings, rows, title="QIPP", number_formats=NUMBER_FORMATS)
