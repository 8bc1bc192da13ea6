"""All the benchmarks of issue 10 in one run, one dated report.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/run_all.py [--quick]

Runs, one after another, each in a child process of its own (each sets Django up with its own
scratch database), the sections bench/queries.py, bench/http_load.py, bench/imports.py,
bench/spc.py and bench/packs.py, each through its `run(args) -> {"name", "figures",
"markdown"}`, and writes bench/results/<YYYY-MM-DD>.md and .json: the machine (CPU model and
count, memory, load average, OS, Python, Django, PostgreSQL, WeasyPrint), then every
section's figures and reading. A section that fails is reported as failed; the others still
run. `--quick` is a smoke run (small data, one run, short wrk durations): its numbers are
not for reading. `--only spc,imports` runs some sections.

`--baseline <commit>` (e.g. the commit before a speed-up) checks that commit out in a
temporary git worktree, and the http, imports and spc sections also measure its code in the
same runs (a second gunicorn on the same database; the earlier import path on the same file;
the earlier SPC engine on the same series): each of them reports before, after and after ÷
before, all measured side by side. The report names the commit measured and the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import RESULTS, assemble, machine, postgresql_version  # noqa: E402

SECTIONS = ["queries", "http", "imports", "spc", "packs"]
# Section name -> module. Not bench/http.py: run as a script, bench/ is sys.path[0], and a
# bench/http.py would shadow the standard library's http (Django imports http.cookies).
MODULES = {"http": "http_load"}


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small, 1 run, short")
    parser.add_argument("--runs", type=int, default=None, help="runs of every section")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--packs-runs", type=int, default=None, help="timed builds per pack")
    parser.add_argument("--tracemalloc-runs", type=int, default=0)
    parser.add_argument(
        "--baseline",
        help="an earlier commit (e.g. the one before a speed-up): checked out in a temporary "
        "git worktree, and the http, imports and spc sections also measure its code in the "
        "same runs, for before-and-after figures",
    )
    parser.add_argument("--baseline-tree", help=argparse.SUPPRESS)  # the child's checkout
    parser.add_argument("--section", help=argparse.SUPPRESS)  # the child's section
    parser.add_argument("--section-out", type=Path, help=argparse.SUPPRESS)
    for name in ("http", "imports", "spc", "queries"):
        try:
            module = importlib.import_module(f"bench.{MODULES.get(name, name)}")
        except ImportError:
            continue
        add = getattr(module, "add_arguments", None)
        if add is not None:
            group = parser.add_argument_group(name)
            try:
                add(group)
            except argparse.ArgumentError as error:  # a clash: the section keeps its default
                print(f"run_all: {name}'s options not all offered: {error}", file=sys.stderr)
    return parser


def child(args) -> int:
    """Run one section in this (fresh) process and write its result as JSON."""
    module = importlib.import_module(f"bench.{MODULES.get(args.section, args.section)}")
    result = module.run(args)
    args.section_out.write_text(json.dumps(result, default=str))
    return 0


def run_section(name: str, argv: list[str], temp: Path) -> dict:
    out = temp / f"{name}.json"
    source = ROOT / "bench" / f"{MODULES.get(name, name)}.py"
    if not source.exists():
        error = f"{source.relative_to(ROOT)} does not exist"
        return {"name": name, "figures": None, "seconds": 0.0, "error": error,
                "markdown": f"## {name}\n\nNot measured: {error}."}  # fmt: skip
    began = time.perf_counter()
    command = [
        sys.executable,
        str(Path(__file__)),
        *argv,
        "--section",
        name,
        "--section-out",
        str(out),
    ]
    done = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603 - ourselves
    seconds = time.perf_counter() - began
    if done.returncode == 0 and out.exists():
        result = json.loads(out.read_text())
        result["seconds"] = seconds
        return result
    error = f"exit status {done.returncode} after {seconds:.0f} s (see the run's output)"
    return {
        "name": name,
        "figures": None,
        "seconds": seconds,
        "error": error,
        "markdown": f"## {name}\n\nNot measured: the section failed ({error}).",
    }


def git(*arguments: str) -> str:
    command = ["git", *arguments]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603,S607
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(arguments)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    if args.section:
        return child(args)
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        print(
            "Set DATABASE_URL to a PostgreSQL server (each section makes a throwaway "
            "database there) and REDIS_URL.",
            file=sys.stderr,
        )
        return 2
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(wanted) - set(SECTIONS))
    if unknown:
        print(f"Unknown sections: {', '.join(unknown)}", file=sys.stderr)
        return 2
    began = time.perf_counter()
    info = machine({"postgresql": postgresql_version(server)})
    info["commit"] = git("rev-parse", "--short", "HEAD") + (" (uncommitted changes)" if git(
        "status", "--porcelain", "--untracked-files=no") else "")  # fmt: skip
    sections = []
    with tempfile.TemporaryDirectory(prefix="bench-all-") as temp:
        child_argv = list(argv)
        if args.baseline:
            label = git("rev-parse", "--short", args.baseline)
            tree = Path(temp) / f"baseline-{label}"
            git("worktree", "add", "--detach", str(tree), label)
            info["baseline"] = label
            child_argv += ["--baseline", label, "--baseline-tree", str(tree)]
        try:
            for name in [s for s in SECTIONS if s in wanted]:
                print(f"=== {name} ===", flush=True)
                sections.append(run_section(name, child_argv, Path(temp)))
        finally:
            if args.baseline:
                git("worktree", "remove", "--force", str(tree))
    info["load_average_end"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    today = dt.date.today().isoformat()
    report, md = assemble(today, info, sections, quick=args.quick)
    report["seconds"] = time.perf_counter() - began
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / today
    Path(f"{stem}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    Path(f"{stem}.md").write_text(md)
    failed = [s["name"] for s in sections if s.get("error")]
    print(
        f"Wrote {stem}.md and {stem}.json ({report['seconds']:.0f} s)"
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
