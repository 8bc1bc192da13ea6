"""The dashboard's finance panels (governance.dashboard.finance_panels): QIPP year to date to
the dashboard month with its RAG in words and the forecast outturn against the efficiency
target; the financial position with each planning rule's implied amount beside what the plan
states; shown only when the CCG has such data, to those who read its finance, in a fixed
number of queries."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.access import Role
from commissioning.years import FinancialYear
from finance import services
from finance.models import FinancialPlan, QippRagThreshold, StatedAmount
from finance.planning_rules import load_planning_rules
from governance import dashboard
from tests.factories import user_with_role
from tests.finance.factories import programme, scheme

Y2012, Y2013 = FinancialYear(2012), FinancialYear(2013)
SEPTEMBER_2012 = dt.date(2012, 9, 1)


@pytest.fixture
def board(ccg):
    return user_with_role(Role.GOVERNING_BODY, ccg)


def panels_of(user, ccg, month) -> dict[str, dashboard.Panel]:
    return {panel.code: panel for panel in dashboard.later_panels(user, ccg, month)}


@pytest.fixture
def qipp(ccg):
    """Two schemes of 2012/13: £120k (£10k a month, £9k saved in each of M1-M6) and £60k
    (£5k a month, all saved M1-M6); an efficiency target of £180k."""
    ortho = programme(ccg, "Orthopaedics", order=1)
    outpatients = programme(ccg, "Outpatients", order=2)
    scheme(ccg, "RB-ORTH-01", qipp_programme=ortho, planned_saving="120000", actuals=["9000"] * 6)
    scheme(ccg, "RB-OUTP-01", qipp_programme=outpatients, planned_saving="60000",
           actuals=["5000"] * 6)  # fmt: skip
    return services.create(FinancialPlan, user=None, ccg=ccg, year=Y2012,
                           efficiency_target=D("180000"))  # fmt: skip


# --- QIPP ---------------------------------------------------------------------------------------


def test_qipp_year_to_date_to_the_dashboard_month(ccg, board, qipp):
    panel = panels_of(board, ccg, SEPTEMBER_2012)["qipp"]

    assert panel.title == "QIPP savings 2012/13"
    # Year to date to M6: plan 6 × £15k = £90k, actual 6 × £14k = £84k: −£6k, −6.67% (amber
    # from −10% by default). Outturn: £84k saved and £90k planned for M7-M12.
    assert panel.rows == (
        ("Schemes", "2 schemes, planned savings £180k"),
        ("Year to date", "To M6 (September): plan £90k, actual £84k"),
        ("Variance", "−£6k (−6.67%)"),
        ("RAG", "Amber: behind plan"),
        ("Forecast outturn", "£174k against the efficiency target of £180k: £6k short of the "
         "target"),
        ("Orthopaedics", "Amber: behind plan; year to date −£6k"),
        ("Outpatients", "Green: on or ahead of plan; year to date £0"),
    )  # fmt: skip


def test_an_earlier_month_counts_only_the_months_to_it(ccg, board, qipp):
    panel = panels_of(board, ccg, dt.date(2012, 6, 1))["qipp"]
    rows = dict(panel.rows)
    assert rows["Year to date"] == "To M3 (June): plan £45k, actual £42k"
    assert rows["Variance"] == "−£3k (−6.67%)"
    # M1-M3 saved £42k; M4-M6 are not reported by the end of June, so their plan counts.
    assert rows["Forecast outturn"].startswith("£177k against")


def test_a_later_month_says_which_month_was_reported_last(ccg, board, qipp):
    rows = dict(panels_of(board, ccg, dt.date(2013, 3, 1))["qipp"].rows)
    assert rows["Year to date"] == (
        "To M6 (September), the latest month reported by the end of March 2013: plan £90k, "
        "actual £84k"
    )


def test_forecasts_count_in_the_outturn(ccg, board, qipp):
    ortho = qipp.ccg.qipp_schemes.get(reference="RB-ORTH-01")
    for month in range(7, 13):
        services.record_month(ortho, month, user=None, forecast=D("12000"))
    rows = dict(panels_of(board, ccg, SEPTEMBER_2012)["qipp"].rows)
    # £84k saved, £72k forecast for Orthopaedics M7-M12 and £30k planned for Outpatients.
    assert rows["Forecast outturn"] == (
        "£186k against the efficiency target of £180k: £6k over the target"
    )


def test_no_month_reported_yet(ccg, board):
    scheme(ccg, "RB01", planned_saving="12000")
    rows = dict(panels_of(board, ccg, SEPTEMBER_2012)["qipp"].rows)
    assert rows["Year to date"] == "No month reported by the end of September 2012"
    assert rows["Forecast outturn"] == "£12k (no efficiency target stated)"
    assert "RAG" not in rows and "Orthopaedics" not in rows


@pytest.mark.parametrize(
    "green_from, amber_from, expected",
    [("-5", "-8", "Amber: behind plan"), ("-7", "-8", "Green: on or ahead of plan"),
     ("0", "-5", "Red: well behind plan")],
)  # fmt: skip
def test_the_ccgs_own_thresholds_decide_the_rag(ccg, board, qipp, green_from, amber_from,
                                                expected):  # fmt: skip
    QippRagThreshold.objects.create(ccg=None, green_from=D("0"), amber_from=D("-20"))
    QippRagThreshold.objects.create(ccg=ccg, green_from=D(green_from), amber_from=D(amber_from))
    assert dict(panels_of(board, ccg, SEPTEMBER_2012)["qipp"].rows)["RAG"] == expected


def test_the_default_threshold_row_is_used_without_the_ccgs_own(ccg, board, qipp):
    QippRagThreshold.objects.create(ccg=None, green_from=D("0"), amber_from=D("-5"))
    assert dict(panels_of(board, ccg, SEPTEMBER_2012)["qipp"].rows)["RAG"] == (
        "Red: well behind plan"
    )


def test_illustrative_months_are_said_to_be(ccg, board):
    made = scheme(ccg, "RB01", planned_saving="12000", actuals=["1000"])
    services.record_month(made, 1, user=None, illustrative=True)
    rows = dict(panels_of(board, ccg, SEPTEMBER_2012)["qipp"].rows)
    assert rows["Figures"] == "The monthly figures include illustrative (demo) data"


def test_another_years_schemes_are_not_shown(ccg, board, qipp):
    assert "qipp" not in panels_of(board, ccg, dt.date(2013, 4, 1))
    assert "qipp" in panels_of(board, ccg, dt.date(2013, 3, 1))  # March is still 2012/13


# --- Financial position -----------------------------------------------------------------------


@pytest.fixture
def southern_derbyshire_plan(ccg):
    """Seed 003's 2013/14 figures, on the test CCG."""
    load_planning_rules()
    plan = services.create(FinancialPlan, user=None, ccg=ccg, year=Y2013,
                           allocation=D("622700000"), population=525000,
                           efficiency_target=D("15600000"),
                           efficiency_target_percent=D("2.5"))  # fmt: skip
    for order, (code, label, percent, amount) in enumerate([
        ("transformation-reserve", "2% Transformation reserve", "2", None),
        ("surplus", "A 1% surplus", "1", "6100000"),
        ("contingency", "A 0.5% contingency reserve", "0.5", "3000000"),
    ], start=1):  # fmt: skip
        services.create(StatedAmount, user=None, financial_plan=plan, rule_code=code,
                        label=label, stated_percent=D(percent), order=order,
                        stated_amount=None if amount is None else D(amount))  # fmt: skip
    return plan


def test_the_financial_position_beside_the_rules(ccg, board, southern_derbyshire_plan):
    panel = panels_of(board, ccg, dt.date(2013, 9, 1))["financial-position"]

    assert panel.title == "Financial position 2013/14"
    assert panel.rows == (
        ("Allocation", "£622.7m"),
        ("A 1% surplus", "Stated £6.1m; the rule (1% of the allocation) implies £6,227,000; "
         "difference −£127k"),
        ("A 0.5% contingency reserve", "Stated £3.0m; the rule (0.5% of the allocation) implies "
         "£3,113,500; difference −£113,500"),
        ("2% Transformation reserve", "2% stated, no amount; the rule (2% of the allocation) "
         "implies £12,454,000"),
        ("Running cost allowance", "Not stated; the rule (£25 a head of 525,000 people) implies "
         "£13,125,000"),
        ("Efficiency target", "£15.6m (2.5% as stated)"),
    )  # fmt: skip
    assert "qipp" not in panels_of(board, ccg, dt.date(2013, 9, 1))  # no schemes that year


def test_a_plan_without_allocation_or_rules(ccg, board):
    plan = services.create(FinancialPlan, user=None, ccg=ccg, year=FinancialYear(2015),
                           stated_contract_total=D("224200000"))  # fmt: skip
    services.create(StatedAmount, user=None, financial_plan=plan, label="Headroom",
                    stated_amount=D("1000000"))  # fmt: skip
    panel = panels_of(board, ccg, dt.date(2016, 3, 1))["financial-position"]
    assert panel.rows == (
        ("Allocation", "Not stated"),
        ("Headroom", "Stated £1.0m (no planning rule of the year for it)"),
        ("Contracts, total as stated", "£224.2m"),
    )


def test_a_rule_that_needs_an_allocation_says_so(ccg, board):
    load_planning_rules()
    services.create(FinancialPlan, user=None, ccg=ccg, year=Y2012)
    rows = dict(panels_of(board, ccg, dt.date(2012, 5, 1))["financial-position"].rows)
    assert rows["Internal CCG operational risk reserve"] == (
        "Not stated; the rule (1% of the allocation) cannot be worked out without the figure "
        "it needs"
    )


# --- Who sees them, and how many queries ------------------------------------------------------


def test_only_readers_of_the_ccgs_finance_see_the_panels(ccg, other_ccg, qipp, role_user):
    assurer = user_with_role(Role.ASSURER, None)
    assert {"qipp", "financial-position"} <= set(panels_of(assurer, ccg, SEPTEMBER_2012))
    for user in (role_user(Role.SCRUTINY), user_with_role(Role.GOVERNING_BODY, other_ccg),
                 user_with_role(Role.PLANNING_MANAGER, other_ccg)):  # fmt: skip
        assert dashboard.later_panels(user, ccg, SEPTEMBER_2012) == []


def test_the_panels_join_the_dashboard(ccg, board, qipp):
    built = dashboard.build(board, ccg, SEPTEMBER_2012)
    assert [panel.code for panel in built.panels] == ["qipp", "financial-position"]


def queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


@pytest.mark.parametrize("count", [5, 50])
def test_the_finance_panels_read_in_a_fixed_number_of_queries(ccg, board, count):
    load_planning_rules()
    services.create(FinancialPlan, user=None, ccg=ccg, year=Y2012, allocation=D("184300000"),
                    efficiency_target=D("3300000"))  # fmt: skip
    programmes = [programme(ccg, f"Programme {n}", order=n) for n in range(3)]
    for number in range(count):
        scheme(ccg, f"RB{number:03d}", qipp_programme=programmes[number % 3],
               planned_saving="12000", actuals=["900"] * 4)  # fmt: skip
    board = type(board).objects.get(pk=board.pk)  # nothing cached on the user
    dashboard.later_panels(board, ccg, SEPTEMBER_2012)  # reads the memberships once

    # Financial plan, schemes with their months, thresholds, stated amounts, rules (5); risks,
    # meeting actions, meetings (3).
    assert queries(lambda: dashboard.later_panels(board, ccg, SEPTEMBER_2012)) == 8
    panels = panels_of(board, ccg, SEPTEMBER_2012)
    assert dict(panels["qipp"].rows)["Schemes"] == f"{count} schemes, planned savings " + (
        dashboard.money_text(D(12000) * count)
    )
