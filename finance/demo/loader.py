"""The finance demo (`finance_facts.yaml`), written through `finance.services` by the system
(user None), as steps of `manage.py load_demo`.

Two steps, registered by `register_demo()` from FinanceConfig.ready(), after the priorities
step (the QIPP programmes link to Redditch and Bromsgrove's priorities):

- the planning rules file (`finance.planning_rules`), so the rules each plan is read against
  are there first;
- the seed CCGs' finance: Redditch and Bromsgrove 2012/13 (budget, assumptions, reserves and
  its QIPP table of thirteen projects, seed 002), Southern Derbyshire 2013/14 (allocation,
  stated reserves and efficiency target, seed 003; illustrative locality budgets), Rotherham
  (the £75M challenge, contracts and the Better Care Fund, seed 000).

Every row is found by its natural key, created when missing, updated only where its values
differ, and counted in the load report: a second run changes nothing. Figures the seeds do
not give (QIPP months, locality budgets) are marked `illustrative=True`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import models

from commissioning.demo.loader import (
    CREATED,
    UNCHANGED,
    UPDATED,
    FactsError,
    LoadContext,
    register_step,
    spread,
)
from commissioning.models import CCG, Locality, PartnerOrganisation, Provider
from commissioning.years import FinancialYear
from plans.models import Plan
from priorities.models import DeliveryStatus, PriorityArea

from .. import services
from ..models import (
    BudgetAssumption,
    Contract,
    ContractLine,
    FinancialChallenge,
    FinancialPlan,
    LocalityBudget,
    PooledBudget,
    PooledContribution,
    PooledScheme,
    QippMonth,
    QippProgramme,
    QippScheme,
    StatedAmount,
)
from ..planning_rules import register_demo_step as register_planning_rules
from ..qipp_figures import MONTHS, figures, rag
from ..qipp_figures import Month as FigureMonth

FACTS_PATH = Path(__file__).with_name("finance_facts.yaml")
STEP_NAME = "finance-seed-ccgs"
SYSTEM = None
PENNY = Decimal("0.01")
HUNDRED = Decimal(100)
STATUS_OF_RAG = {"green": DeliveryStatus.ON_TRACK, "amber": DeliveryStatus.AT_RISK,
                 "red": DeliveryStatus.OFF_TRACK}  # fmt: skip


def read_finance_facts(path: Path = FACTS_PATH) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def text(value: str | None) -> str:
    """A folded fact as one line of text."""
    return " ".join((value or "").split())


def money(value) -> Decimal | None:
    """A figure of the facts file as Decimal pounds (never through float)."""
    if value is None:
        return None
    if isinstance(value, float):
        raise FactsError(f"Write the figure {value!r} in quotes, so it is read exactly.")
    return Decimal(str(value))


def pennies_spread(total: Decimal, parts: int = MONTHS) -> list[Decimal]:
    """`total` pounds split into `parts` amounts to the penny, adding up exactly to it."""
    pence = total * 100
    if pence != pence.to_integral_value():
        raise FactsError(f"{total} is not a whole number of pence.")
    return [Decimal(p) / 100 for p in spread(int(pence), parts)]


def share(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / HUNDRED).quantize(PENNY, rounding=ROUND_HALF_UP)


# --- The one write path ----------------------------------------------------------------------


def _differs(row: models.Model, name: str, value: Any) -> bool:
    model_field = row._meta.get_field(name)
    if model_field.many_to_one or model_field.one_to_one:
        return getattr(row, model_field.attname) != (value.pk if value is not None else None)
    return getattr(row, name) != value


def put(ctx: LoadContext, model: type[models.Model], key: dict[str, Any],
        values: dict[str, Any]) -> models.Model:  # fmt: skip
    """Find `model` by natural `key`; create it through finance.services, or update only the
    values that differ (a CCG in `key` is the record's CCG; a parent is one of its values)."""
    row = model._default_manager.filter(**key).order_by("pk").first()
    if row is None:
        fields = {**key, **values}
        ccg = fields.pop("ccg", None)
        row = services.create(model, user=SYSTEM, ccg=ccg, **fields)
        ctx.report.count(model, CREATED)
        return row
    changed = {name: value for name, value in values.items() if _differs(row, name, value)}
    if changed:
        services.update(row, user=SYSTEM, expected_revision=None, **changed)
    ctx.report.count(model, UPDATED if changed else UNCHANGED)
    return row


# --- Lookups ---------------------------------------------------------------------------------


def _ccg(ctx: LoadContext, code: str) -> CCG:
    ccg = ctx.ccgs.get(code) or CCG.objects.filter(ods_code=code).first()
    if ccg is None:
        raise FactsError(f"The finance facts name CCG {code}, which is not loaded.")
    return ccg


def _plan(ccg: CCG, title: str | None) -> Plan | None:
    if not title:
        return None
    return Plan.objects.filter(ccg=ccg, title=title).order_by("pk").first()


def _priority(plan: Plan | None, title: str | None) -> PriorityArea | None:
    """The plan's priority of that title, when the priorities demo has written it."""
    if plan is None or not title:
        return None
    return PriorityArea.objects.filter(plan=plan, title=title).order_by("pk").first()


def _provider(code: str) -> Provider:
    provider = Provider.objects.filter(ods_code=code).first()
    if provider is None:
        raise FactsError(f"The finance facts name provider {code}, which is not loaded "
                         "(commissioning/demo/seed_facts.yaml).")  # fmt: skip
    return provider


def _partner(ccg: CCG, name: str | None) -> PartnerOrganisation | None:
    if not name:
        return None
    partner = PartnerOrganisation.objects.filter(ccg=ccg, name=name).first()
    if partner is None:
        raise FactsError(f"{ccg.ods_code}: no partner called {name} in the demo data.")
    return partner


# --- Checks ----------------------------------------------------------------------------------


def check_finance_facts(facts: dict) -> None:
    """Refuse a facts file whose groups do not cite their seed, whose QIPP table does not
    match its stated count and total, or whose illustrative months name unknown schemes."""
    groups = [*facts["financial_plans"], *facts["challenges"], *facts["contracts"],
              *facts["pooled_budgets"], facts["qipp"], *facts["qipp"]["programmes"],
              facts["locality_budgets"]]  # fmt: skip
    for spec in facts["qipp"]["programmes"]:
        groups += spec["schemes"]
    for group in groups:
        if "seed 00" not in group.get("source", ""):
            name = group.get("reference") or group.get("name") or group.get("ccg") or "?"
            raise FactsError(f"Finance demo: '{name}' does not cite its seed.")
    qipp = facts["qipp"]
    schemes = [s for p in qipp["programmes"] for s in p["schemes"]]
    if len(schemes) != qipp["stated_count"]:
        raise FactsError(f"QIPP of {qipp['ccg']}: {len(schemes)} schemes listed, "
                         f"{qipp['stated_count']} stated.")  # fmt: skip
    total = sum((money(s["planned_saving"]) for s in schemes), Decimal(0))
    if total != money(qipp["stated_total"]):
        raise FactsError(f"QIPP of {qipp['ccg']}: the schemes add up to £{total:,}, not the "
                         f"£{money(qipp['stated_total']):,} of the table.")  # fmt: skip
    references = {s["reference"] for s in schemes}
    unknown = sorted(set(qipp["illustrative_months"]["schemes"]) - references)
    if unknown:
        raise FactsError(f"Illustrative months name unknown schemes: {', '.join(unknown)}")
    if not facts["illustrative_label"].startswith("Illustrative"):
        raise FactsError("Finance demo: the illustrative label must say it is illustrative.")


# --- Financial plans, challenges, contracts, pooled budgets -----------------------------------


FIGURE_SOURCES = (("allocation", "allocation"), ("population", "population"),
                  ("efficiency_target", "efficiency target"),
                  ("stated_contract_total", "contract total"))  # fmt: skip


def _assumption(spec: dict) -> str:
    return f"Assumption: {text(spec['assumption'])}" if spec.get("assumption") else ""


def _figure_sources(spec: dict) -> str:
    """Where each of the plan's figures comes from, as one sentence of its notes."""
    parts = [f"{label}: {text(spec[f'{key}_source'])}" for key, label in FIGURE_SOURCES
             if spec.get(f"{key}_source")]  # fmt: skip
    return f"Sources of the figures: {'; '.join(parts)}." if parts else ""


def load_financial_plans(ctx: LoadContext, facts: dict) -> None:
    for spec in facts["financial_plans"]:
        ccg = _ccg(ctx, spec["ccg"])
        notes = " ".join(filter(None, [text(spec.get("notes")), _assumption(spec),
                                       _figure_sources(spec)]))  # fmt: skip
        plan = put(ctx, FinancialPlan, {"ccg": ccg, "year": FinancialYear.parse(spec["year"])}, {
            "plan": _plan(ccg, spec.get("plan")),
            "allocation": money(spec.get("allocation")),
            "population": spec.get("population"),
            "efficiency_target": money(spec.get("efficiency_target")),
            "efficiency_target_percent": money(spec.get("efficiency_target_percent")),
            "stated_contract_total": money(spec.get("stated_contract_total")),
            "notes": notes,
            "source": text(spec["source"]),
            "illustrative": False,
        })  # fmt: skip
        for order, item in enumerate(spec["stated"], start=1):
            put(ctx, StatedAmount, {"financial_plan": plan, "rule_code": item["rule_code"]}, {
                "label": item["label"],
                "stated_percent": money(item.get("percent")),
                "stated_amount": money(item.get("amount")),
                "note": " ".join(filter(None, [text(item.get("note")),
                                               f"Source: {text(item['source'])}."])),
                "order": order,
            })  # fmt: skip
        for order, item in enumerate(spec["assumptions"], start=1):
            put(ctx, BudgetAssumption, {"financial_plan": plan, "name": item["name"]}, {
                "percent": money(item.get("percent")),
                "amount": money(item.get("amount")),
                "note": " ".join(filter(None, [text(item.get("note")),
                                               f"Source: {text(item['source'])}."])),
                "order": order,
            })  # fmt: skip


def load_challenges(ctx: LoadContext, facts: dict) -> None:
    for spec in facts["challenges"]:
        put(ctx, FinancialChallenge, {
            "ccg": _ccg(ctx, spec["ccg"]),
            "first_year": FinancialYear.parse(spec["first_year"]),
            "last_year": FinancialYear.parse(spec["last_year"]),
        }, {
            "amount": money(spec["amount"]),
            "description": text(spec["description"]),
            "source": text(spec["source"]),
        })  # fmt: skip


def load_contracts(ctx: LoadContext, facts: dict) -> None:
    for group in facts["contracts"]:
        ccg = _ccg(ctx, group["ccg"])
        year = FinancialYear.parse(group["year"])
        for item in group["items"]:
            if item.get("shared_with"):
                _provider(item["shared_with"])  # the other provider the figure covers
            contract = put(ctx, Contract, {"ccg": ccg, "year": year,
                                           "provider": _provider(item["provider"])}, {
                "title": item["title"],
                "value": money(item["value"]),
                "notes": text(item["notes"]),
                "source": text(group["source"]),
                "illustrative": False,
            })  # fmt: skip
            for order, line in enumerate(item["lines"], start=1):
                put(ctx, ContractLine, {"contract": contract, "name": line["name"]},
                    {"value": money(line["value"]), "order": order})  # fmt: skip


def load_pooled_budgets(ctx: LoadContext, facts: dict) -> None:
    for spec in facts["pooled_budgets"]:
        ccg = _ccg(ctx, spec["ccg"])
        pool = put(ctx, PooledBudget, {"ccg": ccg, "year": FinancialYear.parse(spec["year"]),
                                       "name": spec["name"]}, {
            "stated_total": money(spec["stated_total"]),
            "description": text(spec["description"]),
            "source": text(spec["source"]),
        })  # fmt: skip
        for order, item in enumerate(spec["contributions"], start=1):
            put(ctx, PooledContribution, {"pooled_budget": pool,
                                          "contributor": item["contributor"]}, {
                "partner": _partner(ccg, item.get("partner")),
                "amount_low": money(item["amount_low"]),
                "amount_high": money(item["amount_high"]),
                "note": text(item.get("note")),
                "order": order,
            })  # fmt: skip
        for order, item in enumerate(spec["schemes"], start=1):
            put(ctx, PooledScheme, {"pooled_budget": pool, "name": item["name"]}, {
                "amount": money(item.get("amount")),
                "description": text(item.get("description")),
                "order": order,
            })  # fmt: skip


# --- QIPP ------------------------------------------------------------------------------------


def month_figures(saving: Decimal, months_facts: dict, reference: str) -> list[dict]:
    """Each month's plan (the saving spread to the penny), illustrative actual for the first
    `actual_months` and forecast for the rest where a forecast percent is given."""
    spec = months_facts["schemes"].get(reference, {})
    actual_percent = money(spec.get("actual_percent"))
    forecast_percent = money(spec.get("forecast_percent"))
    reported = months_facts["actual_months"]
    rows = []
    for month, plan in enumerate(pennies_spread(saving), start=1):
        actual = forecast = None
        if actual_percent is not None and month <= reported:
            actual = share(plan, actual_percent)
        if forecast_percent is not None and month > reported:
            forecast = share(plan, forecast_percent)
        rows.append({"month": month, "plan": plan, "actual": actual, "forecast": forecast})
    return rows


def _scheme_description(spec: dict, label: str) -> str:
    notes = [text(spec.get(key)) for key in ("project_note", "unit_note", "value_note")]
    parts = [text(spec.get("description")), *filter(None, notes),
             f"{label} The monthly figures and the delivery status are illustrative; the "
             "saving for the year is the seed's."]  # fmt: skip
    return " ".join(filter(None, parts))


def load_qipp(ctx: LoadContext, facts: dict) -> None:
    qipp = facts["qipp"]
    ccg = _ccg(ctx, qipp["ccg"])
    year = FinancialYear.parse(qipp["year"])
    plan = _plan(ccg, qipp.get("plan"))
    priority = _priority(plan, qipp.get("priority"))
    label = text(facts["illustrative_label"])
    for order, spec in enumerate(qipp["programmes"], start=1):
        programme = put(ctx, QippProgramme, {"ccg": ccg, "name": spec["name"]}, {
            "lead": spec.get("lead", ""),
            "description": " ".join(filter(None, [
                text(spec.get("description")),
                f"Lead: {text(spec['lead_source'])}." if spec.get("lead_source") else "",
            ])),
            "priority": priority,
            "order": order,
        })  # fmt: skip
        for item in spec["schemes"]:
            saving = money(item["planned_saving"])
            months = month_figures(saving, qipp["illustrative_months"], item["reference"])
            status = _status(months)
            scheme = put(ctx, QippScheme, {"ccg": ccg, "year": year,
                                           "reference": item["reference"]}, {
                "qipp_programme": programme,
                "project": item["project"],
                "point_of_delivery": item.get("point_of_delivery", ""),
                "lead": item.get("lead", ""),
                "priority": _priority(plan, item.get("priority")) or priority,
                "activity_change": money(item.get("activity_change")),
                "activity_unit": item.get("activity_unit") or "",
                "planned_saving": saving,
                "status": status,
                "description": _scheme_description(item, label),
                "source": f"{text(item['source'])} (as written: {item['as_written']})",
                "illustrative": False,
            })  # fmt: skip
            for row in months:
                put(ctx, QippMonth, {"scheme": scheme, "month": row["month"]},
                    {"plan": row["plan"], "actual": row["actual"], "forecast": row["forecast"],
                     "illustrative": True})  # fmt: skip


def _status(months: list[dict]) -> str:
    """The illustrative delivery status from the illustrative actuals' RAG (default
    thresholds): on track, at risk or off track; not started without actuals."""
    result = figures(FigureMonth(m["month"], m["plan"], m["actual"], m["forecast"])
                     for m in months)  # fmt: skip
    colour = rag(result.variance_percent)
    return STATUS_OF_RAG.get(colour, DeliveryStatus.NOT_STARTED)


# --- Locality budgets ------------------------------------------------------------------------


def load_locality_budgets(ctx: LoadContext, facts: dict) -> None:
    spec = facts["locality_budgets"]
    ccg = _ccg(ctx, spec["ccg"])
    year = FinancialYear.parse(spec["year"])
    per_head = money(spec["illustrative_pounds_per_head"])
    for item in spec["localities"]:
        locality = Locality.objects.filter(ccg=ccg, code=item["code"]).first()
        if locality is None:
            raise FactsError(f"{ccg.ods_code}: no locality with the code {item['code']}.")
        if locality.population != item["population"]:
            raise FactsError(f"{locality}: the population is {locality.population}, not "
                             f"{item['population']} as the finance facts say.")  # fmt: skip
        variance = money(item["actual_variance_percent"])
        budgets = pennies_spread(per_head * item["population"])
        for month, budget in enumerate(budgets, start=1):
            actual = share(budget, HUNDRED + variance) if month <= spec["actual_months"] else None
            put(ctx, LocalityBudget, {"locality": locality, "year": year, "month": month},
                {"budget": budget, "actual": actual, "illustrative": True})  # fmt: skip


# --- The step --------------------------------------------------------------------------------


def load_demo_finance(ctx: LoadContext, facts: dict | None = None) -> None:
    facts = facts if facts is not None else read_finance_facts()
    check_finance_facts(facts)
    load_financial_plans(ctx, facts)
    load_challenges(ctx, facts)
    load_contracts(ctx, facts)
    load_pooled_budgets(ctx, facts)
    load_qipp(ctx, facts)
    load_locality_budgets(ctx, facts)


def register_demo() -> None:
    """The planning rules, then the seed CCGs' finance (after the priorities step, which
    FinanceConfig.ready() follows: finance comes after priorities in INSTALLED_APPS)."""
    register_planning_rules()
    register_step(load_demo_finance, STEP_NAME)
