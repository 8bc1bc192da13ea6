"""Shared helpers of the benchmarks: statistics, wrk output, the machine, the dated report.

Every figure is a list of runs summarised as its median with min, max and spread (max - min);
ratios are worked out per run (measured side by side in the same run) and then summarised, so
they hold on a noisy machine better than the absolute figures do.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def percentile(values: list[float], p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: list[float]) -> dict:
    """Median, min, max, spread (max - min) and the runs themselves."""
    if not values:
        raise ValueError("no runs to summarise")
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "spread": max(values) - min(values),
        "runs": list(values),
    }


def ratios(numerators: list[float], denominators: list[float]) -> list[float]:
    """Run-by-run ratios of two figures measured side by side."""
    if len(numerators) != len(denominators):
        raise ValueError("ratios need the same number of runs on both sides")
    return [n / d if d else float("inf") for n, d in zip(numerators, denominators, strict=True)]


def fmt(stats: dict | None, unit: str = "", digits: int = 1) -> str:
    """`median unit (min–max, spread s)` of a summary."""
    if stats is None:
        return "not measured"
    unit = f" {unit}" if unit else ""
    return (
        f"{stats['median']:,.{digits}f}{unit} ({stats['min']:,.{digits}f}–"
        f"{stats['max']:,.{digits}f}, spread {stats['spread']:,.{digits}f})"
    )


# --- wrk ---------------------------------------------------------------------------------

# wrk's `done` hook: one line of JSON with the counts and the latency percentiles (µs).
WRK_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, ' ..
    '"p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, "errors_connect": %d, ' ..
    '"errors_read": %d, "errors_write": %d, "errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean, e.connect,
    e.read, e.write, e.status, e.timeout))
end
"""

_RESULT = re.compile(r"^BENCH-RESULT (\{.*\})\s*$", re.MULTILINE)
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY_LINE = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s*([\d.]+)", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s*(\d+)")


def parse_wrk(output: str) -> dict:
    """wrk's output (with WRK_LUA's line and/or `--latency`) as req/s, ms percentiles, errors.

    The Lua line is preferred (it has p95); without it the `--latency` distribution gives
    p50/p75/p90/p99 and `Requests/sec:` the throughput."""
    result: dict = {}
    match = _RESULT.search(output)
    if match:
        raw = json.loads(match.group(1))
        seconds = raw["duration_us"] / 1e6
        result = {
            "requests": raw["requests"],
            "seconds": seconds,
            "rps": raw["requests"] / seconds if seconds else 0.0,
            "p50_ms": raw["p50_us"] / 1000,
            "p95_ms": raw["p95_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000,
            "max_ms": raw["max_us"] / 1000,
            "mean_ms": raw["mean_us"] / 1000,
            "errors": sum(raw[k] for k in raw if k.startswith("errors_")),
            "errors_status": raw["errors_status"],
        }
    for pct, number, unit in _LATENCY_LINE.findall(output):
        result.setdefault(f"p{pct}_ms", float(number) * _UNITS[unit])
    rps = _RPS.search(output)
    if rps:
        result.setdefault("rps", float(rps.group(1)))
    non_2xx = _NON_2XX.search(output)
    if non_2xx:
        result.setdefault("errors_status", int(non_2xx.group(1)))
    if "rps" not in result:
        raise ValueError(f"no wrk result in its output:\n{output[-2000:]}")
    return result


# --- The machine -------------------------------------------------------------------------


def machine(extra: dict | None = None) -> dict:
    """CPU model and count, memory, load average, OS, Python, Django, WeasyPrint (+ extra)."""
    cpuinfo = Path("/proc/cpuinfo")
    info = cpuinfo.read_text() if cpuinfo.exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", info)
    meminfo = Path("/proc/meminfo")
    memory = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text()) if meminfo.exists() else None
    versions = {}
    for name in ("django", "weasyprint", "gunicorn", "psycopg2"):
        try:
            module = __import__(name)
            versions[name] = getattr(module, "__version__", None) or module.get_version()
        except Exception:  # noqa: BLE001 - a missing package is reported as such
            versions[name] = "not installed"
    return {
        "cpu_model": model.group(1).strip() if model else platform.processor() or "unknown",
        "cpus": os.cpu_count(),
        "memory_gb": round(int(memory.group(1)) / 2**20, 1) if memory else None,
        "load_average": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "os": platform.platform(),
        "python": platform.python_version(),
        **versions,
        **(extra or {}),
    }


def postgresql_version(url: str) -> str:
    connection = connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    finally:
        connection.close()


def connect(url: str, dbname: str | None = None):
    """A psycopg2 connection (autocommit) to the server DATABASE_URL names."""
    from urllib.parse import urlsplit

    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname=dbname or (parts.path or "/postgres").lstrip("/") or "postgres",
    )
    connection.autocommit = True
    return connection


def database_url(url: str, name: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url)._replace(path="/" + name).geturl()


# --- The report --------------------------------------------------------------------------


def assemble(date: str, machine_info: dict, sections: list[dict], *, quick: bool) -> tuple:
    """The dated report of several sections ({"name", "figures", "markdown"}) as (json, md)."""
    report = {"date": date, "quick": quick, "machine": machine_info, "sections": sections}
    lines = [
        f"# Benchmarks, {date}" + (" (quick smoke run: not for reading)" if quick else ""),
        "",
        "Each figure is the median (min–max, spread) over its runs; a ratio is worked out "
        "per run from two figures measured side by side in the same run, then summarised.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {key} | {value} |" for key, value in machine_info.items()]
    for section in sections:
        lines += ["", section["markdown"].rstrip()]
        if section.get("error"):
            lines += ["", f"**Failed:** {section['error']}"]
    return report, "\n".join(lines) + "\n"
