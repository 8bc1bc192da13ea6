"""Who reads which plans and what hangs under them (plans/queries.py)."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from commissioning.access import Role
from plans import services
from plans.models import ConsultationComment, Milestone, Plan, PlanVersion, Section
from tests.factories import UserFactory, user_with_role
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Plan.objects.for_user(user))


@pytest.fixture
def plans(ccg, other_ccg):
    return {
        "draft": PlanFactory(ccg=ccg, state="draft"),
        "submitted": PlanFactory(ccg=ccg, state="submitted"),
        "published": PlanFactory(ccg=ccg, state="published"),
        "superseded": PlanFactory(ccg=ccg, state="superseded"),
        "public": PlanFactory(ccg=ccg, state="published", is_public=True),
        "public-draft": PlanFactory(ccg=ccg, state="draft", is_public=True),
        "elsewhere": PlanFactory(ccg=other_ccg, state="published"),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        (Role.PLANNING_MANAGER, {"draft", "submitted", "published", "superseded", "public",
                                 "public-draft"}),
        (Role.GOVERNING_BODY, {"draft", "submitted", "published", "superseded", "public",
                               "public-draft"}),
        (Role.VIEWER, {"draft", "submitted", "published", "superseded", "public",
                       "public-draft"}),
        (Role.SCRUTINY, {"published", "superseded", "public"}),
        ("no-role", {"public"}),
        ("anonymous", {"public"}),
        (Role.ASSURER, {"draft", "submitted", "published", "superseded", "public",
                        "public-draft", "elsewhere"}),
    ],
)  # fmt: skip
def test_who_sees_which_plans(ccg, plans, who, sees):
    if who == "anonymous":
        user = AnonymousUser()
    elif who == "no-role":
        user = UserFactory()
    elif who == Role.ASSURER:
        user = user_with_role(Role.ASSURER)
    else:
        user = user_with_role(who, ccg)
    assert visible(user) == {plans[name] for name in sees}


def test_invited_scrutiny_members_read_a_plan_in_consultation(draft_plan, planner, scrutiny):
    assert draft_plan not in visible(scrutiny)
    services.open_consultation(
        draft_plan,
        user=planner,
        opens_on=dt.date(2015, 12, 14),
        closes_on=dt.date(2016, 1, 22),
        invited_users=[scrutiny],
    )
    assert draft_plan in visible(scrutiny)
    assert set(Section.objects.for_user(scrutiny)) == set(draft_plan.sections.all())
    # Not every scrutiny member: only those invited.
    assert draft_plan not in visible(user_with_role(Role.SCRUTINY, draft_plan.ccg))
    # Closing the consultation ends the invitation.
    services.transition(draft_plan, user=planner, to="draft")
    assert draft_plan not in visible(scrutiny)


def test_content_follows_its_plan(plans, ccg):
    for plan in plans.values():
        Milestone.objects.create(plan=plan, title="Sign-off", due_on=dt.date(2016, 2, 1))
    scrutiny = user_with_role(Role.SCRUTINY, ccg)
    assert {m.plan for m in Milestone.objects.for_user(scrutiny)} == {
        plans["published"],
        plans["superseded"],
        plans["public"],
    }
    assert {m.plan for m in Milestone.objects.for_user(AnonymousUser())} == {plans["public"]}


def test_scrutiny_members_see_only_published_versions(published_plan, scrutiny, planner):
    all_versions = set(published_plan.versions.all())
    assert len(all_versions) == 3
    assert set(PlanVersion.objects.for_user(planner)) == all_versions
    assert [v.to_state for v in PlanVersion.objects.for_user(scrutiny)] == ["published"]


def test_consultation_comments_are_for_people_with_a_role_in_the_ccg(
    draft_plan, planner, scrutiny, other_planner
):
    services.open_consultation(
        draft_plan, user=planner, opens_on=dt.date(2015, 12, 14),
        closes_on=dt.date(2016, 1, 22), invited_users=[scrutiny],
    )  # fmt: skip
    services.add_comment(
        draft_plan, user=planner, body="More on CAMHS", on_behalf_of="Healthwatch Rotherham"
    )
    # Even once the plan is published and public, comments stay with the CCG's people.
    Plan.objects.filter(pk=draft_plan.pk).update(state="published", is_public=True)
    assert draft_plan in visible(AnonymousUser())
    assert ConsultationComment.objects.for_user(planner).count() == 1
    assert ConsultationComment.objects.for_user(scrutiny).count() == 1
    assert ConsultationComment.objects.for_user(other_planner).count() == 0
    assert ConsultationComment.objects.for_user(AnonymousUser()).count() == 0
