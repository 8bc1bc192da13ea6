"""The consultation and milestone rules, through plans.services: opening consultation,
commenting, responding, and the plan's milestones."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services
from plans.errors import EditConflict, InvalidMove, NotAllowed
from plans.models import Consultation, ConsultationComment, Milestone, Outcome, PlanState
from plans.services.consultation import target_choices
from tests.factories import LocalityFactory, PartnerFactory, user_with_role
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

OPENS, CLOSES = dt.date(2015, 12, 14), dt.date(2016, 1, 22)


@pytest.fixture
def plan(ccg, planner):
    plan = services.create_plan(
        user=planner,
        ccg=ccg,
        kind="operational-plan",
        title="Operational Plan 2016/17",
        first_year=FinancialYear(2016),
        last_year=FinancialYear(2016),
    )
    services.add_section(plan, user=planner, title="Urgent care", body="A&E 95%")
    return plan


@pytest.fixture
def stakeholder(ccg):
    return user_with_role(Role.SCRUTINY, ccg)


def open_window(plan, user, **window):
    return services.open_consultation(
        plan, user=user, **({"opens_on": OPENS, "closes_on": CLOSES} | window)
    )


# --- Opening consultation -------------------------------------------------------------------


def test_opening_moves_the_draft_into_consultation_and_records_the_window(
    plan, planner, stakeholder, ccg
):
    partner, locality = PartnerFactory(ccg=ccg), LocalityFactory(ccg=ccg)
    version = open_window(
        plan,
        planner,
        purpose="Draft to stakeholders",
        invited_users=[stakeholder],
        invited_partners=[partner],
        invited_localities=[locality],
        note="Draft 1",
    )
    plan.refresh_from_db()
    assert plan.state == PlanState.CONSULTATION
    assert (version.from_state, version.to_state, version.note) == (
        "draft",
        "consultation",
        "Draft 1",
    )
    window = Consultation.objects.get()
    assert (window.opens_on, window.closes_on, window.opened_by) == (OPENS, CLOSES, planner)
    assert list(window.invited_users.all()) == [stakeholder]
    assert list(window.invited_partners.all()) == [partner]
    assert list(window.invited_localities.all()) == [locality]


def test_the_closing_date_cannot_come_before_the_opening_date(plan, planner):
    with pytest.raises(InvalidMove, match="on or after the opening date") as refused:
        open_window(plan, planner, closes_on=dt.date(2015, 12, 13))
    assert refused.value.field == "closes_on"
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and not Consultation.objects.exists()


def test_a_one_day_window_is_allowed(plan, planner):
    open_window(plan, planner, closes_on=OPENS)
    assert Consultation.objects.get().is_open_on(OPENS)


def test_people_outside_the_ccg_cannot_be_invited(plan, planner, other_ccg):
    outsider = user_with_role(Role.SCRUTINY, other_ccg, username="outsider")
    with pytest.raises(InvalidMove, match="outsider") as refused:
        open_window(plan, planner, invited_users=[outsider])
    assert refused.value.field == "invited_users"
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT and not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("factory", "field"),
    [(PartnerFactory, "invited_partners"), (LocalityFactory, "invited_localities")],
)
def test_partners_and_localities_of_another_ccg_cannot_be_invited(
    plan, planner, other_ccg, factory, field
):
    with pytest.raises(InvalidMove) as refused:
        open_window(plan, planner, **{field: [factory(ccg=other_ccg)]})
    assert refused.value.field == field


def test_only_planning_managers_open_consultation(plan, ccg):
    for role in (Role.GOVERNING_BODY, Role.SCRUTINY, Role.VIEWER):
        with pytest.raises(NotAllowed, match="Only planning managers"):
            open_window(plan, user_with_role(role, ccg))
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_consultation_opens_only_on_a_draft(plan, planner):
    open_window(plan, planner)
    with pytest.raises(InvalidMove, match="already in consultation"):
        open_window(plan, planner)


def test_closing_consultation_closes_the_window(plan, planner):
    open_window(plan, planner)
    services.transition(plan, user=planner, to="draft")
    assert Consultation.objects.get().is_closed


# --- Comments -------------------------------------------------------------------------------


@pytest.fixture
def consulting(plan, planner, stakeholder):
    open_window(plan, planner, invited_users=[stakeholder])
    plan.refresh_from_db()
    return plan


IN_WINDOW = dt.date(2016, 1, 5)


def test_an_invited_stakeholder_comments_on_a_section(consulting, stakeholder):
    collection, key, label = target_choices(consulting)[0]
    assert (collection, label) == ("sections", "Urgent care")
    comment = services.add_comment(
        consulting,
        user=stakeholder,
        body="  What about NHS 111?  ",
        target_collection=collection,
        target_key=key,
        today=IN_WINDOW,
    )
    assert comment.body == "What about NHS 111?"
    assert comment.target_label == "Urgent care"
    assert comment.consultation == Consultation.objects.get()
    assert comment.author == stakeholder and not comment.is_answered


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2015, 12, 13), "opens on 14 December 2015"),
        (dt.date(2016, 1, 23), "closed on 22 January 2016"),
    ],
)
def test_invited_people_comment_only_inside_the_window(consulting, stakeholder, day, message):
    with pytest.raises(InvalidMove, match=message):
        services.add_comment(consulting, user=stakeholder, body="Late", today=day)
    for edge in (OPENS, CLOSES):
        services.add_comment(consulting, user=stakeholder, body="On the edge", today=edge)
    assert ConsultationComment.objects.count() == 2


def test_people_not_invited_cannot_comment(consulting, ccg):
    viewer = user_with_role(Role.VIEWER, ccg)
    with pytest.raises(NotAllowed, match="Only invited stakeholders"):
        services.add_comment(consulting, user=viewer, body="Hello", today=IN_WINDOW)


def test_no_comments_on_a_plan_not_out_for_consultation(plan, planner):
    with pytest.raises(InvalidMove, match="not out for consultation"):
        services.add_comment(plan, user=planner, body="Hello", today=IN_WINDOW)


def test_a_comment_needs_text_and_a_real_target(consulting, stakeholder):
    with pytest.raises(InvalidMove, match="Enter your comment") as empty:
        services.add_comment(consulting, user=stakeholder, body="   ", today=IN_WINDOW)
    assert empty.value.field == "body"
    with pytest.raises(InvalidMove, match="Choose a part of this plan") as unknown:
        services.add_comment(
            consulting,
            user=stakeholder,
            body="About nothing",
            target_collection="sections",
            target_key="00000000-0000-0000-0000-000000000000",
            today=IN_WINDOW,
        )
    assert unknown.value.field == "target"


def test_planning_managers_record_comments_for_stakeholders_at_any_time(consulting, planner, ccg):
    partner, locality = PartnerFactory(ccg=ccg, name="Rotherham MBC"), LocalityFactory(ccg=ccg)
    comment = services.add_comment(
        consulting,
        user=planner,
        body="From the select commission",
        partner=partner,
        locality=locality,
        today=dt.date(2016, 3, 1),
    )
    assert comment.stakeholder == "Rotherham MBC"
    assert (comment.partner, comment.locality, comment.author) == (partner, locality, planner)


def test_stakeholders_cannot_record_comments_for_others(consulting, stakeholder):
    with pytest.raises(NotAllowed, match="Only planning managers can record"):
        services.add_comment(
            consulting, user=stakeholder, body="X", on_behalf_of="Someone", today=IN_WINDOW
        )


def test_a_partner_of_another_ccg_is_refused(consulting, planner, other_ccg):
    with pytest.raises(InvalidMove) as refused:
        services.add_comment(
            consulting, user=planner, body="X", partner=PartnerFactory(ccg=other_ccg)
        )
    assert refused.value.field == "partner"


# --- Responses ------------------------------------------------------------------------------


@pytest.fixture
def comment(consulting, stakeholder):
    return services.add_comment(consulting, user=stakeholder, body="Add 111", today=IN_WINDOW)


@pytest.mark.parametrize("outcome", [Outcome.PARTLY_ACCEPTED, Outcome.NOT_ACCEPTED])
def test_a_reason_is_needed_unless_accepted(comment, planner, outcome):
    with pytest.raises(InvalidMove, match="Give the reason") as refused:
        services.respond_to_comment(comment, user=planner, response="No", outcome=outcome)
    assert refused.value.field == "outcome_reason"
    services.respond_to_comment(
        comment, user=planner, response="Partly", outcome=outcome, outcome_reason="Cost"
    )
    comment.refresh_from_db()
    assert (comment.outcome, comment.outcome_reason, comment.responded_by) == (
        outcome,
        "Cost",
        planner,
    )
    assert comment.responded_at is not None and comment.is_answered


def test_accepting_needs_no_reason(comment, planner):
    services.respond_to_comment(comment, user=planner, response="Yes", outcome="accepted")
    comment.refresh_from_db()
    assert comment.outcome == Outcome.ACCEPTED


def test_an_unknown_outcome_is_refused(comment, planner):
    with pytest.raises(InvalidMove) as refused:
        services.respond_to_comment(comment, user=planner, response="?", outcome="maybe")
    assert refused.value.field == "outcome"


def test_only_planning_managers_respond(comment, stakeholder, ccg):
    for user in (stakeholder, user_with_role(Role.GOVERNING_BODY, ccg)):
        with pytest.raises(NotAllowed):
            services.respond_to_comment(comment, user=user, response="Me", outcome="accepted")


def test_a_stale_response_is_a_conflict_carrying_both(comment, planner, ccg):
    other = user_with_role(Role.PLANNING_MANAGER, ccg)
    services.respond_to_comment(
        comment, user=other, response="First", outcome="accepted", expected_revision=1
    )
    with pytest.raises(EditConflict) as conflict:
        services.respond_to_comment(
            comment,
            user=planner,
            response="Second",
            outcome="not-accepted",
            outcome_reason="Why",
            expected_revision=1,
        )
    assert conflict.value.current.response == "First"
    assert conflict.value.attempted == {
        "response": "Second",
        "outcome": "not-accepted",
        "outcome_reason": "Why",
    }
    comment.refresh_from_db()
    assert (comment.response, comment.revision) == ("First", 2)


def test_responses_are_still_taken_after_consultation_closes(comment, planner, consulting):
    services.transition(consulting, user=planner, to="draft")
    services.respond_to_comment(comment, user=planner, response="Late", outcome="accepted")
    comment.refresh_from_db()
    assert comment.response == "Late"


# --- Milestones -----------------------------------------------------------------------------


def test_milestones_are_added_changed_and_deleted_by_planning_managers(plan, planner):
    milestone = services.add_milestone(
        plan, user=planner, title="Sign-off", due_on=dt.date(2016, 2, 10)
    )
    assert milestone.revision == 1 and milestone.is_overdue(dt.date(2016, 2, 11))
    assert not milestone.is_overdue(dt.date(2016, 2, 10))
    services.update_milestone(
        milestone, user=planner, expected_revision=1, done_on=dt.date(2016, 2, 12)
    )
    milestone.refresh_from_db()
    assert milestone.revision == 2 and not milestone.is_overdue(dt.date(2016, 3, 1))
    services.delete_milestone(milestone, user=planner)
    assert not Milestone.objects.exists()


def test_a_stale_milestone_edit_is_a_conflict(plan, planner):
    milestone = services.add_milestone(plan, user=planner, title="A", due_on=dt.date(2016, 1, 1))
    services.update_milestone(milestone, user=planner, expected_revision=1, title="B")
    with pytest.raises(EditConflict) as conflict:
        services.update_milestone(milestone, user=planner, expected_revision=1, title="C")
    assert conflict.value.current.title == "B" and conflict.value.attempted == {"title": "C"}


def test_milestone_fields_are_checked(plan, planner):
    with pytest.raises(ValidationError):
        services.add_milestone(plan, user=planner, title="", due_on=dt.date(2016, 1, 1))
    milestone = services.add_milestone(plan, user=planner, title="A", due_on=dt.date(2016, 1, 1))
    with pytest.raises(InvalidMove, match="cannot be changed here: plan"):
        services.update_milestone(milestone, user=planner, expected_revision=1, plan=None)


def test_only_planning_managers_change_milestones(plan, planner, ccg):
    milestone = services.add_milestone(plan, user=planner, title="A", due_on=dt.date(2016, 1, 1))
    board = user_with_role(Role.GOVERNING_BODY, ccg)
    with pytest.raises(NotAllowed):
        services.add_milestone(plan, user=board, title="B", due_on=dt.date(2016, 1, 1))
    with pytest.raises(NotAllowed):
        services.update_milestone(milestone, user=board, expected_revision=1, title="C")
    with pytest.raises(NotAllowed):
        services.delete_milestone(milestone, user=board)


@pytest.mark.parametrize("state", [PlanState.SUPERSEDED, PlanState.WITHDRAWN])
def test_finished_plans_keep_their_milestones(ccg, planner, state):
    plan = PlanFactory(ccg=ccg, state=state)
    with pytest.raises(InvalidMove, match="can no longer change"):
        services.add_milestone(plan, user=planner, title="B", due_on=dt.date(2016, 1, 1))


def test_published_plans_still_track_milestones(ccg, planner):
    plan = PlanFactory(ccg=ccg, state=PlanState.PUBLISHED)
    services.add_milestone(plan, user=planner, title="Annual review", due_on=dt.date(2016, 6, 1))
    assert plan.milestones.count() == 1
