"""Soak test: a sustained mixed workload on the production processes (issue 11).

    DATABASE_URL=postgres://... .venv/bin/python bench/soak.py [--duration 300] [--clients 8]

Makes a scratch PostgreSQL database (ccg_soak_<random>; DATABASE_URL only names the server
to connect to), migrates it and loads the demo, then adds a planning manager, a governing
body member and a scrutiny member of every demo CCG (soak-planner, soak-board,
soak-scrutiny), each with an API token. It starts the production processes on loopback:
gunicorn (`commissioning.settings.production`, --workers 3, a free port) and one real Celery
worker (`--concurrency 1`) on Redis (REDIS_URL, default redis://127.0.0.1:6379/0) with a queue,
cache key prefix and worker name of its own. Nothing in Redis is flushed; at the end only
this run's own keys are deleted.

`--clients` threads then drive a weighted mix for `--duration` seconds (MIX below): page views
as signed-in users (each client signs in through the sign-in form, with its CSRF token, as
one of the three people in turn), anonymous views of published plans, API reads (lists,
details, CSV), API writes (PATCH of a risk, a plan section and a QIPP month with If-Match,
retried after 412/409; a milestone created and deleted) and PDF pack builds (POST packs/,
GET packs/<id>/ until it is done, then the file, which must start with %PDF; at most
`--pack-slots` builds in flight, otherwise the client does an API read). Before the run,
every candidate page and API read is fetched once as each person and kept for those it
answers 200 (what a role may not read is not part of its mix).

The HTTP client is the standard library's (http.client, keep-alive when the server offers
it) with its own cookies: production cookies are Secure, and the requests go over plain
HTTP on loopback with `X-Forwarded-Proto: https`, as a TLS proxy in front would send them.
The API throttles are raised for the run (API_RATE_* settings): they would otherwise answer
429 to a load test, which is their job.

Counted as errors: any 5xx, a connection error or timeout, an unexpected 4xx or 3xx, a page
that is not HTML, a pack that fails or whose file is not a PDF. 409 and 412 answers to writes
are expected outcomes of concurrent editing and counted as conflicts. Per request type:
count, errors, conflicts, requests per second, p50/p95/p99 and max latency. Results go to
bench/results/soak-<date>.json and .md; the exit status is 1 if any error occurred.
Processes are stopped and the scratch database dropped at the end, whatever happened.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent

# Share of operations of each kind (relative weights).
MIX = {"page": 45, "anonymous": 5, "api-read": 30, "api-write": 15, "pack": 5}
ROLES = ("planner", "board", "scrutiny")
PASSWORD = "soak-" + secrets.token_urlsafe(18)
RELOGIN_EVERY = 200  # operations between a client's fresh sign-ins
POLL_SECONDS = 0.5
BUILD = "pack: build"  # samples of a pack's time from POST to done (not one request)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds of load (300)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument(
        "--pack-slots", type=int, default=2, help="pack builds in flight at once, at most (2)"
    )
    parser.add_argument(
        "--pack-timeout",
        type=float,
        default=300,
        help="seconds a pack may take before it counts as failed (300)",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (random)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    return parser.parse_args(argv)


# --- Statistics ------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation between closest ranks (numpy's
    default): position (n - 1) * p / 100 in the sorted values. None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def choose(weights: dict[str, float], u: float) -> str:
    """The kind whose share of the cumulative weights holds u (0 <= u < 1)."""
    total = sum(weights.values())
    edge = 0.0
    for kind, weight in weights.items():
        edge += weight / total
        if u < edge and weight > 0:
            return kind
    return next(kind for kind, weight in reversed(weights.items()) if weight > 0)


@dataclass
class Sample:
    kind: str
    seconds: float
    outcome: str  # ok, conflict, error
    status: int | None = None


@dataclass
class Recorder:
    """What one client saw; merged into a report at the end (no locks while running)."""

    samples: list[Sample] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    conflicts: dict[str, int] = field(default_factory=dict)
    packs: list[dict] = field(default_factory=list)
    skipped_packs: int = 0

    def add(self, kind, seconds, outcome, status=None, detail=None):
        self.samples.append(Sample(kind, seconds, outcome, status))
        if outcome == "error" and len(self.errors) < 50:
            self.errors.append({"kind": kind, "status": status, **(detail or {})})
        if outcome == "conflict":
            code = f"{status} {(detail or {}).get('code') or ''}".strip()
            self.conflicts[code] = self.conflicts.get(code, 0) + 1

    def merge(self, other: Recorder) -> None:
        self.samples += other.samples
        self.errors += other.errors
        for code, n in other.conflicts.items():
            self.conflicts[code] = self.conflicts.get(code, 0) + n
        self.packs += other.packs
        self.skipped_packs += other.skipped_packs


def classify(status: int | None, expected: tuple[int, ...], write: bool = False) -> str:
    """ok for an expected status; conflict for 409/412 to a write; error otherwise
    (None is a connection error or timeout)."""
    if status is None:
        return "error"
    if status in expected:
        return "ok"
    if write and status in (409, 412):
        return "conflict"
    return "error"


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def summarise(recorder: Recorder, seconds: float) -> dict:
    """Per request type: count, errors, conflicts, req/s, latency percentiles (ms)."""
    by_kind: dict[str, list[Sample]] = {}
    for sample in recorder.samples:
        by_kind.setdefault(sample.kind, []).append(sample)

    def row(samples: list[Sample]) -> dict:
        times = [s.seconds for s in samples]
        return {
            "count": len(samples),
            "errors": sum(s.outcome == "error" for s in samples),
            "conflicts": sum(s.outcome == "conflict" for s in samples),
            "per_second": round(len(samples) / seconds, 2) if seconds > 0 else None,
            "p50_ms": ms(percentile(times, 50)),
            "p95_ms": ms(percentile(times, 95)),
            "p99_ms": ms(percentile(times, 99)),
            "max_ms": ms(max(times)) if times else None,
        }

    packs = recorder.packs
    done = [p["seconds"] for p in packs if p["outcome"] == "completed"]
    return {
        "requests": {kind: row(by_kind[kind]) for kind in sorted(by_kind)},
        # "pack: build" is the time from POST to done as a client waits, not a request.
        "total": row([s for s in recorder.samples if s.kind != BUILD]),
        "conflict_codes": dict(sorted(recorder.conflicts.items())),
        "packs": {
            "count": len(packs),
            "completed": len(done),
            "failed": sum(p["outcome"] != "completed" for p in packs),
            "reused": sum(bool(p.get("reused")) for p in packs),
            "skipped_slots_busy": recorder.skipped_packs,
            "p50_s": None if not done else round(percentile(done, 50), 2),
            "p95_s": None if not done else round(percentile(done, 95), 2),
            "max_s": None if not done else round(max(done), 2),
            "by_kind": _count_by(packs, "kind"),
        },
        # Every failed pack also recorded an error sample (its request, poll, build or file).
        "errors": sum(s.outcome == "error" for s in recorder.samples),
        "error_samples": recorder.errors[:50],
    }


def _count_by(rows: list[dict], key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
    return dict(sorted(counts.items()))


def exit_code(report: dict) -> int:
    results = report["results"]
    return 1 if results["errors"] or results["packs"]["failed"] else 0


# --- Report ----------------------------------------------------------------------------------


def _n(value, suffix="") -> str:
    return "–" if value is None else f"{value:,}{suffix}"


def markdown(report: dict) -> str:
    machine, config, results = report["machine"], report["config"], report["results"]
    total, packs = results["total"], results["packs"]
    verdict = "no errors" if not results["errors"] else f"**{results['errors']} errors**"
    lines = [
        f"# Soak test, {report['date']}",
        "",
        f"`bench/soak.py --duration {config['duration']:g} --clients {config['clients']}` "
        f"({config['seconds']:.0f} s of load): {total['count']:,} requests, "
        f"{total['per_second']} per second, {verdict}, {total['conflicts']:,} write conflicts "
        "(409/412, expected).",
        "",
        f"Machine: {machine['cpu_model']} × {machine['cpus']} CPUs, {machine['memory_gb']} GB "
        f"memory, load average {machine['load_average_start']} at the start and "
        f"{machine['load_average_end']} at the end; Python {machine['python']}, Django "
        f"{machine['django']}, {machine['postgresql']}, Redis {machine['redis']}, gunicorn "
        f"{machine['gunicorn']} ({config['workers']} sync workers), Celery {machine['celery']} "
        f"(one worker, concurrency 1). Everything on loopback, on the same machine.",
        "",
        "Mix (weights): "
        + ", ".join(f"{k} {v}" for k, v in config["mix"].items())
        + f"; at most {config['pack_slots']} pack builds in flight. Pages: "
        + ", ".join(f"{role} {n}" for role, n in config["pages_per_role"].items())
        + "; API reads: "
        + ", ".join(f"{role} {n}" for role, n in config["api_reads_per_role"].items())
        + " (URLs each person's probe answered 200).",
        "",
        "Latency as each client measured it (ms); *pack: build* is the time from a pack's POST "
        "to its status `done`, and is not counted among the requests (*all*).",
        "",
        "| request | count | errors | conflicts | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [*results["requests"].items(), ("**all**", total)]
    for kind, row in rows:
        lines.append(
            f"| {kind} | {row['count']:,} | {row['errors']} | {row['conflicts']} | "
            f"{_n(row['per_second'])} | {_n(row['p50_ms'])} | {_n(row['p95_ms'])} | "
            f"{_n(row['p99_ms'])} | {_n(row['max_ms'])} |"
        )
    lines += [
        "",
        f"PDF packs: {packs['count']} requested, {packs['completed']} completed "
        f"({packs['reused']} reused an identical earlier build), {packs['failed']} failed; "
        f"time from POST to done p50 {_n(packs['p50_s'], ' s')}, p95 {_n(packs['p95_s'], ' s')}, "
        f"max {_n(packs['max_s'], ' s')}; "
        + ", ".join(f"{k} {v}" for k, v in packs["by_kind"].items())
        + f". {packs['skipped_slots_busy']} pack operations found every slot busy and did an "
        "API read instead.",
        "",
        "Conflicts by code: "
        + (", ".join(f"{k} {v}" for k, v in results["conflict_codes"].items()) or "none")
        + ".",
    ]
    if results["error_samples"]:
        lines += ["", "First errors:", ""]
        lines += [f"- {json.dumps(e, default=str)[:300]}" for e in results["error_samples"][:20]]
    if report.get("probe_refused"):
        refused = _count_by(
            [{"key": f"{r['role']} {r['status']}"} for r in report["probe_refused"]], "key"
        )
        lines += [
            "",
            "Left out of the mix because the probe was refused (person, answer: URLs; the "
            "JSON lists them): " + ", ".join(f"{k}: {n}" for k, n in refused.items()) + ".",
        ]
    lines += ["", f"Whole run with setup and teardown: {report['seconds']:.0f} s.", ""]
    return "\n".join(lines)


# --- HTTP client -----------------------------------------------------------------------------


@dataclass
class Response:
    status: int | None
    body: bytes
    headers: dict[str, str]
    seconds: float
    error: str | None = None

    def json(self):
        return json.loads(self.body or b"null")


class Client:
    """One user agent: a connection (kept alive when the server allows) and its cookies."""

    def __init__(self, base: str, timeout: float = 120):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{self.host}:{self.port}"
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.token: str | None = None
        self._connection: http.client.HTTPConnection | None = None

    def _conn(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        return self._connection

    def close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(self, method, path, *, data=None, form=None, headers=None, auth=True):
        head = {"X-Forwarded-Proto": "https", "Accept-Encoding": "identity"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
        elif data is not None:
            body = json.dumps(data).encode()
            head["Content-Type"] = "application/json"
        if method not in ("GET", "HEAD"):
            head["Origin"] = self.origin
            head["Referer"] = self.origin + path
            if "csrftoken" in self.cookies:
                head["X-CSRFToken"] = self.cookies["csrftoken"]
        if auth and self.token:
            head["Authorization"] = f"Token {self.token}"
        if self.cookies and not (auth and self.token):
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head.update(headers or {})
        started = time.perf_counter()
        try:
            connection = self._conn()
            connection.request(method, path, body=body, headers=head)
            answer = connection.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return Response(
                None, b"", {}, time.perf_counter() - started, f"{type(error).__name__}: {error}"
            )
        seconds = time.perf_counter() - started
        for value in answer.headers.get_all("Set-Cookie") or []:
            self._keep_cookie(value)
        if answer.will_close:
            self.close()
        return Response(
            answer.status, content, {k.lower(): v for k, v in answer.getheaders()}, seconds
        )

    def _keep_cookie(self, header: str) -> None:
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- Workload --------------------------------------------------------------------------------


class Workload:
    """The shared plan of what to request: URLs per person, write targets, pack specs."""

    def __init__(self, base: str, inventory: dict, args, deadline: float):
        self.base, self.inv, self.args, self.deadline = base, inventory, args, deadline
        self.pages: dict[str, list[tuple[str, str]]] = {}  # role -> [(kind, path)]
        self.reads: dict[str, list[tuple[str, str]]] = {}
        self.anonymous: list[tuple[str, str]] = []
        self.pack_slots = threading.BoundedSemaphore(max(args.pack_slots, 1))
        self.probe_refused: list[dict] = []

    # Probe: which candidate URLs each person may read.
    def probe(self, recorder: Recorder) -> None:
        for role in ROLES:
            client = self.signed_in(role, recorder)
            self.pages[role] = self._keep(client, role, self.inv["pages"], recorder, "page")
            client.close()
            client = Client(self.base)
            client.token = self.inv["tokens"][role]
            self.reads[role] = self._keep(client, role, self.inv["api_reads"], recorder, "api")
            client.close()
        client = Client(self.base)
        self.anonymous = self._keep(client, "anonymous", self.inv["anonymous"], recorder, "page")

    def _keep(self, client, role, candidates, recorder, family):
        kept = []
        for kind, path in candidates:
            answer = client.request("GET", path)
            if answer.status is None or answer.status >= 500:
                recorder.add(
                    "probe",
                    answer.seconds,
                    "error",
                    answer.status,
                    {
                        "role": role,
                        "path": path,
                        "error": answer.error,
                        "body": answer.body[:200].decode(errors="replace"),
                    },
                )
            elif answer.status == 200:
                kept.append((kind, path))
            else:
                self.probe_refused.append({"role": role, "path": path, "status": answer.status})
        return kept

    def signed_in(self, role: str, recorder: Recorder) -> Client:
        client = Client(self.base)
        form = client.request("GET", "/accounts/login/")
        outcome = classify(form.status, (200,))
        token = CSRF_INPUT.search(form.body)
        recorder.add(
            "login form",
            form.seconds,
            outcome if token else "error",
            form.status,
            None if token else {"error": form.error, "note": "no CSRF token"},
        )
        answer = client.request(
            "POST",
            "/accounts/login/",
            form={
                "csrfmiddlewaretoken": token.group(1).decode() if token else "",
                "username": self.inv["users"][role],
                "password": PASSWORD,
            },
        )
        ok = answer.status == 302 and "sessionid" in client.cookies
        recorder.add(
            "login",
            answer.seconds,
            "ok" if ok else "error",
            answer.status,
            None
            if ok
            else {
                "role": role,
                "error": answer.error,
                "body": answer.body[:200].decode(errors="replace"),
            },
        )
        return client


def check(recorder, kind, answer, expected=(200,), write=False, path="", html=False):
    outcome = classify(answer.status, expected, write)
    detail = {"path": path}
    if outcome == "ok" and html and b"<html" not in answer.body[:500].lower():
        outcome, detail["note"] = "error", "not HTML"
    if outcome == "conflict":
        with contextlib.suppress(ValueError):
            detail["code"] = answer.json().get("code")
    if outcome == "error":
        detail["error"] = answer.error
        detail["body"] = answer.body[:300].decode(errors="replace")
    recorder.add(kind, answer.seconds, outcome, answer.status, detail)
    return outcome


class Driver(threading.Thread):
    """One client: picks operations from the mix until the deadline."""

    def __init__(self, number: int, workload: Workload, seed: int):
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.w, self.rng = number, workload, random.Random(seed)  # noqa: S311 - a workload, not a secret
        self.role = ROLES[number % len(ROLES)]
        self.recorder = Recorder()
        self.session: Client | None = None
        self.api = {role: self._token_client(role) for role in ROLES}
        self.anon = Client(workload.base)

    def _token_client(self, role):
        client = Client(self.w.base)
        client.token = self.w.inv["tokens"][role]
        return client

    def run(self):
        operations = 0
        while time.monotonic() < self.w.deadline:
            if self.session is None or operations % RELOGIN_EVERY == 0:
                if self.session:
                    self.session.close()
                self.session = self.w.signed_in(self.role, self.recorder)
            operation = choose(MIX, self.rng.random())
            getattr(self, "op_" + operation.replace("-", "_"))()
            operations += 1
        for client in (self.session, self.anon, *self.api.values()):
            if client:
                client.close()

    def op_page(self):
        kind, path = self.rng.choice(self.w.pages[self.role])
        answer = self.session.request("GET", path)
        check(self.recorder, f"page: {kind}", answer, path=path, html=True)

    def op_anonymous(self):
        if not self.w.anonymous:
            return self.op_page()
        kind, path = self.rng.choice(self.w.anonymous)
        answer = self.anon.request("GET", path)
        check(self.recorder, f"anonymous: {kind}", answer, path=path, html=True)

    def op_api_read(self):
        kind, path = self.rng.choice(self.w.reads[self.role])
        answer = self.api[self.role].request("GET", path)
        check(self.recorder, f"api read: {kind}", answer, path=path)

    def op_api_write(self):
        inv, client = self.w.inv, self.api["planner"]
        choice = self.rng.choice(["risk", "section", "qipp-month", "milestone"])
        if choice == "milestone":
            plan = self.rng.choice(inv["writable_plans"])
            due = dt.date(2016, 3, 31) + dt.timedelta(days=self.rng.randrange(365))
            created = client.request(
                "POST",
                "/api/v1/milestones/",
                data={
                    "plan": plan,
                    "title": f"Soak milestone {self.number}",
                    "due_on": due.isoformat(),
                },
            )
            if (
                check(
                    self.recorder,
                    "api write: create milestone",
                    created,
                    (201,),
                    True,
                    "/api/v1/milestones/",
                )
                != "ok"
            ):
                return
            path = f"/api/v1/milestones/{created.json()['id']}/"
            gone = client.request("DELETE", path, headers={"If-Match": created.headers["etag"]})
            check(self.recorder, "api write: delete milestone", gone, (204,), True, path)
            return
        resource, pk = self.rng.choice(inv["write_targets"][choice])
        path = f"/api/v1/{resource}/{pk}/"
        for _attempt in range(4):
            read = client.request("GET", path)
            if check(self.recorder, "api write: read before", read, path=path) != "ok":
                return
            patch = self._change(choice, read.json())
            answer = client.request(
                "PATCH", path, data=patch, headers={"If-Match": read.headers.get("etag", "*")}
            )
            if (
                check(self.recorder, f"api write: patch {choice}", answer, (200,), True, path)
                != "conflict"
            ):
                return

    def _change(self, choice, record):
        mark = f"soak {self.number}-{self.rng.randrange(10**6)}"
        if choice == "risk":
            return {"owner": f"Director of Commissioning ({mark})"}
        if choice == "section":
            body = re.sub(r"\n\n_Edited by soak [^_]*_$", "", record.get("body") or "")
            return {"body": f"{body}\n\n_Edited by {mark}_"}
        return {"forecast": f"{self.rng.randrange(0, 50000)}.{self.rng.randrange(100):02d}"}

    def op_pack(self):
        if not self.w.pack_slots.acquire(blocking=False):
            self.recorder.skipped_packs += 1
            return self.op_api_read()
        try:
            self._pack()
        finally:
            self.w.pack_slots.release()

    def _pack(self):
        spec = dict(self.rng.choice(self.w.inv["packs"]))
        spec["force"] = self.rng.random() < 0.25
        client = self.api[self.rng.choice(["planner", "board"])]
        started = time.perf_counter()
        answer = client.request("POST", "/api/v1/packs/", data=spec)
        row = {"kind": spec["kind"], "outcome": "failed", "seconds": None}
        self.recorder.packs.append(row)
        if check(self.recorder, "pack: request", answer, (202,), path="/api/v1/packs/") != "ok":
            row["note"] = f"POST answered {answer.status}"
            return
        path = f"/api/v1/packs/{answer.json()['id']}/"
        give_up = time.monotonic() + self.w.args.pack_timeout
        while True:
            time.sleep(POLL_SECONDS)
            poll = client.request("GET", path)
            if check(self.recorder, "pack: poll", poll, path=path) != "ok":
                row["note"] = f"poll answered {poll.status}"
                return
            build = poll.json()
            if build["status"] in ("done", "failed"):
                break
            if time.monotonic() > give_up:
                row["note"] = f"not done after {self.w.args.pack_timeout:g} s"
                self.recorder.add(
                    BUILD,
                    time.perf_counter() - started,
                    "error",
                    None,
                    {"path": path, "note": row["note"]},
                )
                return
        row["seconds"] = time.perf_counter() - started
        row["reused"] = bool(build.get("reused_from"))
        if build["status"] != "done":
            row["note"] = f"build failed: {build.get('error')}"
            self.recorder.add(
                BUILD, row["seconds"], "error", None, {"path": path, "note": row["note"]}
            )
            return
        self.recorder.add(BUILD, row["seconds"], "ok")
        download = client.request("GET", path + "file/")
        if check(self.recorder, "pack: download", download, path=path + "file/") != "ok":
            row["note"] = f"file answered {download.status}"
            return
        if not download.body.startswith(b"%PDF"):
            row["note"] = "the file is not a PDF"
            self.recorder.add(
                "pack: download", 0.0, "error", 200, {"path": path + "file/", "note": row["note"]}
            )
            return
        row["outcome"] = "completed"


def run_load(base: str, inventory: dict, args, seed: int) -> tuple[Recorder, Workload, float]:
    recorder = Recorder()
    workload = Workload(base, inventory, args, deadline=0)
    workload.probe(recorder)
    print(
        f"Probe: pages { ({r: len(v) for r, v in workload.pages.items()}) }, API reads "
        f"{ ({r: len(v) for r, v in workload.reads.items()}) }, anonymous "
        f"{len(workload.anonymous)}; {len(workload.probe_refused)} refused",
        flush=True,
    )
    started = time.monotonic()
    workload.deadline = started + args.duration
    drivers = [Driver(n, workload, seed + n) for n in range(args.clients)]
    for driver in drivers:
        driver.start()
    for driver in drivers:
        driver.join()
    seconds = time.monotonic() - started
    for driver in drivers:
        recorder.merge(driver.recorder)
    return recorder, workload, seconds


# --- Setup: database, data, processes ----------------------------------------------------------


def admin_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname=(parts.path or "/postgres").lstrip("/") or "postgres",
    )
    connection.autocommit = True
    return connection


def database_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path="/" + name).geturl()


def make_data(ods_codes_out: dict) -> dict:
    """Migrate, load the demo, add the soak people and their tokens; list what to request."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from commissioning.access import Role
    from commissioning.models import CCG, ApiToken, Membership
    from finance.models import QippMonth, QippScheme
    from governance.models import Committee, Meeting, Risk
    from plans.models import Plan, PlanState

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    ccgs = list(CCG.objects.order_by("ods_code"))
    roles = {
        "planner": Role.PLANNING_MANAGER,
        "board": Role.GOVERNING_BODY,
        "scrutiny": Role.SCRUTINY,
    }
    users, tokens = {}, {}
    for name, role in roles.items():
        user = get_user_model().objects.create_user(f"soak-{name}", password=PASSWORD)
        for ccg in ccgs:
            Membership.objects.create(user=user, ccg=ccg, role=role)
        users[name] = user.username
        tokens[name] = ApiToken.issue(user, name="soak")[1]

    pages, api_reads = [], []
    plans = list(Plan.objects.order_by("pk"))
    for ccg in ccgs:
        ods = ccg.ods_code
        for kind, name in (
            ("ccg overview", "ccg-detail"),
            ("plans list", "ccg-plans"),
            ("dashboard", "ccg-dashboard"),
            ("qipp tracker", "ccg-qipp"),
            ("finance", "ccg-finance"),
            ("risks", "ccg-risks"),
            ("risk heat map", "ccg-risk-heat-map"),
            ("committees", "ccg-committees"),
            ("meeting actions", "ccg-actions"),
            ("programmes", "ccg-programmes"),
        ):
            pages.append((kind, reverse(name, args=[ods])))
    pages.append(("home", reverse("home")))
    from governance.models import Measurement

    for ods, code in (
        Measurement.objects.values_list("ccg__ods_code", "standard__code")
        .distinct()
        .order_by("ccg__ods_code", "standard__code")[:40]
    ):
        pages.append(("standard", reverse("ccg-standard", args=[ods, code])))
    for risk in Risk.objects.select_related("ccg"):
        pages.append(("risk", reverse("risk-detail", args=[risk.ccg.ods_code, risk.pk])))
    for scheme in QippScheme.objects.select_related("ccg")[:10]:
        pages.append(("qipp scheme", reverse("qipp-scheme", args=[scheme.ccg.ods_code, scheme.pk])))
    for meeting in Meeting.objects.select_related("committee__ccg"):
        ods = meeting.committee.ccg.ods_code
        pages.append(("meeting", reverse("meeting-detail", args=[ods, meeting.pk])))
    for committee in Committee.objects.select_related("ccg"):
        pages.append(
            ("committee", reverse("committee-detail", args=[committee.ccg.ods_code, committee.pk]))
        )
    anonymous = []
    for plan in plans:
        pages.append(("plan", reverse("plan-detail", args=[plan.pk])))
        for tab in (
            "plan-sections",
            "plan-priorities",
            "plan-delivery",
            "plan-versions",
            "plan-history",
            "plan-packs",
            "plan-on-a-page",
        ):
            pages.append(("plan tab", reverse(tab, args=[plan.pk])))
        if plan.refreshes_id:
            pages.append(("plan tab", reverse("plan-diff", args=[plan.pk])))
        if plan.state == PlanState.PUBLISHED:
            anonymous.append(("published plan", reverse("plan-detail", args=[plan.pk])))
            anonymous.append(("published plan tab", reverse("plan-sections", args=[plan.pk])))

    lists = [
        "ccgs",
        "plans",
        "sections",
        "milestones",
        "priorities",
        "commitments",
        "actions",
        "risks",
        "qipp-schemes",
        "qipp-monthly",
        "committees",
        "meetings",
        "meeting-actions",
        "standards",
        "packs",
        "people",
        "practices",
        "contracts",
    ]
    for name in lists:
        api_reads.append(("list", f"/api/v1/{name}/"))
    for name in ("plans", "risks", "qipp-schemes", "sections", "practices", "standards"):
        api_reads.append(("csv", f"/api/v1/{name}/?format=csv"))
    for ods in [c.ods_code for c in ccgs]:
        api_reads.append(("list", f"/api/v1/measurements/?ccg={ods}"))
    for plan in plans:
        api_reads.append(("detail", f"/api/v1/plans/{plan.pk}/"))
    for model, resource in ((Risk, "risks"), (QippScheme, "qipp-schemes"), (Meeting, "meetings")):
        for pk in model.objects.order_by("pk").values_list("pk", flat=True)[:5]:
            api_reads.append(("detail", f"/api/v1/{resource}/{pk}/"))
    for ccg in ccgs:
        api_reads.append(("detail", f"/api/v1/ccgs/{ccg.ods_code}/"))

    writable = [p.pk for p in plans if p.is_editable]
    from plans.models import Section

    write_targets = {
        "risk": [("risks", pk) for pk in Risk.objects.values_list("pk", flat=True)],
        "section": [
            ("sections", pk)
            for pk in Section.objects.filter(plan_id__in=writable)
            .order_by("pk")
            .values_list("pk", flat=True)[:6]
        ],
        "qipp-month": [
            ("qipp-monthly", pk)
            for pk in QippMonth.objects.order_by("pk").values_list("pk", flat=True)[:6]
        ],
    }
    packs = [{"kind": "plan-document", "plan": pk} for pk in [p.pk for p in plans][:4]]
    packs += [{"kind": "plan-on-a-page", "plan": plans[0].pk}]
    packs += [
        {"kind": "annual-review", "plan": p.pk} for p in plans if p.state == PlanState.CONSULTATION
    ][:1]
    packs += [{"kind": "governing-body", "meeting": m.pk} for m in Meeting.objects.all()[:1]]
    ods_codes_out["ccgs"] = [c.ods_code for c in ccgs]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        versions = {"postgresql": f"PostgreSQL {cursor.fetchone()[0]}",
                    "django": django.get_version()}  # fmt: skip
    from django.db import connections

    connections.close_all()
    return {
        "users": users,
        "tokens": tokens,
        "pages": pages,
        "api_reads": api_reads,
        "anonymous": anonymous,
        "writable_plans": writable,
        "write_targets": write_targets,
        "packs": packs,
        "versions": versions,
    }


def wait_for_line(path: Path, pattern: str, process: subprocess.Popen, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    regex = re.compile(pattern)
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        match = regex.search(text)
        if match:
            return match.group(1) if match.groups() else match.group(0)
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited early:\n{text[-3000:]}")
        time.sleep(0.3)
    raise RuntimeError(f"no '{pattern}' in {path} after {seconds:g} s")


def start(command: list[str], env: dict, log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    with open(log, "wb") as handle:
        return subprocess.Popen(  # noqa: S603 - our own programs
            command,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,
        )


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def redis_cleanup(url: str, prefix: str, queue: str) -> int:
    """Delete this run's own keys (cache prefix, queue bindings); never anything else."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    keys += list(client.scan_iter(match=f"_kombu.binding*.{queue}", count=500))
    keys += [k for k in (queue, f"{queue}.unacked") if client.exists(k)]
    if keys:
        client.delete(*keys)
    return len(keys)


def machine(base_versions: dict, redis_url: str) -> dict:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", info)
    memory = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
    import celery
    import gunicorn
    import redis

    try:
        redis_version = redis.Redis.from_url(redis_url).info("server")["redis_version"]
    except redis.RedisError:
        redis_version = "unknown"
    return {
        "cpu_model": model.group(1).strip() if model else platform.processor() or "unknown",
        "cpus": os.cpu_count(),
        "memory_gb": round(int(memory.group(1)) / 2**20, 1) if memory else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "gunicorn": gunicorn.__version__,
        "celery": celery.__version__,
        "redis": redis_version,
        **base_versions,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        print(
            "Set DATABASE_URL to a PostgreSQL server: the soak makes a scratch database there.",
            file=sys.stderr,
        )
        return 2
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    seed = args.seed if args.seed is not None else random.randrange(10**6)  # noqa: S311
    began = time.perf_counter()
    load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    run_id = secrets.token_hex(5)
    name, queue, prefix = f"ccg_soak_{run_id}", f"soak-{run_id}", f"soak-{run_id}"
    scratch = database_url(server, name)
    admin = admin_connection(server)
    gunicorn = worker = None
    with tempfile.TemporaryDirectory(prefix="ccg-soak-") as temp:
        temp = Path(temp)
        try:
            print(f"Creating database {name}, migrating and loading the demo ...", flush=True)
            with admin.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
            os.environ.update(
                {
                    "DATABASE_URL": scratch,
                    "DJANGO_SETTINGS_MODULE": "commissioning.settings.base",
                    "LOG_LEVEL": "WARNING",
                    "MEDIA_ROOT": str(temp / "media"),
                    "VAR_DIR": str(temp / "var"),
                }
            )
            os.environ.pop("REDIS_URL", None)  # the setup itself queues nothing
            sys.path.insert(0, str(ROOT))
            out: dict = {}
            inventory = make_data(out)
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "commissioning.settings.production",
                "SECRET_KEY": secrets.token_urlsafe(64),
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "false",
                "DATABASE_URL": scratch,
                "REDIS_URL": redis_url,
                "CELERY_QUEUE": queue,
                "CACHE_KEY_PREFIX": prefix,
                "API_RATE_TOKEN": "1000000/min",
                "API_RATE_USER": "1000000/min",
                "API_RATE_ANON": "1000000/min",
                "LOG_LEVEL": "WARNING",
            }
            print("Collecting static files ...", flush=True)
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],  # noqa: S603
                env=env,
                cwd=ROOT,
                check=True,
            )
            gunicorn_log, worker_log = temp / "gunicorn.log", temp / "worker.log"
            gunicorn = start(
                [
                    str(BIN / "gunicorn"),
                    "commissioning.wsgi",
                    "--bind",
                    "127.0.0.1:0",
                    "--workers",
                    str(args.workers),
                    "--timeout",
                    "120",
                ],
                env,
                gunicorn_log,
            )
            worker = start(
                [
                    str(BIN / "celery"),
                    "-A",
                    "commissioning",
                    "worker",
                    "--concurrency",
                    "1",
                    "--queues",
                    queue,
                    "--hostname",
                    f"{queue}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                ],
                env,
                worker_log,
            )
            port = wait_for_line(
                gunicorn_log, r"Listening at: http://127\.0\.0\.1:(\d+)", gunicorn, 60
            )
            wait_for_line(worker_log, r"ready\.", worker, 120)
            base = f"http://127.0.0.1:{port}"
            print(
                f"gunicorn on {base} ({args.workers} workers), worker on queue {queue}; "
                f"{args.clients} clients for {args.duration:g} s (seed {seed}) ...",
                flush=True,
            )
            recorder, workload, seconds = run_load(base, inventory, args, seed)
            server_log = [
                line
                for line in gunicorn_log.read_text(errors="replace").splitlines()
                if "Error" in line or "Traceback" in line
            ][:40]
            worker_errors = [
                line
                for line in worker_log.read_text(errors="replace").splitlines()
                if "ERROR" in line or "Traceback" in line
            ][:40]
        finally:
            stop(gunicorn)
            stop(worker)
            with contextlib.suppress(Exception):
                redis_cleanup(redis_url, prefix, queue)
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
            print(f"Stopped the processes and dropped {name}.", flush=True)
    results = summarise(recorder, seconds)
    today = dt.date.today().isoformat()
    report = {
        "date": today,
        "config": {
            "duration": args.duration,
            "clients": args.clients,
            "workers": args.workers,
            "pack_slots": args.pack_slots,
            "seed": seed,
            "seconds": seconds,
            "mix": MIX,
            "ccgs": out.get("ccgs"),
            "pages_per_role": {r: len(v) for r, v in workload.pages.items()},
            "api_reads_per_role": {r: len(v) for r, v in workload.reads.items()},
            "anonymous_pages": len(workload.anonymous),
        },
        "machine": {
            **machine(inventory["versions"], redis_url),
            "load_average_start": load_start,
            "load_average_end": ", ".join(f"{x:.1f}" for x in os.getloadavg()),
        },
        "results": results,
        "probe_refused": workload.probe_refused,
        "server_log_errors": server_log,
        "worker_log_errors": worker_errors,
        "seconds": time.perf_counter() - began,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"soak-{today}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    stem.with_suffix(".md").write_text(markdown(report))
    total = results["total"]
    print(
        f"{total['count']:,} requests ({total['per_second']}/s), {results['errors']} errors, "
        f"{total['conflicts']} conflicts; p95 {total['p95_ms']} ms. Wrote {stem}.json and "
        f"{stem}.md"
    )
    return exit_code(report)


if __name__ == "__main__":
    sys.exit(main())
