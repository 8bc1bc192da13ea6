"""Reading a measurements file (CSV or XLSX) into rows of cells keyed by column name.

The first non-blank row is the header; columns are found by name, in any order, and
columns the import does not know are ignored (and named in the summary). Row numbers are
those a spreadsheet shows (the header is usually row 1). The reading itself (bytes,
encodings, XLSX, the header) is commissioning.spreadsheets, shared with the other imports.
"""

from __future__ import annotations

import os
from typing import IO

from django.conf import settings

from commissioning import spreadsheets
from commissioning.spreadsheets import (
    FORMULA_STARTS,
    XLSX_MAGIC,
    Sheet,
    SpreadsheetError,
    normalise_heading,
)

#: The columns an import reads. `standard`, `ccg` and `period` are required, and either
#: `value` or both `numerator` and `denominator`.
COLUMNS = (
    "standard",
    "ccg",
    "provider",
    "period",
    "period_type",
    "numerator",
    "denominator",
    "value",
    "source",
)
REQUIRED = ("standard", "ccg", "period")
# Other headings people use for the same columns.
ALIASES = {
    "standard_code": "standard",
    "code": "standard",
    "ccg_code": "ccg",
    "ccg_ods_code": "ccg",
    "provider_code": "provider",
    "provider_ods_code": "provider",
    "month": "period",
    "period_start": "period",
}

__all__ = [
    "ALIASES",
    "COLUMNS",
    "FORMULA_STARTS",
    "REQUIRED",
    "XLSX_MAGIC",
    "MeasurementFileError",
    "Sheet",
    "heading",
    "read_sheet",
]


class MeasurementFileError(SpreadsheetError):
    """The file as a whole cannot be read (not CSV or XLSX, not UTF-8, no header, no rows,
    a required column missing). `column` names the column when one is the problem."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message, row=row, column=column)


def heading(text) -> str:
    """A header cell as a column name: "Period Type" and "period-type" are `period_type`."""
    return normalise_heading(text, ALIASES)


def read_sheet(source: str | os.PathLike | IO, name: str = "") -> Sheet:
    """The header and data rows of a CSV or XLSX file (by content, or the name's ending)."""
    try:
        sheet = spreadsheets.read_sheet(
            source,
            name,
            known=COLUMNS,
            aliases=ALIASES,
            max_bytes=settings.MEASUREMENT_IMPORT_MAX_BYTES,
            empty_message=(
                "The file is empty. The first row must name the columns: "
                + ", ".join(COLUMNS)
                + " (provider, period_type, numerator, denominator, value and source as needed)."
            ),
        )
    except MeasurementFileError:
        raise
    except SpreadsheetError as exc:
        raise MeasurementFileError(exc.message, row=exc.row, column=exc.column) from exc
    number = sheet.header_row
    missing = [name for name in REQUIRED if name not in sheet.columns]
    if missing:
        written = [str(cell) for cell in sheet.header if cell is not None]
        raise MeasurementFileError(
            f"The header (row {number}) has no {' or '.join(missing)} column. The first row "
            "must name the columns: standard, ccg, period, and value or numerator and "
            f"denominator. It has: {', '.join(written)}.",
            row=number,
            column=missing[0],
        )
    if "value" not in sheet.columns and not {"numerator", "denominator"} <= set(sheet.columns):
        raise MeasurementFileError(
            f"The header (row {number}) has no value column, and not both numerator and "
            "denominator: give the value, or the numerator and denominator to work a "
            "percentage out from.",
            row=number,
            column="value",
        )
    if not sheet.rows:
        raise MeasurementFileError(
            f"The file has a header (row {number}) but no rows of measurements.", row=number
        )
    return sheet
