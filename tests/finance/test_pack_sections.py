"""Finance in PDF packs, read back from the PDF to the figure: the planning rules table and
efficiency gap in a plan document; the challenge, QIPP by programme and the cumulative chart
in an annual review pack."""

import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from commissioning.years import FinancialYear
from finance import services
from finance.models import FinancialChallenge, FinancialPlan, PlanningRule, StatedAmount
from finance.pack_sections import finance_section, qipp_section
from plans import services as plan_services
from plans.packs.registry import PackContext
from plans.services.packs import request_build
from tests.finance.factories import programme, scheme

pytestmark = pytest.mark.django_db
Y2013 = FinancialYear(2013)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf_text(build) -> str:
    with build.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def build_now(django_capture_on_commit_callbacks):
    def build(user, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            made = request_build(user, **kwargs)
        made.refresh_from_db()
        assert made.status == "done", made.error
        return made

    return build


@pytest.fixture
def delivery_plan(ccg, planner):
    """Southern Derbyshire's 2013/14 figures (seed 003) on a one-year plan."""
    plan = plan_services.create_plan(user=planner, ccg=ccg, kind="delivery-plan",
                                     title="Delivery Plan 2013/14", first_year=Y2013,
                                     last_year=Y2013)  # fmt: skip
    for order, (code, label, rate) in enumerate([("transformation-reserve",
            "Transformation reserve", "2"), ("surplus", "Surplus", "1"),
            ("contingency", "Contingency", "0.5")]):  # fmt: skip
        PlanningRule.objects.create(year=Y2013, code=code, label=label, rate=D(rate),
                                    order=order)  # fmt: skip
    financial = services.create(FinancialPlan, user=None, ccg=ccg, year=Y2013,
                                allocation=D("622700000"), efficiency_target=D("15600000"),
                                efficiency_target_percent=D("2.5"))  # fmt: skip
    services.create(StatedAmount, user=None, financial_plan=financial, rule_code="surplus",
                    label="A 1% surplus", stated_amount=D("6100000"))  # fmt: skip
    services.create(StatedAmount, user=None, financial_plan=financial,
                    rule_code="contingency", label="A 0.5% contingency reserve",
                    stated_amount=D("3000000"))  # fmt: skip
    return plan


def test_a_plan_document_carries_the_rules_table_and_the_gap(delivery_plan, planner,
                                                            build_now, ccg):  # fmt: skip
    scheme(ccg, "SD1", year=Y2013, planned_saving="15000000")
    text = pdf_text(build_now(planner, kind="plan-document", plan=delivery_plan))
    assert "Allocation: £622,700,000" in text
    assert "A 1% surplus 1% of allocation £6,227,000 £6,100,000 −£127,000" in text
    assert "A 0.5% contingency reserve 0.5% of allocation £3,113,500 £3,000,000 −£113,500" in text
    assert "Transformation reserve 2% of allocation £12,454,000 Not stated" in text
    assert "Target: £15,600,000 (2.5% as stated)" in text
    assert "Gap: −£600,000" in text and "fall £600,000 short of the target" in text


def test_an_annual_review_carries_the_challenge_and_qipp(ccg, planner, build_now):
    plan = plan_services.create_plan(user=planner, ccg=ccg, kind="integrated-plan",
                                     title="Integrated Plan 2012/13",
                                     first_year=FinancialYear(2012),
                                     last_year=FinancialYear(2012))  # fmt: skip
    services.create(FinancialChallenge, user=None, ccg=ccg, first_year=FinancialYear(2014),
                    last_year=FinancialYear(2018), amount=D("75000000"))  # fmt: skip
    services.create(FinancialPlan, user=None, ccg=ccg, year=FinancialYear(2012),
                    efficiency_target=D("3300000"))  # fmt: skip
    ortho, urgent = programme(ccg, "Orthopaedics", 1), programme(ccg, "Urgent care", 2)
    scheme(ccg, "RB1", qipp_programme=ortho, planned_saving="120000", actuals=["10000"] * 3)
    scheme(ccg, "RB2", qipp_programme=urgent, planned_saving="240000", actuals=["10000"] * 3)
    text = pdf_text(build_now(planner, kind="annual-review", plan=plan))
    assert "£75m (£75,000,000) over 2014-19" in text
    assert "To the end of M3 (June): £60,000 saved against £90,000 planned" in text
    assert "variance of −£30,000 (−33.33%)" in text and "Red: well behind plan" in text
    assert "Orthopaedics 1 £120,000 £30,000 £30,000 £0 (0%) £120,000 Green" in text
    assert "Urgent care 1 £240,000 £60,000 £30,000 −£30,000 (−50%) £210,000 Red" in text
    assert "efficiency target of £3,300,000" in text
    assert "Cumulative QIPP savings 2012/13" in text and "M12 (March)" in text


def test_sections_read_a_fixed_number_of_queries(ccg, planner, delivery_plan):
    context = PackContext(kind="annual-review", ccg=ccg, user=planner, plan=delivery_plan)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            qipp_section(context)
            finance_section(PackContext(kind="plan-document", ccg=ccg, user=planner,
                                        plan=delivery_plan))  # fmt: skip
        return len(queries)

    scheme(ccg, "A1", year=Y2013, actuals=["1"])
    few = count()
    for n in range(2, 12):
        scheme(ccg, f"A{n}", year=Y2013, qipp_programme=programme(ccg, f"P{n}"), actuals=["1"])
    assert count() == few


def test_nothing_to_show_gives_no_section(ccg, planner):
    plan = plan_services.create_plan(user=planner, ccg=ccg, kind="delivery-plan", title="Empty",
                                     first_year=Y2013, last_year=Y2013)  # fmt: skip
    context = PackContext(kind="annual-review", ccg=ccg, user=planner, plan=plan)
    assert qipp_section(context) is None and finance_section(context) is None
