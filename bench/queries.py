"""Benchmark: SQL queries per page and API list at scale S and at 10xS (issue 10).

    [DATABASE_URL=postgres://...] .venv/bin/python bench/queries.py [--quick]

Makes a throwaway database (Django's test-database machinery: bench_queries_<pid> on the
PostgreSQL server DATABASE_URL names, else an in-memory SQLite database), and in it, one after
the other, two synthetic data sets made by `manage.py generate_synthetic` (the second with
--replace):

- S: 2 CCGs, with 2 priorities x 2 commitments x 2 actions, 2 QIPP schemes, 2 risks, 2
  meetings of 2 agenda items, ... each (SCALES["S"]);
- 10xS: 20 CCGs, 100 times the practices (10 times per CCG), 20 times the providers (twice
  per CCG), and about 10 times the rows per CCG where generate_synthetic has an option for it
  (20 sections, 5 x 4 x 4 = 80 actions, 20 QIPP schemes, 20 risks, 5 meetings of 4 items,
  ...). Months are the same at both (they cannot grow tenfold); the first CCG, Z00, has more
  of everything at 10xS. The audit log's page and API are also requested once per kind of
  record, and the forms a published plan refuses (409) again with the plan made a draft.

At each scale, every page route of the permission matrix's route table (tests/access: it knows
how to build each page's URL from a "world" of named records, here the first CCG's) that
answers GET, and every API list of the router (default page, and ?page_size=500), is requested
with django.test.Client as a planning manager of the first CCG and as staff, once to warm up
and once inside `CaptureQueriesContext`: the queries of the second request are counted. A
route whose counts differ between S and 10xS (or whose status differs) is an offender: its
query count grows with the data (an N+1). `main()` writes bench/results/queries-<date>.md and
.json and exits 1 when there is one. Counting queries needs no timing: nothing here is timed
but the whole run.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import io
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import RESULTS, assemble, machine  # noqa: E402

# generate_synthetic options of each scale (the rest at its defaults): at least one of every
# kind of record at S (an empty list runs fewer queries than a full one, N+1 or not). RECORDS:
# what this benchmark adds to the first CCG itself (pack builds, QIPP and measurement imports).
SCALES = {
    "S": {
        "ccgs": 2, "practices": 20, "providers_per_ccg": 2, "sections": 2, "statements": 4,
        "priorities": 2, "commitments": 2, "actions": 2, "milestones": 2, "comments": 2,
        "programmes": 2, "qipp_programmes": 2, "qipp_schemes": 2, "risks": 2, "members": 3,
        "meetings": 2, "agenda_items": 2, "checkpoints": 2,
    },
    "10xS": {
        "ccgs": 20, "practices": 2000, "providers_per_ccg": 4, "sections": 20, "statements": 40,
        "priorities": 5, "commitments": 4, "actions": 4, "milestones": 20, "comments": 20,
        "programmes": 10, "qipp_programmes": 5, "qipp_schemes": 20, "risks": 20, "members": 10,
        "meetings": 5, "agenda_items": 4, "checkpoints": 8,
    },
}  # fmt: skip
RECORDS = {"S": 1, "10xS": 10}
MONTHS = 24
QUICK_MONTHS = 6
START = "2014-04"
ACTORS = ("planner", "staff")
API_PAGE_SIZES = (None, 500)  # the default page, and the largest page


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_MONTHS} months of data")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    return parser.parse_args(argv)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--queries-routes",
        default="",
        help="only these page route names and API prefixes (comma-separated; default all)",
    )
    parser.add_argument(
        "--queries-months", type=int, default=None, help=f"months of measurements ({MONTHS})"
    )


# --- The world of named records of the first CCG, as tests/access's route tables want -------


@dataclass
class World:
    a: object  # the first CCG
    b: object  # another CCG
    things: dict
    objects: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)


# What the data table shows: label -> (model, lookup of its CCG).
COUNTED = {
    "CCGs": ("commissioning.CCG", "pk"),
    "practices": ("commissioning.Practice", "ccg"),
    "measurements": ("governance.Measurement", "ccg"),
    "plan sections": ("plans.Section", "plan__ccg"),
    "priorities": ("priorities.PriorityArea", "plan__ccg"),
    "commitments": ("priorities.Commitment", "priority__plan__ccg"),
    "actions": ("priorities.Action", "commitment__priority__plan__ccg"),
    "progress updates": ("priorities.ProgressUpdate", "plan__ccg"),
    "QIPP schemes": ("finance.QippScheme", "ccg"),
    "QIPP months": ("finance.QippMonth", "scheme__ccg"),
    "risks": ("governance.Risk", "ccg"),
    "meetings": ("governance.Meeting", "committee__ccg"),
    "agenda items": ("governance.AgendaItem", "meeting__committee__ccg"),
}


def generate(options: dict, *, months: int, replace: bool) -> dict:
    """Run generate_synthetic with `options`; what it made, in all and for the first CCG."""
    from django.apps import apps
    from django.core.management import call_command

    from commissioning.models import Provider

    out = io.StringIO()
    started = time.perf_counter()
    call_command("generate_synthetic", months=months, start=START, replace=replace, stdout=out,
                 **options)  # fmt: skip
    seconds = time.perf_counter() - started
    counts = {"providers": (Provider.objects.count(), None)}
    for label, (name, lookup) in COUNTED.items():
        rows = apps.get_model(name).objects
        first = rows.filter(**{f"{lookup}__ods_code" if lookup != "pk" else "ods_code": "Z00"})
        counts[label] = (rows.count(), first.count())
    return {
        "seconds": seconds,
        "counts": counts,
        "actions": counts["actions"][0],
        "summary": out.getvalue().strip().splitlines()[-1],
    }


def build_world(tag: str, records: int = 1) -> World:
    """The first synthetic CCG's records under the names the route tables use, and the users
    (a planning manager of it and staff); adds what generate_synthetic does not make:
    `records` published and as many unpublished plan document builds (with a tiny file),
    QIPP import previews and measurement imports, and a paper of the first public item."""
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from commissioning.access import Role
    from commissioning.models import CCG, Membership
    from finance.models import QippImport, QippScheme
    from governance.models import (
        AgendaItem,
        AssuranceCheckpoint,
        Committee,
        MeasurementImport,
        Risk,
        Standard,
    )
    from governance.synthetic import YEAR
    from plans.models import PackBuild, Plan
    from priorities.models import Programme

    first_two = list(CCG.objects.filter(ods_code__in=["Z00", "Z01"]).order_by("ods_code"))
    a, b = first_two[0], first_two[-1]
    users = get_user_model().objects
    planner = users.create_user(f"bench-q-planner-{tag}", password=None)
    membership = Membership.objects.create(user=planner, ccg=a, role=Role.PLANNING_MANAGER)
    membership.save()  # a change as well as a creation in its history, at every scale
    staff = users.create_user(f"bench-q-staff-{tag}", password=None, is_staff=True,
                              is_superuser=True)  # fmt: skip
    plan = Plan.objects.filter(ccg=a).order_by("pk").first()
    priority = plan.priorities.order_by("order", "pk").first()
    commitment = priority.commitments.order_by("order", "pk").first()
    programme = Programme.objects.filter(ccg=a).order_by("order", "pk").first()
    committee = Committee.objects.get(ccg=a, kind="governing-body")
    meeting = committee.meetings.order_by("date", "pk").first()
    risk = Risk.objects.filter(ccg=a, status="open").order_by("reference").first()
    checkpoint = AssuranceCheckpoint.objects.filter(ccg=a).order_by("-year", "-quarter").first()
    packs, imports = [], []
    now = timezone.now()
    for number in range(records):
        for published in (True, False):
            build = PackBuild.objects.create(
                ccg=a, kind="plan-document", plan=plan, title=plan.title, status="done",
                progress=100, published=published, page_count=1, finished_at=now,
                requested_by=planner,
            )  # fmt: skip
            build.file.save(f"bench-queries-{build.pk}.pdf", ContentFile(b"%PDF-1.7 bench"))
            packs.append(build)
        imports.append(QippImport.objects.create(
            ccg=a, year=YEAR, status="succeeded", source_name=f"bench-{number}.csv",
            dry_run=True, requested_by=planner,
        ))  # fmt: skip
        MeasurementImport.objects.create(
            source_name=f"bench-{number}.csv", ccg=a, status="succeeded", rows_read=1, created=1,
            requested_by=planner, started_at=now, finished_at=now,
            message="Read 1 row: 1 measurement created.",
        )  # fmt: skip
    item = AgendaItem.objects.filter(meeting=meeting, part="public").order_by("order").first()
    item.attachment.save(f"bench-queries-paper-{item.pk}.txt", ContentFile(b"A paper\n"))
    things = {
        "plan_a": plan,
        "section_a": plan.sections.order_by("order", "pk").first(),
        "statement_a": plan.statements.order_by("pk").first(),
        "milestone_a": plan.milestones.order_by("pk").first(),
        "comment_a": plan.comments.order_by("pk").first(),
        "version_a": plan.versions.order_by("-number").first(),
        "pack_a": packs[0],
        "unpublished_pack_a": packs[1],
        "priority_a": priority,
        "commitment_a": commitment,
        "action_a": commitment.actions.order_by("order", "pk").first(),
        "measure_a": plan.success_measures.order_by("pk").first(),
        "focus_a": plan.locality_focus.order_by("pk").first(),
        "programme_a": programme,
        "programme_measure_a": programme.measures.order_by("pk").first(),
        "standard_a": Standard.objects.national().get(code="ae-4-hours"),
        "committee_a": committee,
        "committee_member_a": committee.members.order_by("order", "pk").first(),
        "meeting_a": meeting,
        "agenda_item_a": item,
        "meeting_action_a": committee.actions.order_by("pk").first(),
        "risk_a": risk,
        "closed_risk_a": Risk.objects.filter(ccg=a, status="closed").first(),
        "risk_action_a": risk.actions.order_by("pk").first(),
        "qipp_scheme_a": QippScheme.objects.filter(ccg=a).order_by("reference").first(),
        "qipp_import_a": imports[0],
        "assurance_checkpoint_a": checkpoint,
        "assurance_scorecard_a": checkpoint.scorecard.order_by("pk").first(),
        "assurance_finding_a": checkpoint.findings.order_by("pk").first(),
        "assurance_action_a": checkpoint.actions.order_by("pk").first(),
    }
    missing = sorted(name for name, thing in things.items() if thing is None)
    if missing:
        raise RuntimeError(f"generate_synthetic made no record for: {', '.join(missing)}")
    return World(a=a, b=b, things=things, users={"planner": planner, "staff": staff})


# --- The routes -------------------------------------------------------------------------


def page_routes() -> dict:
    """name -> url builder of every page route the permission matrix knows that answers GET;
    and the names it knows only as POST (not requested: they change data)."""
    from tests.access.test_permission_matrix import ROUTES

    pages, posts = {}, []
    for name, (method, build, _expected) in sorted(ROUTES.items()):
        if method == "get":
            pages[name] = build
        else:
            posts.append(name)
    return pages, posts


def unknown_routes(known: set[str]) -> list[str]:
    """Named URL patterns that neither the route table nor the API router covers."""
    from tests.access.test_permission_matrix import api_route_names, named_routes

    return sorted(set(named_routes()) - known - api_route_names())


def api_prefixes() -> list[str]:
    from commissioning.api_registry import router

    return sorted(prefix for prefix, _viewset, _basename in router.registry)


def targets(world: World, only: set[str] | None) -> list[tuple[str, str]]:
    """(label, url) of every page and API list to count; and the audit log's page and API
    list once for each kind of record (the unfiltered ones run queries per kind on the page,
    so only a single kind compares like with like)."""
    from django.urls import reverse

    from governance.audit import KIND_CHOICES

    pages, _posts = page_routes()
    code = world.a.ods_code
    found = []
    for name, build in pages.items():
        if only and name not in only:
            continue
        # Some route builders name the matrix world's CCG A (03L) outright.
        found.append((name, build(world).replace("03L", code)))
    for prefix in api_prefixes():
        if only and prefix not in only:
            continue
        for size in API_PAGE_SIZES:
            query = f"?page_size={size}" if size else ""
            found.append((f"api {prefix}/{query}", f"/api/v1/{prefix}/{query}"))
    audit_page = reverse("ccg-audit", kwargs={"ods": code})
    for slug, _label in KIND_CHOICES:
        if not only or "ccg-audit" in only:
            found.append((f"ccg-audit?kind={slug}", f"{audit_page}?kind={slug}"))
        if not only or "audit-events" in only:
            query = f"?kind={slug}&page_size=500"
            found.append((f"api audit-events/{query}", f"/api/v1/audit-events/{query}"))
    return found


def count_queries(world: World, urls: list[tuple[str, str]], actors=ACTORS) -> dict:
    """label -> actor -> status, queries (and their SQL), and for an API list the rows it
    says it has, of the second of two GETs of each URL."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts: dict = {}
    for actor in actors:
        client = Client()
        client.force_login(world.users[actor])
        for label, url in urls:
            client.get(url)  # warm-up: per-process caches (content types, ...) filled
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            rows = None
            if response.get("Content-Type", "").startswith("application/json"):
                body = response.json()
                rows = body.get("count") if isinstance(body, dict) else None
            counts.setdefault(label, {})[actor] = {
                "status": response.status_code,
                "queries": len(captured.captured_queries),
                "rows": rows,
                "sql": [q["sql"] for q in captured.captured_queries],
            }
    return counts


# Routes whose query count depends on something bounded that is not the number of rows, and
# why; they are shown, but do not fail the run. The per-kind audit targets check the audit
# log's code for N+1s.
BOUNDED = {
    "ccg-audit": "3 queries per kind of record on the page (governance/audit.py): at most "
    "3 × the number of kinds, whatever the number of rows",
    "api audit-events/": "as ccg-audit",
    "api audit-events/?page_size=500": "as ccg-audit",
    "ccg-audit-export": "the whole log, read 500 events at a time, 3 queries per kind in each "
    "500: grows with rows ÷ 500, not with rows",
}


def compare(small: dict, large: dict) -> list[dict]:
    """Rows of the table: label, actor, status, queries (and API rows) at each scale, equal
    or not, and why a difference is bounded where it is."""
    rows = []
    for label in small:
        for actor in small[label]:
            s, x = small[label][actor], large.get(label, {}).get(actor)
            if x is None:
                continue
            equal = s["queries"] == x["queries"] and s["status"] == x["status"]
            rows.append({
                "route": label, "actor": actor,
                "status_s": s["status"], "status_10xs": x["status"],
                "queries_s": s["queries"], "queries_10xs": x["queries"],
                "rows_s": s.get("rows"), "rows_10xs": x.get("rows"),
                "equal": equal,
                "bounded": "" if equal else BOUNDED.get(label, ""),
            })  # fmt: skip
    return rows


def repeated(sql: list[str], limit: int = 3) -> list[tuple[int, str]]:
    """The statements run most often (numbers blanked out), for reading an offender."""
    import re
    from collections import Counter

    shapes = Counter(re.sub(r"\b\d+\b", "N", statement) for statement in sql)
    return [(n, shape[:300]) for shape, n in shapes.most_common(limit) if n > 1]


def measure_scales(scales: dict, *, months: int, only: set[str] | None = None,
                   actors=ACTORS, records: dict | None = None, log=print) -> dict:  # fmt: skip
    """Generate each scale in turn (the second with --replace) and count every target; then
    make the first CCG's plan a draft and count again the targets that refused to change
    its content while it was published (409), labelled "... (draft plan)"."""
    from plans.models import Plan

    records = RECORDS if records is None else records
    results, data = {}, {}
    for number, (name, options) in enumerate(scales.items()):
        data[name] = generate(options, months=months, replace=number > 0)
        log(f"queries: scale {name}: {data[name]['summary']}")
        world = build_world(name, records.get(name, 1))
        urls = targets(world, only)
        began = time.perf_counter()
        counts = count_queries(world, urls, actors)
        refused = [(f"{label} (draft plan)", url) for label, url in urls
                   if any(c["status"] == 409 for c in counts[label].values())]  # fmt: skip
        Plan.objects.filter(pk=world.things["plan_a"].pk).update(state="draft")
        counts |= count_queries(world, refused, actors)
        results[name] = counts
        log(f"queries: scale {name}: {len(urls) + len(refused)} targets x {len(actors)} actors "
            f"counted ({time.perf_counter() - began:.0f} s)")  # fmt: skip
    return {"data": data, "counts": results}


# --- The section ------------------------------------------------------------------------


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commissioning.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if "MEDIA_ROOT" not in os.environ:  # the pack files and papers it writes; removed after
        os.environ["MEDIA_ROOT"] = media = tempfile.mkdtemp(prefix="bench-queries-media-")
        atexit.register(shutil.rmtree, media, ignore_errors=True)
    for rate in ("API_RATE_USER", "API_RATE_TOKEN"):
        os.environ.setdefault(rate, "1000000/min")  # many requests from one user
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 403s and 409s asked for


def run(args) -> dict:
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    months = getattr(args, "queries_months", None) or (
        QUICK_MONTHS if getattr(args, "quick", False) else MONTHS
    )
    only = {n.strip() for n in (getattr(args, "queries_routes", "") or "").split(",") if n.strip()}
    began = time.perf_counter()
    if connection.vendor != "sqlite":  # SQLite's test database is in memory
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
            f"bench_queries_{os.getpid()}"
        )
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        vendor = f"{connection.vendor} {connection.Database.sqlite_version}" if (
            connection.vendor == "sqlite") else connection.vendor  # fmt: skip
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                vendor = f"PostgreSQL {cursor.fetchone()[0]}"
        measured = measure_scales(SCALES, months=months, only=only or None)
        pages, posts = page_routes()
        unknown = unknown_routes(set(pages) | set(posts))
    finally:
        teardown_databases(databases, verbosity=0)
        teardown_test_environment()
    rows = compare(measured["counts"]["S"], measured["counts"]["10xS"])
    offenders = [r for r in rows if not r["equal"] and not r["bounded"]]
    for row in offenders:
        label, actor = row["route"], row["actor"]
        row["repeated_10xs"] = repeated(measured["counts"]["10xS"][label][actor]["sql"])
    figures = {
        "database": vendor,
        "months": months,
        "scales": SCALES,
        "records": RECORDS,
        "data": measured["data"],
        "targets": len({r["route"] for r in rows}),
        "requests_counted": 2 * len(rows),
        "rows": rows,
        "offenders": offenders,
        "bounded": [r for r in rows if r["bounded"]],
        "empty_lists": sorted({r["route"] for r in rows if 0 in (r["rows_s"], r["rows_10xs"])}),
        "post_routes_not_requested": posts,
        "routes_without_a_builder": unknown,
        "seconds": time.perf_counter() - began,
    }
    return {"name": "queries", "figures": figures, "markdown": markdown(figures)}


def _or_blank(value) -> str:
    return "" if value is None else f"{value:,}"


def markdown(figures: dict) -> str:
    rows, offenders, data = figures["rows"], figures["offenders"], figures["data"]
    by_route: dict = {}
    for row in rows:
        by_route.setdefault(row["route"], {})[row["actor"]] = row
    pages = [r for r in by_route if not r.startswith("api ")]
    lists = [r for r in by_route if r.startswith("api ")]
    equal = sum(1 for r in rows if r["equal"])
    lines = [
        "## SQL queries per page and API list, at S and 10xS",
        "",
        f"On {figures['database']}, two data sets made by `generate_synthetic` "
        f"({figures['months']} months of measurements at both; bench/queries.py SCALES); the "
        "first CCG (Z00) has about 10 times the plan content, QIPP schemes, risks, meetings "
        "and agenda items at 10xS, and 10 times the pack builds and imports the benchmark adds "
        "to it:",
        "",
        "| | S | of which Z00 | 10xS | of which Z00 |",
        "|---|---|---|---|---|",
        *[
            f"| {label} | {data['S']['counts'][label][0]:,} | "
            f"{_or_blank(data['S']['counts'][label][1])} | "
            f"{data['10xS']['counts'][label][0]:,} | "
            f"{_or_blank(data['10xS']['counts'][label][1])} |"
            for label in data["S"]["counts"]
        ],
        "",
        "Every page route of the permission matrix's route table that answers GET and every "
        "API list (the default page and `?page_size=500`), and the audit log's page and API "
        "once per kind of record, were requested as a planning manager of Z00 and as staff, "
        "once to warm up and once counted with `CaptureQueriesContext`; the forms a published "
        "plan refuses (409) again once the plan is made a draft. "
        f"{len(pages)} page targets, {len(lists)} API targets.",
        "",
        f"**{equal} of {len(rows)} (target, user) pairs run the same number of queries at S "
        f"and at 10xS; {len(figures['bounded'])} differ by a bounded amount (below); "
        f"{len(offenders)} grow with the data.**",
        "",
    ]
    if offenders:
        lines += ["Offenders (queries grow with the data):", ""]
        for row in offenders:
            lines.append(f"- `{row['route']}` as {row['actor']}: {row['queries_s']} → "
                         f"{row['queries_10xs']} queries (status {row['status_s']} → "
                         f"{row['status_10xs']})")  # fmt: skip
        lines.append("")
    if figures["bounded"]:
        lines += ["Differences that are bounded, not N+1:", ""]
        for row in figures["bounded"]:
            lines.append(f"- `{row['route']}` as {row['actor']}: {row['queries_s']} → "
                         f"{row['queries_10xs']}: {row['bounded']}")  # fmt: skip
        lines.append("")
    if figures["empty_lists"]:
        lines += ["API lists with no rows at one scale (their counts say less): "
                  + ", ".join(f"`{r}`" for r in figures["empty_lists"]) + ".", ""]  # fmt: skip
    lines += [
        "| target | planner S | planner 10xS | staff S | staff 10xS | equal |",
        "|---|---|---|---|---|---|",
    ]
    for route in pages + lists:
        cells = []
        for actor in ACTORS:
            row = by_route[route].get(actor)
            if row is None:
                cells += ["", ""]
                continue
            status = "" if row["status_s"] == 200 else f" ({row['status_s']})"
            cells += [f"{row['queries_s']}{status}", str(row["queries_10xs"])]
        same = all(r["equal"] for r in by_route[route].values())
        bounded = all(r["equal"] or r["bounded"] for r in by_route[route].values())
        verdict = "yes" if same else ("bounded" if bounded else "**no**")
        lines.append(f"| `{route}` | " + " | ".join(cells) + f" | {verdict} |")
    lines += [
        "",
        "A status other than 200 is shown beside the count at S (a form a planning manager is "
        "refused, a redirect). Not requested: the POST-only routes "
        f"({', '.join(figures['post_routes_not_requested'])}), which change data."
        + (
            " Routes no table builds a URL for: "
            + ", ".join(figures["routes_without_a_builder"])
            + "."
            if figures["routes_without_a_builder"]
            else ""
        ),
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    section = run(args)
    today = dt.date.today().isoformat()
    report, md = assemble(today, machine(), [section], quick=args.quick)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"queries-{today}"
    Path(f"{stem}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    Path(f"{stem}.md").write_text(md)
    offenders = section["figures"]["offenders"]
    print(f"Wrote {stem}.md and {stem}.json ({section['figures']['seconds']:.0f} s)")
    for row in offenders:
        print(f"DIFFERS: {row['route']} as {row['actor']}: {row['queries_s']} -> "
              f"{row['queries_10xs']} (status {row['status_s']} -> "
              f"{row['status_10xs']})")  # fmt: skip
        for times, shape in row.get("repeated_10xs", []):
            print(f"    {times} x {shape}")
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
