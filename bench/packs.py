"""Benchmark: building large PDF packs (issue 8).

    DATABASE_URL=postgres://... .venv/bin/python bench/packs.py [--runs 5] [--memory-runs 3]

Makes a throwaway database (Django's test-database machinery, named bench_packs_<pid>, dropped
at the end: the database DATABASE_URL names is only used to connect), fills one CCG with full
data, and builds two packs of it in this process, the way a worker does (`run_build`):

- a plan document of a published 2015-19 strategic plan: many sections of Markdown, statements,
  priorities with their commitments and actions (with progress updates), programmes;
- an annual review pack of its 2016/17 refresh: the refresh diff, delivery by priority with RAG,
  consultation comments and responses;
- the CCG has every national standard with 72 months of measurements (generate_synthetic), for
  the sections that show standards once an app registers them.

For each pack: a warm-up build (not counted), then `--runs` forced builds timed with
`run_build` (total, and the record's HTML and PDF times), each followed by WeasyPrint alone on
the same final HTML (`render_pdf(document_html(...))`, checked to hash to the build's input
hash); their ratio; the page count; then `--memory-runs` builds under tracemalloc for the peak
of Python allocations, and the process's peak RSS (getrusage: a high-water mark, so read as the
most the process needed up to that point). Medians with min, max and spread (max - min).
Results go to bench/results/packs-<date>.json and .md. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gc
import hashlib
import io
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
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

    # Builds run in this process; nothing is sent to a broker.
    settings.CELERY_TASK_ALWAYS_EAGER = True
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
    """A forced build of `kind`, as a worker runs it."""
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
    WarningCounter.install()
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
    return {"weasyprint": seconds, "html_chars": len(html), "sections": shown}


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


def bench_kind(kind: str, plan, user, runs: int, traced_runs: int) -> dict:
    began = time.perf_counter()
    builds, alone = [], []
    for _ in range(runs):
        builds.append(in_child(lambda: build_once(kind, plan.pk, user.pk)))
        alone.append(in_child(lambda: weasyprint_once(builds[-1]["build"])))  # noqa: B023
    traced = [in_child(lambda: traced_build(kind, plan.pk, user.pk)) for _ in range(traced_runs)]
    warnings = collections.Counter()
    for run in builds:
        warnings.update(run["warnings"])
    result = {
        "kind": kind,
        "plan": plan.title,
        "pages": sorted({b["pages"] for b in builds}),
        "pdf_bytes": builds[-1]["bytes"],
        "html_chars": alone[-1]["html_chars"],
        "same_input_hash": len({b["input_hash"] for b in builds}) == 1,
        "registered_sections_shown": alone[-1]["sections"],
        "weasyprint_warnings_per_build": {k: v // runs for k, v in warnings.items()},
        "total_seconds": summary([b["total"] for b in builds]),
        "html_seconds": summary([b["html"] for b in builds]),
        "pdf_in_build_seconds": summary([b["pdf_in_build"] for b in builds]),
        "weasyprint_seconds": summary([a["weasyprint"] for a in alone]),
        "ratio_total_to_weasyprint": summary([b["total"] / a["weasyprint"]
                                              for b, a in zip(builds, alone, strict=True)]),
        "rss_start_mb": summary([b["rss_start_mb"] for b in builds]),
        "rss_peak_mb": summary([b["rss_peak_mb"] for b in builds]),
        "rss_growth_mb": summary([b["rss_growth_mb"] for b in builds]),
        "weasyprint_alone_rss_growth_mb": summary([a["rss_growth_mb"] for a in alone]),
        "tracemalloc_peak_mb": summary([t["tracemalloc_peak_mb"] for t in traced])
        if traced else None,
        "seconds": time.perf_counter() - began,
    }  # fmt: skip
    print(f"  {kind}: {result['pages']} pages, build {result['total_seconds']['median']:.2f} s, "
          f"WeasyPrint {result['weasyprint_seconds']['median']:.2f} s, ratio "
          f"{result['ratio_total_to_weasyprint']['median']:.2f}, peak RSS "
          f"{result['rss_peak_mb']['median']:.0f} MB (+{result['rss_growth_mb']['median']:.0f} "
          f"MB) ({result['seconds']:.0f} s)", flush=True)  # fmt: skip
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
        f"{machine['database']}, WeasyPrint {machine['weasyprint']}. Each run is a forced "
        "build (`run_build`, no reuse) in a process forked from a warm parent (templates "
        "compiled, fonts loaded), then WeasyPrint alone on the same final HTML in another.",
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
        "Median (min–max, spread) over the runs. *Total* is `run_build` (HTML, hashing, "
        "layout, PDF, save); *WeasyPrint* is `render_pdf` alone on the same final HTML; "
        "*peak RSS* is the build process's high-water mark (`wait4` ru_maxrss), *growth* that "
        "minus the RSS it was forked at.",
        "",
        "| pack | pages | total | HTML | WeasyPrint | total ÷ WeasyPrint | peak RSS | growth |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in report["packs"]:
        lines.append(
            f"| {row['kind']} | {', '.join(map(str, row['pages']))} | "
            f"{fmt(row['total_seconds'])} | {fmt(row['html_seconds'])} | "
            f"{fmt(row['weasyprint_seconds'])} | {fmt(row['ratio_total_to_weasyprint'], '×')} | "
            f"{fmt(row['rss_peak_mb'], 'MB', 0)} | {fmt(row['rss_growth_mb'], 'MB', 0)} |"
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
    lines += ["", f"Whole run: {report['seconds']:.0f} s.", ""]
    return "\n".join(lines)


def run(args) -> dict:
    """bench/run_all.py's entry: the same measurements as main(), returned as a section
    ({"name", "figures", "markdown"}) instead of written to packs-<date> files. `--quick`:
    one run per pack, no tracemalloc runs."""
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL (PostgreSQL): the benchmark makes a throwaway one.")
    if getattr(args, "quick", False):
        args.runs, args.tracemalloc_runs = 1, 0
    else:
        args.runs = getattr(args, "packs_runs", None) or getattr(args, "runs", None) or 3
        args.tracemalloc_runs = getattr(args, "tracemalloc_runs", 0) or 0
    report = measure(args)
    text = markdown(report).replace("# PDF packs benchmark", "## PDF packs", 1)
    reading = "**Reading.** " + " ".join(
        f"The {row['kind']} ({', '.join(map(str, row['pages']))} pages) builds in "
        f"{row['total_seconds']['median']:.1f} s, "
        f"{row['ratio_total_to_weasyprint']['median']:.2f}× WeasyPrint alone on the same "
        "HTML (above 1: gathering the HTML and saving; near 1: WeasyPrint is the build)."
        for row in report["packs"]
    )
    return {"name": "packs", "figures": report, "markdown": text.rstrip() + "\n\n" + reading}


def main() -> int:
    args = parse_args()
    if not os.environ.get("DATABASE_URL"):
        print("Set DATABASE_URL (PostgreSQL): the benchmark makes a throwaway database there.",
              file=sys.stderr)  # fmt: skip
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
    """Make the data, build the packs, return the report (main's logic, nothing written)."""
    began = time.perf_counter()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="bench-packs-") as media_root:
        setup_django(media_root)
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
                           args.tracemalloc_runs),
                bench_kind("annual-review", data["refresh"], data["planner"], args.runs,
                           args.tracemalloc_runs),
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
