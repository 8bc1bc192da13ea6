"""Spreadsheets in and out: the one reader of CSV and XLSX files that imports share, and the
one guard against formula injection that exports share.

Reading (`read_sheet`): the bytes of a path, a file-like object (a Django UploadedFile, say)
or bytes; an XLSX workbook (by its content, or a name ending .xlsx/.xlsm) is read with
openpyxl, anything else as UTF-8 CSV with or without a byte order mark. The first non-blank
row is the header; its headings are normalised ("Period Type" is `period_type`) and mapped
through the caller's aliases; columns the caller does not know are ignored and named. Row
numbers are those a spreadsheet shows (the header is usually row 1), and `cell_ref` gives a
cell's name as Excel shows it (`K7`). A file that cannot be read raises `SpreadsheetError`,
carrying the row, column and cell when one is the problem.

Writing (`csv_bytes`, `xlsx_bytes`): a text cell starting with = + - @ (or a tab or a carriage
return) would run as a formula when the file is opened (OWASP "CSV injection"). In CSV it
is prefixed with an apostrophe (`safe_cell`), which the reader takes off again, so an
exported file re-imports as it was; in XLSX it is stored as a text cell with Excel's quote
prefix, so it is shown, edited and read back as the text it is. Numbers stay numbers. CSV is
UTF-8 with a byte order mark (Excel otherwise reads it as Windows-1252 and mangles "£").
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAGIC = b"PK\x03\x04"
XLSX_ENDINGS = (".xlsx", ".xlsm")
# Files people pick by mistake, by their first bytes: what they are and what to do instead.
_SPREADSHEET_ITSELF = (
    "import the spreadsheet itself, saved as 'Excel Workbook' (.xlsx) or 'CSV UTF-8'"
)
NOT_SPREADSHEETS = (
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls), which the import cannot read",
     "open it in Excel and save it as 'Excel Workbook' (.xlsx) or 'CSV UTF-8', then import it "
     "again"),
    (b"%PDF", "a PDF document, not a spreadsheet", _SPREADSHEET_ITSELF),
    (b"\x89PNG", "a PNG image, not a spreadsheet", _SPREADSHEET_ITSELF),
    (b"\xff\xd8\xff", "a JPEG image, not a spreadsheet", _SPREADSHEET_ITSELF),
    (b"GIF8", "a GIF image, not a spreadsheet", _SPREADSHEET_ITSELF),
    (b"\x1f\x8b", "a gzip archive, not a spreadsheet",
     "unpack it and import the spreadsheet inside (.xlsx or CSV UTF-8)"),
)  # fmt: skip
SAVE_AS = "save it as 'Excel Workbook' (.xlsx) or 'CSV UTF-8' and import it again"


class SpreadsheetError(Exception):
    """The file as a whole cannot be read. `row` is the spreadsheet's row number, `column`
    the (normalised) column name and `cell` the cell (`D1`) when one of them is the problem."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None,
                 cell: str | None = None):  # fmt: skip
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
        self.cell = cell


# --- The formula guard ----------------------------------------------------------------------


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def looks_like_formula(value) -> bool:
    """Whether a spreadsheet would take this text cell for a formula. Numbers never are."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value) -> str:
    """The value as CSV text that a spreadsheet will not evaluate as a formula: text that
    starts like one gets an apostrophe in front; numbers (even negative ones) are numbers."""
    if value is None:
        return ""
    if _is_number(value):
        return str(value)
    text = str(value)
    return f"'{text}" if looks_like_formula(text) else text


def unguard(text: str) -> str:
    """Undo `safe_cell`: the apostrophe our CSV exports put before a cell starting like a
    formula."""
    if text.startswith("'") and looks_like_formula(text[1:]):
        return text[1:]
    return text


# --- Writing --------------------------------------------------------------------------------


def csv_bytes(headings: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A CSV file (UTF-8 with a byte order mark, CRLF line ends), every cell guarded."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(heading) for heading in headings])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(headings: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet1",
               number_formats: Sequence[str | None] = ()) -> bytes:  # fmt: skip
    """An XLSX workbook of one sheet: a bold, frozen header row; numbers as numbers (with
    `number_formats[i]` for column i when given); text guarded against formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    sheet.freeze_panes = "A2"
    for position, heading in enumerate(headings, start=1):
        width = min(max(len(str(heading)) + 2, 10), 40)
        sheet.column_dimensions[get_column_letter(position)].width = width
    bold = Font(bold=True)

    def cell(value, position: int, header: bool = False):
        made = WriteOnlyCell(sheet)
        if isinstance(value, str):
            made.value = value
            if looks_like_formula(value):
                made.data_type = "s"  # openpyxl would store "=..." as a formula
                made.quotePrefix = True  # and Excel keeps it text when it is edited
        else:
            made.value = value
            fmt = number_formats[position] if position < len(number_formats) else None
            if fmt and _is_number(value):
                made.number_format = fmt
        if header:
            made.font = bold
        return made

    sheet.append([cell(str(h), i, header=True) for i, h in enumerate(headings)])
    for row in rows:
        sheet.append([cell(value, i) for i, value in enumerate(row)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Reading --------------------------------------------------------------------------------


def normalise_heading(text, aliases: Mapping[str, str] | None = None) -> str:
    """A header cell as a column name: "Period Type" and "period-type" are `period_type`,
    then mapped through `aliases` (keys are normalised names)."""
    name = "_".join(str(text or "").strip().lower().replace("-", " ").split())
    return (aliases or {}).get(name, name)


def column_letter(position: int) -> str:
    """The letter(s) of a column from its 0-based position: 0 is A, 26 is AA."""
    letters = ""
    number = position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class Sheet:
    """The header's known columns (name -> 0-based position), the data rows (row number,
    cells) without blank rows, and the headings that were not read."""

    header_row: int
    columns: dict[str, int]
    header: tuple = ()  # the header row's cells as read
    rows: list[tuple[int, tuple]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)  # name -> heading as written

    def value(self, cells: tuple, name: str):
        """The cell of column `name` in a row (None when the column is absent or short)."""
        position = self.columns.get(name)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def cell_ref(self, name: str, row: int) -> str | None:
        """`K7`: the cell of column `name` in row `row`, or None when there is no column."""
        position = self.columns.get(name)
        return None if position is None else f"{column_letter(position)}{row}"


def read_bytes(source: str | os.PathLike | IO | bytes, *, max_bytes: int | None = None) -> bytes:
    """The whole file. With `max_bytes`, a larger file is refused without reading it all."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        try:
            path = Path(source)
            if max_bytes is not None and path.stat().st_size > max_bytes:
                raise _too_big(max_bytes)
            data = path.read_bytes()
        except OSError as exc:
            raise SpreadsheetError(f"The file could not be opened: {exc.strerror}.") from exc
    else:
        if hasattr(source, "seek"):
            with contextlib.suppress(OSError, ValueError):
                source.seek(0)
        size = getattr(source, "size", None)
        if max_bytes is not None and isinstance(size, int) and size > max_bytes:
            raise _too_big(max_bytes)
        data = source.read() if max_bytes is None else source.read(max_bytes + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_big(max_bytes)
    return data


def _too_big(max_bytes: int) -> SpreadsheetError:
    return SpreadsheetError(
        f"The file is larger than {_size(max_bytes)}: import it in parts, or leave out "
        "columns and sheets the import does not need."
    )


def _size(count: int) -> str:
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MB"
    return f"{count:,} bytes"


def is_xlsx(data: bytes, name: str = "") -> bool:
    return data.startswith(XLSX_MAGIC) or name.lower().endswith(XLSX_ENDINGS)


def read_rows(data: bytes, name: str = "") -> Iterator[tuple[int, tuple]]:
    """Every row of the file (row number, cells), blank ones included: XLSX by its content
    or the name's ending, else CSV."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SpreadsheetError(
            "The file is UTF-16 text (Excel's 'Unicode Text'), not UTF-8: save it as 'CSV "
            "UTF-8' or as an Excel workbook (.xlsx) and import it again."
        )
    for magic, what, instead in NOT_SPREADSHEETS:
        if data.startswith(magic):
            raise SpreadsheetError(f"The file is {what}: {instead}.")
    if is_xlsx(data, name):
        return _xlsx_rows(data)
    if b"\x00" in data[:4096]:
        raise SpreadsheetError(
            f"The file is not a CSV file or an Excel workbook (it holds binary data): {SAVE_AS}."
        )
    return _csv_rows(data)


def _csv_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    offset = 0
    if data.startswith(codecs.BOM_UTF8):
        data, offset = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex().upper()
        raise SpreadsheetError(
            f"The file is not UTF-8 text: the byte 0x{bad} at byte {exc.start + offset} "
            f"(line {line}) cannot be read. Save it as UTF-8 (in Excel: 'CSV UTF-8') or as "
            "an Excel workbook (.xlsx) and import it again.",
            row=line,
        ) from exc
    if "\x00" in text:  # past the first 4 KB read_rows looked at: a cell holds a NUL
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SpreadsheetError(
            f"Line {line} holds a NUL character (binary data), not CSV text: {SAVE_AS}.",
            row=line,
        )
    return _csv_lines(text)


def _csv_lines(text: str) -> Iterator[tuple[int, tuple]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        number = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SpreadsheetError(
                f"Row {number} cannot be read as CSV ({exc}). Check the file is comma-separated.",
                row=number,
            ) from exc
        yield number, tuple(unguard(cell) for cell in cells)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise SpreadsheetError(
            "The file cannot be read as an Excel workbook (.xlsx). Save it again from Excel "
            "as 'Excel Workbook' or as 'CSV UTF-8'."
        ) from exc
    return _xlsx_lines(workbook)


def _xlsx_lines(workbook) -> Iterator[tuple[int, tuple]]:
    try:
        if not workbook.worksheets:
            return
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


def blank(cells: tuple) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def read_sheet(
    source: str | os.PathLike | IO | bytes,
    name: str = "",
    *,
    known: Iterable[str],
    aliases: Mapping[str, str] | None = None,
    normalise: Callable[[object, Mapping[str, str] | None], str] = normalise_heading,
    empty_message: str = "The file is empty: the first row must name the columns.",
    max_bytes: int | None = None,
    max_rows: int | None = None,
    rows_noun: str = "rows",
) -> Sheet:
    """The header and the non-blank data rows of a CSV or XLSX file.

    `known` are the (normalised) column names the caller reads; a known column named twice
    is an error, other headings are ignored and listed in `Sheet.ignored`. A file with more
    than `max_rows` data rows, or more than `max_bytes` bytes, is refused. A file with a
    header and no rows gives a Sheet with no rows: the caller says what was missing.
    """
    data = read_bytes(source, max_bytes=max_bytes)
    rows = read_rows(data, name)
    try:
        return _sheet(rows, set(known), aliases, normalise, empty_message, max_rows, rows_noun)
    finally:
        rows.close()  # an XLSX workbook is closed even when reading stopped early


def _sheet(rows, known, aliases, normalise, empty_message, max_rows, rows_noun) -> Sheet:
    header = None
    for number, cells in rows:
        if not blank(cells):
            header = (number, cells)
            break
    if header is None:
        raise SpreadsheetError(empty_message)
    number, cells = header
    sheet = Sheet(header_row=number, columns={}, header=cells)
    for position, cell in enumerate(cells):
        column = normalise(cell, aliases)
        if not column:
            continue
        if column in sheet.columns:
            raise SpreadsheetError(
                f"The column '{column}' appears twice in the header (row {number}): keep one.",
                row=number,
                column=column,
                cell=f"{column_letter(position)}{number}",
            )
        if column in known:
            sheet.columns[column] = position
            sheet.headings[column] = str(cell).strip()
        else:
            sheet.ignored.append(str(cell).strip())
    for row_number, row_cells in rows:
        if blank(row_cells):
            continue
        if max_rows is not None and len(sheet.rows) >= max_rows:
            raise SpreadsheetError(
                f"The file has more than {max_rows:,} {rows_noun} (row {row_number} is past the "
                "limit): import it in parts.",
                row=row_number,
            )
        sheet.rows.append((row_number, row_cells))
    return sheet
