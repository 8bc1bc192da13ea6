"""Benchmark: building large PDF packs in a real Celery worker (issue 8, issue 10).

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/packs.py [--runs 3]

Makes a throwaway database (Django's test-database machinery, named bench_packs_<pid>, dropped
at the end: the database DATABASE_URL names is only used to connect), fills one CCG with full
data, and builds two packs of it:

- a plan document of a published 2015-19 strategic plan: many sections of Markdown, statements,
  priorities with their commitments and actions (with progress updates), programmes;
- an annual review pack of its 2016/17 refresh: the refresh diff, delivery by priority with RAG,
  consultation comments and responses;
- the CCG has every national standard with 72 months of measurements (generate_synthetic), for
  the sections that show standards once an app registers them.

For each pack a fresh `celery -A commissioning worker --pool solo` process is started on Redis
(REDIS_URL, required) and the throwaway database, with a queue of its own, the way
tests/conftest.py's `celery_worker_process` starts one. Builds are asked for the way the
application asks: `request_build(..., force=True)` makes the PackBuild row and, on commit
(at once: the benchmark runs in autocommit), sends `build_pack.delay`; the row is polled every
20 ms until it is done. One warm-up build (not counted), then `--runs` timed builds: end to
end (sending to seeing it done), the worker's own build time (the row's finished_at -
started_at) and the row's HTML and PDF times. After each, WeasyPrint alone renders the same
final HTML (`render_pdf(document_html(...))`, checked to hash to the build's input hash and to
give its page count) in a process forked from the warm benchmark process; the ratio of the
worker's build time (and of end to end) to it, run by run. With the solo pool the worker's
main process does the builds: its VmRSS once it answers ping (idle) and its VmHWM (peak RSS)
after the warm-up and after every build, from /proc/<pid>/status. `--tracemalloc-runs` adds
in-process builds (`run_build` in a forked child, no worker) under tracemalloc for the peak of
Python allocations. Medians with min, max and spread (max - min). Results go to
bench/results/packs-<date>.json and .md (`--out` elsewhere). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import gc
import hashlib
import io
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"

SIZES = {
    "sections": 14,  # plan sections, each a few paragraphs, a list and a table of Markdown
    "priorities": 12,
    "commitments": 6,  # per priority
    "actions": 4,  # per commitment
    "programmes": 6,
    "comments": 40,  # consultation comments on the refresh, each answered
    "months": 72,  # of measurements for every national standard
    "providers": 3,  # each standard's figures also broken down by provider
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed builds per pack (3)")
    parser.add_argument(
        "--tracemalloc-runs", type=int, default=0,
        help="extra builds per pack under tracemalloc, for the peak of Python allocations "
        "(0: tracing makes WeasyPrint several times slower)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    return parser.parse_args()


def setup_django(media_root: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.base")
    os.environ["MEDIA_ROOT"] = media_root
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    from commissioning.celery import app

    # Eager while the data is made; each pack's worker (celery_worker) turns it off.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"bench_packs_{os.getpid()}"


# --- Data ------------------------------------------------------------------------------------

PARAGRAPH = (
    "The CCG will commission {topic} services that are safe, sustainable and closer to home. "
    "Working with Rotherham Metropolitan Borough Council, The Rotherham NHS Foundation Trust "
    "and RDaSH, we will shift activity from hospital to community settings, reduce unwarranted "
    "variation between practices and improve outcomes for people with long-term conditions. "
    "Investment of £{money}m over the plan period is matched by QIPP savings of £{saving}m."
)


def markdown_body(number: int) -> str:
    topic = ["urgent care", "planned care", "mental health", "children's", "primary care",
             "end of life", "learning disability"][number % 7]  # fmt: skip
    paragraphs = [PARAGRAPH.format(topic=topic, money=10 + number + k, saving=2 + k)
                  for k in range(5)]  # fmt: skip
    table = "\n".join(
        ["| Year | Activity | Spend |", "|---|---|---|"]
        + [f"| {2015 + k}/{16 + k} | {1200 + 37 * k * (number + 1):,} | £{4 + k}.{number}m |"
           for k in range(4)]
    )  # fmt: skip
    bullets = "\n".join(f"- Outcome {k + 1} for {topic}: measured quarterly" for k in range(6))
    return "\n\n".join([f"## {topic.capitalize()} in {2015 + number % 4}", *paragraphs[:3],
                        bullets, table, *paragraphs[3:]])  # fmt: skip


def make_data() -> dict:
    """One CCG with full data: a published strategic plan and its refresh in consultation."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from commissioning.access import Role
    from commissioning.models import CCG, Membership
    from commissioning.years import FinancialYear
    from governance.models import Measurement
    from plans import services as plans
    from plans.services.consultation import add_comment, open_consultation, respond_to_comment
    from priorities import services as priorities
    from priorities.services.delivery import record_progress
    from priorities.services.programmes import (
        add_intention,
        add_programme_measure,
        create_programme,
        link_commitment,
    )

    started = time.perf_counter()
    call_command("generate_synthetic", ccgs=1, practices=40, months=SIZES["months"],
                 providers_per_ccg=SIZES["providers"], start="2012-04",
                 stdout=io.StringIO())  # fmt: skip
    ccg = CCG.objects.get(ods_code="Z00")
    users = get_user_model().objects
    planner = users.create_user("bench-planner", password=None)
    board = users.create_user("bench-board", password=None)
    Membership.objects.create(user=planner, ccg=ccg, role=Role.PLANNING_MANAGER)
    Membership.objects.create(user=board, ccg=ccg, role=Role.GOVERNING_BODY)

    plan = plans.create_plan(user=planner, ccg=ccg, kind="strategic-plan",
                             title="Commissioning Plan 2015-19", first_year=FinancialYear(2015),
                             last_year=FinancialYear(2018),
                             vision="Healthy lives for everyone in the borough",
                             mission="Commission the best services we can afford")  # fmt: skip
    for number in range(SIZES["sections"]):
        plans.add_section(plan, user=planner, title=f"Section {number + 1}: planning context",
                          body=markdown_body(number))  # fmt: skip
    for number in range(8):
        plans.add_statement(plan, user=planner, kind="aim", text=f"Aim {number + 1}: fewer "
                            "avoidable admissions and more years in good health")  # fmt: skip
    commitments, actions = [], []
    for p in range(SIZES["priorities"]):
        priority = priorities.add_priority(
            plan, user=planner, title=f"Priority {p + 1}: integrated care for group {p + 1}",
            objective="Reduce emergency admissions by 5% a year by working across health and "
            "social care", end_state="People are cared for at home wherever possible")  # fmt: skip
        for c in range(SIZES["commitments"]):
            commitment = priorities.add_commitment(
                priority, user=planner, lead=f"Lead {c + 1}",
                text=f"We will commission service {p + 1}.{c + 1} in every locality")  # fmt: skip
            commitments.append(commitment)
            for a in range(SIZES["actions"]):
                actions.append(priorities.add_action(
                    commitment, user=planner, lead="Head of Commissioning",
                    text=f"Action {p + 1}.{c + 1}.{a + 1}: agree the specification and procure",
                    due_on=dt.date(2016 + a % 3, 3, 31)))  # fmt: skip
    for number in range(SIZES["programmes"]):
        programme = create_programme(ccg, user=planner, name=f"Programme {number + 1}",
                                     lead="Director of Transformation",
                                     description="A transformational programme")  # fmt: skip
        add_intention(programme, plan, user=planner, text=f"Deliver programme {number + 1}")
        add_programme_measure(programme, user=planner, text="Fewer delayed transfers of care")
        for commitment in commitments[number :: SIZES["programmes"]][:5]:
            link_commitment(programme, commitment, user=planner)

    plans.transition(plan, user=planner, to="submitted")
    plans.transition(plan, user=board, to="approved")
    plans.transition(plan, user=board, to="published")
    statuses = ["on-track", "at-risk", "off-track", "complete", "not-started"]
    for number, action in enumerate(actions):
        record_progress(action, user=planner, status=statuses[number % len(statuses)],
                        narrative=f"Update {number + 1}: procurement under way")  # fmt: skip

    refresh = plans.start_refresh(plan, user=planner)
    for number, section in enumerate(refresh.sections.order_by("order")[:4]):
        body = section.body + f"\n\nRefreshed for 2016/17 ({number + 1})."
        plans.update_section(section, user=planner, expected_revision=None, body=body)
    extra = priorities.add_priority(refresh, user=planner, title="Priority 13: digital care",
                                    objective="Shared care records in every practice")  # fmt: skip
    priorities.add_commitment(extra, user=planner, text="We will share care records")
    today = timezone.localdate()
    open_consultation(refresh, user=planner, opens_on=today - dt.timedelta(days=7),
                      closes_on=today + dt.timedelta(days=21))  # fmt: skip
    outcomes = ["accepted", "partly-accepted", "not-accepted"]
    for number in range(SIZES["comments"]):
        comment = add_comment(refresh, user=planner, on_behalf_of=f"Stakeholder {number + 1}",
                              body=f"Comment {number + 1}: please say more about access to "
                              "services in the evenings and at weekends.")  # fmt: skip
        outcome = outcomes[number % 3]
        reason = "" if outcome == "accepted" else "Not affordable this year"
        response = f"Response {number + 1}: the refresh now says when."
        respond_to_comment(comment, user=planner, outcome=outcome, outcome_reason=reason,
                           response=response)  # fmt: skip
    plan.refresh_from_db()
    refresh.refresh_from_db()
    return {
        "ccg": ccg, "planner": planner, "plan": plan, "refresh": refresh,
        "seconds": time.perf_counter() - started,
        "counts": {
            **SIZES,
            "actions_total": len(actions),
            "measurements": Measurement.objects.filter(ccg=ccg).count(),
            "standards": Measurement.objects.filter(ccg=ccg).values("standard").distinct().count(),
        },
    }  # fmt: skip


# --- Builds ----------------------------------------------------------------------------------


class WarningCounter(logging.Handler):
    """Counts WeasyPrint's warnings (e.g. "Anchor defined twice") instead of printing them."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: collections.Counter[str] = collections.Counter()

    @classmethod
    def install(cls) -> WarningCounter:
        counter = cls()
        log = logging.getLogger("weasyprint")
        log.addHandler(counter)
        log.propagate = False  # counted, not printed
        return counter

    def emit(self, record):
        self.messages[record.getMessage().split(":")[0]] += 1


def in_child(work) -> dict:
    """Run `work()` in a forked child (warm: templates compiled, fonts loaded) and return its
    result with the child's peak RSS (wait4's ru_maxrss) and the RSS it started from."""
    from django.db import connections

    connections.close_all()  # the child opens its own connection
    baseline = rss_mb()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            payload = {"ok": work()}
        except BaseException as error:  # noqa: BLE001 - reported by the parent
            payload = {"error": f"{type(error).__name__}: {error}"}
        with os.fdopen(write, "w") as handle:
            handle.write(json.dumps(payload))
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as handle:
        payload = json.loads(handle.read() or '{"error": "the child died"}')
    _pid, status, usage = os.wait4(pid, 0)
    if "error" in payload or status != 0:
        raise SystemExit(f"benchmark run failed: {payload.get('error', status)}")
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    return {**payload["ok"], "rss_start_mb": baseline, "rss_peak_mb": peak,
            "rss_growth_mb": peak - baseline}  # fmt: skip


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def build_once(kind: str, plan_id: int, user_id: int) -> dict:
    """A forced build of `kind` in this process, as a worker runs it (tracemalloc runs)."""
    from plans.models import PackBuild, PackStatus, Plan
    from plans.packs.builder import run_build
    from plans.packs.document import document_title

    plan = Plan.objects.select_related("ccg").get(pk=plan_id)
    build = PackBuild.objects.create(
        ccg=plan.ccg, kind=kind, plan=plan, requested_by_id=user_id, forced=True,
        title=document_title(kind, plan=plan),
    )  # fmt: skip
    counter = WarningCounter.install()
    gc.collect()
    started = time.perf_counter()
    build = run_build(build.pk)
    total = time.perf_counter() - started
    if build.status != PackStatus.DONE:
        raise RuntimeError(f"{kind} build failed: {build.error}")
    return {"build": build.pk, "total": total, "html": build.html_seconds,
            "pdf_in_build": build.pdf_seconds, "pages": build.page_count, "bytes": build.size,
            "input_hash": build.input_hash, "warnings": dict(counter.messages)}  # fmt: skip


def weasyprint_once(build_id: int) -> dict:
    """WeasyPrint alone (`render_pdf`) on the final HTML of build `build_id`."""
    from plans.models import PackBuild
    from plans.packs.builder import context_for, render_pdf
    from plans.packs.document import document_html

    build = PackBuild.objects.select_related("ccg", "plan", "requested_by").get(pk=build_id)
    counter = WarningCounter.install()
    html = document_html(context_for(build), title=build.title)
    if hashlib.sha256(f"{build.kind}\n{html}".encode()).hexdigest() != build.input_hash:
        raise RuntimeError(f"{build.kind}: document_html gave other HTML than the build used")
    gc.collect()
    started = time.perf_counter()
    _pdf, pages = render_pdf(html)
    seconds = time.perf_counter() - started
    if pages != build.page_count:
        raise RuntimeError(f"{build.kind}: WeasyPrint made {pages} pages, the build "
                           f"{build.page_count}")  # fmt: skip
    from plans.packs.registry import sections_for

    shown = [s.code for s in sections_for(build.kind) if f'id="section-{s.code}"' in html]
    return {"weasyprint": seconds, "html_chars": len(html), "sections": shown,
            "warnings": dict(counter.messages)}  # fmt: skip


def traced_build(kind: str, plan_id: int, user_id: int) -> dict:
    tracemalloc.start()
    try:
        result = build_once(kind, plan_id, user_id)
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return result


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "spread": max(values) - min(values),
            "stdev": statistics.stdev(values) if len(values) > 1 else 0.0,
            "runs": values}  # fmt: skip


# --- The worker ------------------------------------------------------------------------------

POLL_SECONDS = 0.02
BUILD_TIMEOUT_SECONDS = 600
WORKER_START_SECONDS = 60


class Worker:
    """A running `celery worker` process (see celery_worker)."""

    def __init__(self, process: subprocess.Popen, queue: str, log_path: Path):
        self.process, self.queue, self.log_path = process, queue, log_path

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError as error:
            return f"(no log: {error})"

    def memory(self) -> dict:
        """The worker's VmRSS (now) and VmHWM (its peak RSS so far), in MB."""
        values = {}
        with open(f"/proc/{self.process.pid}/status") as handle:
            for line in handle:
                name, _, rest = line.partition(":")
                if name in ("VmRSS", "VmHWM"):
                    values[name] = int(rest.split()[0]) / 1024  # kB
        return {"rss_mb": values["VmRSS"], "hwm_mb": values["VmHWM"]}

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"the celery worker exited (status {self.process.returncode}):"
                               f"\n{self.log_tail()}")  # fmt: skip


def worker_database_url(test_db_name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{test_db_name}"))


@contextlib.contextmanager
def celery_worker(media_root: str):
    """A fresh `celery -A commissioning worker` on Redis and the throwaway database, started as
    tests/conftest.py's `celery_worker_process` starts one (solo pool, a queue of its own, no
    gossip or mingle); this process sends to its queue, not eagerly, until it is stopped."""
    from django.db import connection

    from commissioning.celery import app

    queue = f"bench-packs-{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory(prefix="bench-packs-worker-") as logs:
        log_path = Path(logs) / "worker.log"
        env = {
            **os.environ,
            "MEDIA_ROOT": media_root,
            "DATABASE_URL": worker_database_url(connection.settings_dict["NAME"]),
            "CELERY_QUEUE": queue,
            "DJANGO_SETTINGS_MODULE": "commissioning.settings.base",
        }
        with open(log_path, "wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "celery", "-A", "commissioning", "worker",
                 "--queues", queue, "--pool", "solo", "--hostname", f"{queue}@%h",
                 "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        worker = Worker(process, queue, log_path)
        saved = app.conf.task_default_queue, app.conf.task_always_eager
        app.conf.task_default_queue, app.conf.task_always_eager = queue, False
        try:
            deadline = time.monotonic() + WORKER_START_SECONDS
            while True:
                worker.check_alive()
                replies = app.control.ping(timeout=1.0)
                if any(queue in name for reply in replies for name in reply):
                    break
                if time.monotonic() > deadline:
                    tail = worker.log_tail()
                    raise RuntimeError(f"the celery worker did not answer in "
                                       f"{WORKER_START_SECONDS} s:\n{tail}")  # fmt: skip
            yield worker
        finally:
            app.conf.task_default_queue, app.conf.task_always_eager = saved
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            remove_queue(app, queue)


def remove_queue(app, name: str) -> None:
    """Remove the worker's queue from the broker: its binding, and any message a failed run
    left. Declared first: the channel deletes only the bindings it knows of."""
    from kombu import Exchange, Queue

    with contextlib.suppress(Exception), app.connection_for_write() as conn:
        queue = Queue(name, Exchange(name, "direct"), routing_key=name)(conn.default_channel)
        queue.declare()
        queue.delete()


def send_build(worker: Worker, kind: str, plan, user) -> dict:
    """Ask for a forced build of `kind` as the application does and wait until it is done."""
    from django.utils import timezone

    from plans.models import PackBuild, PackStatus
    from plans.services.packs import request_build
    from plans.tasks import queue_was_unavailable

    sent_at = timezone.now()
    started = time.perf_counter()
    build = request_build(user, kind=kind, plan=plan, force=True)  # sends on commit: now
    rows = PackBuild.objects.filter(pk=build.pk)
    if not rows.values_list("task_id", flat=True).get():
        raise RuntimeError(f"{kind} build {build.pk} was not sent (on_commit did not run)")
    if queue_was_unavailable(build):
        raise RuntimeError(f"{kind} build {build.pk}: the broker could not be reached")
    while True:
        row = rows.values("status", "error", "step").get()
        if row["status"] == PackStatus.DONE:
            end_to_end = time.perf_counter() - started
            break
        if row["status"] == PackStatus.FAILED or row["error"]:  # failed, or retrying
            raise RuntimeError(f"{kind} build {build.pk} failed ({row['step']}): "
                               f"{row['error']}\n{worker.log_tail()}")  # fmt: skip
        if time.perf_counter() - started > BUILD_TIMEOUT_SECONDS:
            raise RuntimeError(f"{kind} build {build.pk} not done in {BUILD_TIMEOUT_SECONDS} s "
                               f"({row['status']}, {row['step']}):\n"
                               f"{worker.log_tail()}")  # fmt: skip
        worker.check_alive()
        time.sleep(POLL_SECONDS)
    build.refresh_from_db()
    return {"build": build.pk, "end_to_end": end_to_end,
            "worker_build": (build.finished_at - build.started_at).total_seconds(),
            "pickup": (build.started_at - sent_at).total_seconds(),
            "html": build.html_seconds, "pdf_in_build": build.pdf_seconds,
            "pages": build.page_count, "bytes": build.size, "input_hash": build.input_hash,
            "attempts": build.attempts}  # fmt: skip


def bench_kind(kind: str, plan, user, runs: int, traced_runs: int, media_root: str) -> dict:
    began = time.perf_counter()
    builds, alone = [], []
    with celery_worker(media_root) as worker:
        idle = worker.memory()
        warm = send_build(worker, kind, plan, user)
        after_warm_up = worker.memory()
        for _ in range(runs):
            builds.append(send_build(worker, kind, plan, user))
            builds[-1]["memory"] = worker.memory()
            alone.append(in_child(lambda: weasyprint_once(builds[-1]["build"])))  # noqa: B023
        end = worker.memory()
    traced = [in_child(lambda: traced_build(kind, plan.pk, user.pk)) for _ in range(traced_runs)]
    warnings = collections.Counter()
    for run in alone:
        warnings.update(run["warnings"])
    hashes = {b["input_hash"] for b in [warm, *builds]}
    result = {
        "kind": kind,
        "plan": plan.title,
        "pages": sorted({b["pages"] for b in builds}),
        "pdf_bytes": builds[-1]["bytes"],
        "html_chars": alone[-1]["html_chars"],
        "same_input_hash": len(hashes) == 1,
        "registered_sections_shown": alone[-1]["sections"],
        "weasyprint_warnings_per_build": {k: v // runs for k, v in warnings.items()},
        "worker_build_seconds": summary([b["worker_build"] for b in builds]),
        "end_to_end_seconds": summary([b["end_to_end"] for b in builds]),
        "pickup_seconds": summary([b["pickup"] for b in builds]),
        "html_seconds": summary([b["html"] for b in builds]),
        "pdf_in_build_seconds": summary([b["pdf_in_build"] for b in builds]),
        "weasyprint_seconds": summary([a["weasyprint"] for a in alone]),
        "ratio_worker_build_to_weasyprint": summary([
            b["worker_build"] / a["weasyprint"] for b, a in zip(builds, alone, strict=True)]),
        "ratio_end_to_end_to_weasyprint": summary([
            b["end_to_end"] / a["weasyprint"] for b, a in zip(builds, alone, strict=True)]),
        "warm_up_build": {"worker_build_seconds": warm["worker_build"],
                          "end_to_end_seconds": warm["end_to_end"], "pages": warm["pages"]},
        "worker": {
            "pool": "solo",
            "queue": worker.queue,
            "rss_idle_mb": idle["rss_mb"],
            "hwm_idle_mb": idle["hwm_mb"],
            "hwm_after_warm_up_mb": after_warm_up["hwm_mb"],
            "rss_after_warm_up_mb": after_warm_up["rss_mb"],
            "hwm_after_each_build_mb": [b["memory"]["hwm_mb"] for b in builds],
            "rss_after_each_build_mb": [b["memory"]["rss_mb"] for b in builds],
        },
        "worker_rss_idle_mb": idle["rss_mb"],
        "worker_rss_peak_mb": end["hwm_mb"],
        "worker_rss_growth_mb": end["hwm_mb"] - idle["rss_mb"],
        "weasyprint_alone_rss_growth_mb": summary([a["rss_growth_mb"] for a in alone]),
        "tracemalloc_peak_mb": summary([t["tracemalloc_peak_mb"] for t in traced])
        if traced else None,
        "seconds": time.perf_counter() - began,
    }  # fmt: skip
    print(f"  {kind}: {result['pages']} pages, worker build "
          f"{result['worker_build_seconds']['median']:.2f} s (end to end "
          f"{result['end_to_end_seconds']['median']:.2f} s), WeasyPrint "
          f"{result['weasyprint_seconds']['median']:.2f} s, ratio "
          f"{result['ratio_worker_build_to_weasyprint']['median']:.2f}, worker RSS "
          f"{result['worker_rss_idle_mb']:.0f} MB idle, peak {result['worker_rss_peak_mb']:.0f} "
          f"MB (+{result['worker_rss_growth_mb']:.0f} MB) ({result['seconds']:.0f} s)",
          flush=True)  # fmt: skip
    return result


def warm_up(data: dict) -> None:
    """Compile the templates and load the fonts once, in the parent the runs fork from."""
    from plans.packs.builder import render_pdf
    from plans.packs.document import document_html, document_title
    from plans.packs.registry import PackContext

    for kind, plan in (("plan-document", data["plan"]), ("annual-review", data["refresh"])):
        context = PackContext(kind=kind, ccg=plan.ccg, user=data["planner"], plan=plan)
        document_html(context, title=document_title(kind, plan=plan))
    render_pdf('<html lang="en-GB"><title>Warm-up</title><h1>Warm-up</h1><p>NHS</p></html>')


# --- Report ----------------------------------------------------------------------------------


def fmt(stats: dict | None, unit: str = "s", digits: int = 2) -> str:
    if stats is None:
        return "not measured"
    return (f"{stats['median']:.{digits}f} {unit} ({stats['min']:.{digits}f}–"
            f"{stats['max']:.{digits}f}, spread {stats['spread']:.{digits}f})")  # fmt: skip


def markdown(report: dict) -> str:
    counts = report["data"]["counts"]
    machine = report["machine"]
    lines = [
        f"# PDF packs benchmark, {report['date']}",
        "",
        f"`bench/packs.py --runs {report['runs']} --tracemalloc-runs "
        f"{report['tracemalloc_runs']}` on Python {machine['python']} ({machine['platform']}, "
        f"{machine['cpus']} CPUs, load average {machine['load_average']} at the start), "
        f"{machine['database']}, {machine['broker']}, Celery {machine['celery']}, WeasyPrint "
        f"{machine['weasyprint']}. The builds ran in a real Celery worker: for each pack a "
        "fresh `celery -A commissioning worker --pool solo` process (its main process does the "
        "builds) on its own queue, one warm-up build not counted, then the timed builds, each "
        "asked for as the application asks (`request_build(..., force=True)`: the PackBuild "
        "row, then `build_pack.delay` on commit, no reuse) and polled every 20 ms until done. "
        "After each, WeasyPrint alone rendered the same final HTML in a process forked from the "
        "warm benchmark process (templates compiled, fonts loaded).",
        "",
        f"Data (made in {report['data']['seconds']:.0f} s): {counts['sections']} plan sections, "
        f"{counts['priorities']} priorities × {counts['commitments']} commitments × "
        f"{counts['actions']} actions ({counts['actions_total']} actions with progress), "
        f"{counts['programmes']} programmes, {counts['comments']} consultation comments with "
        f"responses; {counts['measurements']:,} measurements ({counts['standards']} standards, "
        f"{counts['months']} months, the CCG's and {counts['providers']} providers').",
        "",
        f"Registered pack sections: {', '.join(report['sections'])}. Shown (besides the "
        "plan's own sections): "
        + "; ".join(
            f"{row['kind']}: {', '.join(row['registered_sections_shown']) or 'none'}"
            for row in report["packs"]
        )
        + ".",
        "",
        "Median (min–max, spread) over the runs. *Worker build* is the build as the worker "
        "timed it (the row's finished_at − started_at: claiming, HTML, hashing, layout, PDF, "
        "saving); *end to end* is from sending the build to seeing its row done (adds the trip "
        "through Redis, the worker picking it up and the 20 ms polling); *HTML* is the row's "
        "HTML time; *WeasyPrint* is `render_pdf` alone on the same final HTML; the ratios are "
        "taken run by run.",
        "",
        "| pack | pages | worker build | end to end | HTML | WeasyPrint | build ÷ WeasyPrint "
        "| end to end ÷ WeasyPrint |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report["packs"]:
        lines.append(
            f"| {row['kind']} | {', '.join(map(str, row['pages']))} | "
            f"{fmt(row['worker_build_seconds'])} | {fmt(row['end_to_end_seconds'])} | "
            f"{fmt(row['html_seconds'])} | {fmt(row['weasyprint_seconds'])} | "
            f"{fmt(row['ratio_worker_build_to_weasyprint'], '×')} | "
            f"{fmt(row['ratio_end_to_end_to_weasyprint'], '×')} |"
        )
    lines += [
        "",
        "The worker's memory, one worker per pack (/proc/<pid>/status of its main process): "
        "*idle* is its VmRSS once it answered ping; *peak* its VmHWM after all the builds (the "
        "most it needed for them, the warm-up included); *growth* peak − idle; *after warm-up* "
        "its VmHWM after the first build; *after the builds* its VmRSS at the end (what it "
        "keeps). *First build* is the warm-up build's worker time.",
        "",
        "| pack | idle RSS | peak RSS | growth | peak after warm-up | RSS after the builds "
        "| first build |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report["packs"]:
        worker = row["worker"]
        lines.append(
            f"| {row['kind']} | {row['worker_rss_idle_mb']:.0f} MB | "
            f"{row['worker_rss_peak_mb']:.0f} MB | {row['worker_rss_growth_mb']:.0f} MB | "
            f"{worker['hwm_after_warm_up_mb']:.0f} MB | "
            f"{worker['rss_after_each_build_mb'][-1]:.0f} MB | "
            f"{row['warm_up_build']['worker_build_seconds']:.2f} s |"
        )
    lines += ["", "| pack | PDF | HTML | WeasyPrint alone: RSS growth | tracemalloc peak "
              "| WeasyPrint warnings per build |", "|---|---|---|---|---|---|"]  # fmt: skip
    for row in report["packs"]:
        warned = ", ".join(f"{n} × {m}" for m, n in row["weasyprint_warnings_per_build"].items())
        lines.append(
            f"| {row['kind']} | {row['pdf_bytes'] / 1024:,.0f} KiB | "
            f"{row['html_chars']:,} characters | "
            f"{fmt(row['weasyprint_alone_rss_growth_mb'], 'MB', 0)} | "
            f"{fmt(row['tracemalloc_peak_mb'], 'MB', 0)} | {warned or 'none'} |"
        )
    lines += [
        "",
        "*WeasyPrint alone: RSS growth* is the forked process's high-water mark (`wait4` "
        "ru_maxrss) minus the RSS it was forked at; *tracemalloc peak* is the peak of Python "
        "allocations of an in-process build (`run_build`, no worker), `--tracemalloc-runs`.",
        "",
        f"Whole run: {report['seconds']:.0f} s.",
        "",
    ]
    return "\n".join(lines)


MISSING_SERVICES = ("Set DATABASE_URL (PostgreSQL: the benchmark makes a throwaway database "
                    "there) and REDIS_URL (the broker of the Celery worker the packs are built "
                    "in).")  # fmt: skip


def missing_services() -> bool:
    return not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL")


def run(args) -> dict:
    """bench/run_all.py's entry: the same measurements as main(), returned as a section
    ({"name", "figures", "markdown"}) instead of written to packs-<date> files. `--quick`:
    one run per pack, no tracemalloc runs."""
    if missing_services():
        raise SystemExit(MISSING_SERVICES)
    if getattr(args, "quick", False):
        args.runs, args.tracemalloc_runs = 1, 0
    else:
        args.runs = getattr(args, "packs_runs", None) or getattr(args, "runs", None) or 3
        args.tracemalloc_runs = getattr(args, "tracemalloc_runs", 0) or 0
    report = measure(args)
    text = markdown(report).replace("# PDF packs benchmark", "## PDF packs", 1)
    reading = "**Reading.** " + " ".join(
        f"The {row['kind']} ({', '.join(map(str, row['pages']))} pages) builds in "
        f"{row['worker_build_seconds']['median']:.1f} s in the worker "
        f"({row['end_to_end_seconds']['median']:.1f} s from sending it to seeing it done), "
        f"{row['ratio_worker_build_to_weasyprint']['median']:.2f}× WeasyPrint alone on the "
        f"same HTML ({row['ratio_end_to_end_to_weasyprint']['median']:.2f}× end to end; above "
        "1: gathering the HTML, saving and the queue; near 1: WeasyPrint is the build; below 1: "
        "the two WeasyPrint runs differed, noise); the "
        f"worker went from {row['worker_rss_idle_mb']:.0f} MB idle to a peak of "
        f"{row['worker_rss_peak_mb']:.0f} MB (+{row['worker_rss_growth_mb']:.0f} MB)."
        for row in report["packs"]
    )
    return {"name": "packs", "figures": report, "markdown": text.rstrip() + "\n\n" + reading}


def main() -> int:
    args = parse_args()
    if missing_services():
        print(MISSING_SERVICES, file=sys.stderr)
        return 2
    report = measure(args)
    today = report["date"]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"packs-{today}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    print(f"Wrote {stem}.json and {stem}.md ({report['seconds']:.0f} s)")
    return 0


def measure(args) -> dict:
    """Make the data, build the packs in workers, return the report (nothing written)."""
    began = time.perf_counter()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="bench-packs-") as media_root:
        setup_django(media_root)
        import celery
        import weasyprint
        from django.db import connection
        from django.test.utils import setup_databases, teardown_databases

        from plans.packs.registry import _SECTIONS

        print(f"Creating database bench_packs_{os.getpid()} and migrating ...", flush=True)
        databases = setup_databases(verbosity=0, interactive=False)
        try:
            data = make_data()
            print(f"Data made in {data['seconds']:.0f} s: {data['counts']}", flush=True)
            warm_up(data)
            packs = [
                bench_kind("plan-document", data["plan"], data["planner"], args.runs,
                           args.tracemalloc_runs, media_root),
                bench_kind("annual-review", data["refresh"], data["planner"], args.runs,
                           args.tracemalloc_runs, media_root),
            ]  # fmt: skip
            database = connection.vendor
            if database == "postgresql":
                database = f"PostgreSQL {connection.pg_version // 10000}"
        finally:
            teardown_databases(databases, verbosity=0)
    today = dt.date.today().isoformat()
    report = {
        "date": today,
        "runs": args.runs,
        "tracemalloc_runs": args.tracemalloc_runs,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": load,
            "database": database,
            "broker": "Redis",
            "celery": celery.__version__,
            "worker_pool": "solo",
            "weasyprint": weasyprint.__version__,
        },  # fmt: skip
        "sections": sorted(_SECTIONS),
        "data": {"seconds": data["seconds"], "counts": data["counts"]},
        "packs": packs,
        "seconds": time.perf_counter() - began,
    }
    return report


if __name__ == "__main__":
    sys.exit(main())
