"""The finance demo data (`manage.py load_demo`): every figure of the seeds exactly (Redditch
and Bromsgrove 2012/13, seed 002; Southern Derbyshire 2013/14, seed 003; Rotherham, seed 000),
monthly plans adding up to the penny, illustrative rows marked, and a second run that changes
nothing."""

import copy
import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction

from commissioning.demo.loader import FactsError, LoadContext, LoadReport, load_demo
from commissioning.models import CCG
from commissioning.years import FinancialYear
from finance import rules
from finance.demo.loader import (
    check_finance_facts,
    load_demo_finance,
    month_figures,
    pennies_spread,
    read_finance_facts,
)
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
    QippMonth,
    QippProgramme,
    QippRagThreshold,
    QippScheme,
    StatedAmount,
)
from governance import dashboard
from tests.factories import UserFactory

FINANCE_MODELS = [PlanningRule, QippRagThreshold, FinancialPlan, StatedAmount, BudgetAssumption,
                  FinancialChallenge, Contract, ContractLine, PooledBudget, PooledContribution,
                  PooledScheme, QippProgramme, QippScheme, QippMonth,
                  LocalityBudget]  # fmt: skip
Y2012, Y2013, Y2015 = FinancialYear(2012), FinancialYear(2013), FinancialYear(2015)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The whole demo loaded twice for this module (rolled back after it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            first = load_demo()
            before = dump()
            second = load_demo()
            yield {"first": first, "second": second, "before": before}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def dump() -> dict:
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in FINANCE_MODELS}


def plan_of(code, year) -> FinancialPlan:
    return FinancialPlan.objects.get(ccg__ods_code=code, year=year)


def lines_of(plan: FinancialPlan) -> dict[str, rules.RuleLine]:
    year_rules = [rules.Rule(r.code, r.label, r.basis, r.rate)
                  for r in PlanningRule.objects.filter(year=plan.year)]  # fmt: skip
    stated = [rules.Stated(s.rule_code, s.label, s.stated_amount, s.stated_percent)
              for s in plan.stated_amounts.all()]  # fmt: skip
    population = plan.population or plan.ccg.population
    lines = rules.rule_lines(year_rules, stated, allocation=plan.allocation,
                             population=population)  # fmt: skip
    return {line.code: line for line in lines}


# --- Redditch and Bromsgrove 2012/13 (seed 002 pp50-55) --------------------------------------


def test_redditch_and_bromsgrove_budget_and_target(loaded):
    plan = plan_of("05L", Y2012)
    assert plan.allocation == D("184300000.00")
    assert plan.efficiency_target == D("3300000.00")
    assert plan.plan.title == "Integrated Plan 2012/13"
    assert "budget" in plan.notes and "£252,173 or 0.1%" in plan.notes
    assert "Sources of the figures: allocation: seed 002 p50" in plan.notes
    assert "efficiency target: seed 002 p50" in plan.notes
    assert not plan.illustrative


def test_redditch_and_bromsgrove_budget_assumptions(loaded):
    rows = BudgetAssumption.objects.filter(financial_plan=plan_of("05L", Y2012))
    stated = {a.name: (a.percent, a.amount) for a in rows}
    assert stated["Uplift applied to the 2011/12 budget"] == (D("3.6"), None)
    assert stated["Demography"] == (D("1.15"), None)
    assert stated["National tariff deflator"] == (D("1.5"), None)
    assert stated["Increase in CQUIN"] == (D("1"), None)
    assert stated["CCG QIPP requirement"] == (None, D("3300000.00"))
    assert len(stated) == 8  # with the four the seed lists without a figure


def test_redditch_and_bromsgrove_reserves_stated_beside_the_cluster_rules(loaded):
    lines = lines_of(plan_of("05L", Y2012))
    operational = lines["operational-risk-reserve"]
    insurance = lines["insurance-risk-reserve"]
    # 1% of £184.3m is £1,843,000; the plan states £1.655m and a share of £1.84m.
    assert (operational.implied, operational.stated, operational.difference) == (
        D("1843000.00"), D("1655000.00"), D("-188000.00"))  # fmt: skip
    assert (insurance.implied, insurance.stated, insurance.difference) == (
        D("1843000.00"), D("1840000.00"), D("-3000.00"))  # fmt: skip


EXPECTED_SCHEMES = [
    # reference, programme, activity change, unit, planned saving, lead
    ("RB-ORTH-01", "Orthopaedics", "-719", "first-outpatient", "106000.00", "Dr Rupen Kulkarni"),
    ("RB-ORTH-02", "Orthopaedics", "-262", "inpatient-spell", "700000.00", "Dr Rupen Kulkarni"),
    ("RB-ORTH-03", "Orthopaedics", "-157", "follow-up", "12000.00", "Dr Rupen Kulkarni"),
    ("RB-OUTP-01", "Outpatients", "-1235", "first-outpatient", "203000.00", ""),
    ("RB-OUTP-02", "Outpatients", "-2538", "follow-up", "188000.00", ""),
    ("RB-OUTP-03", "Outpatients", "-644", "follow-up", "24000.00", "Dr Rupen Kulkarni"),
    ("RB-OUTP-04", "Outpatients", "-727", "follow-up", "160000.00", ""),
    ("RB-URG-01", "Urgent care", "-25", "non-elective-spell", "49000.00", ""),
    ("RB-URG-02", "Urgent care", "-16", "non-elective-spell", "102000.00", ""),
    ("RB-URG-03", "Urgent care", "-44", "non-elective-spell", "152000.00", ""),
    ("RB-URG-04", "Urgent care", "-38", "non-elective-spell", "122000.00", ""),
    ("RB-URG-05", "Urgent care", "-508", "non-elective-spell", "966000.00", ""),
    ("RB-MED-01", "Medicines management", None, "", "548000.00", ""),
]


def test_the_qipp_table_of_seed_002(loaded):
    schemes = QippScheme.objects.filter(ccg__ods_code="05L", year=Y2012).select_related(
        "qipp_programme").order_by("qipp_programme__order", "reference")  # fmt: skip
    got = [(s.reference, s.qipp_programme.name,
            None if s.activity_change is None else str(s.activity_change.normalize()),
            s.activity_unit, str(s.planned_saving), s.lead) for s in schemes]  # fmt: skip
    assert got == EXPECTED_SCHEMES
    assert [p.name for p in QippProgramme.objects.filter(ccg__ods_code="05L")] == [
        "Orthopaedics", "Outpatients", "Urgent care", "Medicines management"]  # fmt: skip
    assert all(s.provider_id is None and not s.illustrative for s in schemes)


def test_thirteen_schemes_add_up_to_3332k_against_the_3_3m_target(loaded):
    schemes = QippScheme.objects.filter(ccg__ods_code="05L", year=Y2012)
    gap = rules.efficiency_gap(plan_of("05L", Y2012).efficiency_target,
                               [s.planned_saving for s in schemes])  # fmt: skip
    assert schemes.count() == 13
    assert (gap.planned, gap.target, gap.gap, gap.covered) == (
        D("3332000.00"), D("3300000.00"), D("32000.00"), True)  # fmt: skip


def test_the_seeds_wording_is_noted_where_it_is_read(loaded):
    first = QippScheme.objects.get(reference="RB-OUTP-01")
    follow_ups = QippScheme.objects.get(reference="RB-OUTP-02")
    tbc = QippScheme.objects.get(reference="RB-URG-05")
    assert '"1,235 f/ups"' in first.description and "1,235 f/ups" in first.source
    assert '"188"' in follow_ups.description and "| 188" in follow_ups.source
    assert tbc.project == "Integrated Care (and implementation of a Virtual Ward model)"
    assert '"TBC"' in tbc.description and tbc.source.endswith(
        "(as written: TBC | 508 n/e spells | 966k)"
    )


def test_programmes_serve_priority_two_and_mental_health_priority_four(loaded):
    for programme in QippProgramme.objects.filter(ccg__ods_code="05L"):
        assert programme.priority.title == "to achieve and sustain financial balance"
        assert programme.priority.plan.title == "Integrated Plan 2012/13"
    mental_health = QippScheme.objects.get(reference="RB-OUTP-04")
    assert mental_health.priority.title == "Improve access and outcomes for Mental Health Services"
    assert QippScheme.objects.get(reference="RB-ORTH-01").priority.title.startswith("to achieve")
    assert QippProgramme.objects.get(name="Orthopaedics").lead == "Dr Rupen Kulkarni"


def test_monthly_plans_add_up_to_each_saving_to_the_penny(loaded):
    for scheme in QippScheme.objects.filter(ccg__ods_code="05L").prefetch_related("months"):
        months = list(scheme.months.all())
        assert [m.month for m in months] == list(range(1, 13))
        assert sum(m.plan for m in months) == scheme.planned_saving
        assert all(m.illustrative for m in months)
        assert all(m.actual is not None for m in months[:6])
        assert all(m.actual is None for m in months[6:])
    first_op = QippScheme.objects.get(reference="RB-ORTH-01")
    # £106,000 is 10,600,000 pence: 883,334 for M1-M4 and 883,333 for M5-M12.
    assert [m.plan for m in first_op.months.all()] == [D("8833.34")] * 4 + [D("8833.33")] * 8
    assert first_op.months.get(month=1).actual == D("9275.01")  # 105% of £8,833.34
    assert first_op.status == "on-track"
    virtual_ward = QippScheme.objects.get(reference="RB-URG-05")
    assert virtual_ward.months.get(month=7).forecast == D("60375.00")  # 75% of £80,500
    assert virtual_ward.status == "off-track"
    assert "Illustrative (demo data)" in virtual_ward.description


def test_pennies_spread_is_exact():
    assert sum(pennies_spread(D("3332000.00"))) == D("3332000.00")
    assert pennies_spread(D("0.05"), 12) == [D("0.01")] * 5 + [D("0")] * 7
    months = month_figures(D("12000.00"), {"actual_months": 6, "schemes": {}}, "X")
    assert [m["actual"] for m in months] == [None] * 12
    assert sum(m["plan"] for m in months) == D("12000.00")


# --- Southern Derbyshire 2013/14 (seed 003) ---------------------------------------------------


def test_southern_derbyshire_implied_and_stated(loaded):
    plan = plan_of("04R", Y2013)
    assert plan.allocation == D("622700000.00")
    assert (plan.efficiency_target, plan.efficiency_target_percent) == (D("15600000.00"),
                                                                       D("2.5"))  # fmt: skip
    assert plan.population == 525000
    lines = lines_of(plan)
    got = {code: (line.implied, line.stated, line.stated_percent, line.difference)
           for code, line in lines.items()}  # fmt: skip
    assert got == {
        "surplus": (D("6227000.00"), D("6100000.00"), D("1"), D("-127000.00")),
        "contingency": (D("3113500.00"), D("3000000.00"), D("0.5"), D("-113500.00")),
        "transformation-reserve": (D("12454000.00"), None, D("2"), None),
        "running-cost-allowance": (D("13125000.00"), None, None, None),
    }
    assert rules.implied_amount(
        "percent-of-allocation",
        plan.efficiency_target_percent,
        allocation=plan.allocation,
        population=None,
    ) == D("15567500.00")


def test_southern_derbyshire_locality_budgets_are_illustrative(loaded):
    rows = LocalityBudget.objects.filter(locality__ccg__ods_code="04R", year=Y2013)
    assert rows.count() == 48
    assert all(row.illustrative for row in rows)
    by_code = {}
    for row in rows.select_related("locality"):
        by_code.setdefault(row.locality.code, []).append(row)
    assert sorted(by_code) == ["AVSD", "DAC", "DCN", "SD"]
    # An invented £120 a head: DAC's 169,000 people give £20,280,000 for the year.
    assert sum(r.budget for r in by_code["DAC"]) == D("20280000.00")
    assert sum(r.budget for r in by_code["SD"]) == D("6000000.00")
    assert [r.actual is not None for r in sorted(by_code["DCN"], key=lambda r: r.month)] == (
        [True] * 6 + [False] * 6)  # fmt: skip


# --- Rotherham (seed 000) ---------------------------------------------------------------------


def test_rotherham_challenge_over_five_years(loaded):
    (challenge,) = FinancialChallenge.objects.filter(ccg__ods_code="03L")
    assert (challenge.first_year, challenge.last_year, challenge.amount) == (
        FinancialYear(2014), FinancialYear(2018), D("75000000.00"))  # fmt: skip


def test_rotherham_contracts_and_the_stated_total(loaded):
    contracts = Contract.objects.filter(ccg__ods_code="03L", year=Y2015).select_related(
        "provider").prefetch_related("lines")  # fmt: skip
    got = {c.provider.ods_code: (c.value, [(line.name, line.value) for line in c.lines.all()])
           for c in contracts}  # fmt: skip
    assert got == {
        "RFR": (D("160000000.00"), [
            ("Acute and Hospital Services", D("130000000.00")),
            ("Community Services (District Nurses, Physiotherapy, Occupational Therapy)",
             D("30000000.00")),
        ]),
        "RXE": (D("30000000.00"), []),
        "RHQ": (D("20000000.00"), []),
    }  # fmt: skip
    sheffield = contracts.get(provider__ods_code="RHQ")
    assert "Sheffield Children's" in sheffield.title and "RCU" in sheffield.notes
    plan = plan_of("03L", Y2015)
    assert plan.allocation is None
    assert plan.stated_contract_total == D("224200000.00")
    assert sum(c.value for c in contracts) == D("210000000.00")
    assert "Assumption:" in plan.notes


def test_rotherham_qipp_assumptions(loaded):
    stated = {a.name: a.percent for a in plan_of("03L", Y2015).assumptions.all()}
    assert stated == {"QIPP: year on year efficiency": D("3.5"), "QIPP: follow-ups": D("-8"),
                      "QIPP: non-elective activity": D("0")}  # fmt: skip


def test_rotherham_better_care_fund_ranges(loaded):
    pool = PooledBudget.objects.get(ccg__ods_code="03L", name="Better Care Fund")
    assert (pool.year, pool.stated_total) == (Y2015, D("23000000.00"))
    got = [(c.contributor, c.amount_low, c.amount_high, c.partner.name if c.partner else None)
           for c in pool.contributions.all()]  # fmt: skip
    assert got == [
        ("NHS Rotherham CCG (health funding)", D("19000000.00"), D("19000000.00"), None),
        ("Rotherham Metropolitan Borough Council", D("3000000.00"), D("4000000.00"),
         "Rotherham Metropolitan Borough Council"),
    ]  # fmt: skip
    assert [s.name for s in pool.schemes.all()] == ["Adult Mental Health Liaison"]


# --- Planning rules and idempotency -----------------------------------------------------------


def test_the_planning_rules_and_default_thresholds_are_loaded(loaded):
    assert PlanningRule.objects.filter(year=Y2013).count() == 4
    default = QippRagThreshold.objects.get(ccg__isnull=True)
    assert (default.green_from, default.amber_from) == (D("0"), D("-10"))
    assert "default" in default.source


def test_a_second_run_changes_nothing(loaded):
    second = loaded["second"]
    for name in [m.__name__ for m in FINANCE_MODELS]:
        tally = second.tallies[name]
        assert (tally.created, tally.updated) == (0, 0), name
    assert loaded["before"] == dump()
    first = loaded["first"].tallies
    assert first["QippScheme"].created == 13 and first["QippMonth"].created == 156


def test_a_miscounted_or_misadded_table_is_refused(loaded):
    facts = read_finance_facts()
    wrong = copy.deepcopy(facts)
    wrong["qipp"]["stated_count"] = 12
    with pytest.raises(FactsError, match="13 schemes listed, 12 stated"):
        check_finance_facts(wrong)
    wrong = copy.deepcopy(facts)
    wrong["qipp"]["programmes"][1]["schemes"][1]["planned_saving"] = "188.00"
    with pytest.raises(FactsError, match="add up to £3,144,188.00"):
        check_finance_facts(wrong)
    wrong = copy.deepcopy(facts)
    wrong["contracts"][0]["source"] = "the minutes"
    with pytest.raises(FactsError, match="does not cite its seed"):
        check_finance_facts(wrong)


def test_the_step_needs_the_core_demo_first(db):
    with pytest.raises(FactsError, match="CCG 05L, which is not loaded"):
        load_demo_finance(LoadContext(facts={}, password="x", report=LoadReport()))


# --- On the governing body dashboard ------------------------------------------------------------


def test_the_demo_shows_on_the_dashboard(loaded):
    staff = UserFactory(username="finance-demo-staff", is_staff=True)
    ccg = CCG.objects.get(ods_code="05L")
    panels = {p.code: dict(p.rows) for p in dashboard.later_panels(staff, ccg, dt.date(2012, 9, 1))}
    assert panels["qipp"]["Schemes"] == "13 schemes, planned savings £3,332,000"
    assert panels["qipp"]["Year to date"].startswith("To M6 (September): plan £1,666,000, ")
    assert panels["qipp"]["Figures"] == "The monthly figures include illustrative (demo) data"
    assert panels["financial-position"]["Internal operational risk reserve"] == (
        "Stated £1,655,000; the rule (1% of the allocation) implies £1,843,000; difference −£188k"
    )
