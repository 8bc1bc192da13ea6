"""Benchmark: request throughput and latency under concurrent load (issue 10).

    DATABASE_URL=postgres://... .venv/bin/python bench/http_load.py [--rounds 3] [--duration 10]

Makes a scratch PostgreSQL database (bench_http_<random>, dropped at the end; DATABASE_URL only
names the server), migrates it, runs `generate_synthetic` at England scale (--ccgs 200,
--practices 7,000, --months 72: over a million measurements, and plans, priorities, QIPP
schemes and risks for every CCG) and `load_demo` (its CCGs, e.g. 03L, have real plans, QIPP schemes
and dashboards), and adds a planning manager of every demo CCG with an API token. It starts
gunicorn with the production settings on a free loopback port (--workers, default 2) with
BENCH_FLOOR_VIEW=1, which routes /bench/floor/: a tiny view through the same middleware
stack, the framework floor.

Targets: the dashboard, a plan page, the QIPP tracker and a standard's drill-down of 03L as
the signed-in planner (session cookie from the real sign-in form), and the main API lists
with the token. Each round runs, for every target, wrk on the floor and then wrk on the
target, with the same headers (`wrk -t2 -c16 -d10s`; a Lua `done` hook prints p50/p95/p99),
so every ratio compares two measurements taken seconds apart. Req/s and p50/p95/p99 latency
per target, and each as a ratio to its floor (req/s: target ÷ floor, below 1; latency: target
÷ floor, above 1). wrk must be installed (`apt-get install wrk`).

With `--baseline-tree <checkout of an earlier commit>` (bench/run_all.py --baseline makes one),
a second gunicorn serves that checkout's code on the same database (its own static files), and
every target is measured on it too in each round, next to the current code (after it in even
rounds, before it in odd ones): before, after and after ÷ before per target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    RESULTS,
    WRK_LUA,
    assemble,
    connect,
    database_url,
    fmt,
    machine,
    parse_wrk,
    ratios,
    summary,
)

BIN = Path(sys.executable).parent
PASSWORD = "bench-" + secrets.token_urlsafe(18)
API_LISTS = ["plans", "risks", "qipp-schemes", "standards", "measurements", "practices"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s per target")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--baseline-tree", type=Path, help=BASELINE_HELP)
    return parser.parse_args(argv)


BASELINE_HELP = (
    "a checkout of an earlier commit (bench/run_all.py --baseline makes one): a second "
    "gunicorn runs its code on the same database, and every target is measured on it too, "
    "right after the current code, for before-and-after figures"
)


def add_arguments(parser) -> None:
    parser.add_argument("--rounds", type=int, default=None, help="rounds (3; --quick 1)")
    parser.add_argument("--duration", type=float, default=None, help="wrk seconds (10; quick 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--conn-max-age",
        default=None,
        help="DB_CONN_MAX_AGE for gunicorn (default: production's 60; 0: a new database "
        "connection per request)",
    )
    parser.add_argument("--ccgs", type=int, default=None, help="synthetic CCGs (200; quick 5)")
    parser.add_argument("--practices", type=int, default=None, help="(7,000; quick 100)")
    parser.add_argument("--months", type=int, default=None, help="(72; quick 12)")


def make_data(scale: dict) -> dict:
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.urls import reverse

    from commissioning.access import Role
    from commissioning.models import CCG, ApiToken, Membership
    from governance.models import Measurement
    from plans.models import Plan

    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command(
        "generate_synthetic",
        ccgs=scale["ccgs"],
        practices=scale["practices"],
        months=scale["months"],
        stdout=devnull,
    )
    call_command("load_demo", stdout=devnull)
    seconds = time.perf_counter() - started
    demo = list(CCG.objects.exclude(ods_code__startswith="Z").order_by("ods_code"))
    user = get_user_model().objects.create_user("bench-planner", password=PASSWORD)
    for ccg in demo:
        Membership.objects.create(user=user, ccg=ccg, role=Role.PLANNING_MANAGER)
    token = ApiToken.issue(user, name="bench")[1]
    ods = "03L" if any(c.ods_code == "03L" for c in demo) else demo[0].ods_code
    plan = Plan.objects.filter(ccg__ods_code=ods).order_by("-pk").first()
    code = (
        Measurement.objects.filter(ccg__ods_code=ods, provider__isnull=True)
        .order_by("standard__code")
        .values_list("standard__code", flat=True)
        .first()
    )
    pages = [
        ("dashboard", reverse("ccg-dashboard", args=[ods])),
        ("plan page", reverse("plan-detail", args=[plan.pk])),
        ("QIPP tracker", reverse("ccg-qipp", args=[ods])),
        ("standard drill-down", reverse("ccg-standard", args=[ods, code])),
    ]
    api = [
        (f"API {name}", f"/api/v1/{name}/" + (f"?ccg={ods}" if name == "measurements" else ""))
        for name in API_LISTS
    ]
    counts = {
        "ccgs": CCG.objects.count(),
        "measurements": Measurement.objects.count(),
        "plans": Plan.objects.count(),
    }
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgresql = f"PostgreSQL {cursor.fetchone()[0]}"
    connections.close_all()
    return {
        "pages": pages,
        "api": api,
        "token": token,
        "ods": ods,
        "counts": counts,
        "seconds": seconds,
        "postgresql": postgresql,
    }


def baseline_label(args, tree: Path | None) -> str | None:
    """What the "before" figures ran: run_all's --baseline (a commit), else the tree."""
    if tree is None:
        return None
    return getattr(args, "baseline", None) or str(tree)


def serve(tree: Path, env: dict, args, log: Path):
    """gunicorn running the code of `tree` on a free loopback port: (process, base URL)."""
    from bench.soak import start, wait_for_line

    command = [str(BIN / "gunicorn"), "commissioning.wsgi", "--chdir", str(tree), "--bind",
               "127.0.0.1:0", "--workers", str(args.workers), "--timeout", "120"]  # fmt: skip
    process = start(command, env, log, cwd=tree)
    port = wait_for_line(log, r"Listening at: http://127\.0\.0\.1:(\d+)", process, 60)
    return process, f"http://127.0.0.1:{port}"


def sign_in(base: str) -> str:
    """The session cookie header of bench-planner, signed in through the real form."""
    from bench.soak import CSRF_INPUT, Client

    client = Client(base)
    form = client.request("GET", "/accounts/login/")
    token = CSRF_INPUT.search(form.body)
    if not token:
        raise RuntimeError(f"no sign-in form: {form.status} {form.error}")
    answer = client.request(
        "POST",
        "/accounts/login/",
        form={
            "csrfmiddlewaretoken": token.group(1).decode(),
            "username": "bench-planner",
            "password": PASSWORD,
        },
    )
    if answer.status != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"sign-in failed: {answer.status} {answer.body[:200]!r}")
    client.close()
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


def probe(base: str, path: str, headers: dict) -> tuple[int | None, int]:
    from bench.soak import Client

    client = Client(base)
    answer = client.request("GET", path, headers=headers, auth=False)
    client.close()
    return answer.status, len(answer.body)


def wrk(base: str, path: str, headers: dict, args, script: Path) -> dict:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration:g}s",
        "--latency",
        "-s",
        str(script),
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(  # noqa: S603 - wrk with our own arguments
        command + [base + path],
        capture_output=True,
        text=True,  # noqa: S603
        timeout=args.duration + 60,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-500:]}")
    return parse_wrk(done.stdout)


def section(figures: dict) -> str:
    lines = [
        "## HTTP throughput and latency",
        "",
        f"gunicorn, production settings, {figures['workers']} workers on loopback; "
        f"`wrk -t{figures['threads']} -c{figures['connections']} -d{figures['duration']:g}s`, "
        f"{figures['rounds']} round(s); in each round every target is measured right after "
        "the floor (`/bench/floor/`, a tiny view through the same middleware with the same "
        "headers; it looks up the signed-in user, so with the session cookie it reads the "
        "session and the user from the database, while with an API token it does not: DRF "
        "authenticates tokens in its own views). "
        f"DB_CONN_MAX_AGE {figures.get('conn_max_age', '60 (the production default)')}. "
        f"Data: `generate_synthetic` ({figures['scale']}) and `load_demo`: "
        f"{figures['counts']['ccgs']} CCGs, {figures['counts']['measurements']:,} "
        f"measurements, {figures['counts']['plans']} plans; pages of {figures['ods']} as its "
        "signed-in planning manager, API lists with their token.",
        "",
        "| target | req/s | p50 ms | p95 ms | p99 ms | req/s ÷ floor | p50 ÷ floor | "
        "p99 ÷ floor | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    digits = 0 if figures["rounds"] > 1 else 1
    for row in figures["targets"]:
        lines.append(
            f"| {row['name']} (`{row['path']}`) | {fmt(row['rps'], digits=digits)} | "
            f"{fmt(row['p50_ms'])} | {fmt(row['p95_ms'])} | {fmt(row['p99_ms'])} | "
            f"{fmt(row['rps_ratio'], digits=3)} | {fmt(row['p50_ratio'])} | "
            f"{fmt(row['p99_ratio'])} | {row['errors']} |"
        )
    floor = figures["floor"]
    lines.append(
        f"| floor (all its runs) | {fmt(floor['rps'], digits=digits)} | {fmt(floor['p50_ms'])} "
        f"| {fmt(floor['p95_ms'])} | {fmt(floor['p99_ms'])} | 1 | 1 | 1 | {floor['errors']} |"
    )
    if figures.get("skipped"):
        lines += [
            "",
            "Not measured (probe did not answer 200): "
            + ", ".join(f"{s['name']} ({s['status']})" for s in figures["skipped"]),
        ]
    compared = [row for row in figures["targets"] if row.get("before")]
    if compared:
        lines += [
            "",
            f"### Before and after: the same targets on `{figures['baseline']}`",
            "",
            "In every round each target was also measured on a second gunicorn running the "
            "earlier code on the same database, with the same headers, next to the current code "
            "(after it in even rounds, before it in odd ones; both warmed up first): *after ÷ "
            "before* is worked out per round.",
            "",
            "| target | before req/s | after req/s | after ÷ before | before p99 ms | "
            "after p99 ms | before errors |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in compared:
            before = row["before"]
            lines.append(
                f"| {row['name']} | {fmt(before['rps'], digits=digits)} | "
                f"{fmt(row['rps'], digits=digits)} | "
                f"{fmt(before['rps_after_over_before'], digits=2)} | "
                f"{fmt(before['p99_ms'])} | {fmt(row['p99_ms'])} | {before['errors']} |"
            )
    slowest = min(figures["targets"], key=lambda r: r["rps"]["median"], default=None)
    fastest = max(figures["targets"], key=lambda r: r["rps"]["median"], default=None)
    if slowest:
        lines += [
            "",
            f"**Reading.** The floor serves about {floor['rps']['median']:,.0f} req/s: the "
            "cost of gunicorn, the middleware (sessions, CSRF, security headers, axes) and a "
            f"session or token lookup. The heaviest target, {slowest['name']}, reaches "
            f"{slowest['rps_ratio']['median']:.1%} of its floor's throughput "
            f"({slowest['rps']['median']:,.0f} req/s, p99 {slowest['p99_ms']['median']:,.0f} "
            f"ms); the lightest, {fastest['name']}, {fastest['rps_ratio']['median']:.1%}. "
            "Everything between the floor and a page is the page's own work: its queries, "
            "SPC for dashboards and drill-downs, and Jinja2 rendering of the NHS.UK markup; "
            "for the API, also the token lookup. Production keeps database connections "
            "(DB_CONN_MAX_AGE 60 unless set); with 0, every request that touches the database "
            "opens a new PostgreSQL connection (bench/results/http-conn-max-age-2026-12-03.md).",
        ]
    return "\n".join(lines)


def run(args) -> dict:
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (a scratch database).")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    quick = getattr(args, "quick", False)
    args.rounds = args.rounds or (1 if quick else 3)
    args.duration = args.duration or (2 if quick else 10)
    scale = {
        "ccgs": args.ccgs or (5 if quick else 200),
        "practices": args.practices or (100 if quick else 7000),
        "months": args.months or (12 if quick else 72),
    }
    name = f"bench_http_{secrets.token_hex(4)}"
    admin = connect(server)
    gunicorn = baseline_server = None
    baseline_tree = getattr(args, "baseline_tree", None)
    baseline_tree = Path(baseline_tree).resolve() if baseline_tree else None
    saved_env = dict(os.environ)
    from bench.soak import stop

    with tempfile.TemporaryDirectory(prefix="bench-http-") as temp:
        temp = Path(temp)
        try:
            print(f"http: creating {name}, generate_synthetic {scale}, load_demo ...", flush=True)
            with admin.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
            scratch = database_url(server, name)
            os.environ.update(
                {
                    "DATABASE_URL": scratch,
                    "LOG_LEVEL": "WARNING",
                    "DJANGO_SETTINGS_MODULE": "commissioning.settings.base",
                    "MEDIA_ROOT": str(temp / "media"),
                    "VAR_DIR": str(temp / "var"),
                }
            )
            os.environ.pop("REDIS_URL", None)
            data = make_data(scale)
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "commissioning.settings.production",
                "SECRET_KEY": secrets.token_urlsafe(64),
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "false",
                "DATABASE_URL": scratch,
                "REDIS_URL": saved_env.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
                "CACHE_KEY_PREFIX": name,
                "API_RATE_TOKEN": "100000000/min",
                "API_RATE_USER": "100000000/min",
                "API_RATE_ANON": "100000000/min",
                "BENCH_FLOOR_VIEW": "1",
            }
            if args.conn_max_age is not None:
                env["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],  # noqa: S603
                env=env,
                cwd=ROOT,
                check=True,
            )
            log = temp / "gunicorn.log"
            gunicorn, base = serve(ROOT, env, args, log)
            if baseline_tree:  # its own VAR_DIR: its own collected static files
                baseline_env = {**env, "VAR_DIR": str(temp / "var-baseline")}
                subprocess.run(
                    [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],  # noqa: S603
                    env=baseline_env,
                    cwd=baseline_tree,
                    check=True,
                )
                baseline_log = temp / "gunicorn-baseline.log"
                baseline_server, baseline_base = serve(
                    baseline_tree, baseline_env, args, baseline_log
                )
            proto = {"X-Forwarded-Proto": "https"}
            session = {**proto, "Cookie": sign_in(base)}
            token = {**proto, "Authorization": f"Token {data['token']}"}
            targets, skipped = [], []
            for (label, path), headers in [
                *((p, session) for p in data["pages"]),
                *((a, token) for a in data["api"]),
            ]:
                status, size = probe(base, path, headers)
                if status == 200:
                    targets.append({"name": label, "path": path, "headers": headers, "bytes": size})
                else:
                    skipped.append({"name": label, "path": path, "status": status})
            if baseline_tree:  # warm the earlier code's workers up too, and check it answers
                for t in targets:
                    for _ in range(args.workers * 2):
                        status, _ = probe(baseline_base, t["path"], t["headers"])
                    if status != 200:
                        raise RuntimeError(f"the earlier code answered {t['path']} with {status}")
                for t in targets:
                    for _ in range(args.workers * 2 - 1):
                        probe(base, t["path"], t["headers"])
            status, _ = probe(base, "/bench/floor/", session)
            if status != 200:
                raise RuntimeError(f"the floor view answered {status}")
            script = temp / "bench.lua"
            script.write_text(WRK_LUA)
            print(
                f"http: {len(targets)} targets × {args.rounds} round(s) × 2 × "
                f"{args.duration:g} s on {base} ...",
                flush=True,
            )
            measured = {t["path"]: {"target": [], "floor": [], "baseline": []} for t in targets}
            for number in range(args.rounds):
                for t in targets:
                    floor = wrk(base, "/bench/floor/", t["headers"], args, script)
                    # The earlier code goes first in odd rounds: neither side always runs
                    # right after the floor.
                    old = None
                    if baseline_tree and number % 2:
                        old = wrk(baseline_base, t["path"], t["headers"], args, script)
                    result = wrk(base, t["path"], t["headers"], args, script)
                    if baseline_tree and not number % 2:
                        old = wrk(baseline_base, t["path"], t["headers"], args, script)
                    measured[t["path"]]["floor"].append(floor)
                    measured[t["path"]]["target"].append(result)
                    before = ""
                    if old is not None:
                        measured[t["path"]]["baseline"].append(old)
                        before = f", before {old['rps']:.1f} req/s"
                    print(
                        f"  round {number + 1} {t['name']}: {result['rps']:.1f} req/s "
                        f"(floor {floor['rps']:.0f}{before}), p99 {result['p99_ms']:.0f} ms",
                        flush=True,
                    )
            errors_log = [
                line
                for line in log.read_text(errors="replace").splitlines()
                if "Error" in line or "Traceback" in line
            ][:20]
        finally:
            stop(gunicorn)
            stop(baseline_server)
            os.environ.clear()
            os.environ.update(saved_env)
            from django.db import connections

            connections.close_all()
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
            print(f"http: stopped gunicorn, dropped {name}", flush=True)
    rows, all_floors = [], []
    for t in targets:
        runs, floors = measured[t["path"]]["target"], measured[t["path"]]["floor"]
        all_floors += floors
        row = {
            "name": t["name"],
            "path": t["path"],
            "bytes": t["bytes"],
            "errors": sum(r.get("errors", 0) for r in runs),
        }
        for key in ("rps", "p50_ms", "p95_ms", "p99_ms"):
            row[key] = summary([r[key] for r in runs])
        row["rps_ratio"] = summary(ratios([r["rps"] for r in runs], [f["rps"] for f in floors]))
        for key in ("p50", "p95", "p99"):
            row[f"{key}_ratio"] = summary(
                ratios([r[f"{key}_ms"] for r in runs], [f[f"{key}_ms"] for f in floors])
            )
        before = measured[t["path"]]["baseline"]
        if before:
            row["before"] = {
                "rps": summary([r["rps"] for r in before]),
                "p99_ms": summary([r["p99_ms"] for r in before]),
                "rps_after_over_before": summary(
                    ratios([r["rps"] for r in runs], [b["rps"] for b in before])
                ),
                "errors": sum(b.get("errors", 0) for b in before),
            }
        rows.append(row)
    floor = {
        key: summary([f[key] for f in all_floors]) for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
    }
    floor["errors"] = sum(f.get("errors", 0) for f in all_floors)
    figures = {
        "workers": args.workers,
        "threads": args.threads,
        "connections": args.connections,
        "duration": args.duration,
        "rounds": args.rounds,
        "scale": scale,
        "ods": data["ods"],
        "counts": data["counts"],
        "data_seconds": data["seconds"],
        "targets": rows,
        "floor": floor,
        "skipped": skipped,
        "server_log_errors": errors_log,
        "postgresql": data["postgresql"],
        "conn_max_age": env.get("DB_CONN_MAX_AGE", "60 (the production default)"),
        "baseline": baseline_label(args, baseline_tree),
    }
    return {"name": "http", "figures": figures, "markdown": section(figures)}


def main(argv=None) -> int:
    args = parse_args(argv)
    result = run(args)
    today = dt.date.today().isoformat()
    extra = {"postgresql": result["figures"]["postgresql"]}
    report, md = assemble(today, machine(extra), [result], quick=args.quick)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"http-{today}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    stem.with_suffix(".md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
