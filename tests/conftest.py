"""Shared fixtures. Browser fixtures live in tests/system/conftest.py, worker ones beside
the integration tests."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from rest_framework.test import APIClient

from commissioning.access import Role
from tests.factories import PASSWORD, CCGFactory, UserFactory, user_with_role


@pytest.fixture
def ccg(db):
    return CCGFactory(ods_code="03L", name="NHS Rotherham CCG", short_name="Rotherham")


@pytest.fixture
def other_ccg(db):
    return CCGFactory(
        ods_code="04R", name="NHS Southern Derbyshire CCG", short_name="Southern Derbyshire"
    )


@pytest.fixture
def role_user(db, ccg):
    """Make a user holding a role in `ccg`: role_user(Role.SCRUTINY)."""

    def make(role: str, in_ccg=None):
        return user_with_role(role, in_ccg or ccg)

    return make


@pytest.fixture
def planner(role_user):
    return role_user(Role.PLANNING_MANAGER)


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff", is_staff=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def password():
    return PASSWORD


# --- Celery -----------------------------------------------------------------------------
# Unit tests run tasks eagerly even when REDIS_URL is set (the PostgreSQL CI run); only tests
# marked `integration` send tasks through Redis to the real worker started below.


@pytest.fixture(autouse=True)
def _eager_tasks_unless_integration(request):
    from commissioning.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _worker_database_url(test_db_name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{test_db_name}"))


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on Redis, using the test database.

    Needs REDIS_URL and a database another process can open (PostgreSQL). In CI, when the
    environment provides them, a missing piece fails the run instead of skipping.
    """
    from django.db import connection

    from commissioning.celery import app

    in_ci_service_run = bool(os.environ.get("CI")) and bool(os.environ.get("DATABASE_URL"))
    problem = None
    if not os.environ.get("REDIS_URL"):
        problem = "REDIS_URL is not set: integration tests need a real broker"
    elif connection.vendor == "sqlite":
        problem = "the worker needs a database it can share with the tests (PostgreSQL)"
    if problem:
        if in_ci_service_run:
            pytest.fail(problem)
        pytest.skip(problem)

    queue = f"test-{uuid.uuid4().hex[:10]}"
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    media_root = tmp_path_factory.mktemp("media")
    env = {
        **os.environ,
        "MEDIA_ROOT": str(media_root),
        "DATABASE_URL": _worker_database_url(connection.settings_dict["NAME"]),
        "CELERY_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "commissioning.settings.base",
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "commissioning",
                "worker",
                "--queues",
                queue,
                "--pool",
                "solo",
                "--hostname",
                f"{queue}@%h",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    saved_queue, saved_eager = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"celery worker exited early:\n{log_path.read_text()[-4000:]}")
            replies = app.control.ping(timeout=1.0)
            if any(queue in name for reply in replies for name in reply):
                break
        else:
            pytest.fail(f"celery worker did not answer in 60 s:\n{log_path.read_text()[-4000:]}")
        yield {"queue": queue, "log": log_path, "process": process, "media_root": media_root}
    finally:
        app.conf.task_default_queue, app.conf.task_always_eager = saved_queue, saved_eager
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
