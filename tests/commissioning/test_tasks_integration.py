"""A practice register upload imported by a real Celery worker, through Redis.

The worker is a separate `celery worker` process (tests/conftest.py) using the same PostgreSQL
test database; tasks are not eager here, so only the worker can have done the work.
"""

import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from commissioning.models import DatasetImport, Practice
from commissioning.models.imports import ImportStatus
from commissioning.practice_register import queue_practice_import
from commissioning.tasks import run_practice_import
from tests.factories import CCGFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
VALID = Path(__file__).parent / "data" / "epraccur_valid.csv"


def wait_until_finished(record, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        record.refresh_from_db()
        if record.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
            return record
        time.sleep(0.2)
    raise AssertionError(f"import {record.pk} still {record.status} after {seconds} s")


@pytest.fixture
def worker(celery_worker_process, settings):
    settings.MEDIA_ROOT = celery_worker_process["media_root"]
    return celery_worker_process


def test_worker_imports_an_uploaded_register(worker):
    for code in ("03L", "04R", "05A", "05L"):
        CCGFactory(ods_code=code)
    user = UserFactory(username="uploader", is_staff=True)

    record = queue_practice_import(ContentFile(VALID.read_bytes(), name="epraccur.csv"), user=user)

    record = wait_until_finished(record)
    assert record.status == ImportStatus.SUCCEEDED, record.message
    assert record.created == Practice.objects.count() > 0
    assert record.requested_by == user
    assert DatasetImport.objects.latest_success("practice-register") == record
    assert "commissioning.tasks.run_practice_import" in worker["log"].read_text()


def test_a_finished_import_sent_again_is_not_redone(worker):
    CCGFactory(ods_code="03L")
    record = queue_practice_import(ContentFile(VALID.read_bytes(), name="epraccur.csv"))
    record = wait_until_finished(record)
    finished_at = record.finished_at

    run_practice_import.delay(record.pk)

    expected = f"Practice import {record.pk} already succeeded: not run again"
    deadline = time.monotonic() + 30
    while expected not in worker["log"].read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert expected in worker["log"].read_text()
    record.refresh_from_db()
    assert record.finished_at == finished_at
