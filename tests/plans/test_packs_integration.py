"""PDF packs built by real Celery workers on Redis, with the PostgreSQL test database.

Tasks are not eager here: only a worker process can have built the PDF. The session worker
(tests/conftest.py, `--pool solo`) builds a plan document asked for through the API. The fault
tests start workers of their own (`--pool prefork --concurrency 1`, each build step slowed by
PACK_STEP_DELAY_SECONDS=1) on a queue of their own and kill them mid-build:

- the pool's child process (SIGKILL): acks late and reject-on-worker-lost hand the message
  back at once, the worker's new child runs the build again and finishes it (attempt 2);
- the whole worker (SIGKILL of the main process; prefork children die with it): the message
  stays unacknowledged in Redis until the visibility timeout (3 s here, CELERY_VISIBILITY_TIMEOUT)
  has passed, when a fresh worker on the same queue restores it and finishes the build.

Every wait is bounded and fails with the worker's log. Tests read the files the workers wrote
through the storage (MEDIA_ROOT is shared with the workers).
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader

from plans.models import PackBuild, PackStatus
from priorities import services as priorities
from tests.conftest import _worker_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


# --- Workers ----------------------------------------------------------------------------------


def _log_tail(path: Path, chars: int = 6000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except FileNotFoundError:
        return "(no log)"


def children_of(pid: int) -> list[int]:
    """Processes whose parent is `pid`, read from /proc (psutil is not a dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


class Worker:
    """One `celery worker` process of our own: its log, its pool children, killing it."""

    def __init__(self, name: str, queue: str, log: Path, process: subprocess.Popen):
        self.name, self.queue, self.log, self.process = name, queue, log, process

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        return _log_tail(self.log)

    def pool_child(self) -> int:
        children = children_of(self.pid)
        assert len(children) == 1, (
            f"worker {self.name} (pid {self.pid}) should have one pool process, has "
            f"{children}:\n{self.log_text()}"
        )
        return children[0]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # cold shutdown: nothing is running
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for child in children_of(self.pid):  # never left behind (prefork children)
            os.kill(child, signal.SIGKILL)


@pytest.fixture
def fault_workers(celery_worker_process, settings, tmp_path):
    """Start workers of our own (`start(visibility_timeout=None)`), all on one new queue that
    this test's tasks are sent to, sharing a fresh MEDIA_ROOT with the test. Every worker
    started is stopped afterwards, whatever happened."""
    from django.db import connection

    from commissioning.celery import app

    queue = f"test-faults-{uuid.uuid4().hex[:10]}"
    media_root = tmp_path / "media"
    media_root.mkdir()
    settings.MEDIA_ROOT = media_root
    started: list[Worker] = []

    def start(visibility_timeout: int | None = None) -> Worker:
        name = f"{queue}-{len(started) + 1}"
        log = tmp_path / f"{name}.log"
        env = {
            **os.environ,
            "MEDIA_ROOT": str(media_root),
            "DATABASE_URL": _worker_database_url(connection.settings_dict["NAME"]),
            "CELERY_QUEUE": queue,
            "DJANGO_SETTINGS_MODULE": "commissioning.settings.base",
            "PACK_STEP_DELAY_SECONDS": "1",
        }
        if visibility_timeout is not None:
            env["CELERY_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
        with open(log, "wb") as handle:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "celery", "-A", "commissioning", "worker",
                 "--queues", queue, "--pool", "prefork", "--concurrency", "1",
                 "--hostname", f"{name}@%h", "--loglevel", "INFO",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                env=env, stdout=handle, stderr=subprocess.STDOUT,
            )  # fmt: skip
        worker = Worker(name, queue, log, process)
        started.append(worker)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"worker {name} exited early:\n{worker.log_text()}")
            replies = app.control.ping(timeout=1.0)
            if any(name in host for reply in replies for host in reply):
                break
        else:
            pytest.fail(f"worker {name} did not answer in {WAIT_SECONDS} s:\n{worker.log_text()}")
        return worker

    saved_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield start
    finally:
        app.conf.task_default_queue = saved_queue
        for worker in started:
            worker.stop()


@pytest.fixture
def worker(celery_worker_process, settings):
    settings.MEDIA_ROOT = celery_worker_process["media_root"]
    return celery_worker_process


# --- Helpers ----------------------------------------------------------------------------------


def start_build(api_client, user, plan, kind="plan-document") -> int:
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/packs/", {"kind": kind, "plan": plan.pk}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    return response.json()["id"]


def poll_until_finished(api_client, build_id: int, logs) -> dict:
    """GET packs/<id>/ until the build is done or failed, for at most WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    seen = []
    while time.monotonic() < deadline:
        body = api_client.get(f"/api/v1/packs/{build_id}/").json()
        seen.append((body["status"], body["progress"]))
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.25)
    pytest.fail(f"pack {build_id} not finished after {WAIT_SECONDS} s (last {seen[-1:]}); "
                f"worker log:\n{logs()}")  # fmt: skip


def wait_until_running(build_id: int, logs, at_least: int = 10) -> PackBuild:
    deadline = time.monotonic() + WAIT_SECONDS
    build = PackBuild.objects.get(pk=build_id)
    while time.monotonic() < deadline:
        build.refresh_from_db()
        if build.status == PackStatus.RUNNING and build.progress >= at_least:
            return build
        if build.is_finished:
            pytest.fail(f"pack {build_id} finished ({build.status}) before it could be "
                        f"interrupted:\n{logs()}")  # fmt: skip
        time.sleep(0.1)
    pytest.fail(f"pack {build_id} not running at {at_least}% after {WAIT_SECONDS} s "
                f"({build.status}, {build.progress}%):\n{logs()}")  # fmt: skip


def wait_for_exit(pid: int, logs) -> None:
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid), f"process {pid} survived SIGKILL:\n{logs()}"


def read_pdf(build: PackBuild) -> tuple[bytes, PdfReader, str]:
    with build.file.open("rb") as handle:
        data = handle.read()
    reader = PdfReader(io.BytesIO(data), strict=True)
    return data, reader, "\n".join(page.extract_text() for page in reader.pages)


def check_whole_pdf(build: PackBuild, plan, logs) -> str:
    """The finished build's file is a whole PDF of the plan, matching its record."""
    assert build.status == PackStatus.DONE, f"{build.status}: {build.error}\n{logs()}"
    assert build.progress == 100 and build.step == "Done" and build.error == ""
    data, reader, text = read_pdf(build)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert hashlib.sha256(data).hexdigest() == build.sha256 and len(data) == build.size
    assert build.file.name == f"packs/{plan.ccg.ods_code}/{build.sha256}.pdf"
    assert len(reader.pages) == build.page_count
    assert reader.metadata.title == plan.title
    assert plan.title in text and plan.ccg.name in text
    return text


def check_storage_folder(build: PackBuild) -> None:
    """Only the final file is visible; `.partial-*` leftovers may exist but nothing refers to
    them (and the test's storage is the workers' folder)."""
    from django.core.files.storage import default_storage

    folder = Path(default_storage.path(build.file.name)).parent
    names = sorted(p.name for p in folder.iterdir())
    visible = [n for n in names if not n.startswith(".partial-")]
    assert visible == [Path(build.file.name).name], names
    referenced = set(PackBuild.objects.exclude(file="").values_list("file", flat=True))
    assert not {n for n in names if n.startswith(".partial-")} & {Path(r).name for r in referenced}
    assert referenced == {build.file.name}


# --- Tests ------------------------------------------------------------------------------------


@pytest.fixture
def plan_with_priorities(draft_plan, planner):
    priority = priorities.add_priority(draft_plan, user=planner, title="Urgent and emergency care",
                                       objective="Fewer unplanned admissions")  # fmt: skip
    commitment = priorities.add_commitment(
        priority, user=planner, text="Open an urgent care centre at Rotherham"
    )
    priorities.add_action(commitment, user=planner, text="Agree the specification with TRFT")
    return draft_plan


def test_the_worker_builds_a_plan_document_asked_for_through_the_api(
    worker, plan_with_priorities, planner, api_client
):
    plan = plan_with_priorities

    def logs() -> str:
        return _log_tail(worker["log"])

    build_id = start_build(api_client, planner, plan)

    body = poll_until_finished(api_client, build_id, logs)

    assert body["status"] == "done", f"{body['error']}\n{logs()}"
    assert body["progress"] == 100 and body["attempts"] == 1 and body["ccg"] == "03L"
    build = PackBuild.objects.get(pk=build_id)
    assert body["sha256"] == build.sha256 and body["page_count"] == build.page_count
    text = check_whole_pdf(build, plan, logs)
    assert build.pdf_seconds > 0 and build.html_seconds > 0
    assert "Commissioning Plan 2015-19" in text and "NHS Rotherham CCG" in text
    assert "Urgent and emergency care" in text and "Open an urgent care centre" in text
    assert "Agree the specification with TRFT" in text and "Four year investment plan" in text
    last = build.page_count
    assert f"NHS Rotherham CCG — Commissioning Plan 2015-19 — Page {last} of {last}" in text
    # Only the worker built it: the task went through Redis to the worker's log.
    assert "plans.tasks.build_pack[" in logs() and "succeeded" in logs()
    download = api_client.get(f"/api/v1/packs/{build_id}/file/")
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == build.sha256


def test_a_killed_pool_process_is_replaced_and_the_build_finishes(
    fault_workers, draft_plan, planner, api_client
):
    worker = fault_workers()
    build_id = start_build(api_client, planner, draft_plan)
    build = wait_until_running(build_id, worker.log_text)
    assert build.attempts == 1 and not build.file
    child = worker.pool_child()

    os.kill(child, signal.SIGKILL)
    wait_for_exit(child, worker.log_text)

    body = poll_until_finished(api_client, build_id, worker.log_text)
    build.refresh_from_db()
    assert body["status"] == "done", f"{body['error']}\n{worker.log_text()}"
    assert build.attempts == 2, worker.log_text()
    assert worker.process.poll() is None  # the worker itself lived on, with a new child
    assert worker.pool_child() != child
    assert "WorkerLostError" in worker.log_text() or "SIGKILL" in worker.log_text()
    check_whole_pdf(build, draft_plan, worker.log_text)
    check_storage_folder(build)


def test_a_killed_worker_s_build_is_finished_by_a_fresh_worker(
    fault_workers, draft_plan, planner, api_client
):
    first = fault_workers(visibility_timeout=3)
    build_id = start_build(api_client, planner, draft_plan)
    build = wait_until_running(build_id, first.log_text)
    child = first.pool_child()

    os.kill(first.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    wait_for_exit(child, first.log_text)  # prefork children die with their parent
    time.sleep(2)  # had the build gone on somewhere, its progress would move
    build.refresh_from_db()
    assert (build.status, build.attempts) == (PackStatus.RUNNING, 1), first.log_text()
    stalled_at = build.progress

    fresh = fault_workers(visibility_timeout=3)

    def logs() -> str:
        return f"first worker:\n{first.log_text()}\n\nfresh worker:\n{fresh.log_text()}"

    body = poll_until_finished(api_client, build_id, logs)
    build.refresh_from_db()
    assert body["status"] == "done", f"{body['error']}\n{logs()}"
    assert build.attempts == 2 and stalled_at < 100, logs()
    # The fresh worker ran it: it restored the message the dead one had taken.
    assert "plans.tasks.build_pack[" in fresh.log_text(), logs()
    assert "succeeded" in fresh.log_text() and "succeeded" not in first.log_text(), logs()
    check_whole_pdf(build, draft_plan, logs)
    check_storage_folder(build)
