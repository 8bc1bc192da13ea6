"""The seed documents' plans (`seed_plans.yaml`), written through `plans.services`.

A step of `manage.py load_demo`: `register_demo_step()` adds `load_plans` to the commissioning
loader from PlansConfig.ready() (commissioning never imports plans). Each plan is written and
moved through the real lifecycle by the system (user None), so its versions are real frozen
snapshots; the Rotherham refresh is started with `start_refresh` (keys kept), so the diff
against its parent matches section to section.

Plans are not upserted field by field: approved and published plans are read-only and versions
immutable. A plan that exists already (same CCG and title; a refresh: same parent and first
year) is left alone and counted unchanged with everything under it, so a second run changes
nothing and never adds a version.

Apps above plans add their own content to these plans with `register_content_writer()` (from
their `AppConfig.ready()`; plans never imports them). A writer is called with each plan of the
facts and the plan's outcome: for a new plan (CREATED) after its statements and sections and
before its lifecycle moves, so it writes while the plan is a draft and the frozen versions (and
a refresh's copy) hold what it wrote; for a plan left alone (UNCHANGED) it only counts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model

from commissioning.demo.loader import (
    CREATED,
    UNCHANGED,
    FactsError,
    LoadContext,
    register_step,
)
from commissioning.models import CCG, PartnerOrganisation
from commissioning.years import FinancialYear

from .. import services
from ..models import Consultation, Milestone, Plan, PlanStatement, PlanVersion, Section

FACTS_PATH = Path(__file__).with_name("seed_plans.yaml")
SYSTEM = None  # plans.capabilities.roles_in: None is the system itself, never a request
COUNTED = (
    (PlanStatement, "statements"),
    (Section, "sections"),
    (PlanVersion, "versions"),
    (Consultation, "consultations"),
    (Milestone, "milestones"),
)


def read_plan_facts(path: Path = FACTS_PATH) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def check_plan_facts(facts: dict) -> None:
    """Refuse a facts file whose lists contradict their stated counts, or with a fact group
    that does not cite its seed."""
    for spec in facts["plans"]:
        groups = [spec, *spec["statements"], *spec["sections"]]
        refresh = spec.get("refresh")
        if refresh:
            groups += [refresh, refresh["consultation"]]
            groups += [s for s in refresh["sections"] if "title" in s]
        for group in groups:
            if "seed 00" not in group.get("source", ""):
                name = group.get("title") or group.get("group") or group.get("kind") or "?"
                raise FactsError(f"{spec['title']}: '{name}' does not cite its seed.")
        for group in spec["statements"]:
            if len(group["items"]) != group["stated_count"]:
                raise FactsError(
                    f"{spec['title']}: {len(group['items'])} {group['kind']} statements listed, "
                    f"{group['stated_count']} stated."
                )


def load_plans(ctx: LoadContext) -> None:
    facts = read_plan_facts()
    check_plan_facts(facts)
    for spec in facts["plans"]:
        ccg = _ccg(ctx, spec["ccg"])
        plan = Plan.objects.filter(ccg=ccg, title=spec["title"]).order_by("pk").first()
        if plan is None:
            plan = _create_plan(ctx, ccg, spec)
            _tally(ctx, plan, CREATED)
        else:
            _tally(ctx, plan, UNCHANGED)
            _write_content(ctx, plan, UNCHANGED)
        if spec.get("refresh"):
            _load_refresh(ctx, plan, spec)


def register_demo_step() -> None:
    register_step(load_plans, "plans")


# --- Content of apps above plans --------------------------------------------------------------

# writer(ctx, plan, outcome): outcome CREATED for a plan written in this run (still a draft),
# UNCHANGED for one left alone (count only).
ContentWriter = Callable[[LoadContext, Plan, str], None]
_CONTENT_WRITERS: dict[str, ContentWriter] = {}


def register_content_writer(writer: ContentWriter, name: str) -> None:
    """Call `writer` for every demo plan (see the module docstring); registering a name again
    replaces its writer in place."""
    _CONTENT_WRITERS[name] = writer


def _write_content(ctx: LoadContext, plan: Plan, outcome: str) -> None:
    for writer in _CONTENT_WRITERS.values():
        writer(ctx, plan, outcome)


# --- Writing ---------------------------------------------------------------------------------


def _ccg(ctx: LoadContext, code: str) -> CCG:
    ccg = ctx.ccgs.get(code) or CCG.objects.filter(ods_code=code).first()
    if ccg is None:
        raise FactsError(f"Plans name CCG {code}, which the demo facts do not load.")
    return ccg


def _create_plan(ctx: LoadContext, ccg: CCG, spec: dict) -> Plan:
    plan = services.create_plan(
        user=SYSTEM,
        ccg=ccg,
        kind=spec["kind"],
        title=spec["title"],
        first_year=FinancialYear.parse(spec["first_year"]),
        last_year=FinancialYear.parse(spec["last_year"]),
        summary=spec.get("summary", ""),
        vision=spec.get("vision", ""),
        mission=spec.get("mission", ""),
        is_public=spec["is_public"],
        draft_number=spec.get("draft_number", 1),
    )
    for group in spec["statements"]:
        for item in group["items"]:
            services.add_statement(
                plan,
                user=SYSTEM,
                kind=group["kind"],
                group=group["group"],
                title=item.get("title", ""),
                text=item["text"],
            )
    for section in spec["sections"]:
        services.add_section(
            plan,
            user=SYSTEM,
            title=section["title"],
            body=section["body"],
            order=section.get("order"),
        )
    _write_content(ctx, plan, CREATED)  # while the plan is a draft, before any version
    for move in spec["moves"]:
        services.transition(plan, user=SYSTEM, to=move["to"], note=move["note"])
    return plan


def _load_refresh(ctx: LoadContext, parent: Plan, spec: dict) -> None:
    facts = spec["refresh"]
    year = FinancialYear.parse(facts["first_year"])
    refresh = parent.refreshed_by.filter(first_year=year).order_by("pk").first()
    if refresh is not None:
        _tally(ctx, refresh, UNCHANGED)
        _write_content(ctx, refresh, UNCHANGED)
        return
    refresh = services.start_refresh(parent, user=SYSTEM, title=facts["title"], first_year=year)
    # The refresh holds copies of the parent's sections (same keys); `ref` names them.
    copied = {s["ref"]: s["title"] for s in spec["sections"] if s.get("ref")}
    for item in facts["sections"]:
        if item["ref"] in copied:
            section = refresh.sections.get(title=copied[item["ref"]])
            services.update_section(
                section, user=SYSTEM, expected_revision=section.revision, body=item["body"]
            )
        else:
            services.add_section(
                refresh, user=SYSTEM, title=item["title"], body=item["body"], order=item["order"]
            )
    _write_content(ctx, refresh, CREATED)  # the refresh holds copies of the parent's content
    window = facts["consultation"]
    services.open_consultation(
        refresh,
        user=SYSTEM,
        opens_on=window["opens_on"],
        closes_on=window["closes_on"],
        note=window["note"],
        purpose=window["purpose"],
        invited_users=[_user(name) for name in window["invited_users"]],
        invited_partners=[_partner(parent.ccg, name) for name in window["invited_partners"]],
    )
    for milestone in facts["milestones"]:
        services.add_milestone(
            refresh,
            user=SYSTEM,
            title=milestone["title"],
            due_on=milestone["due_on"],
            done_on=milestone["done_on"],
            note=milestone["note"],
        )
    _tally(ctx, refresh, CREATED)


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise FactsError(f"The demo plans invite '{username}', a demo login that is not loaded.")
    return user


def _partner(ccg: CCG, name: str) -> PartnerOrganisation:
    partner = PartnerOrganisation.objects.filter(ccg=ccg, name=name).first()
    if partner is None:
        raise FactsError(f"The demo plans invite '{name}', not a partner of {ccg.ods_code}.")
    return partner


def _tally(ctx: LoadContext, plan: Plan, outcome: str) -> None:
    """Count the plan and everything under it with one outcome: all new, or all left alone."""
    ctx.report.count(Plan, outcome)
    for model, related in COUNTED:
        for _ in range(getattr(plan, related).count()):
            ctx.report.count(model, outcome)
