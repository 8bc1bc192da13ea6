"""Writing priorities, commitments and actions; recording delivery; the refresh and its diff."""

import datetime as dt

import pytest

from plans import services as plan_services
from plans import snapshots
from plans.diffing import diff_snapshots
from plans.errors import EditConflict, InvalidMove, NotAllowed, ReadOnly
from priorities import services
from priorities.models import Action, Commitment, PriorityArea, ProgressUpdate
from tests.factories import LocalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(draft_plan, planner):
    priority = services.add_priority(
        draft_plan, user=planner, title="Mental Health",
        objective="Our objective is to improve mental health services",
    )  # fmt: skip
    commitment = services.add_commitment(
        priority, user=planner, text="We will develop a mental health strategy"
    )
    action = services.add_action(
        commitment, user=planner, text="Agree the strategy with both local authorities",
        due_on=dt.date(2013, 9, 30), due_precision="quarter",
    )  # fmt: skip
    return priority, commitment, action


def approve(plan, planner, board):
    plan_services.transition(plan, user=planner, to="submitted")
    plan_services.transition(plan, user=board, to="approved")


def test_items_are_ordered_among_their_siblings(draft_plan, planner, content):
    priority, commitment, _ = content
    second = services.add_commitment(priority, user=planner, text="We will improve access")
    assert (commitment.order, second.order) == (1, 2)
    services.move_item(second, user=planner, direction=-1)
    assert list(priority.commitments.values_list("text", flat=True)) == [
        "We will improve access",
        "We will develop a mental health strategy",
    ]


def test_due_quarters_are_labelled_as_plans_write_them(content):
    _, _, action = content
    assert (action.due_label, action.due_quarter) == ("Q2 2013/14", "2013/14 Q2")


def test_only_planning_managers_edit_and_only_while_editable(draft_plan, planner, board, content):
    priority, commitment, _ = content
    with pytest.raises(NotAllowed):
        services.add_commitment(priority, user=board, text="We will")
    approve(draft_plan, planner, board)
    with pytest.raises(ReadOnly):
        services.update_item(commitment, user=planner, expected_revision=1, text="Changed")
    with pytest.raises(ReadOnly):
        services.delete_item(priority, user=planner)


def test_concurrent_edits_conflict(content, planner):
    _, commitment, _ = content
    services.update_item(commitment, user=planner, expected_revision=1, text="We will A")
    with pytest.raises(EditConflict) as raised:
        services.update_item(commitment, user=planner, expected_revision=1, text="We will B")
    assert raised.value.current.text == "We will A"


def test_a_locality_must_be_the_plans_ccgs(content, planner, other_ccg):
    _, commitment, _ = content
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.update_item(
            commitment, user=planner, expected_revision=None,
            locality=LocalityFactory(ccg=other_ccg),
        )  # fmt: skip


def test_deleting_a_priority_takes_its_commitments_and_actions(content, planner):
    priority, _, _ = content
    services.delete_item(priority, user=planner)
    assert (Commitment.objects.count(), Action.objects.count()) == (0, 0)


# --- Delivery ----------------------------------------------------------------------------


def test_progress_is_recorded_once_the_plan_is_approved(draft_plan, planner, board, content):
    _, commitment, action = content
    with pytest.raises(ReadOnly, match="once the plan is approved"):
        services.record_progress(action, user=planner, status="on-track", narrative="Started")
    approve(draft_plan, planner, board)
    with pytest.raises(NotAllowed):
        services.record_progress(action, user=board, status="on-track", narrative="Started")
    services.record_progress(
        action, user=planner, status="at-risk", narrative="Delayed by the election",
        reported_on=dt.date(2013, 9, 30),
    )  # fmt: skip
    services.record_progress(
        action, user=planner, status="on-track", narrative="Back on plan",
        reported_on=dt.date(2013, 12, 31),
    )  # fmt: skip
    # A back-dated update is history, not the current status.
    services.record_progress(
        action, user=planner, status="off-track", narrative="Earlier note",
        reported_on=dt.date(2013, 7, 1),
    )  # fmt: skip
    action.refresh_from_db()
    assert (action.status, action.status_reported_on) == ("on-track", dt.date(2013, 12, 31))
    services.record_progress(commitment, user=planner, status="complete", narrative="Done")
    commitment.refresh_from_db()
    assert commitment.status == "complete"
    assert ProgressUpdate.objects.filter(plan=draft_plan).count() == 4


def test_an_update_needs_a_narrative_a_status_and_no_future_date(
    draft_plan, planner, board, content
):
    approve(draft_plan, planner, board)
    _, _, action = content
    with pytest.raises(InvalidMove, match="narrative"):
        services.record_progress(action, user=planner, status="on-track", narrative=" ")
    with pytest.raises(InvalidMove, match="status"):
        services.record_progress(action, user=planner, status="green", narrative="x")
    with pytest.raises(InvalidMove, match="future"):
        services.record_progress(
            action, user=planner, status="on-track", narrative="x",
            reported_on=dt.date.today() + dt.timedelta(days=2),
        )  # fmt: skip


# --- Versions, refresh and diff ------------------------------------------------------------


def test_priorities_join_versions_refreshes_and_the_diff(draft_plan, planner, board, content):
    priority, commitment, action = content
    version = plan_services.transition(draft_plan, user=planner, to="submitted")
    collections = version.content["collections"]
    assert [p["title"] for p in collections["priorities"]] == ["Mental Health"]
    assert collections["commitments"][0]["parent"] == str(priority.key)
    assert collections["actions"][0]["due"] == "Q2 2013/14"
    plan_services.transition(draft_plan, user=board, to="approved")
    plan_services.transition(draft_plan, user=board, to="published")

    refresh = plan_services.start_refresh(draft_plan, user=planner)
    copied = PriorityArea.objects.get(plan=refresh)
    assert copied.key == priority.key
    new_commitment = copied.commitments.get()
    assert (new_commitment.key, new_commitment.actions.get().key) == (commitment.key, action.key)
    assert new_commitment.status == "not-started"

    services.update_item(new_commitment, user=planner, expected_revision=1,
                         text="We will develop and publish a mental health strategy")  # fmt: skip
    services.add_commitment(copied, user=planner, text="We will commission a crisis service")
    services.delete_item(new_commitment.actions.get(), user=planner)
    diff = diff_snapshots(version.content, snapshots.take(refresh))
    by_name = {c.name: c for c in diff.collections}
    commitments = by_name["commitments"]
    assert [(i.status, i.parent_title) for i in commitments.items] == [
        ("changed", "Mental Health"),
        ("added", "Mental Health"),
    ]
    words = commitments.items[0].fields[0].words
    assert [(w.op, w.text) for w in words if w.op != "equal"] == [("insert", " and publish")]
    assert [i.status for i in by_name["actions"].items] == ["removed"]
    assert by_name["priorities"].items[0].status == "unchanged"
