import pytest

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services
from tests.factories import user_with_role


@pytest.fixture
def board(role_user):
    return role_user(Role.GOVERNING_BODY)


@pytest.fixture
def scrutiny(role_user):
    return role_user(Role.SCRUTINY)


@pytest.fixture
def draft_plan(ccg, planner):
    """A 2015-19 strategic plan in draft with one section and one aim."""
    plan = services.create_plan(
        user=planner,
        ccg=ccg,
        kind="strategic-plan",
        title="Commissioning Plan 2015-19",
        first_year=FinancialYear(2015),
        last_year=FinancialYear(2018),
    )
    services.add_section(plan, user=planner, title="Primary Care", body="Four year investment plan")
    services.add_statement(plan, user=planner, kind="aim", text="Unscheduled Care")
    return plan


@pytest.fixture
def published_plan(draft_plan, planner, board):
    services.transition(draft_plan, user=planner, to="submitted")
    services.transition(draft_plan, user=board, to="approved")
    services.transition(draft_plan, user=board, to="published")
    draft_plan.refresh_from_db()
    return draft_plan


@pytest.fixture
def other_planner(other_ccg):
    return user_with_role(Role.PLANNING_MANAGER, other_ccg)
