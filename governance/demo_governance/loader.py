"""The governance demo step of `manage.py load_demo`: committees, meetings, NHS England
assurance and illustrative risks from `governance_facts.yaml`.

Runs after the core steps (CCGs, partners, people), the plans' steps (the plans agenda items
link to) and the performance demo. Every row is written through
`commissioning.demo.loader.upsert`: found by its natural key, created if missing, saved only
where it differs, and counted in the load report; a second run changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from commissioning.demo.loader import FactsError, LoadContext, registered_steps, upsert
from commissioning.models import CCG, PartnerOrganisation, Person
from commissioning.years import FinancialYear
from plans.models import Plan

from ..models import (
    AgendaItem,
    AgreedAction,
    AssuranceCheckpoint,
    Committee,
    CommitteeMember,
    Finding,
    Meeting,
    Resolution,
    Risk,
    RiskAction,
    RiskReview,
    ScorecardResult,
)
from ..services_assurance import check_rating

FACTS_PATH = Path(__file__).with_name("governance_facts.yaml")
STEP_NAME = "governance-committees-meetings-assurance-risks"


def read_facts(path: Path = FACTS_PATH) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _ccg(ctx: LoadContext, code: str) -> CCG:
    ccg = ctx.ccgs.get(code) or CCG.objects.filter(ods_code=code).first()
    if ccg is None:
        raise FactsError(f"The governance facts name CCG {code}, which is not loaded.")
    return ccg


def _person(ccg: CCG, name: str) -> Person:
    person = Person.objects.filter(ccg=ccg, name=name).first()
    if person is None:
        raise FactsError(f"{ccg.ods_code}: no person called {name} in the demo data.")
    return person


def _checked_count(group: dict, what: str) -> list:
    items = group["items"]
    if "stated_count" in group and len(items) != group["stated_count"]:
        raise FactsError(f"{what}: {len(items)} listed, {group['stated_count']} stated.")
    return items


# --- Committees -------------------------------------------------------------------------------


def load_committees(ctx: LoadContext, facts: dict) -> dict[str, Committee]:
    group = facts["committees"]
    ccg = _ccg(ctx, group["ccg"])
    for item in group["new_people"]["items"]:
        upsert(ctx, Person, {"ccg": ccg, "name": item["name"]},
               {"job_title": item["job_title"], "note": item["note"]})  # fmt: skip
    specs = _checked_count(group, f"Committees of {group['ccg']}")
    orders = {spec["name"]: order for order, spec in enumerate(specs, start=1)}
    committees: dict[str, Committee] = {}
    for spec in _parents_first(specs):
        above = spec.get("reports_to")
        committees[spec["name"]] = upsert(
            ctx,
            Committee,
            {"ccg": ccg, "name": spec["name"]},
            {
                "kind": spec["kind"],
                "frequency": spec.get("frequency", ""),
                "duties": spec.get("duties", ""),
                "quorum_members": spec.get("quorum_members"),
                "quorum_note": spec.get("quorum_note", ""),
                "reports_to": committees[above] if above else None,
                "is_public": spec.get("is_public", False),
                "is_required": spec.get("is_required", False),
                "order": orders[spec["name"]],
                "source_note": " ".join(spec["source_note"].split()),
            },
        )
    for spec in specs:
        _load_members(ctx, ccg, committees[spec["name"]], spec["members"])
    return committees


def _parents_first(specs: list) -> list:
    """The committees ordered so that each comes after the one it reports to."""
    names = {spec["name"] for spec in specs}
    done: list = []
    placed: set = set()
    waiting = list(specs)
    while waiting:
        ready = [s for s in waiting if not s.get("reports_to") or s["reports_to"] in placed]
        if not ready:
            missing = sorted({s["reports_to"] for s in waiting} - names)
            raise FactsError(f"Reporting lines name unknown committees or loop: {missing}")
        for spec in ready:
            done.append(spec)
            placed.add(spec["name"])
        waiting = [s for s in waiting if s["name"] not in placed]
    return done


def _load_members(ctx: LoadContext, ccg: CCG, committee: Committee, members: list) -> None:
    for order, member in enumerate(members, start=1):
        person = _person(ccg, member["person"]) if member.get("person") else None
        role = member.get("role", "core")
        upsert(
            ctx,
            CommitteeMember,
            {"committee": committee, "order": order},
            {
                "person": person,
                "title": member.get("title", ""),
                "role": role,
                "category": member.get("category", "other"),
                "voting": member.get("voting", role not in ("in-attendance", "observer")),
            },
        )


# --- Meetings ---------------------------------------------------------------------------------


def _plan(spec: dict | None) -> Plan | None:
    if not spec:
        return None
    plan = Plan.objects.filter(ccg__ods_code=spec["ccg"], title=spec["title"]).first()
    if plan is None:
        raise FactsError(f"No plan {spec['title']!r} of {spec['ccg']} to link an agenda item to.")
    return plan


def load_meetings(ctx: LoadContext, facts: dict) -> None:
    for spec in facts["meetings"]:
        ccg = _ccg(ctx, spec["ccg"])
        about = spec["committee"]
        partner = PartnerOrganisation.objects.filter(ccg=ccg, name=about["partner"]).first()
        if partner is None:
            raise FactsError(f"{ccg.ods_code}: no partner called {about['partner']}.")
        committee = upsert(
            ctx,
            Committee,
            {"ccg": ccg, "name": about["name"]},
            {
                "partner": partner,
                "kind": about["kind"],
                "is_public": about["is_public"],
                "frequency": about.get("frequency", ""),
                "source_note": " ".join(about["source_note"].split()),
            },
        )
        meeting = upsert(
            ctx,
            Meeting,
            {"committee": committee, "date": spec["date"]},
            {"status": spec["status"], "title": spec.get("title", ""),
             "location": spec.get("location", "")},
        )  # fmt: skip
        for order, item in enumerate(spec["items"], start=1):
            _load_item(ctx, meeting, order, item)


def _load_item(ctx: LoadContext, meeting: Meeting, order: int, item: dict) -> None:
    paper = item.get("paper") or {}
    values = {
        "order": order,
        "title": item["title"],
        "presenters": " ".join(item.get("presenters", "").split()),
        "purpose": item["purpose"],
        "part": item["part"],
        "plan": _plan(item.get("plan")),
        "minutes": item.get("minutes", ""),
    }
    for name in ("to", "from", "subject", "purpose", "recommendations", "author", "contact"):
        values[f"paper_{name}"] = " ".join(paper.get(name, "").split())
    values["paper_key_issues"] = paper.get("key_issues", "")
    values["paper_date"] = paper.get("date")
    agenda_item = upsert(ctx, AgendaItem, {"meeting": meeting, "number": item["number"]}, values)
    resolutions = item.get("resolutions")
    if not resolutions:
        return
    numbers = [r["number"] for r in resolutions["items"]]
    if numbers != list(range(1, len(numbers) + 1)):
        raise FactsError(f"Resolutions of {item['title']} are not numbered (1), (2) ...")
    for resolution in resolutions["items"]:
        upsert(ctx, Resolution, {"item": agenda_item, "number": resolution["number"]},
               {"text": " ".join(resolution["text"].split())})  # fmt: skip


# --- NHS England assurance --------------------------------------------------------------------

PART_SPECS = (
    ("scorecard", ScorecardResult, ("metric", "target", "result", "met")),
    ("findings", Finding, ("area", "text")),
    ("actions", AgreedAction, ("text", "owner", "due_on", "done_on")),
)


def _value(part: str, field: str, value):
    """A fact as stored: findings keep their paragraphs and lists; other text is one line."""
    if value is None:
        return None if field in ("met", "due_on", "done_on") else ""
    if isinstance(value, str) and (part, field) != ("findings", "text"):
        return " ".join(value.split())
    return value


def load_assurance(ctx: LoadContext, facts: dict) -> None:
    for spec in facts["assurance"]:
        ccg = _ccg(ctx, spec["ccg"])
        check_rating(spec["rating_scheme"], spec["rating"])
        checkpoint = upsert(
            ctx,
            AssuranceCheckpoint,
            {"ccg": ccg, "year": FinancialYear.parse(spec["year"]), "quarter": spec["quarter"]},
            {
                "held_on": spec["held_on"],
                "letter_date": spec["letter_date"],
                "assessor": spec["assessor"],
                "rating_scheme": spec["rating_scheme"],
                "rating": spec["rating"],
                "summary": spec["summary"],
                "source_note": " ".join(spec["source_note"].split()),
            },
        )
        for name, model, fields in PART_SPECS:
            items = _checked_count(spec[name], f"{checkpoint} {name}")
            for order, item in enumerate(items, start=1):
                values = {field: _value(name, field, item.get(field)) for field in fields}
                upsert(ctx, model, {"checkpoint": checkpoint, "order": order}, values)


# --- Risks ------------------------------------------------------------------------------------

RISK_TEXT = ("title", "strategic_objective", "cause", "event", "effect", "owner",
             "key_controls", "internal_assurance", "external_assurance", "gaps_in_control",
             "gaps_in_assurance")  # fmt: skip
REVIEW_NOTE = "Illustrative review (demo data)."


def _bands(ctx: LoadContext) -> None:
    """The default bands of seed 002, through the risks services (counted in the report
    unless the risks app runs its own demo step for them)."""
    from .. import services_risks

    if services_risks.load_demo_bands not in registered_steps():
        services_risks.load_demo_bands(ctx)


def load_risks(ctx: LoadContext, facts: dict) -> None:
    _bands(ctx)
    for spec in facts["risks"]["items"]:
        if not spec.get("title", "").startswith("Illustrative"):
            raise FactsError(f"Demo risk {spec['reference']} is not labelled Illustrative.")
        ccg = _ccg(ctx, spec["ccg"])
        committee = None
        if spec.get("committee"):
            committee = Committee.objects.filter(ccg=ccg, name=spec["committee"]).first()
            if committee is None:
                raise FactsError(f"{ccg.ods_code}: no committee called {spec['committee']}.")
        scores = spec["scores"]
        values = {name: " ".join((spec.get(name) or "").split()) for name in RISK_TEXT}
        for stage in ("inherent", "current", "target"):
            values[f"{stage}_likelihood"], values[f"{stage}_consequence"] = scores[stage]
        risk = upsert(
            ctx,
            Risk,
            {"ccg": ccg, "reference": spec["reference"]},
            {
                **values,
                "committee": committee,
                "last_reviewed_on": spec["last_reviewed_on"],
                "next_review_on": spec["next_review_on"],
                "illustrative": True,
            },
        )
        likelihood, consequence = scores["current"]
        upsert(ctx, RiskReview, {"risk": risk, "reviewed_on": spec["last_reviewed_on"]},
               {"likelihood": likelihood, "consequence": consequence,
                "note": REVIEW_NOTE})  # fmt: skip
        action = spec.get("action")
        if action:
            upsert(ctx, RiskAction, {"risk": risk, "text": action["text"]},
                   {"owner": action["owner"], "due_on": action["due_on"]})  # fmt: skip


# --- The step ---------------------------------------------------------------------------------


def load_demo_governance(ctx: LoadContext, facts: dict | None = None) -> None:
    facts = facts if facts is not None else read_facts()
    load_committees(ctx, facts)
    load_meetings(ctx, facts)
    load_assurance(ctx, facts)
    load_risks(ctx, facts)


def register_demo_step() -> None:
    """Register the step after the performance demo's (registering those here too keeps the
    order whichever order `ready()` calls them in: a name registered again keeps its place)."""
    from commissioning.demo.loader import register_step

    from ..demo.loader import register_demo_step as register_performance

    register_performance()
    register_step(load_demo_governance, STEP_NAME)
