"""Reading a measurements file (CSV or XLSX) into rows of cells keyed by column name.

The first non-blank row is the header; columns are found by name, in any order, and
columns the import does not know are ignored (and named in the summary). Row numbers are
those a spreadsheet shows (the header is usually row 1).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

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
XLSX_MAGIC = b"PK\x03\x04"
FORMULA_STARTS = ("=", "+", "-", "@")


class MeasurementFileError(Exception):
    """The file as a whole cannot be read (not CSV or XLSX, not UTF-8, no header, no rows,
    a required column missing). `column` names the column when one is the problem."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


@dataclass
class Sheet:
    """The header's columns (name -> position) and the data rows (row number, cells)."""

    columns: dict[str, int]
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def heading(text) -> str:
    """A header cell as a column name: "Period Type" and "period-type" are `period_type`."""
    name = "_".join(str(text or "").strip().lower().replace("-", " ").split())
    return ALIASES.get(name, name)


def read_sheet(source: str | os.PathLike | IO, name: str = "") -> Sheet:
    """The header and data rows of a CSV or XLSX file (by content, or the name's ending)."""
    data = _read_bytes(source)
    if data.startswith(XLSX_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    return _sheet(rows)


def _read_bytes(source) -> bytes:
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise MeasurementFileError(f"The file could not be opened: {exc.strerror}.") from exc
    if hasattr(source, "seek"):
        with contextlib.suppress(OSError, ValueError):
            source.seek(0)
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def _csv_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    offset = 0
    if data.startswith(codecs.BOM_UTF8):
        data, offset = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex().upper()
        raise MeasurementFileError(
            f"The file is not UTF-8 text: the byte 0x{bad} at byte {exc.start + offset} "
            f"(line {line}) cannot be read. Save it as UTF-8 (in Excel: 'CSV UTF-8') or as "
            "an Excel workbook (.xlsx) and import it again.",
            row=line,
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        number = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise MeasurementFileError(
                f"Row {number} cannot be read as CSV ({exc}). Check the file is comma-separated.",
                row=number,
            ) from exc
        yield number, tuple(_unguard(cell) for cell in cells)


def _unguard(cell: str) -> str:
    """Undo the apostrophe our own CSV exports put before a cell starting like a formula."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise MeasurementFileError(
            "The file cannot be read as an Excel workbook (.xlsx). Save it again from Excel "
            "as 'Excel Workbook' or as 'CSV UTF-8'."
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield number, tuple(_xlsx_value(cell) for cell in cells)
    finally:
        workbook.close()


def _xlsx_value(cell):
    """A cell's value as people see it: a percentage-formatted 0.952 is 95.2."""
    value = getattr(cell, "value", None)
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and "%" in (getattr(cell, "number_format", "") or ""):
        # str() keeps the digits Excel shows; x 100 moves the point, no float error.
        return Decimal(str(value)).scaleb(2)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _blank(cells: tuple) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _sheet(rows: Iterator[tuple[int, tuple]]) -> Sheet:
    header_row = None
    for number, cells in rows:
        if not _blank(cells):
            header_row = (number, cells)
            break
    if header_row is None:
        raise MeasurementFileError(
            "The file is empty. The first row must name the columns: "
            + ", ".join(COLUMNS)
            + " (provider, period_type, numerator, denominator, value and source as needed)."
        )
    number, cells = header_row
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for position, cell in enumerate(cells):
        name = heading(cell)
        if not name:
            continue
        if name in columns:
            raise MeasurementFileError(
                f"The column '{name}' appears twice in the header (row {number}): keep one.",
                row=number,
                column=name,
            )
        if name in COLUMNS:
            columns[name] = position
        else:
            ignored.append(str(cell).strip())
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise MeasurementFileError(
            f"The header (row {number}) has no {' or '.join(missing)} column. The first row "
            "must name the columns: standard, ccg, period, and value or numerator and "
            f"denominator. It has: {', '.join(str(c) for c in cells if c is not None)}.",
            row=number,
            column=missing[0],
        )
    if "value" not in columns and not {"numerator", "denominator"} <= set(columns):
        raise MeasurementFileError(
            f"The header (row {number}) has no value column, and not both numerator and "
            "denominator: give the value, or the numerator and denominator to work a "
            "percentage out from.",
            row=number,
            column="value",
        )
    sheet = Sheet(columns=columns, ignored=ignored)
    sheet.rows = [(n, cells) for n, cells in rows if not _blank(cells)]
    if not sheet.rows:
        raise MeasurementFileError(
            f"The file has a header (row {number}) but no rows of measurements.", row=number
        )
    return sheet
