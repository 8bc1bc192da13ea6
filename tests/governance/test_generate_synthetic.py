"""`manage.py generate_synthetic` at a tiny size: what it makes, that it is clearly synthetic
and keeps clear of the demo's codes, the same for a seed, and refused in production."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from commissioning.models import CCG, CommissionedProvider, Practice, Provider
from governance import dashboard
from governance.models import Measurement, Standard
from tests.factories import CCGFactory, UserFactory

DEMO_CCGS = {"03L", "04R", "05A", "05L"}


def generate(*extra) -> str:
    out = StringIO()
    call_command("generate_synthetic", "--ccgs", "3", "--practices", "10", "--months", "6",
                 "--seed", "7", *extra, stdout=out)  # fmt: skip
    return out.getvalue()


def snapshot():
    return list(
        Measurement.objects.order_by(
            "standard__code", "ccg__ods_code", "provider__ods_code", "period_type", "period_start"
        ).values_list(
            "standard__code", "ccg__ods_code", "provider__ods_code", "period_type",
            "period_start", "numerator", "denominator", "value",
        )
    )  # fmt: skip


@pytest.mark.django_db
def test_a_tiny_synthetic_data_set():
    CCGFactory(ods_code="03L")

    output = generate()

    synthetic = CCG.objects.exclude(ods_code="03L")
    assert sorted(synthetic.values_list("ods_code", flat=True)) == ["Z00", "Z01", "Z02"]
    assert all(ccg.name.startswith("Synthetic CCG") for ccg in synthetic)
    assert not DEMO_CCGS & set(synthetic.values_list("ods_code", flat=True))
    practices = Practice.objects.all()
    assert practices.count() == 10
    assert all(p.ods_code.startswith("Z0") and p.ccg.ods_code.startswith("Z") for p in practices)
    assert {p.ccg_id for p in practices} == set(synthetic.values_list("pk", flat=True))
    # 3 providers a CCG, shared between neighbours: a pool of 5
    assert Provider.objects.count() == 5
    assert CommissionedProvider.objects.count() == 9

    standards = Standard.objects.national()
    monthly = standards.filter(frequency="monthly").count()
    quarterly = standards.filter(frequency="quarterly").count()
    assert monthly + quarterly == 25  # the catalogue was loaded on the way
    # April to September 2012: 6 months, 2 whole quarters; the CCG's own row and 3 providers'
    assert Measurement.objects.count() == 3 * (monthly * 6 + quarterly * 2) * 4
    assert not Measurement.objects.filter(illustrative=False).exists()
    assert set(Measurement.objects.values_list("source", flat=True)) == {"Synthetic benchmark data"}
    assert "1,704 measurements" in output and "Measurements: 3/3 CCGs" in output

    # The CCG's figure is its providers' pooled.
    ccg = synthetic.get(ods_code="Z01")
    rows = Measurement.objects.filter(ccg=ccg, standard__code="ae-4-hours",
                                      period_start="2012-05-01")  # fmt: skip
    own = rows.get(provider__isnull=True)
    parts = rows.filter(provider__isnull=False)
    assert parts.count() == 3
    assert own.numerator == sum(p.numerator for p in parts)
    assert own.denominator == sum(p.denominator for p in parts)

    # Its dashboard reads it.
    staff = UserFactory(is_staff=True, is_superuser=True)
    figures = dashboard.build(staff, ccg)
    ae = next(r for r in figures.rows if r.standard.code == "ae-4-hours")
    assert len(ae.points) == 6


@pytest.mark.django_db
def test_the_same_seed_makes_the_same_data_and_a_second_run_needs_replace():
    generate()
    first = snapshot()

    with pytest.raises(CommandError, match="--replace"):
        generate()
    generate("--replace")

    assert snapshot() == first
    assert CCG.objects.count() == 3


@pytest.mark.django_db
@override_settings(IS_PRODUCTION=True)
def test_refused_with_production_settings():
    with pytest.raises(CommandError, match="production"):
        generate()
    assert not CCG.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("option, value", [("--ccgs", "0"), ("--ccgs", "2000"),
                                           ("--months", "0"), ("--practices", "-1")])  # fmt: skip
def test_sizes_out_of_range_are_refused(option, value):
    with pytest.raises(CommandError, match=option):
        call_command("generate_synthetic", option, value, stdout=StringIO())
