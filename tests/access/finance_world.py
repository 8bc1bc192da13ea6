"""Finance of CCG A and CCG B in the permission matrix's world: a financial plan with a stated
amount and an assumption, a challenge, a QIPP programme and scheme with a month, a contract
with a line, a pooled budget with a contribution and a scheme, a locality budget month, and a
QIPP import; and the national planning rules of two years. Finance is internal: scrutiny
members do not read it."""

from decimal import Decimal as D

from commissioning.models import Locality, Provider
from commissioning.years import FinancialYear
from finance import services
from finance.models import (
    BudgetAssumption,
    Contract,
    ContractLine,
    FinancialChallenge,
    FinancialPlan,
    LocalityBudget,
    PlanningRule,
    PooledBudget,
    PooledContribution,
    PooledScheme,
    QippImport,
    QippProgramme,
    QippScheme,
    StatedAmount,
)

YEAR = FinancialYear(2015)


def _finance(ccg, provider, locality, tag: str) -> dict:
    plan = services.create(FinancialPlan, user=None, ccg=ccg, year=YEAR,
                           allocation=D("622700000"), efficiency_target=D("15600000"))  # fmt: skip
    stated = services.create(StatedAmount, user=None, financial_plan=plan, rule_code="surplus",
                             label="A 1% surplus", stated_amount=D("6100000"))  # fmt: skip
    assumption = services.create(BudgetAssumption, user=None, financial_plan=plan,
                                 name="Uplift", percent=D("3.6"))  # fmt: skip
    challenge = services.create(FinancialChallenge, user=None, ccg=ccg,
                                first_year=FinancialYear(2014), last_year=FinancialYear(2018),
                                amount=D("75000000"))  # fmt: skip
    programme = services.create(QippProgramme, user=None, ccg=ccg, name=f"Orthopaedics {tag}")
    scheme = services.create(QippScheme, user=None, ccg=ccg, year=YEAR, reference=f"Q{tag}1",
                             qipp_programme=programme, project=f"Reduce first OP {tag}",
                             provider=provider, planned_saving=D("106000"))  # fmt: skip
    month = services.record_month(scheme, 1, user=None, plan=D("8833.33"), actual=D("8000"))
    contract = services.create(Contract, user=None, ccg=ccg, year=YEAR, provider=provider,
                               value=D("160000000"))  # fmt: skip
    line = services.create(ContractLine, user=None, contract=contract, name="Acute",
                           value=D("130000000"))  # fmt: skip
    pool = services.create(PooledBudget, user=None, ccg=ccg, year=YEAR, name="Better Care Fund",
                           stated_total=D("23000000"))  # fmt: skip
    contribution = services.create(PooledContribution, user=None, pooled_budget=pool,
                                   contributor="Council", amount_low=D("3000000"),
                                   amount_high=D("4000000"))  # fmt: skip
    pooled_scheme = services.create(PooledScheme, user=None, pooled_budget=pool,
                                    name="Integrated rapid response")  # fmt: skip
    budget = services.create(LocalityBudget, user=None, locality=locality, year=YEAR, month=1,
                             budget=D("1000000"), actual=D("990000"))  # fmt: skip
    qipp_import = QippImport.objects.create(ccg=ccg, year=YEAR, source_name=f"qipp-{tag}.csv",
                                            status="succeeded", dry_run=True)  # fmt: skip
    return {
        "financial_plan": plan, "stated_amount": stated, "budget_assumption": assumption,
        "financial_challenge": challenge, "qipp_programme": programme, "qipp_scheme": scheme,
        "qipp_month": month, "contract": contract, "contract_line": line,
        "pooled_budget": pool, "pooled_contribution": contribution,
        "pooled_scheme": pooled_scheme, "locality_budget": budget, "qipp_import": qipp_import,
    }  # fmt: skip


def finance_world(a, b, objects: dict, things: dict) -> dict:
    made_a = _finance(a, Provider.objects.get(ods_code="RFR"),
                      Locality.objects.filter(ccg=a).first(), "a")  # fmt: skip
    made_b = _finance(b, Provider.objects.get(ods_code="RTG"),
                      Locality.objects.filter(ccg=b).first(), "b")  # fmt: skip
    for prefix, key in {
        "financial-plans": "financial_plan",
        "qipp-programmes": "qipp_programme",
        "qipp-schemes": "qipp_scheme",
        "qipp-monthly": "qipp_month",
        "contracts": "contract",
        "pooled-budgets": "pooled_budget",
        "locality-budgets": "locality_budget",
        "qipp-imports": "qipp_import",
        "financial-challenges": "financial_challenge",
        "stated-amounts": "stated_amount",
        "budget-assumptions": "budget_assumption",
        "contract-lines": "contract_line",
        "pooled-contributions": "pooled_contribution",
        "pooled-schemes": "pooled_scheme",
    }.items():
        objects[prefix] = (made_a[key].pk, made_b[key].pk)
    # Planning rules are national reference data: one of each year, for anyone with a role.
    rules = [
        PlanningRule.objects.create(year=year, code="surplus", label="Surplus", rate=D("1.000"))
        for year in (YEAR, FinancialYear(2016))
    ]
    objects["planning-rules"] = (rules[0].pk, rules[1].pk)
    found = {f"{key}_a": value for key, value in made_a.items()}
    found |= {f"{key}_b": value for key, value in made_b.items()}
    return found
