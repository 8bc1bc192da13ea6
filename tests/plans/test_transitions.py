"""Moving plans through the lifecycle: who may, what each move records and freezes."""

import pytest

from commissioning.years import FinancialYear
from plans import services, snapshots
from plans.errors import InvalidMove, NotAllowed, ReadOnly
from plans.models import PlanState, PlanVersion

pytestmark = pytest.mark.django_db


def test_a_planning_manager_submits_and_a_board_member_approves(draft_plan, planner, board):
    submitted = services.transition(draft_plan, user=planner, to="submitted", note="For sign-off")
    approved = services.transition(draft_plan, user=board, to="approved", note="Agreed")
    draft_plan.refresh_from_db()
    assert draft_plan.state == PlanState.APPROVED
    assert draft_plan.version_label == "Final"
    assert [(v.number, v.label, v.from_state, v.to_state, v.created_by) for v in
            draft_plan.versions.all()] == [
        (1, "Draft 1", "draft", "submitted", planner),
        (2, "Final", "submitted", "approved", board),
    ]  # fmt: skip
    assert submitted.note == "For sign-off" and approved.note == "Agreed"


def test_a_version_is_a_complete_snapshot(draft_plan, planner):
    version = services.transition(draft_plan, user=planner, to="submitted")
    content = version.content
    assert content["plan"]["title"] == "Commissioning Plan 2015-19"
    assert content["plan"]["period"] == "2015-19"
    assert [s["title"] for s in content["collections"]["sections"]] == ["Primary Care"]
    assert [s["text"] for s in content["collections"]["statements"]] == ["Unscheduled Care"]
    assert set(content["collections"]) == {c.name for c in snapshots.collections()}


@pytest.mark.parametrize(
    ("role_fixture", "target"),
    [("board", "submitted"), ("scrutiny", "submitted"), ("other_planner", "submitted")],
)
def test_the_wrong_people_cannot_move_a_plan(request, draft_plan, role_fixture, target):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(NotAllowed):
        services.transition(draft_plan, user=user, to=target)
    assert PlanVersion.objects.count() == 0


def test_planning_managers_cannot_approve(draft_plan, planner):
    services.transition(draft_plan, user=planner, to="submitted")
    with pytest.raises(NotAllowed, match="Only governing body members"):
        services.transition(draft_plan, user=planner, to="approved")


def test_sending_back_needs_reasons_and_starts_the_next_draft(draft_plan, planner, board):
    services.transition(draft_plan, user=planner, to="submitted")
    with pytest.raises(InvalidMove, match="needs a note"):
        services.transition(draft_plan, user=board, to="draft")
    version = services.transition(
        draft_plan, user=board, to="draft", note="Say more about children's services"
    )
    draft_plan.refresh_from_db()
    assert (draft_plan.state, draft_plan.version_label) == ("draft", "Draft 2")
    assert (version.label, version.note) == ("Draft 2", "Say more about children's services")


def test_unknown_state_is_refused(draft_plan, planner):
    with pytest.raises(InvalidMove, match="not a plan state"):
        services.transition(draft_plan, user=planner, to="finished")


def test_published_plans_are_read_only(published_plan, planner):
    section = published_plan.sections.get()
    with pytest.raises(ReadOnly, match="published and read-only"):
        services.update_section(section, user=planner, expected_revision=1, body="Changed")
    with pytest.raises(ReadOnly):
        services.add_section(published_plan, user=planner, title="More")
    with pytest.raises(ReadOnly):
        services.update_plan(published_plan, user=planner, expected_revision=None, title="X")
    section.refresh_from_db()
    assert section.body == "Four year investment plan"


def test_approved_plans_are_read_only_until_reopened(draft_plan, planner, board):
    services.transition(draft_plan, user=planner, to="submitted")
    services.transition(draft_plan, user=board, to="approved")
    section = draft_plan.sections.get()
    with pytest.raises(ReadOnly, match="Reopen it as a new draft"):
        services.update_section(section, user=planner, expected_revision=1, body="Changed")
    services.transition(draft_plan, user=planner, to="draft", note="Late change from NHSE")
    draft_plan.refresh_from_db()
    assert draft_plan.version_label == "Draft 2"
    services.update_section(section, user=planner, expected_revision=1, body="Changed")


def test_submitting_an_empty_plan_is_refused(ccg, planner):
    plan = services.create_plan(
        user=planner, ccg=ccg, kind="delivery-plan", title="Delivery Plan",
        first_year=FinancialYear(2013), last_year=FinancialYear(2013),
    )  # fmt: skip
    with pytest.raises(InvalidMove, match="at least one section"):
        services.transition(plan, user=planner, to="submitted")


def test_only_planning_managers_create_plans(ccg, board):
    with pytest.raises(NotAllowed):
        services.create_plan(
            user=board, ccg=ccg, kind="delivery-plan", title="Delivery Plan",
            first_year=FinancialYear(2013), last_year=FinancialYear(2013),
        )  # fmt: skip


def test_a_plan_ends_before_it_starts_is_refused(ccg, planner):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="last year"):
        services.create_plan(
            user=planner, ccg=ccg, kind="strategic-plan", title="Backwards",
            first_year=FinancialYear(2018), last_year=FinancialYear(2015),
        )  # fmt: skip


# --- The annual refresh ------------------------------------------------------------------


def test_refresh_copies_content_keeps_keys_and_links_its_parent(published_plan, planner):
    refresh = services.start_refresh(published_plan, user=planner)
    assert refresh.refreshes == published_plan
    assert (refresh.state, refresh.first_year.label, refresh.last_year.label) == (
        "draft", "2016/17", "2018/19",
    )  # fmt: skip
    assert refresh.title == "Commissioning Plan 2015-19: 2016/17 refresh"
    parent_keys = {s.key for s in published_plan.sections.all()}
    assert {s.key for s in refresh.sections.all()} == parent_keys
    assert refresh.statements.get().key == published_plan.statements.get().key


def test_refresh_needs_a_published_multi_year_plan(draft_plan, published_plan, planner, board):
    refresh = services.start_refresh(published_plan, user=planner)
    with pytest.raises(NotAllowed):
        services.start_refresh(published_plan, user=board)
    with pytest.raises(ReadOnly, match="already under way"):
        services.start_refresh(published_plan, user=planner)
    with pytest.raises(ReadOnly, match="Only a published plan"):
        services.start_refresh(refresh, user=planner)


def test_publishing_the_refresh_supersedes_its_parent(published_plan, planner, board):
    refresh = services.start_refresh(published_plan, user=planner)
    services.transition(refresh, user=planner, to="submitted")
    services.transition(refresh, user=board, to="approved")
    services.transition(refresh, user=board, to="published")
    published_plan.refresh_from_db()
    assert published_plan.state == PlanState.SUPERSEDED
    last = published_plan.versions.order_by("-number").first()
    assert (last.from_state, last.to_state) == ("published", "superseded")
    assert last.note == "Superseded by Commissioning Plan 2015-19: 2016/17 refresh (2016-19)"
    # The next refresh is for the year after.
    from plans.capabilities import next_refresh_year

    assert next_refresh_year(refresh) is None or next_refresh_year(refresh).label == "2017/18"


def test_history_records_who_changed_what(draft_plan, planner):
    section = draft_plan.sections.get()
    services.update_section(section, user=planner, expected_revision=1, body="Five year plan")
    records = list(section.history.order_by("history_date"))
    assert [(r.history_type, r.history_user, r.body) for r in records] == [
        ("+", planner, "Four year investment plan"),
        ("~", planner, "Five year plan"),
    ]


def test_copied_content_has_its_creation_in_history(published_plan, planner):
    refresh = services.start_refresh(published_plan, user=planner)
    record = refresh.sections.get().history.get()
    assert (record.history_type, record.history_user) == ("+", planner)
    assert record.history_change_reason == "Copied from Commissioning Plan 2015-19"


def test_long_notes_and_titles_fit_the_history_reason_column(draft_plan, planner, board):
    services.transition(draft_plan, user=planner, to="submitted")
    services.transition(draft_plan, user=board, to="draft", note="Say more. " * 40)
    reasons = draft_plan.history.values_list("history_change_reason", flat=True)
    assert all(len(r or "") <= 100 for r in reasons)
    assert any((r or "").startswith("Send back with reasons: Say more.") for r in reasons)
