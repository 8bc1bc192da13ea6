"""Importing a QIPP report: read, check every row, then write all of it or nothing.

Every import leaves a saved QippImport: succeeded with counts, a preview of what each row
did (or would do) and a summary; or failed with a row-by-row report naming the cell of each
problem, and nothing written. The uploaded file is kept (Django storage) so that a dry run's
preview can be applied later (`apply_import`). Writes go through finance.services in one
transaction.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from commissioning.models.imports import ImportStatus
from commissioning.spreadsheets import Sheet, SpreadsheetError, is_xlsx, read_bytes, read_sheet
from commissioning.years import FinancialYear
from plans.errors import InvalidMove, NotAllowed, PlanError

from .. import services
from ..models import QippImport, QippMonth, QippProgramme, QippScheme
from .checking import CheckResult, Lookups, QippRow, RowError, check_sheet
from .columns import ALIASES, COLUMNS, FIELD_COLUMNS, HEADING, KEY, REQUIRED

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_STORED_ERRORS = 1000
SOURCE_MAX = QippScheme._meta.get_field("source").max_length
NAME_MAX = QippImport._meta.get_field("source_name").max_length


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


# --- Public ---------------------------------------------------------------------------------


def import_qipp(source: bytes | IO | str | os.PathLike, *, ccg, year, user, dry_run: bool,
                source_name: str = "") -> QippImport:  # fmt: skip
    """Import a QIPP report (CSV or XLSX) of `ccg` for `year`, all or nothing.

    Raises NotAllowed when `user` may not change the CCG's finance. Otherwise returns the
    saved QippImport, succeeded or failed; with `dry_run` nothing but that record is
    written (and the file kept, so that the preview can be applied).
    """
    refusal = services.finance_refusal(user, ccg)
    if refusal:
        raise NotAllowed(refusal)
    record = QippImport(
        ccg=ccg,
        year=FinancialYear.parse(year),
        source_name=_source_name(source, source_name),
        requested_by=user if getattr(user, "pk", None) else None,
        dry_run=dry_run,
        status=ImportStatus.RUNNING,
    )
    try:
        data = read_bytes(source, max_bytes=MAX_BYTES)
    except SpreadsheetError as exc:
        record.save()
        return _fail(record, exc.message, [_file_error(exc)])
    if not data:
        record.save()
        message = _empty_message()
        return _fail(record, message, [RowError(None, None, None, message).as_dict()])
    record.file.save(os.path.basename(record.source_name), ContentFile(data), save=False)
    record.save()
    return _run(record, data, user=user)


def apply_import(record: QippImport, *, user) -> QippImport:
    """Apply a previewed (dry-run) import for real, from the file it kept. Returns the new
    QippImport of the real run. Refuses (InvalidMove) anything but a successful dry run, a
    preview already applied, or one whose file is gone; NotAllowed for a user who may not
    change the CCG's finance."""
    if not record.dry_run or record.status != ImportStatus.SUCCEEDED:
        state = "was not a dry run" if not record.dry_run else f"is {record.status}"
        raise InvalidMove(
            f"Only a successful preview (a dry run) can be applied; import {record.pk} {state}."
        )
    refusal = services.finance_refusal(user, record.ccg)
    if refusal:
        raise NotAllowed(refusal)
    if not record.file:
        raise InvalidMove("The previewed file was not kept: upload it again.", field="file")
    applied = (
        QippImport.objects.filter(file=record.file.name, dry_run=False)
        .exclude(status=ImportStatus.FAILED)
        .exclude(pk=record.pk)
        .first()
    )
    if applied is not None:
        raise InvalidMove(
            f"This preview was already applied (import {applied.pk}, "
            f"{timezone.localtime(applied.created_at):%d %B %Y %H:%M}). Upload the file again "
            "to import it once more."
        )
    try:
        with record.file.open("rb") as stored:
            data = stored.read()
    except (OSError, ValueError) as exc:
        raise InvalidMove(
            "The previewed file can no longer be read: upload it again.", field="file"
        ) from exc
    real = QippImport(
        ccg=record.ccg,
        year=record.year,
        source_name=record.source_name,
        requested_by=user if getattr(user, "pk", None) else None,
        dry_run=False,
        status=ImportStatus.RUNNING,
    )
    real.file.name = record.file.name  # the same stored file: no copy
    real.save()
    real = _run(real, data, user=user)
    if real.status == ImportStatus.SUCCEEDED and _outcome(real.preview) != _outcome(record.preview):
        real.message += (
            " The schemes changed after the preview was made, so this differs from the "
            f"preview (import {record.pk})."
        )
        real.save(update_fields=["message"])
    return real


# --- Running --------------------------------------------------------------------------------


def _source_name(source, given: str) -> str:
    name = given or getattr(source, "name", "") or ""
    if not name and isinstance(source, str | os.PathLike):
        name = Path(source).name
    name = os.path.basename(str(name)) or "qipp-report"
    return name[:NAME_MAX]


def _outcome(preview: list) -> list:
    return [(e.get("kind"), e.get("reference"), e.get("programme"), e.get("action"),
             e.get("changes")) for e in preview]  # fmt: skip


def _empty_message() -> str:
    return (
        "The file is empty. The first row must name the columns of a QIPP report: "
        + ", ".join(COLUMNS[:14])
        + ", then M1 plan, M1 actual, M1 forecast and so on to M12 forecast."
    )


def _file_error(exc: SpreadsheetError) -> dict:
    column = HEADING.get(exc.column, exc.column) if exc.column else None
    return RowError(exc.row, column, exc.cell, exc.message).as_dict()


def _run(record: QippImport, data: bytes, *, user) -> QippImport:
    name = record.source_name
    xlsx = is_xlsx(data, name)
    try:
        sheet = read_sheet(data, name, known=KEY.values(), aliases=ALIASES,
                           empty_message=_empty_message(), max_bytes=MAX_BYTES,
                           max_rows=MAX_ROWS, rows_noun="rows of schemes")  # fmt: skip
    except SpreadsheetError as exc:
        return _fail(record, exc.message, [_file_error(exc)])
    header = sheet.header_row
    missing = [column for column in REQUIRED if KEY[column] not in sheet.columns]
    if missing:
        written = ", ".join(str(c) for c in sheet.header if c not in (None, "")) or "nothing"
        message = (
            f"The header (row {header}) has no {' or '.join(missing)} column: a QIPP report "
            f"needs {', '.join(REQUIRED)} (and the other columns as needed). It has: {written}."
        )
        errors = [RowError(header, column, None, f"the header has no {column} column")
                  for column in missing]  # fmt: skip
        return _fail(record, message, [e.as_dict() for e in errors])
    if not sheet.rows:
        message = f"The file has a header (row {header}) but no rows of schemes."
        return _fail(record, message, [RowError(header, None, None, message).as_dict()])

    lookups = Lookups.load(sheet, ccg=record.ccg, year=record.year)
    checked = check_sheet(sheet, lookups)
    record.rows_read = checked.rows_read
    if checked.errors:
        errors = [error.as_dict() for error in checked.errors[:MAX_STORED_ERRORS]]
        return _fail(record, _failure_message(checked), errors)

    try:
        with transaction.atomic():
            if not record.dry_run:
                _write(checked, sheet, record, user=user, source="XLSX" if xlsx else "CSV")
            record.created = checked.count("create")
            record.updated = checked.count("update")
            record.unchanged = checked.count("unchanged")
            record.preview = checked.preview()
            record.errors = []
            record.message = _summary(checked, record, sheet.ignored)
            record.status = ImportStatus.SUCCEEDED
            record.finished_at = timezone.now()
            record.save()
    except _WriteRefused as refused:
        record.created = record.updated = record.unchanged = 0
        record.preview = []
        message = (
            f"No QIPP schemes were changed: row {refused.error.row} could not be saved. "
            "Correct the file and import it again."
        )
        return _fail(record, message, [refused.error.as_dict()])
    except Exception:
        logger.exception("QIPP import %s stopped unexpectedly", record.pk)
        record.created = record.updated = record.unchanged = 0
        record.preview = []
        _fail(record, "The import stopped unexpectedly and no QIPP schemes were changed. Try "
              "again; if it fails again, contact the system administrator.", [])  # fmt: skip
        raise
    logger.info("QIPP import %s: %s", record.pk, record.message)
    return record


class _WriteRefused(Exception):
    """A service refused a row the checks passed (a rule only the services know)."""

    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


def _write(checked: CheckResult, sheet: Sheet, record: QippImport, *, user,
           source: str) -> None:  # fmt: skip
    ccg, year = record.ccg, record.year
    created: dict[str, QippProgramme] = {}
    for key, new in checked.new_programmes.items():
        try:
            created[key] = services.create(QippProgramme, user=user, ccg=ccg, name=new.name,
                                           order=new.order)  # fmt: skip
        except PlanError as exc:
            cell = sheet.cell_ref(KEY["Programme"], new.row)
            raise _WriteRefused(RowError(new.row, "Programme", cell, exc.message)) from exc
    provenance = f"QIPP import of {record.source_name} ({source})"[:SOURCE_MAX]
    # The schemes to change, read again and locked: an edit made since the file was checked
    # is not overwritten by the snapshot the checks used.
    changing = [row.stored.scheme.pk for row in checked.rows if row.action == "update"]
    locked = {}
    if changing:
        locked = QippScheme.objects.select_for_update().in_bulk(changing)
    for row in checked.rows:
        if row.action == "unchanged":
            continue
        programme = row.programme or created[row.programme_name.casefold()]
        try:
            if row.action == "create":
                _create(row, programme, ccg=ccg, year=year, user=user, provenance=provenance)
            else:
                _update(row, locked[row.stored.scheme.pk], programme, user=user)
        except PlanError as exc:
            raise _WriteRefused(_row_error(row, exc, sheet)) from exc


def _create(row: QippRow, programme, *, ccg, year, user, provenance: str) -> None:
    scheme = services.create(QippScheme, user=user, ccg=ccg, year=year, reference=row.reference,
                             qipp_programme=programme, source=provenance,
                             **row.values)  # fmt: skip
    for month, given in sorted(row.months.items()):
        empty = not given.get("plan") and given.get("actual") is None
        if empty and given.get("forecast") is None:
            continue  # no row needed: a month without figures reads as plan 0, no actual
        # A new scheme has no months yet: create them (record_month would look first).
        services.create(QippMonth, user=user, scheme=scheme, month=month, illustrative=False,
                        **given)  # fmt: skip


def _update(row: QippRow, scheme: QippScheme, programme, *, user) -> None:
    changes = dict(row.scheme_changes)
    if "qipp_programme" in changes:
        changes["qipp_programme"] = programme
    if changes:
        services.update(scheme, user=user, expected_revision=None, **changes)
    for month, figures in sorted(row.month_changes.items()):
        services.record_month(scheme, month, user=user, illustrative=False, **figures)


def _row_error(row: QippRow, exc: PlanError, sheet: Sheet) -> RowError:
    """A service's refusal as a row error, naming the column when the field has one."""
    column = FIELD_COLUMNS.get(exc.field or "")
    cell = sheet.cell_ref(KEY[column], row.row) if column else None
    return RowError(row.row, column, cell, exc.message)


# --- Messages -------------------------------------------------------------------------------


def _summary(checked: CheckResult, record: QippImport, ignored: list[str]) -> str:
    dry_run = record.dry_run
    would = "would be " if dry_run else ""
    parts = [
        f"{'Dry run, nothing was changed. ' if dry_run else ''}"
        f"Read {_plural(checked.rows_read, 'row')} for {record.ccg.display_name} "
        f"{record.year.label}: {_plural(record.created, 'QIPP scheme')} {would}created, "
        f"{record.updated:,} {would}updated, {record.unchanged:,} unchanged."
    ]
    new = [programme.name for programme in checked.new_programmes.values()]
    if new:
        verb = "would be" if dry_run else ("was" if len(new) == 1 else "were")
        parts.append(f"{_plural(len(new), 'new QIPP programme')} {verb} created: "
                     f"{', '.join(new)}.")  # fmt: skip
    if ignored:
        parts.append(f"Columns not read: {', '.join(ignored)}.")
    parts.append("Schemes of the year that are not in the file are left as they are.")
    return " ".join(parts)


def _failure_message(checked: CheckResult) -> str:
    total = len(checked.errors)
    message = (
        f"No QIPP schemes were changed: {_plural(total, 'problem')} in "
        f"{_plural(checked.rows_with_errors, 'row')} of {checked.rows_read:,}. "
        "Correct the file and import it again."
    )
    if total > MAX_STORED_ERRORS:
        message += (
            f" The first {MAX_STORED_ERRORS:,} problems are listed; "
            f"{total - MAX_STORED_ERRORS:,} more are not shown."
        )
    return message


def _fail(record: QippImport, message: str, errors: Iterable[dict]) -> QippImport:
    record.status = ImportStatus.FAILED
    record.message = message
    record.errors = list(errors)
    record.preview = []
    record.finished_at = timezone.now()
    record.save()
    logger.info("QIPP import %s failed: %s", record.pk, message)
    return record
