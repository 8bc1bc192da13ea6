"""Zero leaks: CCG B's records, the private part of meetings and unpublished plans reach no
one who may not read them, whatever the address, method, id, filter or format.

The permission matrix (test_permission_matrix) walks every route with the right ids. Here the
ids and queries are wrong on purpose, the way someone probing the service would make them:

1. Ids guessed across CCGs. Every API resource in the router (enumerated from it, so a new
   one is covered by itself) is asked, by each role of CCG A, to GET/PATCH/PUT/DELETE CCG B's
   record, its detail actions (versions, diff, file, publish, apply, review ...), and ids just
   beyond the last (max+1, max+5), 0, -1 and 2**63. The answer is the one an id that does not
   exist gets (404, or 405 for a method the resource does not have), never data, never a 500,
   and the database is unchanged (every table's row count, history and audit included, and
   B's record column by column). Every page route (ROUTES of the matrix) is built with B's
   ids under A's ODS code, wholly as B's, and with guessed ids: 404 for A's roles, and the
   POSTs change nothing.
2. Filters that try to widen a query. Every API list (JSON, CSV, XLSX) with ?ccg=<B>,
   ?ccg=<A>&ccg=<B>, ?ccg__in=, ?plan=<B's plan>, ?id=<B's id>, each of the resource's own
   filters set to B's record's value, unknown parameters, ?page_size=100000, ?ordering= on
   foreign fields, ?search= with B's text: 200 without any of B's records, or 400 in the
   API's error shape. Every page a role of A reads, with the same kind of query and the
   export/download links the page offers (consultation CSV, QIPP export, papers, packs).
3. The private part of meetings (Part.PRIVATE items, their resolutions, private committees)
   and unpublished plans (with their sections, versions and packs): scrutiny members and the
   public never read them in pages, API lists and details, CSV/XLSX, the history, versions
   and diff endpoints, or PDFs (read back with pypdf).

CCG B's free text carries MARK_B, the private part MARK_PRIVATE, the draft plan MARK_DRAFT;
every answer is read back as text (XLSX unzipped, PDF extracted) and grepped for them. Each
test also proves its marker is found where it should be, so a check cannot pass vacuously.
The number of (request, actor) checks is printed at the end of the run (conftest.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from commissioning.access import Role
from commissioning.api_registry import router
from plans.models import PackBuild
from tests.access.actors import IN_CCG_ROLES
from tests.access.leaks import (
    CHECKS,
    LEAKS,
    MARK_B,
    MARK_DRAFT,
    MARK_PRIVATE,
    NATIONAL,
    changes,
    download_links,
    fingerprint,
    mark,
    mark_ccg_b,
    national_models,
    text_of,
    viewset_model,
)
from tests.access.test_permission_matrix import ROUTES, lookup_of
from tests.access.world import build_world, client_for
from tests.plans.factories import (
    MilestoneFactory,
    PlanFactory,
    SectionFactory,
    StatementFactory,
    VersionFactory,
)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """One world for the whole module, built inside a transaction rolled back at its end;
    each test runs in a savepoint inside it (the `db` fixture), so what a test writes is
    gone before the next. Building the world once keeps these hundreds of probes quick."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db):
    return shared_world


REGISTRY = {prefix: (viewset, basename) for prefix, viewset, basename in router.registry}
PREFIXES = sorted(REGISTRY)
CCG_PREFIXES = [p for p in PREFIXES if p not in NATIONAL]
WRITE_BODY = {"title": MARK_B, "name": MARK_B, "text": MARK_B, "state": "withdrawn"}
NOT_THERE = "999999999"


class Refused:
    """What a request that raised (a 500 the test client re-raises) is recorded as."""

    def __init__(self, error):
        self.status_code, self.content, self.error = 500, repr(error).encode(), error
        self.streaming = False


def ask(client, method, url, kind, data=None):
    CHECKS[kind] += 1
    try:
        if method in ("get", "delete") or data is None:
            return (
                getattr(client, method)(url, data)
                if method == "get"
                else getattr(client, method)(url)
            )
        return getattr(client, method)(url, data, format="json")
    except Exception as error:  # noqa: BLE001 - a 500 is a finding, not a crash of the test
        return Refused(error)


def not_there(lookup) -> str:
    """A lookup of the same shape as `lookup` that names no record ("risk-6": "risk-999...")."""
    text = str(lookup)
    return re.sub(r"\d+$", NOT_THERE, text) if "-" in text else NOT_THERE


def clients(world, actors):
    return {actor: client_for(world, actor) for actor in actors}


def leak(found: list, kind: str, *what):
    LEAKS[kind] += 1
    found.append(what)


# --- 1. Ids guessed across CCGs: the API -------------------------------------------------


def detail_actions(viewset) -> list[tuple[str, list[str]]]:
    """(path, methods) of the resource's actions on one record, regex groups filled in."""
    actions = []
    for extra in viewset.get_extra_actions():
        if extra.detail:
            path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", extra.url_path)
            actions.append((path, [m for m in extra.mapping if m != "options"]))
    return actions


def guessed_ids(model) -> list:
    last = model._default_manager.aggregate(top=Max("pk"))["top"] if model else 10**6
    last = last if isinstance(last, int) else 0
    return [last + 1, last + 5, 0, -1, 2**63]


def row_of(prefix, lookup):
    viewset, _ = REGISTRY[prefix]
    model = viewset_model(viewset)
    if model is None:
        return None
    field = "pk" if viewset.lookup_field == "pk" else viewset.lookup_field
    try:
        return model._default_manager.filter(**{field: lookup}).first()
    except (ValueError, TypeError):
        return None


@pytest.mark.parametrize("prefix", PREFIXES)
def test_api_ids_guessed_across_ccgs(world, prefix):
    viewset, _ = REGISTRY[prefix]
    marked = mark_ccg_b(world)
    b_lookup = world.objects[prefix][1]
    b_row = row_of(prefix, b_lookup)
    before = fingerprint([r for r in [b_row, *marked] if r is not None])
    base = f"/api/v1/{prefix}"
    targets = [] if prefix in NATIONAL else [("B's record", b_lookup, IN_CCG_ROLES)]
    model = viewset_model(viewset)
    targets += [(f"guess {g}", g, [Role.PLANNING_MANAGER, Role.SCRUTINY])
                for g in guessed_ids(model)]  # fmt: skip
    paths = [("", ["get", "patch", "put", "delete"]), *detail_actions(viewset)]
    actors = clients(world, IN_CCG_ROLES)
    found, nowhere_answers = [], {}
    for label, lookup, roles in targets:
        for path, methods in paths:
            for actor in roles:
                for method in methods:
                    url = f"{base}/{lookup}/{path + '/' if path else ''}"
                    nowhere = f"{base}/{not_there(lookup)}/{path + '/' if path else ''}"
                    got = ask(actors[actor], method, url, "api-guessed-id", WRITE_BODY)
                    key = (actor, method, nowhere)  # the same for every guess: asked once
                    if key not in nowhere_answers:
                        nowhere_answers[key] = ask(actors[actor], method, nowhere,
                                                   "api-guessed-id", WRITE_BODY)  # fmt: skip
                    missing = nowhere_answers[key]
                    # A write the role may never make (organisation records, the audit
                    # trail) is refused before the record is looked up: the same 403 for
                    # any id says nothing about B's.
                    allowed = {404} if method == "get" else {403, 404, 405}
                    if (
                        got.status_code not in allowed
                        or got.status_code != missing.status_code
                        or MARK_B in text_of(got)
                    ):
                        leak(found, "api-guessed-id", label, method, url, actor,
                             got.status_code, text_of(got)[:200])  # fmt: skip
    after = fingerprint([r for r in [b_row, *marked] if r is not None])
    assert not found, found
    assert after == before, (prefix, changes(before, after))


# --- 1. Ids guessed across CCGs: the pages -----------------------------------------------


class Guess:
    """A record that is not there: every attribute a URL builder reads is the guessed id."""

    def __init__(self, value):
        self.value = value

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self.value


def swapped(world, *, whole_b=False):
    things, national = dict(world.things), national_models()
    for key, thing in world.things.items():
        if type(thing) in national:  # a national standard or provider: everyone's to read
            continue
        if key.endswith("_a") and f"{key[:-2]}_b" in world.things:
            things[key] = world.things[f"{key[:-2]}_b"]
    return replace(world, things=things, a=world.b if whole_b else world.a)


def guessed(world, value):
    return replace(world, things={key: Guess(value) for key in world.things})


def page_variants(world, build) -> list[tuple[str, str]]:
    own = build(world)
    top = max(getattr(t, "pk", 0) or 0 for t in world.things.values() if hasattr(t, "pk"))
    variants = [("B's ids under A", swapped(world)), ("wholly B's", swapped(world, whole_b=True))]
    variants += [(f"guess {g}", guessed(world, g)) for g in (top + 1, top + 5, 0, 2**63)]
    urls = []
    for label, other in variants:
        try:
            url = build(other)
        except (NoReverseMatch, AttributeError, TypeError, ValueError, KeyError):
            continue
        if url != own:
            urls.append((label, url))
    return urls


# Routes whose records are national or public: other CCGs' people read them too.
PAGE_ROUTES = sorted(name for name, (_, _, expected) in ROUTES.items()
                     if expected.get("other-ccg") != 200)  # fmt: skip


@pytest.mark.parametrize("name", PAGE_ROUTES)
def test_page_ids_guessed_across_ccgs(world, name):
    method, build, _expected = ROUTES[name]
    marked = mark_ccg_b(world)
    before = fingerprint(marked)
    actors = clients(world, IN_CCG_ROLES)
    found = []
    variants = page_variants(world, build)
    for label, url in variants:
        roles = IN_CCG_ROLES if not label.startswith("guess") else [Role.PLANNING_MANAGER,
                                                                    Role.SCRUTINY]  # fmt: skip
        for actor in roles:
            got = ask(
                actors[actor], method, url, "page-guessed-id", {} if method == "post" else None
            )
            if got.status_code != 404 or MARK_B in text_of(got):
                leak(found, "page-guessed-id", name, label, url, actor, got.status_code)
    assert not found, found
    after = fingerprint(marked)
    assert after == before, (name, changes(before, after))


def test_every_page_route_taking_an_id_is_probed(world):
    """The page probe is not vacuous: routes with ids get B's ids and guesses."""
    with_ids = [name for name in PAGE_ROUTES if page_variants(world, ROUTES[name][1])]
    assert len(with_ids) >= 100, len(with_ids)
    for name in ("plan-detail", "pack-file", "meeting-detail", "risk-detail",
                 "agenda-item-paper", "plan-consultation-csv"):  # fmt: skip
        assert name in with_ids, name


# --- 2. Filters that try to widen a query: the API ---------------------------------------


def b_values(world, prefix) -> dict:
    """Each filter the resource declares, set to the value B's record has."""
    viewset, _ = REGISTRY[prefix]
    filterset = getattr(viewset, "filterset_class", None)
    row = row_of(prefix, world.objects[prefix][1])
    values = {}
    for name in getattr(filterset, "base_filters", {}) if filterset else {}:
        value = getattr(row, name.split("__")[0], None) if row is not None else None
        if hasattr(value, "ods_code"):
            value = value.ods_code
        elif hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, bool):
            value = str(value).lower()
        values[name] = str(value if value is not None else world.things["plan_b"].pk)
    return values


def widening_queries(world, prefix) -> list[dict]:
    b = world.objects[prefix][1]
    plan_b = world.things["plan_b"].pk
    queries = [
        {"ccg": "04R"},
        {"ccg": ["03L", "04R"]},
        {"ccg__in": "03L,04R"},
        {"ccg__ods_code": "04R", "ccg_id": world.b.pk},
        {"plan": plan_b},
        {"plan": [world.things["plan_a"].pk, plan_b]},
        {"id": b, "pk": b, "id__in": b},
        {"unknown": "1", "scope": "all", "all": "true", "include_private": "1"},
        {"page_size": "100000"},
        {"ordering": "ccg__ods_code"},
        {"ordering": "-ccg__name,plan__ccg__name"},
        {"search": MARK_B},
        {"search": "04R"},
        *({name: value} for name, value in b_values(world, prefix).items()),
        b_values(world, prefix),
    ]
    return queries


SPREADSHEET_QUERIES = 6  # the first queries, asked again as CSV and XLSX


def check_list(found, response, prefix, query, actor, fmt, b_lookup):
    text = text_of(response)
    where = (prefix, fmt, query, actor, response.status_code)
    if response.status_code == 400:
        body = json.loads(response.content)
        if not {"detail", "code"} <= set(body):
            leak(found, "api-filter", *where, "400 not in the error shape")
        text = ""  # an error may quote the asker's own query back: not B's record
    elif response.status_code != 200:
        leak(found, "api-filter", *where, text[:200])
    elif fmt == "json":  # the next/previous links repeat the query: read the records only
        text = json.dumps(response.json()["results"])
    if MARK_B in text:
        leak(found, "api-filter", *where, "B's text in the answer")
    if response.status_code == 200 and fmt == "json":
        items = response.json()["results"]
        if b_lookup in {lookup_of(item, prefix) for item in items}:
            leak(found, "api-filter", *where, "B's id in the results")
        if '"04R"' in text:
            leak(found, "api-filter", *where, "B's ODS code in the results")


@pytest.mark.parametrize("prefix", CCG_PREFIXES)
def test_api_filters_do_not_widen(world, prefix):
    mark_ccg_b(world)
    b_lookup = world.objects[prefix][1]
    actors = clients(world, IN_CCG_ROLES)
    found = []
    queries = widening_queries(world, prefix)
    for n, query in enumerate(queries):
        formats = ["json", "csv", "xlsx"] if n < SPREADSHEET_QUERIES else ["json"]
        for fmt in formats:
            roles = IN_CCG_ROLES if fmt == "json" else [Role.PLANNING_MANAGER, Role.SCRUTINY]
            params = query if fmt == "json" else {**query, "format": fmt}
            for actor in roles:
                got = ask(actors[actor], "get", f"/api/v1/{prefix}/", "api-filter", params)
                check_list(found, got, prefix, query, actor, fmt, b_lookup)
    assert not found, found


def test_the_marker_is_where_b_reads(world):
    """Positive control: B's own planning manager finds MARK_B in B's lists, in every format,
    so its absence from A's answers means something."""
    mark_ccg_b(world)
    client = client_for(world, "other-ccg")
    seen = []
    for prefix in CCG_PREFIXES:
        answers = [client.get(f"/api/v1/{prefix}/", {"format": fmt}) for fmt in
                   ("json", "csv", "xlsx")]  # fmt: skip
        if all(MARK_B in text_of(answer) for answer in answers):
            seen.append(prefix)
    assert len(seen) >= len(CCG_PREFIXES) * 2 // 3, sorted(set(CCG_PREFIXES) - set(seen))
    for prefix in ("plans", "meetings", "agenda-items", "packs", "qipp-schemes", "risks"):
        assert prefix in seen, prefix


# --- 2. Filters that try to widen a query: pages, exports and downloads ------------------


def page_widening(world) -> dict:
    t = world.things
    return {
        "q": MARK_B, "search": MARK_B, "ccg": ["03L", "04R"], "plan": t["plan_b"].pk,
        "committee": t["committee_b"].pk, "locality": world.objects["localities"][1],
        "programme": t["programme_b"].pk, "item": t["agenda_item_b"].pk,
        "user": world.users["other-ccg"].pk, "owner": MARK_B, "about": t["section_b"].pk,
        "id": t["plan_b"].pk, "page_size": "100000", "format": "csv", "year": "2015/16",
    }  # fmt: skip


READ_PAGES = sorted(name for name, (method, _, expected) in ROUTES.items()
                    if method == "get" and expected.get(Role.PLANNING_MANAGER) == 200)  # fmt: skip


def page_answers(found, kind, client, url, widen, actor, markers):
    """GET the page plain and widened, then its export/download links plain and widened."""
    plain = ask(client, "get", url, kind)
    answers = [(url, plain), (url + " ?widened", ask(client, "get", url, kind, widen))]
    if plain.status_code == 200 and "html" in plain.get("Content-Type", ""):
        for link in download_links(text_of(plain)):
            answers.append((link, ask(client, "get", link, kind)))
            answers.append((link + " ?widened", ask(client, "get", link, kind, widen)))
    for where, answer in answers:
        if answer.status_code >= 500:
            leak(found, kind, where, actor, answer.status_code)
        text = text_of(answer) if answer.status_code < 300 else ""
        for marker in markers:
            if marker in text:
                leak(found, kind, where, actor, f"{marker} in the answer")
    return answers


@pytest.mark.parametrize("name", READ_PAGES)
def test_pages_and_exports_never_show_b(world, name):
    _method, build, expected = ROUTES[name]
    mark_ccg_b(world)
    url, widen = build(world), page_widening(world)
    found = []
    for actor in IN_CCG_ROLES:
        if expected.get(actor) == 200:
            page_answers(found, "page-filter", client_for(world, actor), url, widen, actor,
                         [MARK_B])  # fmt: skip
    assert not found, found


# --- 3. The private part of meetings -----------------------------------------------------


def mark_private(world) -> dict:
    t = world.things
    for key in ("private_agenda_item_a", "private_resolution_a", "private_committee_a",
                "private_meeting_a"):  # fmt: skip
        mark(t[key], MARK_PRIVATE)
    return {
        "agenda-items": t["private_agenda_item_a"].pk,
        "resolutions": t["private_resolution_a"].pk,
        "committees": t["private_committee_a"].pk,
        "meetings": t["private_meeting_a"].pk,
    }


def every_read(world, actor, kind, markers):
    """Every page the actor reads (with its links) and every API list and detail of A's, in
    JSON, CSV and XLSX: the leaks found."""
    client, found = client_for(world, actor), []
    for name in READ_PAGES:
        _method, build, expected = ROUTES[name]
        if expected.get(actor) == 200 or actor == "anonymous":
            page_answers(found, kind, client, build(world), {}, actor, markers)
    for prefix in PREFIXES:
        for fmt in ("json", "csv", "xlsx"):
            got = ask(client, "get", f"/api/v1/{prefix}/", kind,
                      {"format": fmt, "page_size": 500})  # fmt: skip
            for marker in markers:
                if marker in text_of(got):
                    leak(found, kind, prefix, fmt, actor, marker)
        got = ask(client, "get", f"/api/v1/{prefix}/{world.objects[prefix][0]}/", kind)
        for marker in markers:
            if marker in text_of(got):
                leak(found, kind, prefix, "detail", actor, marker)
    return found


def build_pack(planner, django_capture_on_commit_callbacks, **kwargs):
    from plans.services.packs import request_build

    with django_capture_on_commit_callbacks(execute=True):
        build = request_build(planner, **kwargs)
    build.refresh_from_db()
    assert build.status == "done", build.error
    return build


@pytest.mark.parametrize("actor", [Role.SCRUTINY, "anonymous"])
def test_the_private_part_of_meetings_stays_private(
    world, actor, django_capture_on_commit_callbacks
):
    private = mark_private(world)
    planner = world.users[Role.PLANNING_MANAGER]
    meeting = world.things["meeting_a"]
    # A governing body pack (internal: it holds the private part), published nonetheless,
    # and a published annual review pack of A's plan (scrutiny reads it: public part only).
    board = build_pack(planner, django_capture_on_commit_callbacks, kind="governing-body",
                       subject=meeting)  # fmt: skip
    PackBuild.objects.filter(pk=board.pk).update(published=True)
    review = build_pack(planner, django_capture_on_commit_callbacks, kind="annual-review",
                        plan=world.things["plan_a"])  # fmt: skip
    PackBuild.objects.filter(pk=review.pk).update(published=True)
    # Positive controls: the markers are there for the CCG's internal roles, PDFs included.
    inside = client_for(world, Role.PLANNING_MANAGER)
    assert MARK_PRIVATE in text_of(inside.get(f"/api/v1/packs/{board.pk}/file/"))
    assert MARK_PRIVATE in text_of(inside.get("/api/v1/agenda-items/?format=csv"))
    meeting_url = reverse("meeting-detail", kwargs={"ods": "03L", "pk": meeting.pk})
    assert MARK_PRIVATE in text_of(inside.get(meeting_url)), "the meeting page moved"

    found = every_read(world, actor, "private-part", [MARK_PRIVATE])
    client = client_for(world, actor)
    # Signed out, the API answers 401 or, where it serves public records, 404.
    refused = {401, 404} if actor == "anonymous" else {404}
    for prefix, pk in private.items():
        for fmt in ({}, {"format": "csv"}):
            got = ask(client, "get", f"/api/v1/{prefix}/{pk}/", "private-part", fmt)
            if got.status_code not in refused:
                leak(found, "private-part", prefix, pk, actor, got.status_code)
    for pack in (board,):
        for url in (f"/api/v1/packs/{pack.pk}/", f"/api/v1/packs/{pack.pk}/file/"):
            got = ask(client, "get", url, "private-part")
            if got.status_code not in refused:
                leak(found, "private-part", url, actor, got.status_code)
        for url in (reverse("pack-detail", args=[pack.pk]), reverse("pack-file", args=[pack.pk])):
            got = ask(client, "get", url, "private-part")
            if got.status_code not in (302, 404) or MARK_PRIVATE in text_of(got):
                leak(found, "private-part", url, actor, got.status_code)
    # The annual review pack scrutiny reads holds no private resolution.
    got = ask(client, "get", f"/api/v1/packs/{review.pk}/file/", "private-part")
    if actor == Role.SCRUTINY:
        assert got.status_code == 200, got.status_code
        assert "Annual review" in text_of(got)
    if MARK_PRIVATE in text_of(got):
        leak(found, "private-part", "annual review pack", actor)
    assert not found, found


# --- 3. Unpublished plans ----------------------------------------------------------------


def draft_plan(world):
    plan = PlanFactory(ccg=world.a, state="draft", title=f"{MARK_DRAFT} plan of 03L",
                       summary=f"{MARK_DRAFT} summary")  # fmt: skip
    SectionFactory(plan=plan, title=f"{MARK_DRAFT} section", body=f"{MARK_DRAFT} body")
    StatementFactory(plan=plan, text=f"{MARK_DRAFT} statement")
    MilestoneFactory(plan=plan, title=f"{MARK_DRAFT} milestone")
    version = VersionFactory(plan=plan, to_state="draft")
    packs = []
    for published in (False, True):  # published=True too: a draft's pack is never public
        pack = PackBuild.objects.create(ccg=plan.ccg, kind="plan-document", plan=plan,
                                        title=plan.title, status="done", progress=100,
                                        published=published, page_count=1,
                                        finished_at=timezone.now())  # fmt: skip
        pack.file.save(f"draft-{pack.pk}.pdf", ContentFile(f"%PDF {MARK_DRAFT}".encode()))
        packs.append(pack)
    return plan, version, packs


@pytest.mark.parametrize("actor", [Role.SCRUTINY, "anonymous"])
def test_unpublished_plans_stay_unpublished(world, actor):
    plan, version, packs = draft_plan(world)
    inside = client_for(world, Role.PLANNING_MANAGER)
    assert MARK_DRAFT in text_of(inside.get("/api/v1/plans/", {"format": "xlsx"}))
    assert MARK_DRAFT in text_of(inside.get(f"/api/v1/packs/{packs[0].pk}/file/"))

    found = every_read(world, actor, "unpublished-plan", [MARK_DRAFT])
    client = client_for(world, actor)
    # Signed out, the API answers 401 or, where it serves public records, 404.
    refused = {401, 404} if actor == "anonymous" else {404}
    api = [f"/api/v1/plans/{plan.pk}/", f"/api/v1/plans/{plan.pk}/versions/",
           f"/api/v1/plans/{plan.pk}/versions/{version.number}/",
           f"/api/v1/plans/{plan.pk}/diff/?from={version.number}"]  # fmt: skip
    for pack in packs:
        api += [f"/api/v1/packs/{pack.pk}/", f"/api/v1/packs/{pack.pk}/file/"]
    for url in api:
        got = ask(client, "get", url, "unpublished-plan")
        if got.status_code not in refused or MARK_DRAFT in text_of(got):
            leak(found, "unpublished-plan", url, actor, got.status_code)
    for prefix in ("sections", "plan-statements", "milestones", "packs"):
        got = ask(client, "get", f"/api/v1/{prefix}/", "unpublished-plan", {"plan": plan.pk})
        if MARK_DRAFT in text_of(got):
            leak(found, "unpublished-plan", prefix, actor)
    draft_world = replace(
        world,
        things={
            **world.things,
            "plan_a": plan,
            "version_a": version,
            "pack_a": packs[1],
            "unpublished_pack_a": packs[0],
        },
    )
    for name, (method, build, _expected) in ROUTES.items():
        url = build(draft_world)
        if url == build(world) or method != "get":
            continue
        got = ask(client, "get", url, "unpublished-plan")
        wanted = (302,) if actor == "anonymous" else (404,)
        if got.status_code not in wanted or MARK_DRAFT in text_of(got):
            leak(found, "unpublished-plan", name, url, actor, got.status_code)
    assert not found, found
