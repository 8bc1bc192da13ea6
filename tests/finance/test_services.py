"""Finance writes: who may write, links kept inside the CCG, field errors, stale edits."""

from decimal import Decimal as D

import pytest

from commissioning.access import Role
from finance import services
from finance.models import Contract, FinancialPlan, QippMonth, QippScheme
from plans.errors import EditConflict, InvalidMove, NotAllowed
from tests.factories import ProviderFactory, user_with_role
from tests.finance.factories import YEAR, programme, scheme

pytestmark = pytest.mark.django_db


def test_a_planning_manager_adds_a_financial_plan(ccg, planner):
    plan = services.create(FinancialPlan, user=planner, ccg=ccg, year=YEAR,
                           allocation=D("184300000"), efficiency_target=D("3300000"))  # fmt: skip
    assert plan.pk and plan.revision == 1
    assert plan.history.first().history_user == planner


@pytest.mark.parametrize("role", [Role.GOVERNING_BODY, Role.SCRUTINY, Role.VIEWER])
def test_other_roles_may_not_write(ccg, role):
    with pytest.raises(NotAllowed, match="Only planning managers"):
        services.create(FinancialPlan, user=user_with_role(role, ccg), ccg=ccg, year=YEAR)


def test_a_planner_of_another_ccg_may_not_write(ccg, other_ccg):
    with pytest.raises(NotAllowed):
        services.create(FinancialPlan, user=user_with_role(Role.PLANNING_MANAGER, other_ccg),
                        ccg=ccg, year=YEAR)  # fmt: skip


def test_a_scheme_cannot_join_another_ccgs_programme(ccg, other_ccg, planner):
    theirs = programme(other_ccg)
    with pytest.raises(InvalidMove) as error:
        services.create(QippScheme, user=planner, ccg=ccg, year=YEAR, reference="X1",
                        project="P", qipp_programme=theirs, planned_saving=D("1"))  # fmt: skip
    assert error.value.field == "qipp_programme"


def test_a_duplicate_reference_is_refused_with_a_clear_message(ccg, planner):
    scheme(ccg, "RB01")
    with pytest.raises(InvalidMove, match="already has a QIPP scheme with that reference"):
        services.create(QippScheme, user=planner, ccg=ccg, year=YEAR, reference="RB01",
                        project="Again", qipp_programme=programme(ccg, "Other"),
                        planned_saving=D("5"))  # fmt: skip


def test_a_negative_saving_names_its_field(ccg, planner):
    with pytest.raises(InvalidMove) as error:
        services.create(QippScheme, user=planner, ccg=ccg, year=YEAR, reference="N1",
                        project="P", qipp_programme=programme(ccg),
                        planned_saving=D("-1"))  # fmt: skip
    assert error.value.field == "planned_saving"


def test_unknown_fields_are_refused(ccg, planner):
    with pytest.raises(InvalidMove, match="cannot be set"):
        services.create(FinancialPlan, user=planner, ccg=ccg, year=YEAR, revision=5)


def test_a_stale_edit_is_refused_and_changes_nothing(ccg, planner):
    made = scheme(ccg)
    services.update(made, user=planner, expected_revision=1, project="First")
    stale = QippScheme.objects.get(pk=made.pk)
    stale.revision = 1
    with pytest.raises(EditConflict) as error:
        services.update(stale, user=planner, expected_revision=1, project="Second")
    assert error.value.current.project == "First"
    assert QippScheme.objects.get(pk=made.pk).project == "First"


def test_record_month_creates_then_updates(ccg, planner):
    made = scheme(ccg, months=["0"] * 12)
    month = services.record_month(made, 4, user=planner, actual=D("950"))
    assert (month.plan, month.actual, month.revision) == (D("0"), D("950"), 2)
    again = services.record_month(made, 4, user=planner, expected_revision=2,
                                  forecast=D("1000"))  # fmt: skip
    assert (again.actual, again.forecast) == (D("950"), D("1000"))
    assert QippMonth.objects.filter(scheme=made).count() == 12
    with pytest.raises(EditConflict):
        services.record_month(made, 4, user=planner, expected_revision=2, actual=D("1"))


@pytest.mark.parametrize("month", [0, 13, "4"])
def test_record_month_refuses_months_outside_the_year(ccg, planner, month):
    with pytest.raises(InvalidMove) as error:
        services.record_month(scheme(ccg, f"M{month}"), month, user=planner, actual=D("1"))
    assert error.value.field == "month"


def test_a_programme_still_used_cannot_be_deleted(ccg, planner):
    made = scheme(ccg)
    with pytest.raises(InvalidMove, match="still used"):
        services.delete(made.qipp_programme, user=planner)


def test_a_contract_is_deleted_with_its_lines(ccg, planner):
    contract = services.create(Contract, user=planner, ccg=ccg, year=YEAR,
                               provider=ProviderFactory(), value=D("160000000"))  # fmt: skip
    services.delete(contract, user=planner, expected_revision=1)
    assert not Contract.objects.exists()
