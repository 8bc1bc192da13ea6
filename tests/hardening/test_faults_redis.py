"""Redis restarted mid-queue: every build still ends, none is left queued or running.

A private redis-server of the test's own (nothing kept on disk, so a restart forgets every
message), a real `celery worker` on it and a real gunicorn serving the API on it, all on the
PostgreSQL test database. Six builds are asked for through the API; once one is running,
redis-server is killed (SIGKILL), two more builds are asked for while it is down (202,
queued, saying the queue cannot be reached), and after 2 s it starts again on the same port.
The queued messages are gone: the worker's sweep (plans/packs/recovery.py), run when it
reconnects and every PACK_SWEEP_SECONDS, finds the builds whose message the broker no longer
holds and sends them again. Without it the lost builds stay queued and the test fails.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from plans.models import PackBuild, PackStatus
from plans.tasks import QUEUE_UNAVAILABLE
from tests.conftest import _worker_database_url
from tests.hardening.faults_support import PrivateRedis, WebServer, log_tail, stop_process

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 180
QUEUED_FIRST, QUEUED_WHILE_DOWN = 6, 2


@pytest.fixture
def draft_plan(ccg, planner):
    from commissioning.years import FinancialYear
    from plans import services

    plan = services.create_plan(user=planner, ccg=ccg, kind="strategic-plan",
                                title="Commissioning Plan 2015-19", first_year=FinancialYear(2015),
                                last_year=FinancialYear(2018))  # fmt: skip
    services.add_section(plan, user=planner, title="Primary Care", body="Four year investment plan")
    return plan


def start_worker(env: dict, name: str, log: Path) -> subprocess.Popen:
    with open(log, "wb") as handle:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "celery", "-A", "commissioning", "worker",
             "--queues", env["CELERY_QUEUE"], "--pool", "prefork", "--concurrency", "2",
             "--hostname", f"{name}@%h", "--loglevel", "INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env={**os.environ, **env}, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"worker exited early:\n{log_tail(log)}")
        if " ready." in log_tail(log, 100000):
            return process
        time.sleep(0.2)
    pytest.fail(f"worker not ready in 60 s:\n{log_tail(log)}")


def states(ids) -> dict[int, tuple[str, str]]:
    return {b.pk: (b.status, b.step) for b in PackBuild.objects.filter(pk__in=ids)}


def test_builds_queued_when_redis_restarts_all_finish(tmp_path, draft_plan, planner, settings):
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
        "REDIS_URL": redis.url,
        "MEDIA_ROOT": str(media_root),
        "CELERY_QUEUE": f"faults-redis-{uuid.uuid4().hex[:8]}",
        "PACK_STEP_DELAY_SECONDS": "0.5",
        "PACK_QUEUED_GRACE_SECONDS": "2",
        "PACK_SWEEP_SECONDS": "5",
    }
    worker_log = tmp_path / "worker.log"
    worker = server = None
    _, token = ApiToken.issue(planner, "faults")
    auth = {"Authorization": f"Token {token}"}
    request = {"kind": "plan-document", "plan": draft_plan.pk, "force": True}

    def logs() -> str:
        return (f"worker:\n{log_tail(worker_log)}\n\nserver:\n"
                f"{server.log_text() if server else ''}")  # fmt: skip

    try:
        worker = start_worker(env, "faults-redis", worker_log)
        server = WebServer(env, tmp_path / "server.log")
        ids = []
        for _ in range(QUEUED_FIRST):
            answer = server.post("/api/v1/packs/", request, headers=auth)
            assert answer.status == 202, answer.text
            ids.append(answer.json()["id"])
        deadline = time.monotonic() + 60
        while not PackBuild.objects.filter(pk__in=ids, status=PackStatus.RUNNING).exists():
            assert time.monotonic() < deadline, f"none running: {states(ids)}\n{logs()}"
            time.sleep(0.1)
        before = states(ids)
        waiting = [pk for pk, (status, _) in before.items() if status == PackStatus.QUEUED]
        assert waiting, f"every build started before the fault: {before}"

        redis.kill()
        killed_at = time.monotonic()
        during = []
        for _ in range(QUEUED_WHILE_DOWN):  # the API still takes builds: 202, not 500
            answer = server.post("/api/v1/packs/", request, headers=auth)
            assert answer.status == 202, f"{answer.status} {answer.text}\n{logs()}"
            body = answer.json()
            assert (body["status"], body["step"]) == ("queued", QUEUE_UNAVAILABLE), body
            during.append(body["id"])
            status = server.get(f"/api/v1/packs/{body['id']}/", headers=auth)
            assert status.status == 200 and status.json()["status"] == "queued"
        ready = server.get("/readyz")
        assert ready.status == 503 and ready.json()["broker"].startswith("broker unreachable")
        time.sleep(2)
        redis.start()
        restarted_at = time.monotonic()

        everything = ids + during
        deadline = time.monotonic() + WAIT_SECONDS
        unfinished = [PackStatus.QUEUED, PackStatus.RUNNING]
        while PackBuild.objects.filter(pk__in=everything, status__in=unfinished).exists():
            assert time.monotonic() < deadline, (
                f"builds left unfinished {WAIT_SECONDS} s after the restart: "
                f"{states(everything)}\n{logs()}")  # fmt: skip
            time.sleep(0.25)
        finished_at = time.monotonic()
    finally:
        if server:
            server.stop()
        if worker:
            stop_process(worker)
        redis.stop()

    builds = list(PackBuild.objects.filter(pk__in=everything))
    done = [b for b in builds if b.status == PackStatus.DONE]
    failed = [b for b in builds if b.status == PackStatus.FAILED]
    assert len(builds) == QUEUED_FIRST + QUEUED_WHILE_DOWN
    assert not failed, [(b.pk, b.error) for b in failed]  # each would need its reason anyway
    assert len(done) == len(builds)
    for build in done:  # a whole file, under its checksum name; no partial file referenced
        assert build.file.name == f"packs/03L/{build.sha256}.pdf", build.file.name
        with default_storage.open(build.file.name, "rb") as handle:
            data = handle.read()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        assert hashlib.sha256(data).hexdigest() == build.sha256 and len(data) == build.size
        assert build.attempts >= 1 and build.progress == 100 and build.error == ""
    # The lost ones were sent again by the sweep (not by chance): the worker logged it.
    text = log_tail(worker_log, 10**7)
    assert "sent again" in text, logs()
    resent = {pk for pk in everything if f"Pack {pk}: sent again" in text}
    assert set(during) <= resent, (resent, logs())
    report = {
        "queued": len(everything), "done": len(done), "failed": len(failed),
        "waiting_when_killed": len(waiting), "sent_again": len(resent),
        "seconds_down": round(restarted_at - killed_at, 1),
        "seconds_to_all_finished_after_restart": round(finished_at - restarted_at, 1),
        "attempts": sorted(b.attempts for b in builds),
    }  # fmt: skip
    print("FAULTS-REDIS", report)
