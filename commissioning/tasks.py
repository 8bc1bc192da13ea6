"""Background tasks of the core domain. The DatasetImport row is the truth; Celery only runs it.

Tasks are idempotent and safe to retry: a finished import (succeeded or failed) is never redone,
and an import interrupted mid-way (status still running, its transaction rolled back) is simply
run again.
"""

import logging

from celery import shared_task
from django.utils import timezone

from .models import DatasetImport
from .models.imports import ImportStatus

logger = logging.getLogger(__name__)

FINISHED = (ImportStatus.SUCCEEDED, ImportStatus.FAILED)


@shared_task(acks_late=True, ignore_result=True)
def run_practice_import(import_id: int) -> str | None:
    """Run the practice register import recorded as DatasetImport `import_id`, reading the
    file stored with it through Django's storage API. Returns the final status."""
    from .practice_register import import_practice_register

    record = DatasetImport.objects.filter(pk=import_id).first()
    if record is None:
        logger.warning("Practice import %s does not exist: nothing to do", import_id)
        return None
    if record.status in FINISHED:
        logger.info("Practice import %s already %s: not run again", import_id, record.status)
        return record.status

    if not record.file:
        return _fail(record, "No file was stored with this import: upload the file again.")
    try:
        stream = record.file.storage.open(record.file.name, "rb")
    except OSError:
        logger.exception("Practice import %s: stored file cannot be opened", import_id)
        return _fail(
            record,
            "The stored file could not be opened: upload the file again.",
        )
    with stream:
        record = import_practice_register(
            stream,
            source_name=record.source_name or record.file.name,
            dry_run=record.dry_run,
            close_missing=record.close_missing,
            record=record,
        )
    return record.status


def _fail(record: DatasetImport, message: str) -> str:
    now = timezone.now()
    record.status = ImportStatus.FAILED
    record.message = message
    record.started_at = record.started_at or now
    record.finished_at = now
    record.save(update_fields=["status", "message", "started_at", "finished_at"])
    return record.status
