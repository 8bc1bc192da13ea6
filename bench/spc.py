"""Benchmark: the SPC engine (governance/spc) over 1,000 series of 72 monthly points (issue 10).

    .venv/bin/python bench/spc.py [--series 1000] [--points 72] [--runs 5]

Each run charts every series with `calculate` (XmR limits, the four special-cause rules,
variation and assurance icons, exact Fraction arithmetic) and, side by side in the same run,
the floor: the same series' mean, standard deviation and mean moving range in plain floats
(`statistics`), the least any XmR chart must compute. Series per second of each, and the
engine's time as a multiple of the floor's. The series are seeded random walks with shifts
and trends, so the rules have something to find. No database is needed. With
`--baseline-tree <checkout of an earlier commit>`, each run also times that checkout's engine
on the same series in a child interpreter (after a warm-up): before, after and after ÷ before.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import RESULTS, assemble, fmt, machine, ratios, summary  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--baseline-tree", type=Path, help="a checkout of an earlier commit: "
                        "its engine is timed on the same series in the same runs")  # fmt: skip
    return parser.parse_args(argv)


def add_arguments(parser) -> None:
    parser.add_argument("--series", type=int, default=1000, help="series per run (1000)")
    parser.add_argument("--points", type=int, default=72, help="points per series (72)")
    parser.add_argument("--spc-runs", type=int, default=None, help="runs (--runs, else 5)")


def make_series(count: int, points: int, seed: int = 10) -> list[dict]:
    rng = random.Random(seed)  # noqa: S311 - made-up series, not secrets
    series = []
    for n in range(count):
        level, values = rng.uniform(60, 95), []
        shift_at = rng.randrange(points) if n % 3 == 0 else None
        for m in range(points):
            if m == shift_at:
                level += rng.choice((-6, 6))
            drift = 0.3 * m if n % 7 == 0 and m > points - 8 else 0
            values.append(round(level + drift + rng.gauss(0, 2), 1))
        start = dt.date(2012, 4, 1)
        periods = [
            dt.date(start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1, 1)
            for m in range(points)
        ]
        series.append(
            {
                "points": list(zip(periods, values, strict=True)),
                "values": values,
                "direction": ("higher", "lower", "neither")[n % 3],
                "target": 90 if n % 2 else None,
            }
        )
    return series


def floor(values: list[float]) -> tuple:
    moving = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    mean_mr = statistics.fmean(moving) if moving else 0.0
    mean = statistics.fmean(values)
    return mean, statistics.stdev(values), mean - 2.66 * mean_mr, mean + 2.66 * mean_mr


def one_run(series: list[dict]) -> dict:
    from governance.spc import calculate

    started = time.perf_counter()
    special = 0
    for s in series:
        result = calculate(s["points"], s["direction"], s["target"])
        special += sum(1 for p in result.points if p.is_special_cause)
    engine = time.perf_counter() - started
    started = time.perf_counter()
    for s in series:
        floor(s["values"])
    floor_seconds = time.perf_counter() - started
    return {"engine": engine, "floor": floor_seconds, "special": special}


# Run in a child interpreter by `baseline_run`: the engine of an earlier checkout (argv[1]) over
# pickled series on stdin, once to warm up on a few and once timed; prints the seconds as JSON.
BASELINE_CHILD = """
import json, pickle, sys, time
sys.path.insert(0, sys.argv[1])
from governance.spc import calculate
series = pickle.load(sys.stdin.buffer)
def once(chosen):
    started = time.perf_counter()
    special = 0
    for s in chosen:
        result = calculate(s["points"], s["direction"], s["target"])
        special += sum(1 for p in result.points if p.is_special_cause)
    return time.perf_counter() - started, special
once(series[:20])
seconds, special = once(series)
print(json.dumps({"engine": seconds, "special": special}))
"""


def baseline_run(tree: Path, series: list[dict]) -> dict:
    """The earlier checkout's engine over the same series, in a child interpreter."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", BASELINE_CHILD, str(tree)],
        input=pickle.dumps(series),
        capture_output=True,
        cwd=tree,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the baseline engine failed: {done.stderr.decode()[-2000:]}")
    return json.loads(done.stdout)


def run(args) -> dict:
    runs = getattr(args, "spc_runs", None) or (1 if args.quick else getattr(args, "runs", 5) or 5)
    count, points = args.series, args.points
    series = make_series(count, points)
    tree = getattr(args, "baseline_tree", None)
    one_run(series[:20])  # warm-up: imports, caches
    results = []
    for _ in range(runs):
        results.append(one_run(series))
        if tree:
            results[-1]["baseline"] = baseline_run(Path(tree), series)
    engine_rate = [count / r["engine"] for r in results]
    floor_rate = [count / r["floor"] for r in results]
    figures = {
        "series": count,
        "points": points,
        "runs": runs,
        "special_cause_points": results[0]["special"],
        "engine_series_per_second": summary(engine_rate),
        "floor_series_per_second": summary(floor_rate),
        "engine_seconds_per_run": summary([r["engine"] for r in results]),
        "ratio_engine_time_to_floor": summary(
            ratios([r["engine"] for r in results], [r["floor"] for r in results])
        ),
    }
    if tree:
        figures["baseline"] = getattr(args, "baseline", None) or str(tree)
        figures["baseline_special_cause_points"] = results[0]["baseline"]["special"]
        figures["baseline_series_per_second"] = summary(
            [count / r["baseline"]["engine"] for r in results]
        )
        figures["ratio_baseline_time_to_floor"] = summary(
            ratios([r["baseline"]["engine"] for r in results], [r["floor"] for r in results])
        )
        figures["speed_after_over_before"] = summary(
            ratios([r["baseline"]["engine"] for r in results], [r["engine"] for r in results])
        )
    e, f = figures["engine_series_per_second"], figures["floor_series_per_second"]
    ratio = figures["ratio_engine_time_to_floor"]
    markdown = "\n".join(
        [
            "## SPC engine",
            "",
            f"{count:,} series of {points} monthly points, {runs} run(s); each run charts every "
            "series with `governance.spc.calculate` (XmR limits, the four rules, icons) and then "
            "the floor over the same series: mean, standard deviation and mean moving range in "
            f"plain floats. {figures['special_cause_points']:,} special-cause points were flagged.",
            "",
            "| | series/s | time ÷ floor |",
            "|---|---|---|",
            f"| engine | {fmt(e, digits=0)} | {fmt(ratio, '×')} |",
            f"| floor (statistics) | {fmt(f, digits=0)} | 1 |",
            *before_rows(figures),
            "",
            f"**Reading.** The engine charts about {e['median']:,.0f} series a second: a CCG's "
            f"{points}-month dashboard of 25 standards costs about "
            f"{25 / e['median'] * 1000:.0f} ms "
            f"of SPC. It is {ratio['median']:.0f}× the float floor, the price of exact "
            "arithmetic (a value on a limit is on it: the rules compare whole numbers, "
            "governance/spc/limits.py) and of the rules, icons and one result object per "
            "point, which the floor does not compute." + before_reading(figures),
        ]
    )
    return {"name": "spc", "figures": figures, "markdown": markdown}


def before_rows(figures: dict) -> list[str]:
    """The earlier checkout's engine as a row of the table (in the same runs)."""
    if "baseline" not in figures:
        return []
    return [
        f"| before: the engine of `{figures['baseline']}` | "
        f"{fmt(figures['baseline_series_per_second'], digits=0)} | "
        f"{fmt(figures['ratio_baseline_time_to_floor'], '×')} |"
    ]


def before_reading(figures: dict) -> str:
    if "baseline" not in figures:
        return ""
    same = figures["baseline_special_cause_points"] == figures["special_cause_points"]
    speed, before = figures["speed_after_over_before"], figures["baseline_series_per_second"]
    return (
        f" Before and after: in the same runs the engine of `{figures['baseline']}` (in a "
        f"child interpreter, after a warm-up) charted {fmt(before, digits=0)} "
        f"series a second; the current engine is {fmt(speed, '×', 2)} as fast, and flags "
        + ("the same" if same else f"other ({figures['baseline_special_cause_points']:,})")
        + " special-cause points."
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    args.quick, args.runs = False, None
    section = run(args)
    today = dt.date.today().isoformat()
    report, md = assemble(today, machine(), [section], quick=False)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"spc-{today}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    stem.with_suffix(".md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
