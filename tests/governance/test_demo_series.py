"""The illustrative performance series of the demo (`manage.py load_demo`): what seed 001 says
about Rotherham in 2013/14 holds, every row is marked illustrative, a second run changes
nothing, and real figures are never overwritten."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from commissioning.demo.loader import load_demo
from commissioning.models import CCG
from governance import dashboard
from governance.demo import series
from governance.demo.loader import DEMO_CCGS, write_series
from governance.models import Measurement, Standard

Q1_2013 = [dt.date(2013, 4, 1), dt.date(2013, 5, 1), dt.date(2013, 6, 1)]


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The whole demo, loaded once for this module (and removed after it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            report = load_demo()
            yield report
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def values(standard, ccg="03L", provider=None):
    rows = Measurement.objects.filter(
        standard__code=standard, ccg__ods_code=ccg, provider__ods_code=provider
    ) if provider else Measurement.objects.filter(
        standard__code=standard, ccg__ods_code=ccg, provider__isnull=True
    )  # fmt: skip
    return {m.period_start: m.value for m in rows.order_by("period_start")}


def test_rotherham_ae_was_below_95_percent_in_q1_2013_14(loaded):
    ae = values("ae-4-hours")
    assert all(ae[month] < 95 for month in Q1_2013)
    # and back to 95% year to date by the end of October
    rows = Measurement.objects.filter(
        standard__code="ae-4-hours", ccg__ods_code="03L", provider__isnull=True,
        period_start__range=(dt.date(2013, 4, 1), dt.date(2013, 10, 1)),
    )  # fmt: skip
    seen = sum(r.numerator for r in rows) / sum(r.denominator for r in rows) * 100
    assert seen >= 95
    # the CCG's figure is its providers' pooled
    by_provider = [values("ae-4-hours", provider=code) for code in ("RFR", "RHQ")]
    assert all(month in part for part in by_provider for month in Q1_2013)


def test_one_52_week_breach_at_the_end_of_june_and_of_july_2013(loaded):
    waits = values("rtt-52-week-waits")
    breaches = {month: value for month, value in waits.items() if value}
    assert breaches == {dt.date(2013, 6, 1): 1, dt.date(2013, 7, 1): 1}
    doncaster = values("rtt-52-week-waits", provider="RP5")
    assert {m: v for m, v in doncaster.items() if v} == breaches
    assert not any(values("rtt-52-week-waits", provider="RFR").values())


def test_friends_and_family_response_under_15_percent_but_rising(loaded):
    fft = values("fft-response-rate")
    q1 = [fft[month] for month in Q1_2013]
    assert all(value < 15 for value in q1)
    assert q1 == sorted(q1) and len(set(q1)) == 3
    assert min(fft) == dt.date(2013, 4, 1)  # the test began in April 2013


def test_every_demo_ccg_has_every_standard_long_enough_for_limits(loaded):
    standards = list(Standard.objects.national())
    assert len(standards) >= 25
    for code in DEMO_CCGS:
        for standard in standards:
            points = Measurement.objects.filter(
                standard=standard, ccg__ods_code=code, provider__isnull=True
            ).count()
            assert points >= 12, (code, standard.code, points)
    assert not Measurement.objects.exclude(illustrative=True).exists()
    assert set(Measurement.objects.values_list("source", flat=True)) == {series.SOURCE}
    assert Measurement.objects.filter(period_type="quarter").exists()
    assert (
        Measurement.objects.order_by("period_start").values_list("period_start", flat=True)
    ).first() == dt.date(2012, 4, 1)


def test_the_dashboard_reads_the_demo(loaded, django_user_model):
    from commissioning.models import Membership

    user = django_user_model.objects.create(username="demo-board-reader")
    rotherham = CCG.objects.get(ods_code="03L")
    Membership.objects.create(user=user, ccg=rotherham, role="governing-body")
    figures = dashboard.build(user, rotherham, dt.date(2013, 6, 1))
    ae = next(row for row in figures.rows if row.standard.code == "ae-4-hours")
    assert ae.latest.value < 95 and ae.target == 95 and ae.target_met is False
    assert figures.illustrative
    assert figures.data.up_to == dt.date(2016, 3, 1)


def test_a_second_run_changes_nothing_and_real_figures_win(loaded):
    ccgs = {code: CCG.objects.get(ods_code=code) for code in DEMO_CCGS}
    again = write_series(ccgs)
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == Measurement.objects.count()

    with transaction.atomic():  # undone at the end: the other tests share the loaded demo
        real = Measurement.objects.get(
            standard__code="ae-4-hours", ccg__ods_code="04R", provider__isnull=True,
            period_start=dt.date(2015, 1, 1),
        )  # fmt: skip
        real.illustrative, real.value, real.source = False, Decimal("91.5"), "NHS England"
        real.save()
        changed = Measurement.objects.get(
            standard__code="ae-4-hours", ccg__ods_code="05A", provider__isnull=True,
            period_start=dt.date(2015, 1, 1),
        )  # fmt: skip
        changed.value = Decimal("1")
        changed.save()

        third = write_series(ccgs)

        assert (third.created, third.updated) == (0, 1)
        real.refresh_from_db()
        changed.refresh_from_db()
        assert (real.value, real.source) == (Decimal("91.5"), "NHS England")
        assert changed.value != 1 and changed.illustrative
        transaction.set_rollback(True)


def test_the_series_are_the_same_on_every_run():
    first = series.series_for("04R", "ae-4-hours", unit="percent", direction="higher",
                              quarterly=False)  # fmt: skip
    again = series.series_for("04R", "ae-4-hours", unit="percent", direction="higher",
                              quarterly=False)  # fmt: skip
    assert first == again
    assert len(first) == 48
    assert all(row.value == round(row.numerator * 100 / row.denominator, 3) for row in first)
    quarters = series.series_for("05L", "cpa-7-day-follow-up", unit="percent",
                                 direction="higher", quarterly=True)  # fmt: skip
    assert [row.period_start.month for row in quarters[:4]] == [4, 7, 10, 1]
    assert len(quarters) == 16


def test_the_demo_report_counts_the_measurements(loaded):
    tally = loaded.tallies["Measurement"]
    assert tally.created == Measurement.objects.count() and tally.updated == 0
