"""The finance overview of a CCG for a year: the year selector, the allocation, the planning
rules table (implied beside stated, the difference shown and never written over), the
efficiency target against the schemes' planned savings, assumptions, challenges, contracts
(lines against the stated value, the plan's contract total against their sum), pooled
budgets (ranges kept as ranges) and locality budgets; who sees it."""

import html
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse

from commissioning.access import Role
from commissioning.years import FinancialYear
from finance import services
from finance.models import (
    BudgetAssumption,
    Contract,
    ContractForm,
    ContractLine,
    FinancialChallenge,
    FinancialPlan,
    LocalityBudget,
    PlanningRule,
    PooledBudget,
    PooledContribution,
    PooledScheme,
    StatedAmount,
)
from tests.factories import LocalityFactory, ProviderFactory, user_with_role
from tests.finance.factories import programme, scheme

pytestmark = pytest.mark.django_db

Y1314 = FinancialYear(2013)
Y1213 = FinancialYear(2012)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def rule(year, code, label, rate, basis="percent-of-allocation", order=0):
    return PlanningRule.objects.create(year=year, code=code, label=label, rate=D(rate),
                                       basis=basis, order=order)  # fmt: skip


@pytest.fixture
def derbyshire(ccg):
    """Southern Derbyshire's 2013/14 finance rules (seed 003) on the test CCG, Rotherham's
    contracts and Better Care Fund (seed 000), and an older year."""
    rule(Y1314, "surplus", "Surplus", "1", order=1)
    rule(Y1314, "contingency", "Contingency", "0.5", order=2)
    rule(Y1314, "transformation", "Non-recurrent transformation reserve", "2", order=3)
    rule(Y1314, "running-costs", "Running cost allowance", "25", basis="per-head", order=4)
    rule(Y1213, "surplus", "Surplus 2012/13", "1")
    plan = services.create(FinancialPlan, user=None, ccg=ccg, year=Y1314,
                           allocation=D("622700000"), population=525000,
                           efficiency_target=D("15600000"), efficiency_target_percent=D("2.5"),
                           stated_contract_total=D("224200000"),
                           source="Southern Derbyshire CCG Delivery Plan 2013/14")  # fmt: skip
    services.create(StatedAmount, user=None, financial_plan=plan, rule_code="surplus",
                    label="A 1% surplus", stated_amount=D("6100000"),
                    stated_percent=D("1"))  # fmt: skip
    services.create(StatedAmount, user=None, financial_plan=plan, rule_code="contingency",
                    label="A 0.5% contingency", stated_amount=D("3000000"))  # fmt: skip
    services.create(StatedAmount, user=None, financial_plan=plan, label="Other reserves",
                    stated_amount=D("1234567"))  # fmt: skip
    services.create(BudgetAssumption, user=None, financial_plan=plan, name="Tariff deflator",
                    percent=D("1.5"))  # fmt: skip
    services.create(FinancialChallenge, user=None, ccg=ccg, first_year=FinancialYear(2014),
                    last_year=FinancialYear(2018), amount=D("75000000"),
                    description="Efficiency challenge 2014-2019")  # fmt: skip
    trft = ProviderFactory(ods_code="RFR", name="The Rotherham NHS Foundation Trust")
    rdash = ProviderFactory(ods_code="RXE", name="Rotherham Doncaster and South Humber")
    contract = services.create(Contract, user=None, ccg=ccg, year=Y1314, provider=trft,
                               value=D("160000000"), form=ContractForm.TARIFF,
                               cquin_value=D("4000000"))  # fmt: skip
    services.create(ContractLine, user=None, contract=contract, name="Acute and hospital",
                    value=D("130000000"))  # fmt: skip
    services.create(ContractLine, user=None, contract=contract, name="Community services",
                    value=D("30000000"))  # fmt: skip
    rdash_contract = services.create(Contract, user=None, ccg=ccg, year=Y1314, provider=rdash,
                                     value=D("30000000"), form=ContractForm.BLOCK)  # fmt: skip
    services.create(ContractLine, user=None, contract=rdash_contract, name="Mental health",
                    value=D("29000000"))  # fmt: skip
    pool = services.create(PooledBudget, user=None, ccg=ccg, year=Y1314,
                           name="Better Care Fund", stated_total=D("23000000"))  # fmt: skip
    services.create(PooledContribution, user=None, pooled_budget=pool, contributor="CCG (health)",
                    amount_low=D("19000000"), amount_high=D("19000000"))  # fmt: skip
    services.create(PooledContribution, user=None, pooled_budget=pool, contributor="Council",
                    amount_low=D("3000000"), amount_high=D("4000000"))  # fmt: skip
    services.create(PooledScheme, user=None, pooled_budget=pool, name="Integrated rapid response",
                    amount=D("2500000"))  # fmt: skip
    locality = LocalityFactory(ccg=ccg, name="Derby City North")
    services.create(LocalityBudget, user=None, locality=locality, year=Y1314, month=1,
                    budget=D("1000000"), actual=D("1020000"), illustrative=True)  # fmt: skip
    services.create(LocalityBudget, user=None, locality=locality, year=Y1314, month=2,
                    budget=D("1000000"))  # fmt: skip
    orthopaedics = programme(ccg)
    scheme(ccg, "SD01", year=Y1314, planned_saving="10000000", qipp_programme=orthopaedics)
    scheme(ccg, "SD02", year=Y1314, planned_saving="5000000", qipp_programme=orthopaedics)
    services.create(FinancialPlan, user=None, ccg=ccg, year=Y1213, allocation=D("600000000"))
    return plan


def overview(client, user, ccg, **query):
    client.force_login(user)
    return client.get(reverse("ccg-finance", kwargs={"ods": ccg.ods_code}), query)


def row_text(response, ident) -> str:
    match = re.search(rf'<tr class="nhsuk-table__row" id="{ident}">(.*?)</tr>',
                      response.content.decode(), re.S)  # fmt: skip
    assert match, f"no row {ident}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def test_the_newest_year_is_shown_by_default(client, planner, ccg, derbyshire):
    response = overview(client, planner, ccg)
    assert response.status_code == 200
    text = text_of(response)
    assert "Finance 2013/14" in text
    assert "£622.7m (£622,700,000)" in text
    assert "525,000" in text
    assert re.search(r'<option value="2013/14" selected\s*>', response.content.decode())


def test_the_rules_table_shows_implied_beside_stated(client, planner, ccg, derbyshire):
    response = overview(client, planner, ccg)
    # 1% of £622.7m is £6,227,000; the plan states £6.1m: −£127,000, shown, not overwritten.
    assert row_text(response, "rule-surplus") == (
        "A 1% surplus 1% of allocation £6,227,000 £6,100,000 (1%) −£127,000 "
        "(the plan differs from the rule)"
    )
    assert row_text(response, "rule-contingency") == (
        "A 0.5% contingency 0.5% of allocation £3,113,500 £3,000,000 −£113,500 "
        "(the plan differs from the rule)"
    )
    assert row_text(response, "rule-transformation") == (
        "Non-recurrent transformation reserve 2% of allocation £12,454,000 Not stated"
    )
    # £25 a head of 525,000 people.
    assert row_text(response, "rule-running-costs") == (
        "Running cost allowance £25 a head £13,125,000 Not stated"
    )
    assert row_text(response, "rule-stated") == (
        "Other reserves No rule for this year Cannot be worked out £1,234,567"
    )
    assert "Surplus 2012/13" not in text_of(response)
    assert StatedAmount.objects.get(rule_code="surplus").stated_amount == D("6100000")


def test_the_efficiency_target_against_planned_savings(client, planner, ccg, derbyshire):
    text = text_of(overview(client, planner, ccg))
    assert "£15,600,000 (stated as 2.5%)" in text
    assert "2.505% of the allocation" in text  # 15.6 / 622.7
    assert "Planned savings of the 2 QIPP schemes £15,000,000" in text
    assert "−£600,000" in text
    assert "The schemes' planned savings fall £600,000 short of the target." in text


def test_assumptions_and_challenges(client, planner, ccg, derbyshire):
    text = text_of(overview(client, planner, ccg))
    assert "Tariff deflator 1.5%" in text
    assert "£75m over 2014-19 (£75,000,000)" in text
    assert "Includes 2013/14" not in text  # the challenge starts in 2014/15


def test_contracts_with_lines_and_the_stated_total(client, planner, ccg, derbyshire):
    response = overview(client, planner, ccg)
    trft = Contract.objects.get(provider__ods_code="RFR")
    rdash = Contract.objects.get(provider__ods_code="RXE")
    trft_row = row_text(response, f"contract-{trft.pk}")
    assert "The Rotherham NHS Foundation Trust" in trft_row
    assert "Tariff (payment by results) £160,000,000 £4,000,000 2.5% of value" in trft_row
    assert "Acute and hospital: £130,000,000" in trft_row
    assert "Lines add up to £160,000,000, the stated value" in trft_row
    rdash_row = row_text(response, f"contract-{rdash.pk}")
    assert "Block £30,000,000 Not stated" in rdash_row
    assert "Lines add up to £29,000,000, −£1,000,000 against the stated value" in rdash_row
    text = text_of(response)
    assert "All contracts £190,000,000" in text
    assert "The financial plan states £224,200,000: +£34,200,000 against the sum" in text


def test_pooled_budgets_keep_ranges(client, planner, ccg, derbyshire):
    text = text_of(overview(client, planner, ccg))
    assert "Better Care Fund: £23m" in text
    assert "CCG (health) £19m" in text
    assert "Council £3m to £4m A range, as the source gives it (£3,000,000 to £4,000,000)" in text
    assert "All contributions £22m to £23m (stated total £23m)" in text
    assert "Integrated rapid response: £2,500,000" in text


def test_locality_budgets_by_month(client, planner, ccg, derbyshire):
    text = text_of(overview(client, planner, ccg))
    assert "Derby City North: budget against actual by month (illustrative)" in text
    assert "M1 (April) Illustrative £1,000,000 £1,020,000 +£20,000" in text
    assert "M2 (May) £1,000,000 Not reported" in text
    assert "Year £2,000,000 £1,020,000 +£20,000 in the months reported" in text
    assert "are demonstration data" in text


def test_another_year_can_be_chosen(client, planner, ccg, derbyshire):
    response = overview(client, planner, ccg, year="2012-13")
    text = text_of(response)
    assert "Finance 2012/13" in text
    assert "£600.0m (£600,000,000)" in text
    assert "Surplus 2012/13" in text
    assert "No contracts are recorded for 2012/13." in text


def test_a_year_not_offered_is_reported(client, planner, ccg, derbyshire):
    response = overview(client, planner, ccg, year="2019/20")
    text = text_of(response)
    assert "There is a problem" in text
    assert "Choose a year from the list" in text
    assert "Finance 2013/14" in text  # the newest year instead


def test_a_ccg_with_no_finance(client, planner, ccg):
    text = text_of(overview(client, planner, ccg))
    assert "No finance is recorded for Rotherham yet." in text


@pytest.mark.parametrize("role", [Role.GOVERNING_BODY, Role.VIEWER])
def test_internal_readers_see_it_without_changing_it(client, ccg, derbyshire, role):
    response = overview(client, user_with_role(role, ccg), ccg)
    assert response.status_code == 200
    assert "£6,100,000" in text_of(response)


def test_scrutiny_members_and_other_ccgs_get_404(client, ccg, other_ccg, derbyshire):
    assert overview(client, user_with_role(Role.SCRUTINY, ccg), ccg).status_code == 404
    outsider = user_with_role(Role.PLANNING_MANAGER, other_ccg)
    assert overview(client, outsider, ccg).status_code == 404


def test_the_ccg_overview_links_to_finance_for_internal_readers(client, planner, ccg):
    client.force_login(planner)
    page = client.get(reverse("ccg-detail", kwargs={"ods": ccg.ods_code})).content.decode()
    assert 'href="/ccgs/03L/finance/"' in page and 'href="/ccgs/03L/qipp/"' in page
    client.force_login(user_with_role(Role.SCRUTINY, ccg))
    page = client.get(reverse("ccg-detail", kwargs={"ods": ccg.ods_code})).content.decode()
    assert "/ccgs/03L/finance/" not in page and "/ccgs/03L/qipp/" not in page
