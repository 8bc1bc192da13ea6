"""A worker killed mid-build, with the broker keeping its message for an hour (the default
visibility timeout): the build's heartbeat stops moving, and a fresh worker's sweep sends it
again once the heartbeat is older than PACK_STALE_SECONDS, instead of leaving it "running"
until Redis hands the message back. The old message, should it come back, is ignored.
(tests/plans/test_packs_integration.py covers the pool process killed, and the whole worker
killed with a 3 s visibility timeout.)"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import time
import uuid

import pytest

from plans.models import PackBuild, PackStatus
from tests.conftest import _worker_database_url
from tests.hardening.faults_support import PrivateRedis, WebServer, log_tail, stop_process
from tests.hardening.test_faults_redis import start_worker
from tests.plans.test_packs_integration import children_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plan(ccg, planner):
    from commissioning.years import FinancialYear
    from plans import services

    plan = services.create_plan(user=planner, ccg=ccg, kind="strategic-plan",
                                title="Commissioning Plan 2015-19", first_year=FinancialYear(2015),
                                last_year=FinancialYear(2018))  # fmt: skip
    services.add_section(plan, user=planner, title="Primary Care", body="Four year investment plan")
    return plan


def test_a_build_whose_worker_died_is_sent_again_when_its_heartbeat_is_stale(
    tmp_path, plan, planner, settings
):
    from django.core.files.storage import default_storage
    from django.db import connection

    from commissioning.models import ApiToken

    if connection.vendor != "postgresql":
        pytest.skip("the worker and the server share the test database (PostgreSQL)")
    redis = PrivateRedis(tmp_path)
    media_root = tmp_path / "media"
    media_root.mkdir()
    settings.MEDIA_ROOT = media_root
    env = {
        "DJANGO_SETTINGS_MODULE": "commissioning.settings.base",
        "DATABASE_URL": _worker_database_url(connection.settings_dict["NAME"]),
        "REDIS_URL": redis.url, "MEDIA_ROOT": str(media_root),
        "CELERY_QUEUE": f"faults-worker-{uuid.uuid4().hex[:8]}",
        "PACK_STEP_DELAY_SECONDS": "1", "PACK_STALE_SECONDS": "5", "PACK_SWEEP_SECONDS": "2",
    }  # fmt: skip
    first = fresh = server = None
    _, token = ApiToken.issue(planner, "faults")
    try:
        first = start_worker(env, "faults-first", tmp_path / "first.log")
        server = WebServer(env, tmp_path / "server.log")
        answer = server.post("/api/v1/packs/", {"kind": "plan-document", "plan": plan.pk},
                             headers={"Authorization": f"Token {token}"})  # fmt: skip
        assert answer.status == 202, answer.text
        build = PackBuild.objects.get(pk=answer.json()["id"])
        deadline = time.monotonic() + 60
        while not (build.status == PackStatus.RUNNING and build.progress >= 10):
            assert time.monotonic() < deadline, log_tail(tmp_path / "first.log")
            time.sleep(0.1)
            build.refresh_from_db()
        first_message = build.task_id
        children = children_of(first.pid)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        for child in children:  # prefork children die with their parent; make sure
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        killed_at = time.monotonic()

        fresh = start_worker(env, "faults-fresh", tmp_path / "fresh.log")
        deadline = time.monotonic() + 120
        while not build.is_finished:
            assert time.monotonic() < deadline, (
                f"{build.status} {build.step}\n{log_tail(tmp_path / 'fresh.log')}")  # fmt: skip
            time.sleep(0.25)
            build.refresh_from_db()
        recovered_seconds = time.monotonic() - killed_at
    finally:
        for process in (server, fresh, first):
            if process is not None:
                process.stop() if isinstance(process, WebServer) else stop_process(process)
        redis.stop()

    fresh_log = log_tail(tmp_path / "fresh.log", 10**6)
    assert build.status == PackStatus.DONE, f"{build.error}\n{fresh_log}"
    assert build.attempts == 2 and build.task_id != first_message, fresh_log
    assert f"Pack {build.pk}: sent again" in fresh_log and "succeeded" in fresh_log
    assert not PackBuild.objects.filter(status__in=[PackStatus.QUEUED, PackStatus.RUNNING]).exists()
    with default_storage.open(build.file.name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == build.sha256
    referenced = set(PackBuild.objects.exclude(file="").values_list("file", flat=True))
    assert referenced == {build.file.name} and ".partial" not in build.file.name
    print("FAULTS-WORKER", {"attempts": build.attempts, "seconds": round(recovered_seconds, 1)})
