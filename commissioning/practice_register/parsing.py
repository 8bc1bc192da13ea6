"""Reading and checking an ``epraccur.csv`` file: every row, before anything is written."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from ..models.imports import Dataset
from ..models.organisations import Practice, PracticeStatus

DATASET = Dataset.PRACTICE_REGISTER

#: The 27 columns of epraccur.csv, in order (column 1 first).
COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "national grouping",
    "high level health geography",
    "address line 1",
    "address line 2",
    "address line 3",
    "address line 4",
    "address line 5",
    "postcode",
    "open date",
    "close date",
    "status",
    "organisation sub-type",
    "commissioner",
    "join parent date",
    "left parent date",
    "telephone",
    "null (column 19)",
    "null (column 20)",
    "null (column 21)",
    "amended record indicator",
    "null (column 23)",
    "provider/purchaser",
    "null (column 25)",
    "prescribing setting",
    "null (column 27)",
)
COLUMN_COUNT = len(COLUMNS)

# Column numbers (1-based, as a planning manager sees them in a spreadsheet).
COL_CODE = 1
COL_NAME = 2
COL_ADDRESS = (5, 6, 7, 8, 9)
COL_TOWN = 8
COL_POSTCODE = 10
COL_OPEN_DATE = 11
COL_CLOSE_DATE = 12
COL_STATUS = 13
COL_COMMISSIONER = 15
COL_TELEPHONE = 18
COL_PRESCRIBING_SETTING = 26

GP_PRACTICE_SETTING = 4
MAX_STORED_ERRORS = 1000
BATCH_SIZE = 500

PRACTICE_CODE_RE = re.compile(r"^[A-Z][0-9]{5}$")
DATE_RE = re.compile(r"^[0-9]{8}$")
STATUSES = {s.value: s.label for s in PracticeStatus}

# Field lengths the database will hold (Practice model).
MAX_LENGTHS = {
    COL_NAME: Practice._meta.get_field("name").max_length,
    COL_TOWN: Practice._meta.get_field("town").max_length,
    COL_POSTCODE: Practice._meta.get_field("postcode").max_length,
    COL_TELEPHONE: Practice._meta.get_field("telephone").max_length,
    COL_COMMISSIONER: Practice._meta.get_field("commissioner_code").max_length,
}

#: The fields an import sets; an existing practice counts as updated if any of them differs.
IMPORTED_FIELDS = (
    "name",
    "address",
    "town",
    "postcode",
    "telephone",
    "status",
    "open_date",
    "close_date",
    "prescribing_setting",
    "commissioner_code",
    "ccg_id",
)


class RegisterFileError(Exception):
    """The file as a whole cannot be read (not UTF-8, empty, not CSV)."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row


@dataclass
class RowError:
    row: int | None
    message: str
    code: str = ""
    column: int | None = None

    @property
    def column_name(self) -> str:
        return COLUMNS[self.column - 1] if self.column else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "code": self.code,
            "column": self.column,
            "column_name": self.column_name,
            "message": self.message,
        }


def format_error(error: dict[str, Any]) -> str:
    """One stored error as a sentence: "Row 7, column 11 (open date): '2013-04-01' is ..."."""
    where = []
    if error.get("row"):
        where.append(f"Row {error['row']}")
    if error.get("column"):
        where.append(f"column {error['column']} ({error.get('column_name', '')})")
    prefix = ", ".join(where)
    return f"{prefix}: {error['message']}" if prefix else error["message"]


@dataclass
class PracticeRow:
    """One valid GP practice row of the register, in the shape of the Practice model."""

    row: int
    ods_code: str
    name: str
    address: str
    town: str
    postcode: str
    telephone: str
    status: str
    open_date: date
    close_date: date | None
    prescribing_setting: int
    commissioner_code: str

    @property
    def is_closed(self) -> bool:
        return self.status == PracticeStatus.CLOSED or self.close_date is not None


@dataclass
class ParseResult:
    rows_read: int = 0
    practices: list[PracticeRow] = field(default_factory=list)
    not_gp_codes: set[str] = field(default_factory=set)
    not_gp_rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows_with_errors(self) -> int:
        return len({e.row for e in self.errors})


# --- Reading --------------------------------------------------------------------------------


def _read_text(source: str | os.PathLike | IO) -> str:
    """The whole file as text. Raises RegisterFileError naming the problem."""
    limit = settings.PRACTICE_REGISTER_MAX_BYTES
    if isinstance(source, (str, os.PathLike)):
        try:
            path = Path(source)
            size = path.stat().st_size
            data: bytes | str = b"" if size > limit else path.read_bytes()
        except OSError as exc:
            raise RegisterFileError(f"The file could not be opened: {exc.strerror}.") from exc
    else:
        if hasattr(source, "seek"):
            with contextlib.suppress(OSError, ValueError):
                source.seek(0)
        data = source.read(limit + 1)
        size = len(data)
    if size > limit:
        raise RegisterFileError(
            f"The file is larger than {limit // 2**20} MB ({limit:,} bytes), far larger than "
            "the national epraccur.csv: check it is the practice register file."
        )

    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
    else:
        offset = 0
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
            offset = len(codecs.BOM_UTF8)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            bad = data[exc.start : exc.start + 1].hex().upper()
            raise RegisterFileError(
                f"The file is not UTF-8 text: the byte 0x{bad} at byte offset "
                f"{exc.start + offset} (line {line}) cannot be read. Save the file as UTF-8 "
                "(in Excel: 'CSV UTF-8') and import it again.",
                row=line,
            ) from exc

    if "\x00" in text:  # binary data, or a cell no database text column can hold
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise RegisterFileError(
            f"The file holds a NUL character (binary data) on line {line}: it is not the "
            "epraccur.csv text file. Save the file as UTF-8 CSV and import it again.",
            row=line,
        )
    if not text.strip():
        raise RegisterFileError(
            "The file is empty: it has no rows. Choose the epraccur.csv file downloaded "
            "from NHS Digital (it has 27 columns and no header row)."
        )
    return text


def _parse_date(value: str) -> date | str:
    """A date, or the reason `value` is not one."""
    if not DATE_RE.match(value):
        return f"'{value}' is not a date in the form YYYYMMDD"
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return f"'{value}' is not a real date (the form is YYYYMMDD)"


def _check_row(number: int, cells: list[str], result: ParseResult, seen: dict[str, int]) -> None:
    """Check one row of the register and add it (or its errors) to `result`."""
    if len(cells) != COLUMN_COUNT:
        code = cells[0] if cells else ""
        result.errors.append(
            RowError(
                number,
                f"expected {COLUMN_COUNT} columns but found {len(cells)}. Each row of "
                "epraccur.csv has 27 comma-separated columns.",
                code=code,
            )
        )
        return

    def cell(column: int) -> str:
        return cells[column - 1]

    code = cell(COL_CODE)
    errors: list[RowError] = []

    def error(column: int, message: str) -> None:
        errors.append(RowError(number, message, code=code, column=column))

    if result.rows_read == 1 and not PRACTICE_CODE_RE.match(code) and "code" in code.lower():
        result.errors.append(
            RowError(
                number,
                f"'{code}' looks like a header row. epraccur.csv has no header row: "
                "remove this row",
                code=code,
                column=COL_CODE,
            )
        )
        return

    setting_text = cell(COL_PRESCRIBING_SETTING)
    try:
        setting = int(setting_text)
    except ValueError:
        setting = None
        error(
            COL_PRESCRIBING_SETTING,
            f"'{setting_text}' is not a whole number (4 means a GP practice)"
            if setting_text
            else "the prescribing setting is blank; expected a whole number (4 means a GP "
            "practice)",
        )
    if setting is not None and setting != GP_PRACTICE_SETTING:
        # Not a GP practice: skipped, not checked further.
        result.not_gp_rows += 1
        result.not_gp_codes.add(code)
        return

    if not PRACTICE_CODE_RE.match(code):
        if not code:
            error(COL_CODE, "the practice code is blank")
        else:
            error(
                COL_CODE,
                f"'{code}' is not a GP practice code: one capital letter and 5 digits, e.g. C87001",
            )
    elif code in seen:
        error(COL_CODE, f"'{code}' appears again; it was first on row {seen[code]}")
    else:
        seen[code] = number

    name = cell(COL_NAME)
    if not name:
        error(COL_NAME, "the practice name is blank")

    open_date = _parse_date(cell(COL_OPEN_DATE)) if cell(COL_OPEN_DATE) else None
    if open_date is None:
        error(COL_OPEN_DATE, "the open date is blank; expected a date in the form YYYYMMDD")
    elif isinstance(open_date, str):
        error(COL_OPEN_DATE, open_date)

    close_date = _parse_date(cell(COL_CLOSE_DATE)) if cell(COL_CLOSE_DATE) else None
    if isinstance(close_date, str):
        error(COL_CLOSE_DATE, close_date)
    elif close_date and isinstance(open_date, date) and close_date < open_date:
        error(
            COL_CLOSE_DATE,
            f"the close date {close_date:%d/%m/%Y} is before the open date {open_date:%d/%m/%Y}",
        )

    status = cell(COL_STATUS)
    if status not in STATUSES:
        allowed = ", ".join(f"{k} ({v.lower()})" for k, v in STATUSES.items())
        shown = f"'{status}' is not a practice status" if status else "the status is blank"
        error(COL_STATUS, f"{shown}; expected one of {allowed}")

    address_lines = [cell(c) for c in COL_ADDRESS]
    town = address_lines[3] or next((line for line in reversed(address_lines[:3]) if line), "")
    values = {
        COL_NAME: name,
        COL_TOWN: town,
        COL_POSTCODE: cell(COL_POSTCODE),
        COL_TELEPHONE: cell(COL_TELEPHONE),
        COL_COMMISSIONER: cell(COL_COMMISSIONER),
    }
    for column, limit in MAX_LENGTHS.items():
        if len(values[column]) > limit:
            error(
                column,
                f"'{values[column]}' is {len(values[column])} characters long; at most {limit} fit",
            )

    if errors:
        result.errors.extend(errors)
        return

    result.practices.append(
        PracticeRow(
            row=number,
            ods_code=code,
            name=name,
            address="\n".join(line for line in address_lines if line),
            town=town,
            postcode=cell(COL_POSTCODE),
            telephone=cell(COL_TELEPHONE),
            status=status,
            open_date=open_date,
            close_date=close_date,
            prescribing_setting=setting,
            commissioner_code=cell(COL_COMMISSIONER),
        )
    )


def parse_register(source: str | os.PathLike | IO) -> ParseResult:
    """Read and check every row of an epraccur-format file. Writes nothing.

    Raises RegisterFileError when the file as a whole cannot be read.
    """
    text = _read_text(source)
    reader = csv.reader(io.StringIO(text, newline=""))
    result = ParseResult()
    seen: dict[str, int] = {}
    while True:
        number = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RegisterFileError(
                f"Row {number} cannot be read as CSV ({exc}). Check the file is the "
                "comma-separated epraccur.csv.",
                row=number,
            ) from exc
        if not cells or all(not c.strip() for c in cells):
            continue  # blank lines (a trailing newline, say) are not rows
        result.rows_read += 1
        _check_row(number, [c.strip() for c in cells], result, seen)
    return result
