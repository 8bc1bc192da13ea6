"""The database unreachable: pages and the API answer 503 with a plain message, /readyz says
why, /healthz still answers 200; and once the database is back, everything answers again.

A real gunicorn process serves the app (commissioning.database_outage.DatabaseOutageMiddleware
under test). First with DATABASE_URL pointing at a port where nothing listens (the database
was never there); then, on PostgreSQL, through a TCP proxy of the test's own in front of the
test database, which the test cuts and restores while the server keeps running.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest

from commissioning.database_outage import CODE, MESSAGE
from tests.hardening.faults_support import CuttableProxy, WebServer, free_port

PAGES = ["/", "/ccgs/03L/", "/ccgs/03L/plans/"]
API = ["/api/v1/plans/", "/api/v1/ccgs/"]


def assert_outage_page(answer, path, server):
    assert answer.status == 503, f"{path}: {answer.status}\n{answer.text[:2000]}"
    assert answer.headers["Retry-After"] == "30"
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "Sorry, the service is unavailable" in answer.text and MESSAGE in answer.text
    assert "Traceback" not in answer.text and "OperationalError" not in answer.text


def assert_outage_api(answer, path):
    assert answer.status == 503, f"{path}: {answer.status}\n{answer.text[:2000]}"
    assert answer.headers["Retry-After"] == "30"
    assert answer.json() == {"detail": MESSAGE, "code": CODE}


def check_outage(server, session_cookie: str, token: str) -> int:
    """Every page, API address and probe during the outage; the number of requests made."""
    requests = 0
    for path in PAGES:  # a returning visitor: their session is in the database
        assert_outage_page(server.get(path, headers={"Cookie": f"sessionid={session_cookie}"}),
                           path, server)  # fmt: skip
        requests += 1
    for path in API:
        assert_outage_api(server.get(path, headers={"Authorization": f"Token {token}"}), path)
        anonymous = server.get(path)  # refused before any query: no database needed
        assert (anonymous.status, anonymous.json()["code"]) == (401, "not-authenticated")
        requests += 2
    posted = server.post("/api/v1/packs/", {"kind": "plan-document", "plan": 1},
                         headers={"Authorization": f"Token {token}"})  # fmt: skip
    assert_outage_api(posted, "POST /api/v1/packs/")
    ready = server.get("/readyz")
    assert ready.status == 503, ready.text
    assert ready.json()["status"] == "unavailable"
    assert ready.json()["database"].startswith("database unreachable: OperationalError")
    health = server.get("/healthz")
    assert (health.status, health.json()) == (200, {"status": "ok"})
    return requests + 3


def test_a_database_that_is_not_there_gives_503_pages_and_api_errors(tmp_path):
    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/ccg_nowhere"
    server = WebServer({"DATABASE_URL": nowhere, "REDIS_URL": ""}, tmp_path / "server.log")
    try:
        check_outage(server, session_cookie="x" * 32, token="0" * 40)
        # the 503 was the middleware's, not a crash: the server is still up and logged why
        assert server.process.poll() is None
        assert "Database unreachable" in server.log_text()
    finally:
        server.stop()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_database_lost_and_back_gives_503_then_answers_again(tmp_path, planner, ccg,
                                                               client):  # fmt: skip
    import os

    from django.db import connection

    from commissioning.models import ApiToken

    if connection.vendor != "postgresql" or not os.environ.get("DATABASE_URL"):
        pytest.skip("needs PostgreSQL: the server shares the test database")
    planner.is_staff = False
    client.force_login(planner)
    session_cookie = client.cookies["sessionid"].value
    _, token = ApiToken.issue(planner, "faults")
    settings_dict = connection.settings_dict
    proxy = CuttableProxy(
        (settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    )
    parts = urlsplit(os.environ["DATABASE_URL"])
    through_proxy = urlunsplit(parts._replace(
        netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}",
        path=f"/{settings_dict['NAME']}"))  # fmt: skip
    server = WebServer({"DATABASE_URL": through_proxy, "REDIS_URL": ""}, tmp_path / "server.log")
    pages = {"Cookie": f"sessionid={session_cookie}"}
    api = {"Authorization": f"Token {token}"}

    def all_answer() -> None:
        for path in PAGES:
            answer = server.get(path, headers=pages)
            assert answer.status == 200, f"{path}: {answer.status}\n{server.log_text()}"
            assert "Sorry, the service is unavailable" not in answer.text
        for path in API:
            answer = server.get(path, headers=api)
            assert answer.status == 200, f"{path}: {answer.status} {answer.text[:500]}"
        assert server.get("/readyz").status == 200

    try:
        all_answer()
        proxy.cut()
        check_outage(server, session_cookie, token)
        proxy.restore()
        # The first request after the cut may still meet a dead connection (503, closed at
        # the end of that request); within a few requests everything answers again.
        for _ in range(5):
            if server.get("/readyz").status == 200 and server.get("/", headers=pages).status == 200:
                break
        all_answer()
        assert server.process.poll() is None
    finally:
        server.stop()
        proxy.cut()
