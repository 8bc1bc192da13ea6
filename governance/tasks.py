"""Background tasks of performance. The MeasurementImport row is the truth; Celery only runs it.

Idempotent and safe to retry: a finished import (succeeded or failed) is never run again, and
one interrupted mid-way (still running, its transaction rolled back) is simply run again.
"""

import logging

from celery import shared_task
from django.utils import timezone

from .models import ImportStatus, MeasurementImport

logger = logging.getLogger(__name__)

FINISHED = (ImportStatus.SUCCEEDED, ImportStatus.FAILED)


@shared_task(acks_late=True, ignore_result=True)
def run_measurement_import(import_id: int) -> str | None:
    """Run the measurement import recorded as MeasurementImport `import_id`, reading its
    stored file, as the user who asked for it. Returns the final status."""
    from .measurement_import import import_measurements

    record = (
        MeasurementImport.objects.select_related("ccg", "requested_by").filter(pk=import_id).first()
    )
    if record is None:
        logger.warning("Measurement import %s does not exist: nothing to do", import_id)
        return None
    if record.status in FINISHED:
        logger.info("Measurement import %s already %s: not run again", import_id, record.status)
        return record.status
    if not record.file:
        return _fail(record, "No file was stored with this import: upload the file again.")
    try:
        stream = record.file.storage.open(record.file.name, "rb")
    except OSError:
        logger.exception("Measurement import %s: stored file cannot be opened", import_id)
        return _fail(record, "The stored file could not be opened: upload the file again.")
    with stream:
        record = import_measurements(
            stream,
            source_name=record.source_name or record.file.name,
            user=record.requested_by,
            ccg=record.ccg,
            dry_run=record.dry_run,
            record=record,
        )
    return record.status


def _fail(record: MeasurementImport, message: str) -> str:
    now = timezone.now()
    record.status = ImportStatus.FAILED
    record.message = message
    record.started_at = record.started_at or now
    record.finished_at = now
    record.save(update_fields=["status", "message", "started_at", "finished_at"])
    return record.status
