"""The dashboard's figures (governance.dashboard) on hand-made series: the latest value, the
target in force for it, the icons of its SPC chart, the period selector, "data up to", plan
delivery counts as they stood, the drill-down, and queries that do not grow with the data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.access import Role
from governance import dashboard
from governance.dashboard import add_months
from governance.models import Measurement, MeasurementImport, Standard, StandardThreshold
from tests.factories import ProviderFactory, user_with_role
from tests.plans.factories import PlanFactory
from tests.priorities.factories import ActionFactory, ProgressUpdateFactory

APRIL_2012 = dt.date(2012, 4, 1)


# --- Helpers (also used by the page tests) --------------------------------------------------


def make_standard(code="ae-4-hours", *, group="ae", unit="percent", direction="higher",
                  frequency="monthly", thresholds=((95, dt.date(2010, 4, 1), None),),
                  ccg=None, order=0, name=None):  # fmt: skip
    standard = Standard.objects.create(
        code=code, name=name or code.replace("-", " ").capitalize(), group=group, unit=unit,
        direction=direction, frequency=frequency, ccg=ccg, order=order,
    )  # fmt: skip
    for value, start, end in thresholds:
        StandardThreshold.objects.create(
            standard=standard,
            value=None if value is None else Decimal(str(value)),
            applies_from=start,
            applies_to=end,
        )
    return standard


def add_series(standard, ccg, values, *, start=APRIL_2012, provider=None, period_type="month",
               illustrative=False):  # fmt: skip
    step = 3 if period_type == "quarter" else 1
    Measurement.objects.bulk_create(
        Measurement(
            standard=standard,
            ccg=ccg,
            provider=provider,
            period_type=period_type,
            period_start=add_months(start, i * step),
            value=Decimal(str(value)),
            illustrative=illustrative,
        )  # fmt: skip
        for i, value in enumerate(values)
    )


# Twenty stable months (90, 91, ...) then a fall to 80: mean 90, mean moving range 1.5,
# limits 86.01 to 93.99. The last point is below the lower limit (special cause concern,
# low) and a target of 95 is above the upper limit (consistently fails).
STABLE_THEN_FALL = [90, 91] * 10 + [80]


@pytest.fixture
def board(ccg):
    return user_with_role(Role.GOVERNING_BODY, ccg)


def row_of(figures, code):
    return next(row for row in figures.rows if row.standard.code == code)


# --- Standards ------------------------------------------------------------------------------


def test_latest_value_target_and_icons(ccg, board):
    standard = make_standard()
    add_series(standard, ccg, STABLE_THEN_FALL)

    figures = dashboard.build(board, ccg)
    row = row_of(figures, "ae-4-hours")

    assert figures.month == dt.date(2013, 12, 1)  # April 2012 + 20 months
    assert row.latest.period_start == dt.date(2013, 12, 1)
    assert row.latest.value == Decimal("80")
    assert row.target == Decimal("95")
    assert row.target_met is False
    assert row.variation.code == "concern_low"
    assert row.assurance.code == "consistently_fail"
    assert row.result.latest_segment.lower_limit == pytest.approx(86.01)
    assert row.result.latest_segment.upper_limit == pytest.approx(93.99)
    assert row.sparkline == tuple([90.0, 91.0] * 10 + [80.0])


def test_lower_is_better_and_a_target_met(ccg, board):
    waits = make_standard("rtt-52-week-waits", group="rtt", unit="count", direction="lower",
                          thresholds=((0, APRIL_2012, None),))  # fmt: skip
    add_series(waits, ccg, [0] * 14 + [1, 1] + [0] * 2)

    row = row_of(dashboard.build(board, ccg), "rtt-52-week-waits")

    assert row.latest.value == 0
    assert row.target == 0
    assert row.target_met is True
    # mean 1/9, limits from -0.2 to 0.42: both breaches are above the upper limit, the
    # latest point is common cause, and a target of 0 is between the limits.
    assert row.result.points[14].special_cause == "concern"
    assert row.variation.code == "common_cause"
    assert row.assurance.code == "hit_and_miss"


def test_the_target_is_the_one_in_force_for_the_latest_period(ccg, board):
    standard = make_standard(thresholds=(
        (90, APRIL_2012, dt.date(2013, 3, 31)),
        (None, dt.date(2013, 4, 1), dt.date(2013, 9, 30)),
        (95, dt.date(2013, 10, 1), None),
    ))  # fmt: skip
    add_series(standard, ccg, [92] * 24)  # April 2012 to March 2014

    def as_at(month):
        return row_of(dashboard.build(board, ccg, month), "ae-4-hours")

    assert as_at(dt.date(2013, 3, 1)).target == 90
    during = as_at(dt.date(2013, 6, 1))
    assert during.threshold is not None and during.target is None  # no operational standard
    assert during.target_met is None and during.assurance is None
    assert as_at(dt.date(2014, 3, 1)).target == 95


def test_the_period_selector_shows_the_dashboard_as_it_stood(ccg, board):
    standard = make_standard()
    add_series(standard, ccg, list(range(60, 84)))  # April 2012 to March 2014, rising by 1
    quarterly = make_standard("cpa-7-day-follow-up", group="mental-health",
                              frequency="quarterly")  # fmt: skip
    add_series(quarterly, ccg, [96, 97, 98, 99], period_type="quarter")  # 2012/13 quarters

    then = dashboard.build(board, ccg, dt.date(2012, 11, 1))
    row = row_of(then, "ae-4-hours")
    assert then.month == dt.date(2012, 11, 1)
    assert len(row.points) == 8
    assert row.latest.value == 67
    # Of the quarters only those ended by the end of November: April-June, July-September.
    cpa = row_of(then, "cpa-7-day-follow-up")
    assert [p.value for p in cpa.points] == [96, 97]
    assert cpa.period_type == "quarter"
    assert len(row_of(dashboard.build(board, ccg, dt.date(2012, 12, 1)),
                      "cpa-7-day-follow-up").points) == 3  # fmt: skip

    now = dashboard.build(board, ccg)
    assert now.month == dt.date(2014, 3, 1)
    assert row_of(now, "ae-4-hours").latest.value == 83


def test_standards_are_grouped_in_the_catalogue_order(ccg, board, other_ccg):
    make_standard("fft-response-rate", group="quality", thresholds=((15, APRIL_2012, None),))
    make_standard("rtt-incomplete-18-weeks", group="rtt", thresholds=((92, APRIL_2012, None),))
    make_standard("ae-4-hours", group="ae")
    make_standard("local-kpi", group="other", ccg=ccg, thresholds=())
    make_standard("their-kpi", group="other", ccg=other_ccg, thresholds=())

    figures = dashboard.build(board, ccg)

    assert [(g.code, [r.standard.code for r in g.rows]) for g in figures.groups] == [
        ("rtt", ["rtt-incomplete-18-weeks"]),
        ("ae", ["ae-4-hours"]),
        ("quality", ["fft-response-rate"]),
        ("other", ["local-kpi"]),
    ]
    assert figures.month is None  # no data at all
    assert all(row.latest is None and row.variation is None for row in figures.rows)


def test_provider_rows_and_other_ccgs_stay_out_of_the_ccg_series(ccg, other_ccg, board):
    standard = make_standard()
    add_series(standard, ccg, [94] * 13)
    add_series(standard, ccg, [50] * 13, provider=ProviderFactory(ods_code="RFR"))
    add_series(standard, other_ccg, [10] * 20)

    row = row_of(dashboard.build(board, ccg), "ae-4-hours")

    assert [p.value for p in row.points] == [94] * 13


# --- Data up to -----------------------------------------------------------------------------


def test_data_up_to_is_the_newest_successful_import_else_the_latest_measurement(ccg, board):
    standard = make_standard()
    add_series(standard, ccg, [94] * 12)  # to March 2013
    data = dashboard.data_range(board, ccg)
    assert (data.first, data.last, data.up_to, data.source) == (
        APRIL_2012, dt.date(2013, 3, 1), dt.date(2013, 3, 1), "measurements"
    )  # fmt: skip
    assert data.months()[0] == dt.date(2013, 3, 1) and data.months()[-1] == APRIL_2012

    MeasurementImport.objects.create(source_name="failed.csv", ccg=ccg, status="failed",
                                     latest_period=dt.date(2013, 9, 1))  # fmt: skip
    MeasurementImport.objects.create(source_name="national.csv", ccg=None, status="succeeded",
                                     latest_period=dt.date(2013, 5, 1))  # fmt: skip
    data = dashboard.data_range(board, ccg)
    assert (data.up_to, data.source, data.import_name) == (
        dt.date(2013, 5, 1), "import", "national.csv"
    )  # fmt: skip
    assert data.months()[0] == dt.date(2013, 5, 1)


# --- Plan delivery --------------------------------------------------------------------------


def test_delivery_counts_by_status_as_they_stood(ccg, board):
    published = PlanFactory(ccg=ccg, state="published", title="Plan 2015-19",
                            first_year=2015, last_year=2018)  # fmt: skip
    PlanFactory(ccg=ccg, state="draft", title="Draft", first_year=2015, last_year=2018)
    PlanFactory(ccg=ccg, state="published", title="Old", first_year=2012, last_year=2013)
    actions = [ActionFactory(commitment__priority__plan=published) for _ in range(4)]
    ProgressUpdateFactory(action=actions[0], status="on-track", reported_on=dt.date(2015, 6, 1))
    ProgressUpdateFactory(action=actions[0], status="off-track", reported_on=dt.date(2015, 9, 1))
    ProgressUpdateFactory(action=actions[1], status="at-risk", reported_on=dt.date(2015, 5, 1))
    ProgressUpdateFactory(action=actions[2], status="complete", reported_on=dt.date(2016, 1, 4))

    def counts(month):
        plans = dashboard.plan_delivery(board, ccg, month)
        return [(p.plan.title, {c.status: c.count for c in p.counts if c.count}) for p in plans]

    assert counts(dt.date(2015, 7, 1)) == [
        ("Plan 2015-19", {"on-track": 1, "at-risk": 1, "not-started": 2})
    ]
    assert counts(dt.date(2016, 1, 1)) == [
        ("Plan 2015-19", {"off-track": 1, "at-risk": 1, "complete": 1, "not-started": 1})
    ]
    assert counts(dt.date(2013, 1, 1)) == [("Old", {})]
    rag = {
        c.status: c.rag.code
        for c in dashboard.plan_delivery(board, ccg, dt.date(2016, 1, 1))[0].counts
    }  # noqa: E501
    assert rag == {"not-started": "grey", "on-track": "green", "at-risk": "amber",
                   "off-track": "red", "complete": "blue"}  # fmt: skip


def test_scrutiny_members_count_only_published_plans(ccg):
    PlanFactory(ccg=ccg, state="approved", title="Approved", first_year=2015, last_year=2018)
    PlanFactory(ccg=ccg, state="published", title="Published", first_year=2015, last_year=2018)
    scrutiny = user_with_role(Role.SCRUTINY, ccg)
    board = user_with_role(Role.GOVERNING_BODY, ccg)
    month = dt.date(2015, 6, 1)

    assert [p.plan.title for p in dashboard.plan_delivery(board, ccg, month)] == [
        "Approved", "Published"
    ]  # fmt: skip
    assert [p.plan.title for p in dashboard.plan_delivery(scrutiny, ccg, month)] == ["Published"]


def test_later_panels_show_nothing_until_their_apps_have_data(ccg, board):
    assert dashboard.later_panels(board, ccg, dt.date(2016, 3, 1)) == []


# --- Drill-down -----------------------------------------------------------------------------


def test_standard_detail_with_thresholds_and_providers(ccg, board):
    standard = make_standard(thresholds=((95, dt.date(2010, 4, 1), dt.date(2013, 3, 31)),
                                         (96, dt.date(2013, 4, 1), None)))  # fmt: skip
    add_series(standard, ccg, [94, 95, 96] * 6)
    add_series(standard, ccg, [93] * 18, provider=ProviderFactory(ods_code="RFR", name="TRFT"))
    add_series(standard, ccg, [97] * 12, provider=ProviderFactory(ods_code="RHQ", name="STH"))
    standard = dashboard.standards_for(board, ccg).get(code="ae-4-hours")

    detail = dashboard.standard_detail(board, ccg, standard, dt.date(2013, 6, 1))

    assert len(detail.figures.points) == 15
    assert detail.figures.target == 96
    assert [t.value for t in detail.thresholds] == [95, 96]
    assert [(p.ods_code, len(p.figures.points)) for p in detail.providers] == [
        ("RHQ", 12), ("RFR", 15)
    ]  # fmt: skip


# --- Queries --------------------------------------------------------------------------------


def world(ccg, months, standards):
    PlanFactory(ccg=ccg, state="published", first_year=2012, last_year=2016)
    provider = ProviderFactory(ods_code="RFR")
    for number in range(standards):
        standard = make_standard(f"standard-{number}", order=number)
        add_series(standard, ccg, [90 + (i % 5) for i in range(months)])
        add_series(standard, ccg, [80 + (i % 3) for i in range(months)], provider=provider)


def queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


@pytest.mark.parametrize("months, standards", [(12, 5), (48, 25)])
def test_the_dashboard_reads_in_a_fixed_number_of_queries(ccg, board, months, standards):
    world(ccg, months, standards)
    board = type(board).objects.get(pk=board.pk)  # nothing cached on the user

    count = queries(lambda: dashboard.build(board, ccg))
    # Membership scope, data range (2), standards and thresholds (2), measurements (1),
    # plans and their actions (2), later panels: the year's financial plan and QIPP schemes
    # (2), risks, meeting actions, meetings (3).
    assert count == 13
    detail = queries(
        lambda: dashboard.standard_detail(
            board, ccg, dashboard.standards_for(board, ccg).get(code="standard-0")
        )
    )
    assert detail <= 8


# --- The same figures as JSON (dashboard/<ods>/) ----------------------------------------------


def test_the_dashboard_api(api_client, ccg, other_ccg, board):
    standard = make_standard()
    add_series(standard, ccg, STABLE_THEN_FALL, illustrative=True)
    api_client.force_login(board)

    listing = api_client.get("/api/v1/dashboard/")
    body = api_client.get("/api/v1/dashboard/03L/").json()
    then = api_client.get("/api/v1/dashboard/03L/", {"month": "2012-11"}).json()

    assert [item["ods_code"] for item in listing.json()["results"]] == ["03L"]
    assert listing.json()["results"][0]["page"] == "/ccgs/03L/dashboard/"
    assert (body["ccg"], body["month"], body["data_up_to"], body["data_up_to_source"]) == (
        "03L", "2013-12", "2013-12", "measurements"
    )  # fmt: skip
    assert body["illustrative"] is True
    ae = body["groups"][0]["standards"][0]
    assert body["groups"][0]["code"] == "ae" and ae["code"] == "ae-4-hours"
    assert ae["latest"] == {"period": "2013-12", "period_type": "month", "value": "80.000",
                            "illustrative": True}  # fmt: skip
    assert (ae["target"], ae["target_met"], ae["no_operational_standard"]) == (
        "95.000", False, False
    )  # fmt: skip
    assert ae["variation"]["code"] == "concern_low"
    assert ae["assurance"]["code"] == "consistently_fail"
    assert ae["sparkline"][-1] == 80.0 and ae["points"] == 21
    assert ae["page"] == "/ccgs/03L/dashboard/standards/ae-4-hours/"
    assert body["delivery"] == [] and body["panels"] == []
    assert then["month"] == "2012-11" and then["groups"][0]["standards"][0]["points"] == 8


def test_the_dashboard_api_refuses_a_bad_month_and_other_ccgs(api_client, ccg, other_ccg, board):
    api_client.force_login(board)

    bad = api_client.get("/api/v1/dashboard/03L/", {"month": "March 2016"})

    assert bad.status_code == 400
    assert bad.json()["field"] == "month" and "2016-03" in bad.json()["detail"]
    assert api_client.get("/api/v1/dashboard/04R/").status_code == 404
    assert api_client.get("/api/v1/dashboard/", {"ccg": "04R"}).json()["count"] == 0
    csv = api_client.get("/api/v1/dashboard/", {"format": "csv"})
    assert csv.status_code == 200 and "03L" in csv.content.decode("utf-8-sig")
