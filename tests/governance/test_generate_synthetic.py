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


# --- Plans, priorities, finance, QIPP, risks, committees ---------------------------------------

SIZES = ["--sections", "2", "--statements", "3", "--priorities", "2", "--commitments", "2",
         "--actions", "3", "--qipp-schemes", "4", "--risks", "5", "--meetings", "2",
         "--agenda-items", "3", "--members", "4"]  # fmt: skip


@pytest.mark.django_db
def test_every_ccg_gets_a_published_plan_finance_qipp_risks_and_a_committee():
    from finance.models import FinancialPlan, QippMonth, QippProgramme, QippScheme
    from governance import audit
    from governance.models import AgendaItem, Committee, Meeting, Risk
    from plans.models import Plan
    from priorities.models import Action, Commitment, PriorityArea, Programme, ProgressUpdate

    output = generate(*SIZES)

    ccgs = list(CCG.objects.order_by("ods_code"))
    assert len(ccgs) == 3
    for ccg in ccgs:
        plan = Plan.objects.get(ccg=ccg)
        assert plan.state == "published" and plan.title.startswith("Synthetic strategic plan")
        assert (plan.first_year.label, plan.last_year.label) == ("2015/16", "2018/19")
        assert plan.sections.count() == 2 and plan.statements.count() == 3
        assert PriorityArea.objects.filter(plan=plan).count() == 2
        assert Commitment.objects.filter(priority__plan=plan).count() == 4
        actions = Action.objects.filter(commitment__priority__plan=plan)
        assert actions.count() == 12
        # Each action has one progress update, and shows its status.
        for action in actions:
            update = ProgressUpdate.objects.get(action=action)
            assert update.status == action.status and update.plan_id == plan.pk
            assert update.illustrative
        assert [v.to_state for v in plan.versions.order_by("number")] == [
            "submitted", "approved", "published"]  # fmt: skip
        snapshot = plan.versions.get(number=3).content["collections"]
        assert len(snapshot["priorities"]) == 2 and len(snapshot["actions"]) == 12
        assert Programme.objects.filter(ccg=ccg).count() == 2
        assert FinancialPlan.objects.get(ccg=ccg).plan == plan
        assert QippProgramme.objects.filter(ccg=ccg).count() == 2
        schemes = QippScheme.objects.filter(ccg=ccg)
        assert schemes.count() == 4 and all(s.illustrative for s in schemes)
        assert QippMonth.objects.filter(scheme__ccg=ccg).count() == 4 * 12
        risks = Risk.objects.filter(ccg=ccg)
        assert risks.count() == 5 and all(r.title.startswith("Synthetic") for r in risks)
        assert all(r.actions.count() == 2 and r.reviews.count() == 1 for r in risks)
        assert {r.status for r in risks} == {"open", "closed"}
        body = Committee.objects.get(ccg=ccg, kind="governing-body")
        assert body.members.count() == 4 and body.is_public
        assert Meeting.objects.filter(committee=body).count() == 2
        assert AgendaItem.objects.filter(meeting__committee=body).count() == 6
    assert "3 plans" in output and "36 actions" in output and "Plans and the rest: 3/3" in output

    # The history django-simple-history keeps is written too: the audit log has rows to show.
    staff = UserFactory(is_staff=True, is_superuser=True)
    filters = audit.AuditFilters(ccg_ids=frozenset({ccgs[0].pk}), kinds=("action",))
    assert audit.event_index(filters).count() == 12
    assert audit.reads_audit(staff, ccgs[0])


@pytest.mark.django_db
def test_no_plans_makes_organisations_and_measurements_only():
    from plans.models import Plan
    from priorities.models import Programme

    generate("--no-plans")

    assert CCG.objects.count() == 3 and Measurement.objects.exists()
    assert not Plan.objects.exists() and not Programme.objects.exists()


@pytest.mark.django_db
def test_replace_deletes_the_content_and_its_history_and_makes_it_again():
    from governance.models import Risk
    from plans.models import Plan, PlanVersion

    generate(*SIZES)
    first = sorted(Risk.objects.values_list("ccg__ods_code", "reference", "current_likelihood"))
    plans = Plan.history.count()

    generate("--replace", *SIZES)

    assert Plan.objects.count() == 3 and PlanVersion.objects.count() == 9
    assert sorted(Risk.objects.values_list("ccg__ods_code", "reference",
                                           "current_likelihood")) == first  # fmt: skip
    # The first set's history went with it (no "deleted" rows written for synthetic data).
    assert Plan.history.count() == plans == 3


def test_the_defaults_are_england_scale():
    from governance.management.commands.generate_synthetic import Command

    defaults = vars(Command().create_parser("manage.py", "generate_synthetic").parse_args([]))

    assert defaults["ccgs"] >= 200 and defaults["practices"] >= 7000
    assert defaults["months"] == 72 and defaults["plans"] is True
    providers = defaults["ccgs"] * defaults["providers_per_ccg"] // 2  # a pool shared by two
    assert providers >= 200
    # 23 monthly and 2 quarterly national standards (1,704 = 3 x (23 x 6 + 2 x 2) x 4 in the
    # tiny test): each CCG's own row and one per provider, for each of the 72 months from
    # April 2012 or each of its 24 whole quarters. A run at the defaults printed 1,363,200.
    quarters = len([m for m in range(72) if (3 + m) % 12 + 1 in (1, 4, 7, 10) and m + 2 < 72])
    assert quarters == 24
    rows = defaults["ccgs"] * (23 * 72 + 2 * quarters) * (1 + defaults["providers_per_ccg"])
    assert rows == 1_363_200 > 1_000_000
