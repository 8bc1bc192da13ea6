"""bench/common.py: wrk output parsing, percentiles, medians and spreads, report assembly."""

import json

import pytest

from bench.common import assemble, fmt, parse_wrk, percentile, ratios, summary

# Real wrk 4 output with --latency and bench/common.py's WRK_LUA `done` hook.
WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:37237/bench/floor/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.21ms    1.02ms  21.30ms   88.12%
    Req/Sec     1.54k   120.33     1.80k    70.00%
  Latency Distribution
     50%    5.02ms
     75%    5.60ms
     90%    6.31ms
     99%    9.88ms
  6142 requests in 2.00s, 2.10MB read
Requests/sec:   3071.00
Transfer/sec:      1.05MB
BENCH-RESULT {"requests": 6142, "duration_us": 2000000, "bytes": 2202009, "p50_us": 5020, \
"p95_us": 7100, "p99_us": 9880, "max_us": 21300, "mean_us": 5210.4, "errors_connect": 0, \
"errors_read": 0, "errors_write": 0, "errors_status": 3, "errors_timeout": 1}
""".replace("\\\n", "")

PLAIN_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/
  2 threads and 16 connections
  Latency Distribution
     50%  350.12us
     75%    1.20ms
     90%    1.50s
     99%    2.00m
  100 requests in 10.00s, 1.00MB read
  Non-2xx or 3xx responses: 7
Requests/sec:     10.00
"""


def test_parse_wrk_reads_the_lua_line_with_p95():
    result = parse_wrk(WRK_OUTPUT)
    assert result["requests"] == 6142
    assert result["rps"] == pytest.approx(3071.0)
    assert result["p50_ms"] == pytest.approx(5.02)
    assert result["p95_ms"] == pytest.approx(7.1)
    assert result["p99_ms"] == pytest.approx(9.88)
    assert result["p75_ms"] == pytest.approx(5.6)  # from --latency, which has no p95
    assert result["errors"] == 4
    assert result["errors_status"] == 3


def test_parse_wrk_falls_back_to_the_latency_distribution_with_its_units():
    result = parse_wrk(PLAIN_OUTPUT)
    assert result["rps"] == 10.0
    assert result["p50_ms"] == pytest.approx(0.35012)
    assert result["p75_ms"] == pytest.approx(1.2)
    assert result["p90_ms"] == pytest.approx(1500.0)
    assert result["p99_ms"] == pytest.approx(120_000.0)
    assert "p95_ms" not in result
    assert result["errors_status"] == 7


def test_parse_wrk_refuses_output_without_a_result():
    with pytest.raises(ValueError, match="no wrk result"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_percentile_interpolates_between_ranks():
    values = [10, 1, 4, 3, 2, 6, 5, 8, 7, 9]
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 10
    assert percentile(values, 50) == pytest.approx(5.5)
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile([4.0], 99) == 4.0
    assert percentile([], 50) is None


def test_summary_gives_median_min_max_and_spread():
    stats = summary([3.0, 1.0, 10.0, 2.0])
    assert stats["median"] == 2.5
    assert (stats["min"], stats["max"], stats["spread"]) == (1.0, 10.0, 9.0)
    assert stats["runs"] == [3.0, 1.0, 10.0, 2.0]
    assert summary([7.0])["spread"] == 0
    with pytest.raises(ValueError):
        summary([])


def test_ratios_are_run_by_run():
    assert ratios([10, 30], [5, 10]) == [2.0, 3.0]
    assert summary(ratios([10, 30, 8], [5, 10, 8]))["median"] == 2.0
    assert ratios([1], [0]) == [float("inf")]
    with pytest.raises(ValueError):
        ratios([1, 2], [1])


def test_fmt_shows_median_range_and_spread():
    assert fmt(summary([1.0, 2.0, 4.0]), "ms") == "2.0 ms (1.0–4.0, spread 3.0)"
    assert fmt(summary([1200.0, 1000.0]), digits=0) == "1,100 (1,000–1,200, spread 200)"
    assert fmt(None) == "not measured"


def test_assemble_puts_machine_sections_and_failures_in_one_report():
    machine = {"cpu_model": "Test CPU", "cpus": 2, "postgresql": "PostgreSQL 15.1"}
    sections = [
        {
            "name": "spc",
            "figures": {"engine_series_per_second": summary([900.0, 1100.0])},
            "markdown": "## SPC engine\n\n**Reading.** About 1,000 series a second.\n",
        },
        {
            "name": "http",
            "figures": None,
            "error": "exit status 1",
            "markdown": "## http\n\nNot measured.",
        },
    ]
    report, md = assemble("2026-12-02", machine, sections, quick=True)
    assert json.loads(json.dumps(report)) == report
    assert report["date"] == "2026-12-02" and report["quick"] is True
    assert report["sections"][0]["figures"]["engine_series_per_second"]["median"] == 1000.0
    assert md.startswith("# Benchmarks, 2026-12-02 (quick smoke run")
    assert "| cpu_model | Test CPU |" in md and "| postgresql | PostgreSQL 15.1 |" in md
    assert md.index("## SPC engine") < md.index("**Reading.** About 1,000") < md.index("## http")
    assert "**Failed:** exit status 1" in md
    _report, full = assemble("2026-12-02", machine, sections[:1], quick=False)
    assert "quick" not in full.splitlines()[0]


def test_http_section_reads_ratios_to_the_floor():
    from bench.http_load import section

    def target(name, rps, floor_rps):
        return {
            "name": name, "path": f"/{name}/", "bytes": 100, "errors": 0,
            "rps": summary(rps), "p50_ms": summary([20.0]), "p95_ms": summary([30.0]),
            "p99_ms": summary([40.0]), "rps_ratio": summary(ratios(rps, floor_rps)),
            "p50_ratio": summary([4.0]), "p95_ratio": summary([3.0]), "p99_ratio": summary([2.0]),
        }  # fmt: skip

    floor = {k: summary([v]) for k, v in (("rps", 1000.0), ("p50_ms", 5.0), ("p95_ms", 9.0),
                                          ("p99_ms", 12.0))}  # fmt: skip
    figures = {
        "workers": 2, "threads": 2, "connections": 16, "duration": 10, "rounds": 2,
        "scale": {"ccgs": 60}, "ods": "03L", "counts": {"ccgs": 63, "measurements": 1000,
        "plans": 4}, "floor": {**floor, "errors": 0},
        "targets": [target("dashboard", [50.0, 70.0], [1000.0, 1000.0]),
                    target("api", [400.0, 500.0], [1000.0, 1000.0])],
        "skipped": [{"name": "plan page", "path": "/plans/1/", "status": 403}],
    }  # fmt: skip
    md = section(figures)
    assert md.startswith("## HTTP throughput and latency")
    assert "| dashboard (`/dashboard/`) | 60 (50–70, spread 20) |" in md
    assert "0.060 (0.050–0.070, spread 0.020)" in md
    assert "The heaviest target, dashboard, reaches 6.0% of its floor" in md
    assert "the lightest, api, 45.0%" in md
    assert "Not measured (probe did not answer 200): plan page (403)" in md


def test_spc_section_runs_the_engine_and_its_floor():
    import argparse

    from bench.spc import run

    result = run(argparse.Namespace(series=12, points=24, spc_runs=2, quick=False, runs=None))
    figures = result["figures"]
    assert result["name"] == "spc" and figures["runs"] == 2
    assert len(figures["engine_series_per_second"]["runs"]) == 2
    assert figures["ratio_engine_time_to_floor"]["median"] > 0
    assert figures["special_cause_points"] > 0  # the made-up series have shifts and trends
    assert "**Reading.**" in result["markdown"]


def test_the_national_file_has_the_rows_asked_for_in_the_importers_format(tmp_path):
    import csv

    from bench.imports import CCGS, write_file

    path = tmp_path / "national.csv"
    data = write_file(path, 12_345, ["ae-4-hours", "rtt-18-weeks"])
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["standard", "ccg", "period", "period_type", "numerator", "denominator",
                       "value"]  # fmt: skip
    assert len(rows) - 1 == data["rows"] == 12_345
    assert data["months"] == -(-12_345 // (CCGS * 2))
    keys = {(r[0], r[1], r[2]) for r in rows[1:]}
    assert len(keys) == 12_345  # no duplicate keys: the importer would refuse the file
    assert {r[3] for r in rows[1:]} == {"month"} and {r[6] for r in rows[1:]} == {""}


def test_run_all_reports_a_missing_section_without_running_it(tmp_path):
    from bench.run_all import run_section

    result = run_section("nothing-such", [], tmp_path)
    assert result["error"] == "bench/nothing-such.py does not exist"
    assert result["figures"] is None and "Not measured" in result["markdown"]
