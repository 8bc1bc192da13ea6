"""bench/soak.py's driver logic on made-up samples: percentiles, the workload mix, outcome
classification, the summary and report, and its HTTP client's cookies. The soak itself
(minutes of load on gunicorn and a worker) runs with `make soak`, not in the suite."""

from __future__ import annotations

import http.server
import importlib.util
import json
import random
import sys
import threading
from pathlib import Path

import pytest

SOAK_PATH = Path(__file__).resolve().parents[2] / "bench" / "soak.py"
spec = importlib.util.spec_from_file_location("bench_soak", SOAK_PATH)
soak = importlib.util.module_from_spec(spec)
sys.modules.setdefault("bench_soak", soak)  # dataclasses look their module up by name
spec.loader.exec_module(soak)


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 50, None),
        ([5.0], 0, 5.0),
        ([5.0], 99, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 0, 1.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),  # position 1.5
        ([1.0, 2.0, 3.0, 4.0], 95, 3.85),  # position 2.85: 3 + 0.85 * (4 - 3)
        ([1.0, 2.0, 3.0, 4.0], 99, 3.97),
        ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
        ([10.0, 1.0, 7.0], 50, 7.0),  # sorted first: 1, 7, 10
        ([0.1 * k for k in range(1, 11)], 90, 0.91),  # position 8.1: 0.9 + 0.1 * 0.1
    ],
)
def test_percentile_interpolates_between_closest_ranks(values, p, expected):
    result = soak.percentile(values, p)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize(
    ("weights", "u", "expected"),
    [
        ({"a": 1, "b": 3}, 0.0, "a"),
        ({"a": 1, "b": 3}, 0.2499, "a"),
        ({"a": 1, "b": 3}, 0.25, "b"),
        ({"a": 1, "b": 3}, 0.9999, "b"),
        ({"a": 0, "b": 1}, 0.0, "b"),  # a weight of 0 is never chosen
        ({"a": 1, "b": 0}, 0.9999, "a"),
        ({"a": 2, "b": 2, "c": 4}, 0.5, "c"),
    ],
)
def test_choose_maps_a_uniform_draw_to_the_cumulative_weights(weights, u, expected):
    assert soak.choose(weights, u) == expected


def test_the_mix_is_drawn_in_its_proportions():
    rng = random.Random(1234)
    draws = 20_000
    counts = dict.fromkeys(soak.MIX, 0)
    for _ in range(draws):
        counts[soak.choose(soak.MIX, rng.random())] += 1
    total = sum(soak.MIX.values())
    assert set(counts) == {"page", "anonymous", "api-read", "api-write", "pack"}
    for kind, weight in soak.MIX.items():
        assert counts[kind] / draws == pytest.approx(weight / total, abs=0.01), kind


@pytest.mark.parametrize(
    ("status", "expected", "write", "outcome"),
    [
        (200, (200,), False, "ok"),
        (302, (302,), False, "ok"),
        (None, (200,), False, "error"),  # connection error or timeout
        (500, (200,), False, "error"),
        (503, (200,), True, "error"),
        (404, (200,), False, "error"),  # an unexpected 4xx
        (302, (200,), False, "error"),  # e.g. sent to the sign-in page
        (409, (200,), False, "error"),  # a conflict is only expected of a write
        (409, (200,), True, "conflict"),
        (412, (200,), True, "conflict"),
        (400, (200,), True, "error"),
        (201, (201,), True, "ok"),
    ],
)
def test_classify(status, expected, write, outcome):
    assert soak.classify(status, expected, write) == outcome


def made_up_recorder() -> soak.Recorder:
    recorder = soak.Recorder()
    for k in range(1, 11):  # 0.1 s ... 1.0 s
        recorder.add("page: plan", k / 10, "ok", 200)
    recorder.add("page: plan", 2.0, "error", 500, {"path": "/plans/1/"})
    other = soak.Recorder()
    other.add("api write: patch risk", 0.05, "conflict", 412, {"code": "precondition-failed"})
    other.add("api write: patch risk", 0.15, "conflict", 409, {"code": "edit-conflict"})
    other.add("api write: patch risk", 0.10, "ok", 200)
    other.packs += [
        {"kind": "plan-document", "outcome": "completed", "seconds": 2.0, "reused": True},
        {"kind": "plan-document", "outcome": "completed", "seconds": 4.0},
        {"kind": "annual-review", "outcome": "completed", "seconds": 6.0},
        {"kind": "annual-review", "outcome": "failed", "seconds": None},
    ]
    other.skipped_packs = 3
    recorder.merge(other)
    return recorder


def test_summarise_counts_errors_conflicts_rates_and_percentiles():
    results = soak.summarise(made_up_recorder(), seconds=10)
    page = results["requests"]["page: plan"]
    assert page["count"] == 11
    assert page["errors"] == 1
    assert page["conflicts"] == 0
    assert page["per_second"] == 1.1
    # 0.1 ... 1.0 and 2.0: position 5 of 11 is 0.6 s; p95 at 9.5: 1.0 + 0.5 * (2.0 - 1.0)
    assert page["p50_ms"] == 600.0
    assert page["p95_ms"] == 1500.0
    assert page["max_ms"] == 2000.0
    risk = results["requests"]["api write: patch risk"]
    assert (risk["count"], risk["errors"], risk["conflicts"]) == (3, 0, 2)
    assert risk["p50_ms"] == 100.0
    assert results["conflict_codes"] == {"409 edit-conflict": 1, "412 precondition-failed": 1}
    assert results["total"]["count"] == 14
    assert results["total"]["per_second"] == 1.4
    packs = results["packs"]
    assert (packs["count"], packs["completed"], packs["failed"], packs["reused"]) == (4, 3, 1, 1)
    assert packs["p50_s"] == 4.0
    assert packs["p95_s"] == 5.8  # position 1.9 of [2, 4, 6]
    assert packs["skipped_slots_busy"] == 3
    assert packs["by_kind"] == {"annual-review": 2, "plan-document": 2}
    assert results["errors"] == 1  # the 500 (a failed pack records its own error sample)
    assert results["error_samples"] == [{"kind": "page: plan", "status": 500, "path": "/plans/1/"}]


def report_for(recorder: soak.Recorder) -> dict:
    return {
        "date": "2026-12-02",
        "seconds": 75.0,
        "config": {
            "duration": 10,
            "clients": 2,
            "workers": 3,
            "pack_slots": 2,
            "seconds": 10.0,
            "mix": soak.MIX,
            "pages_per_role": {"planner": 5, "scrutiny": 2},
            "api_reads_per_role": {"planner": 4, "scrutiny": 1},
        },  # fmt: skip
        "machine": {
            "cpu_model": "Test CPU",
            "cpus": 2,
            "memory_gb": 4.0,
            "python": "3.11.7",
            "django": "5.2",
            "postgresql": "PostgreSQL 15.2",
            "redis": "7.0",
            "gunicorn": "23.0",
            "celery": "5.5",
            "load_average_start": "0.1",
            "load_average_end": "0.2",
        },  # fmt: skip
        "results": soak.summarise(recorder, seconds=10),
        "probe_refused": [{"role": "scrutiny", "path": "/ccgs/03L/risks/", "status": 404}],
    }


def test_markdown_report_has_a_row_per_request_type_and_the_verdict():
    report = report_for(made_up_recorder())
    text = soak.markdown(report)
    assert "# Soak test, 2026-12-02" in text
    assert "| page: plan | 11 | 1 | 0 | 1.1 | 600.0 | 1,500.0 |" in text
    assert "| api write: patch risk | 3 | 0 | 2 | 0.3 | 100.0 |" in text
    assert "| **all** | 14 | 1 | 2 | 1.4 |" in text
    assert "**1 errors**" in text
    assert "4 requested, 3 completed (1 reused an identical earlier build), 1 failed" in text
    assert "p50 4.0 s, p95 5.8 s" in text
    assert "409 edit-conflict 1, 412 precondition-failed 1" in text
    assert "scrutiny 404: 1" in text
    assert "Test CPU × 2 CPUs" in text
    assert soak.exit_code(report) == 1
    report["results"]["errors"] = 0
    assert soak.exit_code(report) == 1  # the failed pack alone fails the run
    json.dumps(report)  # the JSON file holds the same report


def test_a_run_without_errors_exits_zero():
    recorder = soak.Recorder()
    recorder.add("page: plan", 0.2, "ok", 200)
    recorder.add("api write: patch section", 0.2, "conflict", 412, {"code": "precondition-failed"})
    recorder.packs.append({"kind": "plan-document", "outcome": "completed", "seconds": 3.0})
    report = report_for(recorder)
    assert report["results"]["errors"] == 0
    assert soak.exit_code(report) == 0
    assert "no errors, 1 write conflicts" in soak.markdown(report)


class CookieServer(http.server.BaseHTTPRequestHandler):
    """Sets a Secure cookie, then answers with the headers it was sent."""

    def do_GET(self):  # noqa: N802 - the http.server API
        self.send_response(200)
        if self.path == "/set":
            self.send_header("Set-Cookie", "sessionid=abc; Secure; HttpOnly; Path=/")
            self.send_header("Set-Cookie", "csrftoken=tok; Secure; Path=/")
        if self.path == "/forget":
            self.send_header("Set-Cookie", 'sessionid=""; Max-Age=0; Path=/')
        body = json.dumps({"cookie": self.headers.get("Cookie"),
                           "proto": self.headers.get("X-Forwarded-Proto")}).encode()  # fmt: skip
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_client_keeps_secure_cookies_over_loopback_http_and_forgets_expired_ones():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CookieServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = soak.Client(f"http://127.0.0.1:{server.server_address[1]}", timeout=10)
        assert client.request("GET", "/set").status == 200
        seen = client.request("GET", "/echo").json()
        assert seen["cookie"] == "sessionid=abc; csrftoken=tok"
        assert seen["proto"] == "https"
        client.request("GET", "/forget")
        assert client.request("GET", "/echo").json()["cookie"] == "csrftoken=tok"
        client.close()
        refused = soak.Client("http://127.0.0.1:9", timeout=2).request("GET", "/")
        assert refused.status is None and refused.error  # a connection error, recorded
    finally:
        server.shutdown()
        server.server_close()


def test_pack_build_times_are_reported_but_not_counted_as_requests():
    recorder = soak.Recorder()
    recorder.add("pack: request", 0.1, "ok", 202)
    recorder.add(soak.BUILD, 30.0, "ok")
    recorder.add(soak.BUILD, 40.0, "error", None, {"note": "build failed"})
    results = soak.summarise(recorder, seconds=1)
    assert results["requests"][soak.BUILD]["count"] == 2
    assert results["total"]["count"] == 1
    assert results["total"]["max_ms"] == 100.0
    assert results["errors"] == 1  # a failed build is still an error
