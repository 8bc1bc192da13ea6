"""The delivery tracker query: filters, counts by status for each priority, overdue actions
(against a fixed today), the latest update of each row, who sees what, and a constant number
of queries however many actions a plan has."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commissioning.access import Role
from commissioning.years import FinancialYear
from priorities import delivery, services, tracker
from priorities.models import DuePrecision
from priorities.tracker import Filters, InvalidFilter, Quarter
from tests.factories import LocalityFactory, user_with_role
from tests.plans.factories import PlanFactory
from tests.priorities.factories import ActionFactory, CommitmentFactory, PriorityFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2013, 11, 15)  # in Q3 2013/14


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """timezone.localdate() (with no value) is 15 November 2013."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def plan(ccg):
    return PlanFactory(
        ccg=ccg,
        state="published",
        title="Delivery Plan 2013/14",
        first_year=FinancialYear(2013),
        last_year=FinancialYear(2013),
    )


@pytest.fixture
def content(plan, ccg):
    """Two priorities; commitments in two localities; actions due in Q2 and Q4, one by date."""
    south, north = LocalityFactory(ccg=ccg, name="South"), LocalityFactory(ccg=ccg, name="North")
    older = PriorityFactory(plan=plan, title="Older people", order=1)
    mental = PriorityFactory(plan=plan, title="Mental health", order=2)
    care = CommitmentFactory(
        priority=older, text="We will integrate care", lead="Jo Smith", locality=south, order=1
    )
    dementia = CommitmentFactory(
        priority=mental,
        text="We will diagnose dementia early",
        lead="Sam Patel",
        locality=north,
        order=1,
    )
    q2 = dt.date(2013, 9, 30)
    return {
        "older": older,
        "mental": mental,
        "south": south,
        "north": north,
        "care": care,
        "dementia": dementia,
        # Overdue: due in Q2, on track.
        "teams": ActionFactory(
            commitment=care,
            text="Set up locality teams",
            lead="jo smith",
            due_on=q2,
            due_precision=DuePrecision.QUARTER,
            status="on-track",
            order=1,
        ),
        # Not overdue: due in Q2 but complete.
        "review": ActionFactory(
            commitment=care,
            text="Review single point of access",
            lead="Ann Lee",
            due_on=q2,
            status="complete",
            order=2,
        ),
        # Not overdue: due in Q4.
        "clinic": ActionFactory(
            commitment=dementia,
            text="Open a memory clinic",
            lead="Sam Patel",
            due_on=dt.date(2014, 3, 31),
            due_precision=DuePrecision.QUARTER,
            status="at-risk",
            order=1,
        ),
        # Due today: not overdue yet.
        "audit": ActionFactory(
            commitment=dementia,
            text="Audit diagnosis rates",
            lead="Sam Patel",
            due_on=TODAY,
            order=2,
        ),
    }


def texts(board) -> list[str]:
    return [row.item.text for row in board.rows]


def build(plan, planner, **filters):
    return tracker.build(planner, plan, Filters(**filters), today=TODAY)


# --- Quarters and parameters ----------------------------------------------------------------


def test_quarters_read_and_write_as_actions_do():
    quarter = Quarter.parse("2013/14 Q2")
    assert (quarter.year, quarter.number) == (FinancialYear(2013), 2)
    assert (quarter.start, quarter.end) == (dt.date(2013, 7, 1), dt.date(2013, 9, 30))
    assert quarter.value == "2013/14 Q2" and quarter.label == "Q2 2013/14"
    assert Quarter.parse("2013-14-q4").end == dt.date(2014, 3, 31)
    assert Quarter.parse("2013/14 Q1").start == dt.date(2013, 4, 1)
    assert Quarter.of(dt.date(2014, 1, 15)) == Quarter(FinancialYear(2013), 4)
    with pytest.raises(ValueError):
        Quarter.parse("2013/14 Q5")


def test_filters_from_query_parameters():
    filters = Filters.from_params(
        {
            "priority": "4",
            "lead": " Jo Smith ",
            "status": "at-risk",
            "quarter": "2013/14 Q2",
            "overdue": "true",
            "locality": "",
        }
    )
    assert filters == Filters(
        priority=4,
        lead="Jo Smith",
        status="at-risk",
        quarter=Quarter.parse("2013/14 Q2"),
        overdue=True,
    )
    assert filters.active and filters.actions_only
    assert not Filters.from_params({}).active


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"priority": "x"}, "priority"),
        ({"status": "amber"}, "status"),
        ({"quarter": "autumn"}, "quarter"),
        ({"overdue": "maybe"}, "overdue"),
    ],
)
def test_unreadable_filters_name_their_parameter(params, field):
    with pytest.raises(InvalidFilter) as raised:
        Filters.from_params(params)
    assert raised.value.field == field


# --- Rows and filters -------------------------------------------------------------------------


def test_every_commitment_and_action_in_the_plans_order(plan, planner, content):
    board = build(plan, planner)
    assert texts(board) == [
        "We will integrate care",
        "Set up locality teams",
        "Review single point of access",
        "We will diagnose dementia early",
        "Open a memory clinic",
        "Audit diagnosis rates",
    ]
    teams = board.rows[1]
    assert teams.kind == "action" and teams.commitment == content["care"]
    assert teams.priority == content["older"] and teams.locality == content["south"]
    assert teams.due_label == "Q2 2013/14"
    assert teams.rag == delivery.rag("on-track")


def test_filter_by_priority(plan, planner, content):
    board = build(plan, planner, priority=content["mental"].pk)
    assert texts(board) == [
        "We will diagnose dementia early",
        "Open a memory clinic",
        "Audit diagnosis rates",
    ]
    assert [line.priority for line in board.counts] == [content["mental"]]


def test_filter_by_lead_ignores_case(plan, planner, content):
    board = build(plan, planner, lead="Jo Smith")
    assert texts(board) == ["We will integrate care", "Set up locality teams"]


def test_filter_by_locality_takes_the_commitments_actions(plan, planner, content):
    board = build(plan, planner, locality=content["north"].pk)
    assert texts(board) == [
        "We will diagnose dementia early",
        "Open a memory clinic",
        "Audit diagnosis rates",
    ]


def test_filter_by_status(plan, planner, content):
    assert texts(build(plan, planner, status="at-risk")) == ["Open a memory clinic"]
    assert texts(build(plan, planner, status="not-started")) == [
        "We will integrate care",
        "We will diagnose dementia early",
        "Audit diagnosis rates",
    ]


def test_filter_by_quarter_due_leaves_only_actions(plan, planner, content):
    board = build(plan, planner, quarter=Quarter.parse("2013/14 Q2"))
    assert texts(board) == ["Set up locality teams", "Review single point of access"]
    assert texts(build(plan, planner, quarter=Quarter.parse("2013/14 Q3"))) == [
        "Audit diagnosis rates"
    ]


def test_filters_combine(plan, planner, content):
    board = build(plan, planner, priority=content["older"].pk, status="complete")
    assert texts(board) == ["Review single point of access"]


# --- Overdue ----------------------------------------------------------------------------------


def test_overdue_actions_are_past_due_and_not_complete(plan, planner, content):
    board = build(plan, planner)
    overdue = {row.item.text: row.overdue for row in board.rows}
    assert overdue == {
        "We will integrate care": False,
        "Set up locality teams": True,  # due 30 September, on track
        "Review single point of access": False,  # complete
        "We will diagnose dementia early": False,
        "Open a memory clinic": False,  # due next year
        "Audit diagnosis rates": False,  # due today
    }
    assert board.overdue_count == 1


def test_the_overdue_filter_agrees_with_the_rule(plan, planner, content):
    only = build(plan, planner, overdue=True)
    assert texts(only) == ["Set up locality teams"]
    everything = build(plan, planner)
    flagged = [row.item.text for row in everything.rows if row.overdue]
    assert flagged == texts(only)


def test_overdue_follows_today(plan, planner, content, monkeypatch):
    # A day later the action due today is overdue too.
    tomorrow = TODAY + dt.timedelta(days=1)
    board = tracker.build(planner, plan, Filters(overdue=True), today=tomorrow)
    assert texts(board) == ["Set up locality teams", "Audit diagnosis rates"]
    # And with no date given the tracker uses timezone.localdate().
    assert texts(tracker.build(planner, plan, Filters(overdue=True))) == ["Set up locality teams"]


def test_completing_an_overdue_action_clears_its_flag(plan, planner, content):
    services.record_progress(
        content["teams"],
        user=planner,
        status="complete",
        narrative="Teams in place",
        reported_on=TODAY,
    )
    assert build(plan, planner, overdue=True).rows == []


# --- Counts -------------------------------------------------------------------------------------


def test_counts_by_status_for_each_priority(plan, planner, content):
    board = build(plan, planner)
    counts = {line.priority.title: line.counts for line in board.counts}
    assert counts == {
        "Older people": {
            "not-started": 0,
            "on-track": 1,
            "at-risk": 0,
            "off-track": 0,
            "complete": 1,
        },
        "Mental health": {
            "not-started": 1,
            "on-track": 0,
            "at-risk": 1,
            "off-track": 0,
            "complete": 0,
        },
    }
    assert [line.total for line in board.counts] == [2, 2]
    assert board.totals == {
        "not-started": 1,
        "on-track": 1,
        "at-risk": 1,
        "off-track": 0,
        "complete": 1,
    }


def test_counts_follow_the_filters_and_keep_empty_priorities(plan, planner, content):
    board = build(plan, planner, lead="Sam Patel")
    counts = {line.priority.title: line.total for line in board.counts}
    assert counts == {"Older people": 0, "Mental health": 2}


def test_counts_change_when_progress_is_recorded(plan, planner, content):
    services.record_progress(
        content["audit"],
        user=planner,
        status="off-track",
        narrative="No auditor",
        reported_on=TODAY,
    )
    mental = build(plan, planner).counts[1]
    assert mental.counts["off-track"] == 1 and mental.counts["not-started"] == 0


# --- Latest update ------------------------------------------------------------------------------


def test_each_row_carries_its_latest_update(plan, planner, content):
    teams = content["teams"]
    services.record_progress(
        teams,
        user=planner,
        status="on-track",
        narrative="Recruiting",
        reported_on=dt.date(2013, 10, 1),
    )
    services.record_progress(
        teams,
        user=planner,
        status="at-risk",
        narrative="Two vacancies",
        reported_on=dt.date(2013, 11, 1),
    )
    # Back-dated: recorded last, but not the latest report.
    services.record_progress(
        teams,
        user=planner,
        status="on-track",
        narrative="Earlier note",
        reported_on=dt.date(2013, 9, 1),
    )
    row = next(r for r in build(plan, planner).rows if r.item == teams)
    assert row.status == "at-risk"
    assert row.latest == tracker.LatestUpdate(dt.date(2013, 11, 1), "Two vacancies", False)
    others = [r for r in build(plan, planner).rows if r.item != teams]
    assert all(r.latest is None for r in others)


def test_commitment_rows_carry_their_own_updates(plan, planner, content):
    services.record_progress(
        content["care"],
        user=planner,
        status="on-track",
        narrative="Board agreed",
        reported_on=TODAY,
        illustrative=True,
    )
    row = build(plan, planner).rows[0]
    assert row.kind == "commitment" and row.status == "on-track"
    assert row.latest == tracker.LatestUpdate(TODAY, "Board agreed", True)


# --- Options, access, queries -------------------------------------------------------------------


def test_options_list_what_the_plan_holds(plan, planner, content):
    options = tracker.options_for(planner, plan)
    assert options.priorities == [content["older"], content["mental"]]
    assert options.leads == ["Ann Lee", "Jo Smith", "Sam Patel"]  # "jo smith" is Jo Smith
    assert [name for _, name in options.localities] == ["North", "South"]
    assert [q.value for q in options.quarters] == ["2013/14 Q2", "2013/14 Q3", "2013/14 Q4"]


def test_scrutiny_reads_published_plans_only(ccg, plan, content, role_user):
    scrutiny = role_user(Role.SCRUTINY)
    draft = PlanFactory(ccg=ccg, state="draft")
    hidden = ActionFactory(commitment=CommitmentFactory(priority=PriorityFactory(plan=draft)))
    seen = set(tracker.tracked_actions(scrutiny, today=TODAY))
    assert content["teams"] in seen and hidden not in seen


def test_another_ccg_sees_nothing(plan, content, other_ccg):
    outsider = user_with_role(Role.PLANNING_MANAGER, other_ccg)
    assert tracker.build(outsider, plan, today=TODAY).rows == []
    assert list(tracker.tracked_commitments(outsider, plan=plan, today=TODAY)) == []


def grow(plan, actions: int):
    priority = PriorityFactory(plan=plan)
    locality = LocalityFactory(ccg=plan.ccg)
    for n in range(actions // 5):
        commitment = CommitmentFactory(priority=priority, locality=locality, lead=f"Lead {n}")
        ActionFactory.create_batch(5, commitment=commitment, due_on=dt.date(2013, 6, 30))


def count_queries(user, plan) -> int:
    with CaptureQueriesContext(connection) as queries:
        options = tracker.options_for(user, plan)
        board = tracker.build(user, plan, today=TODAY, priorities=options.priorities)
        assert board.rows  # rows, counts and their relations all read here
        shown = [
            (row.priority.title, row.commitment.text, row.locality.name, row.due_label)
            for row in board.rows
        ]
        assert len(shown) == len(board.rows)
    return len(queries)


def test_a_constant_number_of_queries_as_actions_grow(ccg, planner):
    small = PlanFactory(ccg=ccg, state="published")
    large = PlanFactory(ccg=ccg, state="published")
    grow(small, 5)
    grow(large, 50)
    fresh = type(planner).objects.get  # each count reads the user's memberships afresh
    assert count_queries(fresh(pk=planner.pk), small) == count_queries(fresh(pk=planner.pk), large)
