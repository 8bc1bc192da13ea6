"""Import of the national GP practice register (NHS Digital's ``epraccur.csv``).

The file has no header row and 27 columns (see ``COLUMNS``). The import is all-or-nothing:
every row is read and checked first, and if any row is wrong no practice is written; the
``DatasetImport`` record then carries a row-by-row report a planning manager can act on.

Rows whose prescribing setting (column 26) is not 4 are not GP practices (walk-in centres,
out-of-hours services, prisons...): they are skipped and counted, not reported as errors.

Existing practices flagged ``is_placeholder`` are demo stand-ins and are never touched.

The ``DatasetImport`` rows are how the product knows when the register was last imported:
``DatasetImport.objects.latest_success("practice-register")``.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from .models import CCG, DatasetImport, Practice
from .models.imports import Dataset, ImportStatus
from .models.organisations import PracticeStatus

logger = logging.getLogger(__name__)

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
    if isinstance(source, (str, os.PathLike)):
        try:
            data: bytes | str = Path(source).read_bytes()
        except OSError as exc:
            raise RegisterFileError(f"The file could not be opened: {exc.strerror}.") from exc
    else:
        if hasattr(source, "seek"):
            with contextlib.suppress(OSError, ValueError):
                source.seek(0)
        data = source.read()

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


# --- Writing --------------------------------------------------------------------------------


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    closed: int = 0
    unchanged: int = 0
    closed_missing: int = 0
    placeholders_skipped: int = 0
    unknown_commissioner: int = 0
    unknown_commissioner_codes: set[str] = field(default_factory=set)


def _apply(parsed: ParseResult, *, today: date, close_missing: bool, dry_run: bool) -> Outcome:
    """Create/update/close practices from `parsed`. Queries do not grow with the rows."""
    outcome = Outcome()
    ccg_ids = dict(CCG.objects.values_list("ods_code", "id"))
    existing = {p.ods_code: p for p in Practice.objects.all()}

    to_create: list[Practice] = []
    # Practices to update, grouped by the fields that changed: bulk_update writes only those
    # (far cheaper than every field for every row), in one query a batch per group.
    to_update: dict[tuple[str, ...], list[Practice]] = defaultdict(list)

    for row in parsed.practices:
        practice = existing.get(row.ods_code)
        if practice is not None and practice.is_placeholder:
            outcome.placeholders_skipped += 1
            continue
        ccg_id = ccg_ids.get(row.commissioner_code) if row.commissioner_code else None
        if ccg_id is None:
            outcome.unknown_commissioner += 1
            outcome.unknown_commissioner_codes.add(row.commissioner_code or "blank")
        values = {
            "name": row.name,
            "address": row.address,
            "town": row.town,
            "postcode": row.postcode,
            "telephone": row.telephone,
            "status": row.status,
            "open_date": row.open_date,
            "close_date": row.close_date,
            "prescribing_setting": row.prescribing_setting,
            "commissioner_code": row.commissioner_code,
            "ccg_id": ccg_id,
        }
        if practice is None:
            to_create.append(Practice(ods_code=row.ods_code, **values))
            outcome.created += 1
            continue
        was_closed = practice.status == PracticeStatus.CLOSED or practice.close_date is not None
        changed = [f for f in IMPORTED_FIELDS if getattr(practice, f) != values[f]]
        if not changed:
            outcome.unchanged += 1
            continue
        for f in changed:
            setattr(practice, f, values[f])
        update_fields = [f.removesuffix("_id") for f in changed]
        if "ccg_id" in changed and practice.locality_id is not None:
            practice.locality_id = None  # localities belong to a CCG
            update_fields.append("locality")
        to_update[tuple(update_fields)].append(practice)
        if row.is_closed and not was_closed:
            outcome.closed += 1
        else:
            outcome.updated += 1

    if close_missing:
        in_file = {row.ods_code for row in parsed.practices} | parsed.not_gp_codes
        for code, practice in existing.items():
            if code in in_file or practice.is_placeholder:
                continue
            if practice.status == PracticeStatus.CLOSED and practice.close_date is not None:
                continue
            practice.status = PracticeStatus.CLOSED
            practice.close_date = practice.close_date or today
            to_update[("status", "close_date")].append(practice)
            outcome.closed_missing += 1
        outcome.closed += outcome.closed_missing

    if not dry_run:
        Practice.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        for fields, practices in to_update.items():
            Practice.objects.bulk_update(practices, fields, batch_size=BATCH_SIZE)
    return outcome


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _summary(parsed: ParseResult, outcome: Outcome, *, dry_run: bool) -> str:
    would = "would be " if dry_run else ""
    parts = [
        f"{'Dry run, nothing was changed. ' if dry_run else ''}"
        f"Read {_plural(parsed.rows_read, 'row')}: "
        f"{_plural(outcome.created, 'practice')} {would}created, "
        f"{outcome.updated:,} {would}updated, {outcome.closed:,} {would}closed, "
        f"{outcome.unchanged:,} unchanged."
    ]
    if parsed.not_gp_rows:
        parts.append(
            f"{_plural(parsed.not_gp_rows, 'row was', 'rows were')} skipped: not a GP "
            "practice (prescribing setting other than 4)."
        )
    if outcome.closed_missing:
        parts.append(
            f"{_plural(outcome.closed_missing, 'practice')} absent from the file "
            f"{'would be' if dry_run else 'were' if outcome.closed_missing != 1 else 'was'} "
            "closed."
        )
    if outcome.unknown_commissioner:
        codes = ", ".join(sorted(outcome.unknown_commissioner_codes)[:10])
        more = "" if len(outcome.unknown_commissioner_codes) <= 10 else ", ..."
        parts.append(
            f"{_plural(outcome.unknown_commissioner, 'practice has', 'practices have')} a "
            f"commissioner that is not a CCG in the system"
            f"{f' ({codes}{more})' if codes else ''}: linked to no CCG."
        )
    if outcome.placeholders_skipped:
        n = outcome.placeholders_skipped
        parts.append(
            f"{_plural(n, 'demo placeholder practice', 'demo placeholder practices')} in the "
            f"file {'was' if n == 1 else 'were'} left as {'it is' if n == 1 else 'they are'}."
        )
    return " ".join(parts)


def _failure_message(parsed: ParseResult) -> str:
    total = len(parsed.errors)
    message = (
        f"No practices were changed: {_plural(total, 'problem')} in "
        f"{_plural(parsed.rows_with_errors, 'row')} of {parsed.rows_read:,}. "
        "Correct the file and import it again."
    )
    if total > MAX_STORED_ERRORS:
        message += (
            f" The first {MAX_STORED_ERRORS:,} problems are listed; "
            f"{total - MAX_STORED_ERRORS:,} more are not shown."
        )
    return message


def import_practice_register(
    source: str | os.PathLike | IO,
    *,
    source_name: str,
    user=None,
    dry_run: bool = False,
    close_missing: bool = False,
    record: DatasetImport | None = None,
) -> DatasetImport:
    """Import an epraccur-format file of GP practices, all or nothing.

    `source` is a path or a binary/text stream. Returns the saved DatasetImport: status
    succeeded with counts and a summary in `message`, or failed with a row-by-row report in
    `errors` (no practice written). With `close_missing`, open practices absent from the
    file are closed as of today. With `dry_run`, everything is checked and counted but no
    practice is written. `record` is an existing (queued) DatasetImport to fill in.
    """
    now = timezone.now()
    if record is None:
        record = DatasetImport(dataset=DATASET)
    record.dataset = DATASET
    record.source_name = source_name[: DatasetImport._meta.get_field("source_name").max_length]
    record.dry_run = dry_run
    record.close_missing = close_missing
    if user is not None:
        record.requested_by = user
    record.status = ImportStatus.RUNNING
    record.started_at = now
    record.finished_at = None
    record.rows_read = record.created = record.updated = record.closed = record.unchanged = 0
    record.errors = []
    record.message = ""
    record.save()

    try:
        parsed = parse_register(source)
    except RegisterFileError as exc:
        return _fail(record, exc.message, [RowError(exc.row, exc.message).as_dict()])

    record.rows_read = parsed.rows_read
    if parsed.errors:
        return _fail(
            record,
            _failure_message(parsed),
            [e.as_dict() for e in parsed.errors[:MAX_STORED_ERRORS]],
        )
    if not parsed.practices and not parsed.not_gp_rows:
        return _fail(record, "The file has no practice rows.", [])

    try:
        with transaction.atomic():
            outcome = _apply(
                parsed, today=timezone.localdate(), close_missing=close_missing, dry_run=dry_run
            )
            record.created = outcome.created
            record.updated = outcome.updated
            record.closed = outcome.closed
            record.unchanged = outcome.unchanged
            record.message = _summary(parsed, outcome, dry_run=dry_run)
            record.status = ImportStatus.SUCCEEDED
            record.finished_at = timezone.now()
            record.save()
    except Exception:
        logger.exception("Practice register import %s stopped unexpectedly", record.pk)
        record.created = record.updated = record.closed = record.unchanged = 0
        _fail(
            record,
            "The import stopped unexpectedly and no practices were changed. "
            "Try again; if it fails again, contact the system administrator.",
            [],
        )
        raise
    logger.info("Practice register import %s: %s", record.pk, record.message)
    return record


def _fail(record: DatasetImport, message: str, errors: Iterable[dict]) -> DatasetImport:
    record.status = ImportStatus.FAILED
    record.message = message
    record.errors = list(errors)
    record.finished_at = timezone.now()
    record.save()
    logger.info("Practice register import %s failed: %s", record.pk, message)
    return record


def queue_practice_import(
    uploaded_file, *, user=None, dry_run: bool = False, close_missing: bool = False
) -> DatasetImport:
    """Store an uploaded file with a queued DatasetImport and run the import in the background
    once the current transaction commits (at once, in-process, when Celery is eager)."""
    from .tasks import run_practice_import

    name = os.path.basename(getattr(uploaded_file, "name", "") or "epraccur.csv")
    record = DatasetImport(
        dataset=DATASET,
        source_name=name,
        requested_by=user,
        dry_run=dry_run,
        close_missing=close_missing,
    )
    record.file.save(name, uploaded_file, save=False)
    record.save()
    transaction.on_commit(lambda: run_practice_import.delay(record.pk))
    return record
