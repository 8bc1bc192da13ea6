"""Many clients at once against a live server on PostgreSQL: the optimistic concurrency of
the API holds under real parallel requests (threads, each its own HTTP session and API token,
the server answering each request on its own thread and database connection).

1. Racing updates of one record (a risk, a priority, a plan section, a QIPP month, a
   measurement and a standard): THREADS clients each make ROUNDS updates, every one a unique
   value; each round reads the record (ETag), then PATCHes with If-Match (or, for half of
   the risk's clients, the `revision` read in the body) and on 412/409 reads again and
   retries, at most ATTEMPTS times. Every answer is 200, 409 or 412; each 200 is one applied
   update: the revision rose by exactly the number of 200s, the 200s' revisions are exactly
   the new ones, the history grew by that number with exactly the values the 200s saved, and
   the record ends as the last applied update left it.
2. A lifecycle move and an annual refresh cannot be made twice: THREADS clients POST the
   same one at once; exactly one succeeds, the others are refused with 409, and exactly one
   version (or one refresh plan) is made.

Skipped on SQLite (one writer at a time, no row locks): CI's PostgreSQL run runs them.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import requests
from django.db import connection

from commissioning.access import Role
from commissioning.models import ApiToken
from governance.models import Measurement
from plans.models import Plan, PlanState, PlanVersion, Section
from tests.access.performance_world import _standard
from tests.factories import CCGFactory, UserFactory, user_with_role
from tests.finance.factories import scheme
from tests.governance.test_risk_services import make_risk
from tests.plans.factories import PlanFactory, SectionFactory
from tests.priorities.factories import PriorityFactory

THREADS = 8
ROUNDS = 10
ATTEMPTS = 25  # reads-and-retries a client makes for one update before it gives up
TIMEOUT = 60  # seconds one request may take before the client gives up (not asserted)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL's row locks (SQLite has one writer)")


def session_for(user) -> requests.Session:
    _, key = ApiToken.issue(user, name="Concurrency test")
    session = requests.Session()
    session.headers["Authorization"] = f"Token {key}"
    return session


def run_at_once(count: int, work) -> list:
    """`work(index)` on `count` threads started together; their results, or their errors
    raised here."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:  # noqa: BLE001 - reported on the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@dataclass
class Outcome:
    statuses: Counter = field(default_factory=Counter)
    applied: list = field(default_factory=list)  # (value sent, answer body, answer ETag)
    gave_up: int = 0


@dataclass
class Target:
    name: str
    url: str
    record: object  # the model instance
    field: str
    value: object  # (thread, round) -> the unique value to send
    revision: bool = True  # "<revision>" ETags (else a hash of the answer)
    body_revision_threads: frozenset = frozenset()  # send `revision` in the body, no If-Match
    normal: object = str  # how values compare (decimals as Decimal)

    def shown(self, body):
        return self.normal(body[self.field])


def race(target: Target, sessions) -> Outcome:
    outcome, lock = Outcome(), threading.Lock()

    def client(thread):
        session = sessions[thread]
        by_body = thread in target.body_revision_threads
        for round_ in range(ROUNDS):
            value = target.value(thread, round_)
            for _ in range(ATTEMPTS):
                read = session.get(target.url, timeout=TIMEOUT)
                with lock:
                    outcome.statuses[f"GET {read.status_code}"] += 1
                assert read.status_code == 200, read.text
                body = {target.field: value if not isinstance(value, Decimal) else str(value)}
                headers = {}
                if by_body:
                    body["revision"] = read.json()["revision"]
                else:
                    headers["If-Match"] = read.headers["ETag"]
                answer = session.patch(target.url, json=body, headers=headers, timeout=TIMEOUT)
                with lock:
                    outcome.statuses[answer.status_code] += 1
                    if answer.status_code == 200:
                        outcome.applied.append((value, answer.json(), answer.headers["ETag"]))
                if answer.status_code != 200:
                    assert answer.status_code in (409, 412), (answer.status_code, answer.text)
                    assert answer.json()["code"] in ("edit-conflict", "precondition-failed")
                    continue
                break
            else:
                with lock:
                    outcome.gave_up += 1

    run_at_once(THREADS, client)
    return outcome


def history_values(target: Target, record, since: int) -> list:
    rows = type(record).history.filter(id=record.pk).order_by("history_date", "history_id")
    return [target.normal(getattr(row, target.field)) for row in list(rows)[since:]]


def check(target: Target, sessions) -> dict:
    model = type(target.record)
    record = model._base_manager.get(pk=target.record.pk)
    has_history = hasattr(model, "history")
    history_before = model.history.filter(id=record.pk).count() if has_history else None
    revision_before = getattr(record, "revision", None)

    outcome = race(target, sessions)

    writes = {code: n for code, n in outcome.statuses.items() if not str(code).startswith("GET")}
    assert set(writes) <= {200, 409, 412}, writes  # no 500, no 400
    applied = len(outcome.applied)
    assert applied == writes.get(200, 0)
    assert applied + outcome.gave_up == THREADS * ROUNDS
    sent = [target.normal(value) for value, _, _ in outcome.applied]
    assert len(set(sent)) == applied, "one update was answered 200 twice"

    record = model._base_manager.get(pk=record.pk)
    final = sessions[0].get(target.url, timeout=TIMEOUT)
    final_value = target.shown(final.json())
    if target.revision:
        assert record.revision == revision_before + applied
        revisions = sorted(body["revision"] for _, body, _ in outcome.applied)
        assert revisions == list(range(revision_before + 1, record.revision + 1))
        last_value, _, last_etag = max(outcome.applied, key=lambda a: a[1]["revision"])
    else:  # each applied update changes the ETag; the final one is the last 200's
        last = [a for a in outcome.applied if a[2] == final.headers["ETag"]]
        assert len(last) == 1, "the final ETag is not exactly one applied update's"
        last_value, _, last_etag = last[0]
    assert final.headers["ETag"] == last_etag
    assert final_value == target.normal(last_value)
    assert target.normal(getattr(record, target.field)) == target.normal(last_value)
    report = {"applied (200)": applied, "gave up": outcome.gave_up, **{
        f"{code}": n for code, n in sorted(writes.items())}}  # fmt: skip
    if has_history:
        grown = model.history.filter(id=record.pk).count() - history_before
        assert grown == applied
        saved = history_values(target, record, history_before)
        assert sorted(saved) == sorted(sent)
        assert saved[-1] == target.normal(last_value)
        report["history rows added"] = grown
    return report


@pytest.fixture
def world(transactional_db):
    ccg = CCGFactory(ods_code="03L", name="NHS Rotherham CCG")
    pm = user_with_role(Role.PLANNING_MANAGER, ccg, username="pm")
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    plan = PlanFactory(ccg=ccg, state=PlanState.DRAFT, title="Draft plan")
    return {"ccg": ccg, "pm": pm, "staff": staff, "plan": plan}


@pytest.mark.parametrize("name", ["risk", "priority", "section", "qipp-month", "measurement",
                                  "standard"])  # fmt: skip
def test_racing_updates_apply_each_once_and_keep_the_last(world, live_server, name):
    ccg, plan, base = world["ccg"], world["plan"], f"{live_server.url}/api/v1"
    text = lambda prefix: lambda t, r: f"{prefix} t{t}-{r}"  # noqa: E731
    if name == "risk":
        record = make_risk(ccg, title="QIPP savings not delivered")
        target = Target(name, f"{base}/risks/{record.pk}/", record, "title", text("Risk"),
                        body_revision_threads=frozenset(range(1, THREADS, 2)))  # fmt: skip
    elif name == "priority":
        record = PriorityFactory(plan=plan)
        target = Target(name, f"{base}/priorities/{record.pk}/", record, "title", text("P"))
    elif name == "section":
        record = SectionFactory(plan=plan)
        target = Target(name, f"{base}/sections/{record.pk}/", record, "title", text("S"))
    elif name == "qipp-month":
        record = scheme(ccg).months.get(month=6)
        target = Target(name, f"{base}/qipp-monthly/{record.pk}/", record, "forecast",
                        lambda t, r: Decimal(f"{1000 + t * 100 + r}.00"),
                        normal=lambda v: Decimal(str(v)))  # fmt: skip
    elif name == "measurement":
        standard = _standard("ae-4-hours", "A&E attendances seen within 4 hours")
        record = Measurement.objects.create(
            standard=standard, ccg=ccg, period_start=dt.date(2013, 4, 1),
            numerator=Decimal(930), denominator=Decimal(1000), value=Decimal("93.000"))  # fmt: skip
        target = Target(name, f"{base}/measurements/{record.pk}/", record, "source",
                        text("Source"), revision=False)  # fmt: skip
    else:
        record = _standard("ae-4-hours", "A&E attendances seen within 4 hours")
        target = Target(name, f"{base}/standards/{record.code}/", record, "name",
                        text("Standard"), revision=False)  # fmt: skip
    user = world["pm"] if name in ("risk", "priority", "section") else world["staff"]
    sessions = [session_for(user) for _ in range(THREADS)]
    report = check(target, sessions)
    print(f"\n{name}: {THREADS} clients x {ROUNDS} updates: {report}")
    assert report["applied (200)"] > 0


def test_a_lifecycle_move_is_made_once(world, live_server):
    plan = world["plan"]
    SectionFactory(plan=plan)
    sessions = [session_for(world["pm"]) for _ in range(THREADS)]
    url = f"{live_server.url}/api/v1/plans/{plan.pk}/transition/"
    body = {"to": "consultation", "opens_on": "2026-01-05", "closes_on": "2026-02-05",
            "note": "Open for comment"}  # fmt: skip
    versions = PlanVersion.objects.filter(plan=plan).count()

    answers = run_at_once(THREADS, lambda i: sessions[i].post(url, json=body, timeout=TIMEOUT))
    codes = Counter(answer.status_code for answer in answers)
    print(f"\ntransition to consultation x{THREADS}: {dict(codes)}")
    assert codes == {200: 1, 409: THREADS - 1}, [a.text for a in answers]
    refused = [a.json() for a in answers if a.status_code == 409]
    assert all(body["code"] == "invalid-move" and body["field"] == "to" for body in refused)
    assert PlanVersion.objects.filter(plan=plan).count() == versions + 1
    assert plan.consultations.count() == 1
    plan.refresh_from_db()
    assert plan.state == PlanState.CONSULTATION


def test_an_annual_refresh_is_started_once(world, live_server):
    published = PlanFactory(ccg=world["ccg"], state=PlanState.PUBLISHED, title="Five-year plan")
    SectionFactory(plan=published)
    sessions = [session_for(world["pm"]) for _ in range(THREADS)]
    url = f"{live_server.url}/api/v1/plans/{published.pk}/refresh/"

    answers = run_at_once(THREADS, lambda i: sessions[i].post(url, json={}, timeout=TIMEOUT))
    codes = Counter(answer.status_code for answer in answers)
    print(f"\nrefresh x{THREADS}: {dict(codes)}")
    assert codes == {201: 1, 409: THREADS - 1}, [a.text for a in answers]
    refused = [a.json() for a in answers if a.status_code == 409]
    assert all("already under way" in body["detail"] for body in refused), refused
    refreshes = Plan.objects.filter(refreshes=published)
    assert refreshes.count() == 1
    assert refreshes.get().sections.count() == 1  # one copy of the content, not two
    assert Section.objects.filter(plan__refreshes=published).count() == 1
