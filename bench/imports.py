"""Benchmark: the national measurements file through the real import path (issue 10).

    DATABASE_URL=postgres://... .venv/bin/python bench/imports.py [--rows 1000000] [--runs 3]

Makes a throwaway PostgreSQL database (Django's test-database machinery, bench_imports_<pid>,
dropped at the end; DATABASE_URL is only used to connect), loads the standards catalogue (each
standard made a percentage, as in tests/governance/test_measurement_import.py's national
file) and 211 CCGs, and writes a CSV of `--rows` monthly rows (standard, ccg, period,
period_type, numerator, denominator, value blank: worked out by the importer) in the format
the importer reads. Each run, side by side:

- the real path: `governance.measurement_import.import_measurements` on the file (what the
  measurement-imports API's worker and `manage.py import_measurements` call): read, check
  every row, then write in batches, all in one transaction, into an emptied measurements table;
- the floor: PostgreSQL `COPY ... FROM STDIN (FORMAT csv)` of the same file (psycopg2
  `copy_expert`) into a bare UNLOGGED table with the same columns and no constraints.

Rows per second of each and their ratio (import time ÷ COPY time). With `--baseline-tree
<checkout of an earlier commit>`, the first BASELINE_RUNS runs also import the same file into
the same emptied table with that checkout's `import_measurements`, in a child interpreter:
before, after and after ÷ before.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import RESULTS, assemble, fmt, machine, ratios, summary  # noqa: E402

CCGS = 211  # England's CCGs in 2013


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--runs", type=int, default=3, help="runs (3)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--baseline-tree", type=Path, help="a checkout of an earlier commit: "
                        "its import path is timed on the same file in the same runs")  # fmt: skip
    return parser.parse_args(argv)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--rows",
        type=int,
        default=None,
        help="rows of the national file (1,000,000; --quick 20,000)",
    )
    parser.add_argument("--import-runs", type=int, default=None, help="runs (--runs, else 3)")


def ods(n: int) -> str:
    return f"{n // 26:02d}{chr(65 + n % 26)}"


def write_file(path: Path, rows: int, codes: list[str]) -> dict:
    """`rows` monthly rows of every standard for CCGS CCGs, months back from last month."""
    months = math.ceil(rows / (CCGS * len(codes)))
    today = dt.date.today()
    first = today.year * 12 + today.month - 1 - months  # the oldest month (0-based count)
    written = 0
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["standard", "ccg", "period", "period_type", "numerator", "denominator", "value"]
        )
        for m in range(months):
            year, month = divmod(first + m, 12)
            period = f"{year}-{month + 1:02d}"
            for code in codes:
                for n in range(CCGS):
                    if written == rows:
                        break
                    writer.writerow([code, ods(n), period, "month", 900 + (n + m) % 90, 1000, ""])
                    written += 1
    return {
        "rows": written,
        "months": months,
        "ccgs": CCGS,
        "standards": len(codes),
        "bytes": path.stat().st_size,
    }


def copy_floor(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_floor")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_copy_floor (standard text, ccg text, period text, "
            "period_type text, numerator numeric, denominator numeric, value numeric)"
        )
        raw = cursor.cursor  # psycopg2's own cursor under Django's wrapper
        started = time.perf_counter()
        with open(path) as handle:
            raw.copy_expert(
                "COPY bench_copy_floor FROM STDIN WITH (FORMAT csv, HEADER true)", handle
            )
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy_floor")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_copy_floor")
    return seconds, copied


def real_import(path: Path) -> tuple[float, object]:
    from django.db import connection

    from governance.measurement_import import import_measurements
    from governance.models import Measurement

    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{Measurement._meta.db_table}"')
    started = time.perf_counter()
    record = import_measurements(str(path), source_name=path.name)
    seconds = time.perf_counter() - started
    return seconds, record


# Run in a child interpreter by `baseline_import`: the import path of an earlier checkout
# (argv[1]) on the same file (argv[2]) into the same database (the environment's DATABASE_URL).
BASELINE_CHILD = """
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import django
django.setup()
from django.db import connection
from governance.measurement_import import import_measurements
from governance.models import Measurement
with connection.cursor() as cursor:
    cursor.execute(f'TRUNCATE "{Measurement._meta.db_table}"')
started = time.perf_counter()
record = import_measurements(sys.argv[2], source_name=os.path.basename(sys.argv[2]))
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "status": record.status, "created": record.created}))
"""


def baseline_import(tree: Path, path: Path) -> float:
    """Seconds the earlier checkout's `import_measurements` takes on the file, in a child
    interpreter on the same (test) database; it must create every row too."""
    from django.db import connection

    from bench.common import database_url

    scratch = database_url(os.environ["DATABASE_URL"], connection.settings_dict["NAME"])
    env = {**os.environ, "DATABASE_URL": scratch}
    connection.close()  # the child truncates the table
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", BASELINE_CHILD, str(tree), str(path)],
        capture_output=True,
        cwd=tree,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the baseline import failed: {done.stderr.decode()[-2000:]}")
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    if result["status"] != "succeeded":
        raise RuntimeError(f"the baseline import did not succeed: {result}")
    return result["seconds"]


def run(args) -> dict:
    """Needs DATABASE_URL (PostgreSQL); Django set up by the caller or here."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (a throwaway database).")
    rows = args.rows or (20_000 if args.quick else 1_000_000)
    runs = args.import_runs or (1 if args.quick else getattr(args, "runs", None) or 3)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"bench_imports_{os.getpid()}"
    print(f"imports: creating bench_imports_{os.getpid()} and migrating ...", flush=True)
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        from commissioning.models import CCG
        from governance.catalogue import load_catalogue
        from governance.models import Standard

        load_catalogue()
        Standard.objects.update(unit="percent")
        CCG.objects.bulk_create(CCG(ods_code=ods(n), name=f"NHS CCG {n}") for n in range(CCGS))
        codes = list(Standard.objects.order_by("code").values_list("code", flat=True))
        with tempfile.TemporaryDirectory(prefix="bench-imports-") as temp:
            path = Path(temp) / "national.csv"
            started = time.perf_counter()
            data = write_file(path, rows, codes)
            data["write_seconds"] = time.perf_counter() - started
            print(
                f"imports: {data['rows']:,} rows ({data['bytes'] / 2**20:.0f} MiB) written; "
                f"{runs} run(s) ...",
                flush=True,
            )
            imports, copies, before = [], [], []
            tree = getattr(args, "baseline_tree", None)
            for number in range(runs):
                seconds, record = real_import(path)
                if record.status != "succeeded" or record.created != data["rows"]:
                    raise RuntimeError(
                        f"the import did not create every row: {record.status} "
                        f"{record.message} {record.errors[:3]}"
                    )
                copy_seconds, copied = copy_floor(path)
                if copied != data["rows"]:
                    raise RuntimeError(f"COPY loaded {copied} rows, not {data['rows']}")
                imports.append(seconds)
                copies.append(copy_seconds)
                earlier = ""
                if tree and number < BASELINE_RUNS:
                    before.append(baseline_import(Path(tree), path))
                    earlier = f", before {before[-1]:.1f} s"
                print(
                    f"  run {number + 1}: import {seconds:.1f} s, COPY {copy_seconds:.2f} s"
                    + earlier,
                    flush=True,
                )
            message = record.message
    finally:
        teardown_databases(databases, verbosity=0)
    n = data["rows"]
    figures = {
        "data": data,
        "runs": runs,
        "message": message,
        "import_rows_per_second": summary([n / s for s in imports]),
        "copy_rows_per_second": summary([n / s for s in copies]),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "import_seconds": summary(imports),
        "copy_seconds": summary(copies),
        "ratio_import_time_to_copy": summary(ratios(imports, copies)),
    }
    if before:
        figures["baseline"] = getattr(args, "baseline", None) or str(tree)
        figures["baseline_rows_per_second"] = summary([n / s for s in before])
        figures["ratio_baseline_time_to_copy"] = summary(ratios(before, copies[: len(before)]))
        figures["speed_after_over_before"] = summary(ratios(before, imports[: len(before)]))
    i, c = figures["import_rows_per_second"], figures["copy_rows_per_second"]
    ratio = figures["ratio_import_time_to_copy"]
    markdown = "\n".join(
        [
            "## National measurements import",
            "",
            f"A national CSV of {n:,} monthly rows ({data['standards']} standards × {CCGS} CCGs × "
            f"{data['months']} months, {data['bytes'] / 2**20:.0f} MiB, value worked out from "
            f"numerator and denominator), {runs} run(s). Each run imports it through "
            "`import_measurements` (read, check every row, write in batches in one transaction) "
            "into an emptied table, then COPYs the same file into a bare UNLOGGED table with the "
            f'same columns. The importer said: "{message}"',
            "",
            "| | rows/s | seconds | time ÷ COPY |",
            "|---|---|---|---|",
            f"| import_measurements | {fmt(i, digits=0)} | {fmt(figures['import_seconds'])} | "
            f"{fmt(ratio, '×')} |",
            f"| COPY (floor) | {fmt(c, digits=0)} | {fmt(figures['copy_seconds'], digits=2)} | 1 |",
            *before_rows(figures),
            "",
            f"**Reading.** The real path imports about {i['median']:,.0f} rows a second, "
            f"{ratio['median']:.0f}× the time of a bare COPY. The gap is the work COPY does not "
            "do: parsing every cell in Python (periods, Decimals, the percentage worked out and "
            "checked; the usual row by a fast path, any other by the full check that words "
            "every problem), looking up each row's standard and CCG, reading the rows already "
            "stored to tell created from updated from unchanged, and writing into the real "
            "table: on PostgreSQL by COPY into a temporary table and one INSERT ... SELECT "
            "(governance/measurement_import/bulk.py), where the table's eight indexes and three "
            "foreign keys checked per row at commit cost most of the time left (COPY straight "
            "into governance_measurement alone takes several times the bare COPY). The whole "
            "file and its checked rows are held in memory (all or nothing): the process's "
            f"peak RSS was {figures['peak_rss_mb']:,.0f} MB.",
        ]
    )
    return {"name": "imports", "figures": figures, "markdown": markdown}


BASELINE_RUNS = 2  # the earlier import path is slow: timed in the first runs only


def before_rows(figures: dict) -> list[str]:
    if "baseline" not in figures:
        return []
    rate, ratio = figures["baseline_rows_per_second"], figures["ratio_baseline_time_to_copy"]
    speed = figures["speed_after_over_before"]
    return [
        f"| before: `import_measurements` of `{figures['baseline']}` | {fmt(rate, digits=0)} "
        f"| | {fmt(ratio, '×')} |",
        "",
        f"Before and after: in the same runs (the first {len(rate['runs'])}), the import path "
        f"of `{figures['baseline']}` imported the same file into the same emptied table in a "
        f"child interpreter; the current path is {fmt(speed, '×', 2)} as fast.",
    ]


def main(argv=None) -> int:
    args = parse_args(argv)
    args.quick = False
    section = run(args)
    today = dt.date.today().isoformat()
    report, md = assemble(today, machine(), [section], quick=False)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"imports-{today}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    stem.with_suffix(".md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
