"""Writing a checked register: create, update and close practices in one transaction."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.db import transaction
from django.utils import timezone

from ..models import CCG, DatasetImport, Practice
from ..models.imports import ImportStatus
from ..models.organisations import PracticeStatus
from .parsing import (
    BATCH_SIZE,
    DATASET,
    IMPORTED_FIELDS,
    MAX_STORED_ERRORS,
    ParseResult,
    RegisterFileError,
    RowError,
    parse_register,
)

logger = logging.getLogger(__name__)


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
    from ..tasks import run_practice_import

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
