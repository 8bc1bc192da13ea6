"""The seed documents' priorities (`seed_priorities.yaml`), written through
`priorities.services` by the system (user None).

Two parts, registered by `register_demo()` from PrioritiesConfig.ready():

- `write_plan_content` is a content writer of the plans demo (plans/demo/loader.py). It is
  called for each demo plan: for a plan created in this run, while the plan is still a draft
  and before its lifecycle moves, it writes the plan's priority areas, commitments, actions,
  success measures and locality focus, so the frozen versions hold them and a refresh copies
  them (keys kept); for a plan left alone it only counts. Like the plans demo, it never
  rewrites a plan that exists: published plans are read-only and versions immutable.
- `load_priorities` is a step of `manage.py load_demo`, run after the plans step: Coventry and
  Rugby's programmes (the CCG's) with their measures, their intentions on the Draft 5 plan
  (still a draft), and the illustrative progress updates on Southern Derbyshire's published
  plan. Each is found by its natural key and created only when missing, so a second run
  changes nothing.

Not loaded (the facts file says why): seed 004's "We will ..." lists under its three core
commissioning principles, which belong to no programme and are not priorities.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from commissioning.demo.loader import (
    CREATED,
    UNCHANGED,
    UPDATED,
    FactsError,
    LoadContext,
    register_step,
)
from commissioning.models import CCG, Locality
from commissioning.years import FinancialYear
from plans.capabilities import edit_refusal
from plans.demo.loader import register_content_writer
from plans.models import Plan

from .. import services
from ..models import (
    Action,
    Commitment,
    DuePrecision,
    LocalityFocus,
    PriorityArea,
    Programme,
    ProgrammeIntention,
    ProgrammeMeasure,
    ProgressUpdate,
    SuccessMeasure,
    quarter_end,
)

FACTS_PATH = Path(__file__).with_name("seed_priorities.yaml")
SYSTEM = None  # plans.capabilities.roles_in: None is the system itself, never a request


def read_priority_facts(path: Path = FACTS_PATH) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def check_priority_facts(facts: dict) -> None:
    """Refuse a facts file with a group that does not cite its seed, or illustrative updates
    whose label is missing."""
    groups = [facts["programmes"], *facts["programmes"]["items"], facts["progress"]]
    for spec in facts["plans"]:
        groups += [spec, *spec["priorities"], *spec.get("success_measures", [])]
        if spec.get("locality_focus"):
            groups.append(spec["locality_focus"])
    for group in groups:
        source = group.get("source", "")
        if "seed 00" not in source and "invented for the demo" not in source:
            name = (
                group.get("title") or group.get("name") or group.get("measure")
                or group.get("plan") or "?"
            )  # fmt: skip
            raise FactsError(f"Priorities demo: '{name}' does not cite its seed.")
    if not facts["progress"]["label"].startswith("Illustrative"):
        raise FactsError("Priorities demo: illustrative updates must say they are illustrative.")


# --- Plan content, written while the plan is a draft ----------------------------------------


def write_plan_content(ctx: LoadContext, plan: Plan, outcome: str) -> None:
    """The plans demo's content writer (see the module docstring)."""
    if outcome == CREATED:
        facts = read_priority_facts()
        check_priority_facts(facts)
        spec = _plan_spec(facts, plan)
        if spec is not None:
            _write(plan, spec)
    _tally(ctx, plan, outcome)


def _plan_spec(facts: dict, plan: Plan) -> dict | None:
    for spec in facts["plans"]:
        if (spec["ccg"], spec["plan"]) == (plan.ccg.ods_code, plan.title):
            return spec
    return None


def _write(plan: Plan, spec: dict) -> None:
    if spec.get("aims_from_statements"):
        _check_aims(plan, spec)
    priorities = []
    for item in spec["priorities"]:
        priority = services.add_priority(
            plan,
            user=SYSTEM,
            title=item["title"],
            objective=item["objective"],
            end_state=item.get("end_state", ""),
        )
        priorities.append(priority)
        for commitment_spec in item.get("commitments", []):
            commitment = services.add_commitment(
                priority, user=SYSTEM, text=commitment_spec["text"]
            )
            for action in commitment_spec["actions"]:
                due_on, precision = _due(action.get("due"))
                services.add_action(
                    commitment,
                    user=SYSTEM,
                    text=action["text"],
                    due_on=due_on,
                    due_precision=precision,
                )
    for measure in spec.get("success_measures", []):
        services.add_success_measure(
            plan,
            user=SYSTEM,
            measure=measure["measure"],
            baseline=measure["baseline"],
            aspiration=measure["aspiration"],
            source=" ".join(measure["source"].split()),
            priority=priorities[measure["priority"] - 1],
        )
    focus = spec.get("locality_focus")
    for group in focus["localities"] if focus else []:
        locality = _locality(plan.ccg, group)
        for text in group["items"]:
            services.add_locality_focus(plan, user=SYSTEM, locality=locality, text=text)


def _check_aims(plan: Plan, spec: dict) -> None:
    """Priority areas read from aim statements must say exactly what the statements say."""
    aims = list(
        plan.statements.filter(kind="aim", group=spec["aims_from_statements"])
        .order_by("order")
        .values_list("text", flat=True)
    )
    written = [f"{item['title']} – {item['objective']}" for item in spec["priorities"]]
    if aims != written:
        raise FactsError(f"{plan.title}: the priority areas do not match its aim statements.")


def _due(due: dict | None) -> tuple[dt.date | None, str]:
    if not due:
        return None, DuePrecision.DATE
    return quarter_end(FinancialYear.parse(due["year"]), due["quarter"]), DuePrecision.QUARTER


def _locality(ccg: CCG, group: dict) -> Locality:
    locality = Locality.objects.filter(ccg=ccg, name=group["locality"]).first()
    if locality is None or locality.code != group["code"]:
        raise FactsError(
            f"Locality focus names {group['locality']} ({group['code']}), not a locality of "
            f"{ccg.ods_code} in the demo facts."
        )
    return locality


def _tally(ctx: LoadContext, plan: Plan, outcome: str) -> None:
    """Count the plan's priority content with one outcome: all new, or all left alone."""
    counted = (
        PriorityArea.objects.filter(plan=plan),
        Commitment.objects.filter(priority__plan=plan),
        Action.objects.filter(commitment__priority__plan=plan),
        SuccessMeasure.objects.filter(plan=plan),
        LocalityFocus.objects.filter(plan=plan),
    )
    for rows in counted:
        for _ in range(rows.count()):
            ctx.report.count(rows.model, outcome)


# --- Programmes and progress, after the plans step -------------------------------------------


def load_priorities(ctx: LoadContext) -> None:
    facts = read_priority_facts()
    check_priority_facts(facts)
    _load_programmes(ctx, facts["programmes"])
    _load_progress(ctx, facts["progress"])


def _load_programmes(ctx: LoadContext, facts: dict) -> None:
    ccg = ctx.ccgs.get(facts["ccg"]) or CCG.objects.get(ods_code=facts["ccg"])
    plan = Plan.objects.filter(ccg=ccg, title=facts["plan"]).order_by("pk").first()
    for order, spec in enumerate(facts["items"], start=1):
        programme = _programme(ctx, ccg, spec, order)
        for number, text in enumerate(spec.get("measures", []), start=1):
            if programme.measures.filter(text=text).exists():
                ctx.report.count(ProgrammeMeasure, UNCHANGED)
            else:
                services.add_programme_measure(programme, user=SYSTEM, text=text, order=number)
                ctx.report.count(ProgrammeMeasure, CREATED)
        if plan is None:
            continue
        for text in spec["intentions"]:
            if ProgrammeIntention.objects.filter(
                plan=plan, programme=programme, text=text
            ).exists():
                ctx.report.count(ProgrammeIntention, UNCHANGED)
            elif edit_refusal(SYSTEM, plan) is None:  # a draft takes what it lacks
                services.add_intention(programme, plan, user=SYSTEM, text=text)
                ctx.report.count(ProgrammeIntention, CREATED)


def _programme(ctx: LoadContext, ccg: CCG, spec: dict, order: int) -> Programme:
    values = {"description": spec.get("description", ""), "order": order}
    programme = Programme.objects.filter(ccg=ccg, name=spec["name"]).first()
    if programme is None:
        programme = services.create_programme(ccg, user=SYSTEM, name=spec["name"], **values)
        ctx.report.count(Programme, CREATED)
        return programme
    changed = {k: v for k, v in values.items() if getattr(programme, k) != v}
    if changed:
        services.update_programme(programme, user=SYSTEM, expected_revision=None, **changed)
    ctx.report.count(Programme, UPDATED if changed else UNCHANGED)
    return programme


def _load_progress(ctx: LoadContext, facts: dict) -> None:
    plan = Plan.objects.filter(ccg__ods_code=facts["ccg"], title=facts["plan"]).first()
    if plan is None:
        return
    for spec in facts["updates"]:
        subject = _subject(plan, spec)
        if subject is None:  # a plan loaded before its priorities were: nothing to report on
            continue
        reported_on = spec["reported_on"]
        if subject.updates.filter(reported_on=reported_on, illustrative=True).exists():
            ctx.report.count(ProgressUpdate, UNCHANGED)
            continue
        services.record_progress(
            subject,
            user=SYSTEM,
            status=spec["status"],
            narrative=f"{facts['label']} {spec['narrative']}",
            reported_on=reported_on,
            illustrative=True,
        )
        ctx.report.count(ProgressUpdate, CREATED)


def _subject(plan: Plan, spec: dict) -> Action | Commitment | None:
    commitment = Commitment.objects.filter(
        priority__plan=plan, priority__title=spec["priority"], text=spec["commitment"]
    ).first()
    if commitment is None or "action" not in spec:
        return commitment
    return commitment.actions.filter(text=spec["action"]).first()


def register_demo() -> None:
    register_content_writer(write_plan_content, "priorities")
    register_step(load_priorities, "priorities")
