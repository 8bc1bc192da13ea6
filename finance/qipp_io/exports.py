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

from ..qipp_figures import MONTHS, ZERO, Month, figures, last_reported
from .columns import COLUMNS, DERIVED_COLUMNS, MONTH_COLUMNS, STATUS_LABELS, UNIT_LABELS

MONEY_FORMAT = "#,##0.00"
_FORMATS = {
    "Activity change": "0.0",
    "Variance %": "0.00",  # the percentage as a number (-9.43), as in CSV
    **dict.fromkeys(("Planned saving", *DERIVED_COLUMNS[:3], *MONTH_COLUMNS), MONEY_FORMAT),
}
NUMBER_FORMATS: tuple[str | None, ...] = tuple(_FORMATS.get(column) for column in COLUMNS)


def _months(scheme) -> list[Month]:
    return [Month(m.month, m.plan, m.actual, m.forecast) for m in scheme.months.all()]


def report_months(schemes) -> dict[tuple, int]:
    """The report month of each CCG and year among `schemes`: the latest month any of them
    has an actual for. Year to date runs to it for every scheme of the report, as the tracker
    counts it (a scheme that has not reported that month counts it as nothing saved)."""
    months: dict[tuple, int] = {}
    for scheme in schemes:
        key = (scheme.ccg_id, scheme.year)
        months[key] = max(months.get(key, 0), last_reported(_months(scheme)))
    return months


def scheme_row(scheme, through: int | None = None) -> list:
    """One scheme's cells in `COLUMNS` order: text, Decimal or None (blank). Year to date
    runs to `through` (default: the scheme's own last month reported)."""
    stored = {month.month: month for month in scheme.months.all()}
    worked = figures(_months(scheme), through=through)
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


def export_rows(schemes: Iterable, through: dict | None = None) -> tuple[list[str], list[list]]:
    """The headings and one row per scheme (values unguarded: the writers guard them).
    `through` maps (ccg id, year) to the report month; by default each CCG and year's
    latest month reported among `schemes` (the tracker passes its own)."""
    schemes = list(schemes)
    report = report_months(schemes) | (through or {})
    return list(COLUMNS), [scheme_row(s, report.get((s.ccg_id, s.year))) for s in schemes]


def qipp_csv(schemes: Iterable, through: dict | None = None) -> bytes:
    """The report as CSV: UTF-8 with a byte order mark, text guarded against formulas."""
    headings, rows = export_rows(schemes, through)
    return csv_bytes(headings, rows)


def qipp_xlsx(schemes: Iterable, through: dict | None = None) -> bytes:
    """The report as an Excel workbook: numbers as numbers, text guarded against formulas."""
    headings, rows = export_rows(schemes, through)
    return xlsx_bytes(headings, rows, title="QIPP", number_formats=NUMBER_FORMATS)
