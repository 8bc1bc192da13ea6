"""The SPC of a stored series: measurements in period order, the target in force at the latest
period, the standard's direction; the CCG's own figures apart from its providers'."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.access import Role
from governance.models import Measurement, Standard, StandardThreshold
from governance.series import default_period_type, series_measurements, series_spc, spc_of
from governance.spc import CONCERN, CONSISTENTLY_FAIL, IMPROVEMENT, SpcSettings
from tests.factories import ProviderFactory, user_with_role


def month(index: int, start=dt.date(2014, 4, 1)) -> dt.date:
    m = start.month - 1 + index
    return dt.date(start.year + m // 12, m % 12 + 1, 1)


@pytest.fixture
def ae(db):
    standard = Standard.objects.create(
        code="ae-4-hours", name="A&E 4 hours", group="ae", unit="percent", direction="higher"
    )
    StandardThreshold.objects.create(standard=standard, value=95, applies_from=dt.date(2010, 4, 1),
                                     applies_to=dt.date(2015, 3, 31))  # fmt: skip
    StandardThreshold.objects.create(standard=standard, value=Decimal("92.5"),
                                     applies_from=dt.date(2015, 4, 1))  # fmt: skip
    return standard


def add(standard, ccg, values, *, provider=None, start=dt.date(2014, 4, 1), period_type="month"):
    step = 3 if period_type == "quarter" else 1
    for i, value in enumerate(values):
        Measurement.objects.create(
            standard=standard, ccg=ccg, provider=provider, period_type=period_type,
            period_start=month(i * step, start), value=Decimal(str(value)),
        )  # fmt: skip


# Ten points alternating 90, 92, then a fall to 80.
SERIES = [90, 92] * 5 + [80]


def test_series_in_period_order_with_the_target_of_the_latest_period(ae, ccg):
    # Stored out of order: the series is read by period.
    add(ae, ccg, SERIES[6:], start=month(6))
    add(ae, ccg, SERIES[:6])

    result = series_spc(ae, ccg)

    assert [p.period for p in result.points] == [month(i) for i in range(11)]
    assert [p.value for p in result.points] == SERIES
    # The latest period is February 2015: the 95% threshold is in force.
    assert result.target == 95 and result.direction == "higher"
    segment = result.latest_segment
    # Eleven points: mean (910 + 80) / 11 = 90; moving ranges 9 x 2 + 12 = 30, / 10 = 3;
    # limits 90 ± 2.66 x 3 = 82.02 to 97.98. 80 is below the lower limit: concern (low).
    assert (segment.mean, segment.mean_moving_range) == (90, 3)
    assert segment.lower_limit == pytest.approx(82.02)
    assert segment.upper_limit == pytest.approx(97.98)
    assert result.latest.outside_limits and result.latest.special_cause == CONCERN
    assert result.variation.code == "concern_low"
    # The target 95 lies between the limits: hit and miss.
    assert result.assurance.code == "hit_and_miss"
    assert result.trial_limits  # fewer than 12 points


def test_the_target_follows_the_threshold_at_the_latest_period(ae, ccg):
    add(ae, ccg, [90, 91] * 6 + [90])  # April 2014 to April 2015

    result = series_spc(ae, ccg)

    assert result.points[-1].period == dt.date(2015, 4, 1)
    assert result.target == 92.5
    # Mean 90.4615, mean MR 1, upper limit 93.12: 92.5 is inside -> hit and miss.
    assert result.assurance.code == "hit_and_miss"
    up_to_march = series_spc(ae, ccg, up_to=dt.date(2015, 3, 1))
    assert len(up_to_march.points) == 12 and up_to_march.target == 95
    # 95 is above the upper limit (90.5 + 2.66 = 93.16): consistently fails.
    assert up_to_march.assurance.code == CONSISTENTLY_FAIL
    assert not up_to_march.trial_limits


def test_the_ccg_series_and_a_providers_are_apart(ae, ccg):
    trust = ProviderFactory(ods_code="RFR")
    add(ae, ccg, [90, 91, 92])
    add(ae, ccg, [80, 81], provider=trust)

    assert [p.value for p in series_spc(ae, ccg).points] == [90, 91, 92]
    assert [p.value for p in series_spc(ae, ccg, trust).points] == [80, 81]


def test_quarterly_standards_chart_their_quarters(ccg, db):
    cpa = Standard.objects.create(
        code="cpa", name="CPA", group="mental-health", unit="percent", direction="higher",
        frequency="quarterly",
    )  # fmt: skip
    assert default_period_type(cpa) == "quarter"
    add(cpa, ccg, [96, 97, 94], period_type="quarter")
    add(cpa, ccg, [50], period_type="month")

    result = series_spc(cpa, ccg)
    assert [p.period for p in result.points] == [dt.date(2014, 4, 1), dt.date(2014, 7, 1),
                                                 dt.date(2014, 10, 1)]  # fmt: skip
    assert result.target is None and result.assurance is None  # no threshold known
    assert [p.value for p in series_spc(cpa, ccg, period_type="month").points] == [50]


def test_lower_is_better_and_settings(ccg, db):
    waits = Standard.objects.create(code="waits", name="52-week waits", group="rtt",
                                    unit="count", direction="lower")  # fmt: skip
    add(waits, ccg, [9, 8, 7, 6, 5, 4])

    default = series_spc(waits, ccg)
    six = series_spc(waits, ccg, settings=SpcSettings(trend_length=6))

    assert not default.latest.trend
    # Six falling points make a trend under NHS England's 2024 setting: falling waits improve.
    assert six.latest.trend and six.latest.special_cause == IMPROVEMENT
    assert six.direction == "lower"


def test_an_empty_series(ae, ccg):
    result = series_spc(ae, ccg)
    assert result.points == () and result.variation is None and result.target is None


def test_read_through_the_callers_queryset(ae, ccg, other_ccg):
    add(ae, ccg, [90, 91])
    stranger = user_with_role(Role.VIEWER, other_ccg)
    visible = Measurement.objects.for_user(stranger)
    assert series_measurements(ae, ccg, queryset=visible) == []
    assert len(series_measurements(ae, ccg)) == 2


def test_spc_of_prefetched_rows_asks_nothing_more(ae, ccg):
    add(ae, ccg, SERIES)
    standard = Standard.objects.prefetch_related("thresholds").get(pk=ae.pk)
    rows = list(Measurement.objects.filter(standard=ae, ccg=ccg).order_by("period_start"))

    with CaptureQueriesContext(connection) as queries:
        result = spc_of(standard, rows)
    assert len(queries) == 0
    assert result.target == 95 and len(result.points) == 11
