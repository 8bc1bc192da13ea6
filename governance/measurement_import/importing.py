"""Writing a checked file: create or update measurements in one transaction, in batches.

The number of queries does not grow with the rows: the lookups and the measurements the
file may touch are read once, and the writes go in batches of `BATCH_SIZE` through the ORM,
or on PostgreSQL by COPY into temporary tables and one INSERT and one UPDATE from them
(`bulk`; the same rows and values, several times faster).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils import timezone

from commissioning.models import CCG
from plans.errors import NotAllowed

from ..models import ImportStatus, Measurement, MeasurementImport
from . import bulk
from .cells import last_month
from .checking import (
    CheckResult,
    Lookups,
    MeasurementRow,
    RowError,
    check_sheet,
    import_refusal,
    importable_ccgs,
)
from .reading import MeasurementFileError, read_sheet

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_STORED_ERRORS = 1000
UPDATED_FIELDS = ["numerator", "denominator", "value", "source", "illustrative", "imported_by",
                  "updated_at"]  # fmt: skip


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _existing(rows) -> dict[tuple, tuple]:
    """The stored measurements the rows may touch, by key: (pk, numerator, denominator,
    value, source, illustrative). One query, unordered: the model's ordering would join the
    standards, CCGs and providers to sort by their names (seconds for a national file)."""
    if not rows:
        return {}
    starts = [row.period_start for row in rows]
    stored = Measurement.objects.filter(
        standard_id__in={row.standard_id for row in rows},
        ccg_id__in={row.ccg_id for row in rows},
        period_start__range=(min(starts), max(starts)),
    ).order_by()
    stored = stored.values_list(
        "standard_id", "ccg_id", "provider_id", "period_type", "period_start",
        "pk", "numerator", "denominator", "value", "source", "illustrative",
    )  # fmt: skip
    return {tuple(item[:5]): tuple(item[5:]) for item in stored}


def _apply(checked: CheckResult, record: MeasurementImport, *, dry_run: bool) -> Outcome:
    """Tell the rows to create from those to update (a figure differs) and those unchanged,
    and (unless `dry_run`) write them."""
    outcome = Outcome()
    existing = _existing(checked.rows)
    to_create: list[MeasurementRow] = []
    to_update: list[tuple[int, MeasurementRow]] = []
    for row in checked.rows:
        stored = existing.get(row.key) if existing else None
        if stored is None:
            to_create.append(row)
        elif stored[1:] == (row.numerator, row.denominator, row.value, row.source, False):
            outcome.unchanged += 1
        else:
            to_update.append((stored[0], row))
    outcome.created, outcome.updated = len(to_create), len(to_update)
    if not dry_run:
        write = _copy_writes if bulk.available() else _orm_writes
        write(to_create, to_update, imported_by=record.pk, now=timezone.now())
    return outcome


def _orm_writes(to_create, to_update, *, imported_by: int, now) -> None:
    """bulk_create and bulk_update in batches of BATCH_SIZE (SQLite; PostgreSQL copies)."""
    Measurement.objects.bulk_create(
        (
            Measurement(
                standard_id=row.standard_id,
                ccg_id=row.ccg_id,
                provider_id=row.provider_id,
                period_start=row.period_start,
                period_type=row.period_type,
                imported_by_id=imported_by,
                numerator=row.numerator,
                denominator=row.denominator,
                value=row.value,
                source=row.source,
                illustrative=False,
            )
            for row in to_create
        ),
        batch_size=BATCH_SIZE,
    )
    Measurement.objects.bulk_update(
        [
            Measurement(
                pk=pk,
                imported_by_id=imported_by,
                updated_at=now,
                numerator=row.numerator,
                denominator=row.denominator,
                value=row.value,
                source=row.source,
                illustrative=False,
            )
            for pk, row in to_update
        ],
        UPDATED_FIELDS,
        batch_size=BATCH_SIZE,
    )


def _copy_writes(to_create, to_update, *, imported_by: int, now) -> None:
    """PostgreSQL: the same rows, copied into temporary tables, then one INSERT and one
    UPDATE from them (see bulk)."""
    bulk.insert_measurements(to_create, imported_by=imported_by, now=now)
    bulk.update_measurements(to_update, imported_by=imported_by, now=now)


def _summary(checked: CheckResult, outcome: Outcome, ignored: list[str], *,
             dry_run: bool) -> str:  # fmt: skip
    would = "would be " if dry_run else ""
    standards = {row.standard_id for row in checked.rows}
    ccgs = {row.ccg_id for row in checked.rows}
    latest = max(last_month(row.period_start, row.period_type) for row in checked.rows)
    parts = [
        f"{'Dry run, nothing was changed. ' if dry_run else ''}"
        f"Read {_plural(checked.rows_read, 'row')}: "
        f"{_plural(outcome.created, 'measurement')} {would}created, "
        f"{outcome.updated:,} {would}updated, {outcome.unchanged:,} unchanged, for "
        f"{_plural(len(standards), 'standard')} and {_plural(len(ccgs), 'CCG')}; "
        f"data up to {latest:%B %Y}."
    ]
    if ignored:
        parts.append(f"Columns not read: {', '.join(ignored)}.")
    return " ".join(parts)


def _failure_message(checked: CheckResult) -> str:
    total = len(checked.errors)
    message = (
        f"No measurements were changed: {_plural(total, 'problem')} in "
        f"{_plural(checked.rows_with_errors, 'row')} of {checked.rows_read:,}. "
        "Correct the file and import it again."
    )
    if total > MAX_STORED_ERRORS:
        message += (
            f" The first {MAX_STORED_ERRORS:,} problems are listed; "
            f"{total - MAX_STORED_ERRORS:,} more are not shown."
        )
    return message


def import_measurements(
    source: str | os.PathLike | IO,
    *,
    source_name: str,
    user=None,
    ccg=None,
    dry_run: bool = False,
    record: MeasurementImport | None = None,
) -> MeasurementImport:
    """Import a CSV or XLSX file of measurements, all or nothing.

    `user` decides which CCGs' rows may be imported (None: the system, every CCG); `ccg`
    limits the file to one CCG. Returns the saved MeasurementImport: succeeded with counts,
    a summary and `latest_period`, or failed with a row-by-row report in `errors` and no
    measurement written. With `dry_run` everything is checked and counted, nothing written.
    `record` is an existing (queued) MeasurementImport to fill in.
    """
    record = record or MeasurementImport()
    name_max = MeasurementImport._meta.get_field("source_name").max_length
    record.source_name = (source_name or "measurements")[:name_max]
    record.dry_run = dry_run
    record.ccg = ccg if ccg is not None else record.ccg
    if user is not None:
        record.requested_by = user
    record.status = ImportStatus.RUNNING
    record.started_at = timezone.now()
    record.finished_at = record.latest_period = None
    record.rows_read = record.created = record.updated = record.unchanged = 0
    record.errors = []
    record.message = ""
    record.save()
    with _collection_paused():
        return _import(record, source, source_name, user=user, ccg=ccg, dry_run=dry_run)


@contextlib.contextmanager
def _collection_paused():
    """Python's cyclic garbage collector off while a file is read, checked and written: a
    national file is millions of small objects (cells, rows, keys, Decimals), none of them
    garbage in a cycle, and the collector would walk them all again and again (about 40% of
    the time checking took). Reference counting frees memory as usual meanwhile; the
    collector is switched back on (if it was on) however the import ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(record: MeasurementImport, source, source_name: str, *, user, ccg,
            dry_run: bool) -> MeasurementImport:  # fmt: skip
    refusal = import_refusal(user, ccg)
    if refusal:
        return _fail(record, refusal, [])
    try:
        sheet = read_sheet(source, source_name or "")
    except MeasurementFileError as exc:
        error = RowError(exc.row, exc.column, exc.message)
        return _fail(record, exc.message, [error.as_dict()])

    lookups = Lookups.load(sheet, user=user, ccg=ccg, today=timezone.localdate())
    checked = check_sheet(sheet, lookups)
    record.rows_read = checked.rows_read
    if checked.errors:
        errors = [error.as_dict() for error in checked.errors[:MAX_STORED_ERRORS]]
        return _fail(record, _failure_message(checked), errors)

    try:
        with transaction.atomic():
            outcome = _apply(checked, record, dry_run=dry_run)
            record.created, record.updated = outcome.created, outcome.updated
            record.unchanged = outcome.unchanged
            record.latest_period = max(
                last_month(row.period_start, row.period_type) for row in checked.rows
            )
            record.message = _summary(checked, outcome, sheet.ignored, dry_run=dry_run)
            record.status = ImportStatus.SUCCEEDED
            record.finished_at = timezone.now()
            record.save()
    except Exception:
        logger.exception("Measurement import %s stopped unexpectedly", record.pk)
        record.created = record.updated = record.unchanged = 0
        record.latest_period = None
        _fail(
            record,
            "The import stopped unexpectedly and no measurements were changed. Try again; if "
            "it fails again, contact the system administrator.",
            [],
        )
        raise
    logger.info("Measurement import %s: %s", record.pk, record.message)
    return record


def _fail(record: MeasurementImport, message: str, errors: Iterable[dict]) -> MeasurementImport:
    record.status = ImportStatus.FAILED
    record.message = message
    record.errors = list(errors)
    record.finished_at = timezone.now()
    record.save()
    logger.info("Measurement import %s failed: %s", record.pk, message)
    return record


def queue_measurement_import(
    uploaded_file, *, user, ccg=None, dry_run: bool = False
) -> MeasurementImport:
    """Store an uploaded file with a queued MeasurementImport and run it in the background
    once the current transaction commits (at once, in-process, when Celery is eager).
    Raises NotAllowed when `user` may not import (for `ccg`)."""
    from ..tasks import run_measurement_import

    refusal = import_refusal(user, ccg)
    if refusal:
        raise NotAllowed(refusal)
    if ccg is None:
        own = importable_ccgs(user)
        if own is not None and len(own) == 1:
            ccg = CCG.objects.get(pk=next(iter(own)))
    name = os.path.basename(getattr(uploaded_file, "name", "") or "measurements.csv")
    record = MeasurementImport(source_name=name, requested_by=user, ccg=ccg, dry_run=dry_run)
    record.file.save(name, uploaded_file, save=False)
    record.save()
    transaction.on_commit(lambda: run_measurement_import.delay(record.pk))
    return record
