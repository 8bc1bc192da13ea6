"""The finance API: financial plans with the planning rules' arithmetic and the efficiency
gap, stated amounts, budget assumptions, challenges, planning rules, contracts and their
lines, pooled budgets, locality budgets. Who reads and writes what (finance is internal to
the CCG), field errors, the revision checks, constant query counts and CSV."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commissioning.access import Role
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
    StatedAmount,
)
from tests.factories import LocalityFactory, ProviderFactory, UserFactory, user_with_role
from tests.finance import factories

pytestmark = pytest.mark.django_db

Y13 = FinancialYear(2013)
API = "/api/v1"


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def people(ccg, other_ccg):
    return {
        "pm": user_with_role(Role.PLANNING_MANAGER, ccg, username="pm"),
        "gb": user_with_role(Role.GOVERNING_BODY, ccg, username="gb"),
        "viewer": user_with_role(Role.VIEWER, ccg, username="viewer"),
        "scrutiny": user_with_role(Role.SCRUTINY, ccg, username="scrutiny"),
        "outsider": user_with_role(Role.PLANNING_MANAGER, other_ccg, username="outsider"),
        "assurer": user_with_role(Role.ASSURER, username="assurer"),
        "staff": UserFactory(username="staff", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def clients(people):
    return {name: client_as(user) for name, user in people.items()}


@pytest.fixture
def rules_2013(db):
    made = [("surplus", "Surplus", "percent-of-allocation", "1"),
            ("contingency", "Contingency", "percent-of-allocation", "0.5"),
            ("transformation", "Transformation reserve", "percent-of-allocation", "2"),
            ("running-costs", "Running cost allowance", "per-head", "25")]  # fmt: skip
    return [PlanningRule.objects.create(year=Y13, code=code, label=label, basis=basis,
                                        rate=D(rate), order=n)
            for n, (code, label, basis, rate) in enumerate(made)]  # fmt: skip


@pytest.fixture
def sd_plan(other_ccg, rules_2013):
    """Southern Derbyshire 2013/14 (seed 003): allocation £622.7m, 1% surplus stated £6.1m,
    0.5% contingency £3.0m, efficiency target £15.6m; population 525,000."""
    plan = services.create(FinancialPlan, user=None, ccg=other_ccg, year=Y13,
                           allocation=D("622700000"), population=525000,
                           efficiency_target=D("15600000"),
                           efficiency_target_percent=D("2.5"))  # fmt: skip
    services.create(StatedAmount, user=None, financial_plan=plan, rule_code="surplus",
                    label="A 1% surplus", stated_amount=D("6100000"), order=1)  # fmt: skip
    services.create(StatedAmount, user=None, financial_plan=plan, rule_code="contingency",
                    label="A 0.5% contingency", stated_amount=D("3000000"), order=2)  # fmt: skip
    services.create(StatedAmount, user=None, financial_plan=plan, label="Estates reserve",
                    stated_amount=D("500000"), order=3)  # fmt: skip
    services.create(BudgetAssumption, user=None, financial_plan=plan, name="Uplift",
                    percent=D("2.3"))  # fmt: skip
    ortho = factories.programme(other_ccg)
    factories.scheme(other_ccg, "SD01", qipp_programme=ortho, year=Y13,
                     planned_saving="10000000")  # fmt: skip
    factories.scheme(other_ccg, "SD02", qipp_programme=ortho, year=Y13,
                     planned_saving="4000000")  # fmt: skip
    factories.scheme(other_ccg, "SD03", qipp_programme=ortho, year=FinancialYear(2012),
                     planned_saving="500000")  # another year: not counted  # fmt: skip
    return plan


@pytest.fixture
def plan_a(ccg):
    return services.create(FinancialPlan, user=None, ccg=ccg, year=Y13,
                           allocation=D("184300000"), efficiency_target=D("3300000"))  # fmt: skip


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Financial plans: computed rules and efficiency ----------------------------------------


def test_rules_and_efficiency_worked_by_hand(other_ccg, sd_plan):
    sd_pm = user_with_role(Role.PLANNING_MANAGER, other_ccg, username="sd")
    response = client_as(sd_pm).get(f"{API}/financial-plans/{sd_plan.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert (body["ccg"], body["year"], body["allocation"]) == ("04R", "2013/14", "622700000.00")
    rules = {row["code"]: row for row in body["rules"]}
    assert [row["code"] for row in body["rules"]] == [
        "surplus", "contingency", "transformation", "running-costs", "",
    ]  # fmt: skip
    assert rules["surplus"] | {} == {
        "code": "surplus", "label": "A 1% surplus", "basis": "percent-of-allocation",
        "rate": "1.000", "implied": "6227000.00", "stated": "6100000.00",
        "stated_percent": None, "difference": "-127000.00", "note": "",
    }  # fmt: skip
    assert (rules["contingency"]["implied"], rules["contingency"]["difference"]) == (
        "3113500.00", "-113500.00",
    )  # fmt: skip
    assert rules["transformation"]["implied"] == "12454000.00"
    assert rules["transformation"]["stated"] is None
    assert rules["transformation"]["difference"] is None
    assert rules["running-costs"]["implied"] == "13125000.00"  # £25 x 525,000
    assert rules[""]["label"] == "Estates reserve" and rules[""]["basis"] is None
    assert body["efficiency"] == {
        "target": "15600000.00", "planned_savings": "14000000.00", "gap": "-1600000.00",
        "covered": False,
    }  # fmt: skip
    assert [a["name"] for a in body["budget_assumptions"]] == ["Uplift"]
    assert [s["label"] for s in body["stated_amounts"]][:2] == ["A 1% surplus",
                                                                "A 0.5% contingency"]  # fmt: skip


def test_a_plan_without_schemes_or_rules(clients, plan_a):
    body = clients["pm"].get(f"{API}/financial-plans/{plan_a.pk}/").json()
    assert body["rules"] == []  # no planning rules loaded for the year
    assert body["efficiency"] == {"target": "3300000.00", "planned_savings": "0.00",
                                  "gap": "-3300000.00", "covered": False}  # fmt: skip


def test_plan_reads_follow_the_ccg(clients, plan_a, sd_plan):
    for name in ("pm", "gb", "viewer", "assurer", "staff"):
        assert clients[name].get(f"{API}/financial-plans/{plan_a.pk}/").status_code == 200
    for name in ("scrutiny", "outsider"):
        assert clients[name].get(f"{API}/financial-plans/{plan_a.pk}/").status_code == 404
    assert results(clients["scrutiny"].get(f"{API}/financial-plans/")) == []
    mine = results(clients["pm"].get(f"{API}/financial-plans/", {"ccg": "04R"}))
    assert mine == []  # a filter never widens what one reads
    everything = results(clients["assurer"].get(f"{API}/financial-plans/"))
    assert {row["ccg"] for row in everything} == {"03L", "04R"}
    only = results(clients["assurer"].get(f"{API}/financial-plans/", {"ccg": "04R"}))
    assert [row["id"] for row in only] == [sd_plan.pk]
    by_year = clients["assurer"].get(f"{API}/financial-plans/", {"year": "2012/13"})
    assert results(by_year) == []
    bad = clients["assurer"].get(f"{API}/financial-plans/", {"year": "2013-15"})
    assert bad.status_code == 400 and bad.json()["field"] == "year"


def test_planning_manager_creates_updates_and_deletes_a_plan(clients, ccg):
    created = clients["pm"].post(f"{API}/financial-plans/", {
        "ccg": "03L", "year": "2014/15", "allocation": "190000000.00",
        "efficiency_target": "4000000",
    }, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'
    plan = FinancialPlan.objects.get(pk=created.json()["id"])
    assert (plan.year, plan.allocation) == (FinancialYear(2014), D("190000000.00"))
    changed = clients["pm"].patch(f"{API}/financial-plans/{plan.pk}/",
                                  {"allocation": "191000000"}, format="json",
                                  HTTP_IF_MATCH='"1"')  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["allocation"] == "191000000.00" and changed["ETag"] == '"2"'
    assert clients["pm"].delete(f"{API}/financial-plans/{plan.pk}/").status_code == 204
    assert not FinancialPlan.objects.filter(pk=plan.pk).exists()


def test_governing_body_and_outsiders_do_not_write(clients, plan_a):
    url = f"{API}/financial-plans/{plan_a.pk}/"
    refused = clients["gb"].patch(url, {"allocation": "1"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not-allowed" and "planning managers" in refused.json()[
        "detail"]  # fmt: skip
    assert clients["gb"].delete(url).status_code == 403
    created = clients["gb"].post(f"{API}/financial-plans/", {"ccg": "03L", "year": "2016/17"},
                                 format="json")  # fmt: skip
    assert created.status_code == 403
    assert clients["scrutiny"].patch(url, {"allocation": "1"}, format="json").status_code == 404
    assert clients["outsider"].patch(url, {"allocation": "1"}, format="json").status_code == 404
    assert clients["outsider"].delete(url).status_code == 404
    plan_a.refresh_from_db()
    assert plan_a.allocation == D("184300000.00") and plan_a.revision == 1


def test_field_errors_name_the_field(clients, plan_a):
    bad_year = clients["pm"].post(f"{API}/financial-plans/", {"ccg": "03L", "year": "2013/15"},
                                  format="json")  # fmt: skip
    assert bad_year.status_code == 400 and bad_year.json()["field"] == "year"
    twice = clients["pm"].post(f"{API}/financial-plans/", {"ccg": "03L", "year": "2013/14"},
                               format="json")  # fmt: skip
    assert twice.status_code == 400
    assert twice.json()["field"] == "year"
    assert "already has a financial plan" in twice.json()["detail"]
    negative = clients["pm"].patch(f"{API}/financial-plans/{plan_a.pk}/",
                                   {"efficiency_target": "-5"}, format="json")  # fmt: skip
    assert negative.status_code == 400 and negative.json()["field"] == "efficiency_target"
    moved = clients["pm"].patch(f"{API}/financial-plans/{plan_a.pk}/", {"ccg": "04R"},
                                format="json")  # fmt: skip
    assert moved.status_code == 400 and moved.json()["field"] == "ccg"


def test_stale_if_match_is_412_and_nothing_changes(clients, plan_a):
    url = f"{API}/financial-plans/{plan_a.pk}/"
    first = clients["pm"].patch(url, {"notes": "First"}, format="json", HTTP_IF_MATCH='"1"')
    assert first.status_code == 200
    stale = clients["staff"].patch(url, {"allocation": "1.00"}, format="json",
                                   HTTP_IF_MATCH='"1"')  # fmt: skip
    assert stale.status_code == 412
    body = stale.json()
    assert body["code"] == "edit-conflict" and body["current"]["notes"] == "First"
    assert body["attempted"] == {"allocation": "1.00"}
    assert stale["ETag"] == '"2"'
    plan_a.refresh_from_db()
    assert (plan_a.allocation, plan_a.revision) == (D("184300000.00"), 2)
    by_body = clients["pm"].patch(url, {"allocation": "2", "revision": 1}, format="json")
    assert by_body.status_code == 409
    gone = clients["pm"].delete(url, HTTP_IF_MATCH='"1"')
    assert gone.status_code == 412 and FinancialPlan.objects.filter(pk=plan_a.pk).exists()


def test_financial_plan_list_queries_do_not_grow(clients, ccg, rules_2013):
    def make(year):
        plan = services.create(FinancialPlan, user=None, ccg=ccg, year=FinancialYear(year),
                               allocation=D("1000000"), efficiency_target=D("25000"))  # fmt: skip
        services.create(StatedAmount, user=None, financial_plan=plan, rule_code="surplus",
                        label="Surplus", stated_amount=D("10000"))  # fmt: skip
        services.create(BudgetAssumption, user=None, financial_plan=plan, name="Uplift",
                        percent=D("1"))  # fmt: skip
        factories.scheme(ccg, f"S{year}", year=FinancialYear(year), planned_saving="20000",
                         qipp_programme=factories.programme(ccg, f"P{year}"))  # fmt: skip

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert clients["pm"].get(f"{API}/financial-plans/").status_code == 200
        return len(queries)

    make(2013)
    make(2014)
    few = count()
    for year in range(2015, 2021):
        make(year)
    assert count() == few
    rows = results(clients["pm"].get(f"{API}/financial-plans/", {"year": "2013/14"}))
    assert rows[0]["efficiency"]["planned_savings"] == "20000.00"


def test_financial_plans_as_csv(clients, plan_a, ccg):
    factories.scheme(ccg, "RB01", year=Y13, planned_saving="3332000")
    response = clients["pm"].get(f"{API}/financial-plans/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="financial-plans.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["CCG"] == "03L" and rows[0]["Year"] == "2013/14"
    assert rows[0]["Planned savings"] == "3332000.00"
    assert rows[0]["Efficiency gap"] == "32000.00"


# --- Stated amounts and budget assumptions ---------------------------------------------------


def test_stated_amounts_are_written_through_their_resource(clients, plan_a):
    url = f"{API}/stated-amounts/"
    made = clients["pm"].post(url, {"financial_plan": plan_a.pk, "rule_code": "surplus",
                                    "label": "A 1% surplus", "stated_amount": "1800000"},
                              format="json")  # fmt: skip
    assert made.status_code == 201, made.content
    again = clients["pm"].post(url, {"financial_plan": plan_a.pk, "rule_code": "surplus",
                                     "label": "Again"}, format="json")  # fmt: skip
    assert again.status_code == 400 and again.json()["field"] == "rule_code"
    pk = made.json()["id"]
    assert clients["gb"].patch(f"{url}{pk}/", {"label": "X"}, format="json").status_code == 403
    assert clients["scrutiny"].get(f"{url}{pk}/").status_code == 404
    assert clients["outsider"].get(f"{url}{pk}/").status_code == 404
    other = services.create(FinancialPlan, user=None, ccg=plan_a.ccg, year=FinancialYear(2014))
    moved = clients["pm"].patch(f"{url}{pk}/", {"financial_plan": other.pk}, format="json")
    assert moved.status_code == 400 and moved.json()["field"] == "financial_plan"
    stale = clients["pm"].put(f"{url}{pk}/", {"financial_plan": plan_a.pk, "label": "Changed",
                                              "rule_code": "surplus"}, format="json",
                              HTTP_IF_MATCH='"7"')  # fmt: skip
    assert stale.status_code == 412
    assert StatedAmount.objects.get(pk=pk).label == "A 1% surplus"
    listed = results(clients["viewer"].get(url, {"ccg": "03L", "year": "2013/14"}))
    assert [row["id"] for row in listed] == [pk]
    assert clients["pm"].delete(f"{url}{pk}/").status_code == 204


def test_budget_assumptions(clients, plan_a):
    url = f"{API}/budget-assumptions/"
    none = clients["pm"].post(url, {"financial_plan": plan_a.pk, "name": "Uplift"},
                              format="json")  # fmt: skip
    assert none.status_code == 400 and none.json()["field"] == "percent"
    made = clients["pm"].post(url, {"financial_plan": plan_a.pk, "name": "Uplift",
                                    "percent": "3.6"}, format="json")  # fmt: skip
    assert made.status_code == 201 and made.json()["percent"] == "3.600"
    pk = made.json()["id"]
    changed = clients["pm"].patch(f"{url}{pk}/", {"percent": "3.7"}, format="json")
    assert changed.status_code == 200 and changed.json()["revision"] == 2
    stranger = clients["scrutiny"].post(url, {"financial_plan": plan_a.pk, "name": "X",
                                              "percent": "1"}, format="json")  # fmt: skip
    assert stranger.status_code == 400 and stranger.json()["field"] == "financial_plan"
    assert clients["gb"].delete(f"{url}{pk}/").status_code == 403
    csv_rows = clients["gb"].get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Uplift" in csv_rows and BudgetAssumption.objects.get(pk=pk).percent == D("3.7")


# --- Challenges and planning rules ---------------------------------------------------------


def test_financial_challenges(clients, ccg):
    url = f"{API}/financial-challenges/"
    backwards = clients["pm"].post(url, {"ccg": "03L", "first_year": "2018/19",
                                         "last_year": "2014/15", "amount": "75000000"},
                                   format="json")  # fmt: skip
    assert backwards.status_code == 400 and backwards.json()["field"] == "last_year"
    made = clients["pm"].post(url, {"ccg": "03L", "first_year": "2014/15",
                                    "last_year": "2018/19", "amount": "75000000"},
                              format="json")  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["years"] == "2014-19" and made.json()["amount"] == "75000000.00"
    pk = made.json()["id"]
    assert [r["id"] for r in results(clients["gb"].get(url, {"year": "2016/17"}))] == [pk]
    assert results(clients["gb"].get(url, {"year": "2019/20"})) == []
    assert clients["gb"].patch(f"{url}{pk}/", {"amount": "1"}, format="json").status_code == 403
    assert clients["scrutiny"].get(f"{url}{pk}/").status_code == 404
    assert clients["pm"].delete(f"{url}{pk}/").status_code == 204
    assert not FinancialChallenge.objects.exists()


def test_planning_rules_are_national_and_read_only(clients, rules_2013):
    url = f"{API}/planning-rules/"
    for name in ("pm", "scrutiny", "outsider", "assurer"):
        rows = results(clients[name].get(url, {"year": "2013/14"}))
        assert [r["code"] for r in rows] == ["surplus", "contingency", "transformation",
                                            "running-costs"]  # fmt: skip
    assert results(clients["pm"].get(url, {"basis": "per-head"}))[0]["rate"] == "25.000"
    pk = rules_2013[0].pk
    assert clients["staff"].patch(f"{url}{pk}/", {"rate": "2"}, format="json").status_code == 405
    assert clients["staff"].post(url, {}, format="json").status_code == 405
    nobody = client_as(UserFactory(username="nobody"))
    assert nobody.get(f"{url}{pk}/").status_code == 404
    assert "running-costs" in clients["pm"].get(url, {"format": "csv"}).content.decode()


# --- Contracts and lines --------------------------------------------------------------------


@pytest.fixture
def trft(ccg):
    provider = ProviderFactory(ods_code="RFR", name="The Rotherham NHS Foundation Trust")
    contract = services.create(Contract, user=None, ccg=ccg, year=FinancialYear(2015),
                               provider=provider, value=D("160000000"), form="tariff")  # fmt: skip
    services.create(ContractLine, user=None, contract=contract, name="Acute and hospital",
                    value=D("130000000"), order=1)  # fmt: skip
    services.create(ContractLine, user=None, contract=contract, name="Community services",
                    value=D("29500000"), order=2)  # fmt: skip
    return contract


def test_contract_lines_total_and_difference(clients, trft):
    body = clients["gb"].get(f"{API}/contracts/{trft.pk}/").json()
    assert (body["provider"], body["value"]) == ("RFR", "160000000.00")
    assert [line["name"] for line in body["lines"]] == ["Acute and hospital",
                                                        "Community services"]  # fmt: skip
    assert body["lines_total"] == "159500000.00"
    assert body["difference"] == "-500000.00"
    rows = results(clients["gb"].get(f"{API}/contracts/", {"provider": "rfr", "year": "2015/16"}))
    assert [row["id"] for row in rows] == [trft.pk]
    assert results(clients["gb"].get(f"{API}/contracts/", {"provider": "RTG"})) == []
    sheet = clients["gb"].get(f"{API}/contracts/", {"format": "csv"}).content.decode("utf-8-sig")
    first = next(csv.DictReader(io.StringIO(sheet)))
    assert first["Lines total"] == "159500000.00" and "lines" not in first


def test_contract_and_line_writes(clients, trft, ccg):
    url = f"{API}/contracts/"
    twice = clients["pm"].post(url, {"ccg": "03L", "year": "2015/16", "provider": "RFR",
                                     "value": "1"}, format="json")  # fmt: skip
    assert twice.status_code == 400 and twice.json()["field"] == "provider"
    unknown = clients["pm"].post(url, {"ccg": "03L", "year": "2015/16", "provider": "RXX",
                                       "value": "1"}, format="json")  # fmt: skip
    assert unknown.status_code == 400 and unknown.json()["field"] == "provider"
    line = clients["pm"].post(f"{API}/contract-lines/",
                              {"contract": trft.pk, "name": "CQUIN", "value": "500000"},
                              format="json")  # fmt: skip
    assert line.status_code == 201, line.content
    body = clients["pm"].get(f"{url}{trft.pk}/").json()
    assert body["difference"] == "0.00"
    pk = line.json()["id"]
    assert clients["gb"].patch(f"{API}/contract-lines/{pk}/", {"value": "1"},
                               format="json").status_code == 403  # fmt: skip
    assert clients["outsider"].get(f"{API}/contract-lines/{pk}/").status_code == 404
    assert clients["pm"].delete(f"{API}/contract-lines/{pk}/").status_code == 204
    assert clients["pm"].delete(f"{url}{trft.pk}/").status_code == 204
    assert not ContractLine.objects.exists()


# --- Pooled budgets ------------------------------------------------------------------------


@pytest.fixture
def bcf(ccg):
    pool = services.create(PooledBudget, user=None, ccg=ccg, year=FinancialYear(2015),
                           name="Better Care Fund", stated_total=D("23000000"))  # fmt: skip
    services.create(PooledContribution, user=None, pooled_budget=pool, contributor="NHS",
                    amount_low=D("19000000"), amount_high=D("19000000"))  # fmt: skip
    services.create(PooledContribution, user=None, pooled_budget=pool, contributor="Council",
                    amount_low=D("3000000"), amount_high=D("4000000"))  # fmt: skip
    return pool


def test_pooled_budget_contributions_range(clients, bcf):
    body = clients["viewer"].get(f"{API}/pooled-budgets/{bcf.pk}/").json()
    assert (body["contributions_low"], body["contributions_high"]) == ("22000000.00",
                                                                       "23000000.00")  # fmt: skip
    assert body["stated_total"] == "23000000.00" and body["schemes_total"] == "0.00"
    scheme = clients["pm"].post(f"{API}/pooled-schemes/", {"pooled_budget": bcf.pk,
                                "name": "Rapid response", "amount": "1500000"},
                                format="json")  # fmt: skip
    assert scheme.status_code == 201, scheme.content
    assert clients["pm"].get(f"{API}/pooled-budgets/{bcf.pk}/").json()["schemes_total"] == (
        "1500000.00")  # fmt: skip
    backwards = clients["pm"].post(f"{API}/pooled-contributions/", {
        "pooled_budget": bcf.pk, "contributor": "District", "amount_low": "5", "amount_high": "4",
    }, format="json")  # fmt: skip
    assert backwards.status_code == 400 and backwards.json()["field"] == "amount_high"
    contribution = bcf.contributions.get(contributor="Council")
    url = f"{API}/pooled-contributions/{contribution.pk}/"
    assert clients["gb"].patch(url, {"note": "x"}, format="json").status_code == 403
    assert clients["scrutiny"].get(url).status_code == 404
    changed = clients["pm"].patch(url, {"amount_high": "3500000"}, format="json",
                                  HTTP_IF_MATCH='"1"')  # fmt: skip
    assert changed.status_code == 200
    assert clients["pm"].get(f"{API}/pooled-budgets/{bcf.pk}/").json()["contributions_high"] == (
        "22500000.00")  # fmt: skip
    rows = results(clients["pm"].get(f"{API}/pooled-contributions/", {"pooled_budget": bcf.pk}))
    assert len(rows) == 2
    assert clients["pm"].delete(url).status_code == 204
    assert clients["pm"].delete(f"{API}/pooled-budgets/{bcf.pk}/").status_code == 204


# --- Locality budgets ----------------------------------------------------------------------


def test_locality_budgets(clients, ccg, other_ccg):
    mine, theirs = LocalityFactory(ccg=ccg, name="Rotherham North"), LocalityFactory(ccg=other_ccg)
    services.create(LocalityBudget, user=None, locality=theirs, year=Y13, month=1,
                    budget=D("5"))  # fmt: skip
    url = f"{API}/locality-budgets/"
    made = clients["pm"].post(url, {"locality": mine.pk, "year": "2013/14", "month": 1,
                                    "budget": "1000000", "actual": "1012000"},
                              format="json")  # fmt: skip
    assert made.status_code == 201, made.content
    assert made.json()["variance"] == "12000.00" and made.json()["ccg"] == "03L"
    twice = clients["pm"].post(url, {"locality": mine.pk, "year": "2013/14", "month": 1,
                                     "budget": "1"}, format="json")  # fmt: skip
    assert twice.status_code == 400 and twice.json()["field"] == "month"
    month13 = clients["pm"].post(url, {"locality": mine.pk, "year": "2013/14", "month": 13,
                                       "budget": "1"}, format="json")  # fmt: skip
    assert month13.status_code == 400 and month13.json()["field"] == "month"
    elsewhere = clients["pm"].post(url, {"locality": theirs.pk, "year": "2013/14", "month": 2,
                                         "budget": "1"}, format="json")  # fmt: skip
    assert elsewhere.status_code == 400 and elsewhere.json()["field"] == "locality"
    assert [r["locality_name"] for r in results(clients["assurer"].get(url, {"ccg": "03L"}))] == [
        "Rotherham North"]  # fmt: skip
    pk = made.json()["id"]
    assert clients["gb"].patch(f"{url}{pk}/", {"actual": "1"}, format="json").status_code == 403
    assert clients["scrutiny"].get(f"{url}{pk}/").status_code == 404
    assert clients["pm"].patch(f"{url}{pk}/", {"actual": None}, format="json").json()[
        "variance"] is None  # fmt: skip
    assert "Rotherham North" in clients["gb"].get(url, {"format": "csv"}).content.decode()
