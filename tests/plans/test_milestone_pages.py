"""The milestones tab: the plan's timeline, overdue ones flagged; planning managers add,
change, mark done and delete milestones."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.access import Role
from plans import services
from plans.models import Milestone, PlanState
from tests.factories import UserFactory, user_with_role
from tests.plans.factories import MilestoneFactory, PlanFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2016, 1, 5)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The pages' "today" is 5 January 2016 (timezone.localdate() with no value)."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def plan(ccg):
    return PlanFactory(ccg=ccg, state=PlanState.DRAFT, title="Commissioning Plan 2015-19")


@pytest.fixture
def timeline(plan):
    return {
        "late": MilestoneFactory(
            plan=plan, title="First draft to stakeholders", due_on=dt.date(2015, 12, 14)
        ),
        "done": MilestoneFactory(
            plan=plan,
            title="Engagement events",
            due_on=dt.date(2015, 11, 30),
            done_on=dt.date(2015, 11, 28),
        ),
        "ahead": MilestoneFactory(
            plan=plan, title="Governing body sign-off", due_on=dt.date(2016, 2, 10), note="GB"
        ),
    }


def list_url(plan):
    return reverse("plan-milestones", kwargs={"pk": plan.pk})


def row_html(html: str, milestone) -> str:
    match = re.search(rf'<tr [^>]*id="milestone-{milestone.pk}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {milestone}"
    return " ".join(match.group(1).split())


def test_the_timeline_flags_overdue_milestones(client, planner, timeline, plan):
    client.force_login(planner)
    html = client.get(list_url(plan)).content.decode()

    late = row_html(html, timeline["late"])
    assert "First draft to stakeholders" in late and "14 December 2015" in late
    assert "Overdue" in late
    done = row_html(html, timeline["done"])
    assert "Done" in done and "28 November 2015" in done and "Overdue" not in done
    ahead = row_html(html, timeline["ahead"])
    assert "Overdue" not in ahead and "Not done" in ahead
    assert "1 overdue</strong> as of 5 January 2016" in html
    # In date order.
    assert html.index("Engagement events") < html.index("First draft") < html.index("sign-off")


def test_the_overdue_flag_follows_today(client, planner, timeline, plan, monkeypatch):
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda value=None, timezone=None: dt.date(2015, 12, 1)
    )
    client.force_login(planner)
    html = client.get(list_url(plan)).content.decode()
    assert "Overdue" not in row_html(html, timeline["late"])


def test_planning_managers_see_the_actions_others_do_not(
    client, planner, role_user, timeline, plan
):
    client.force_login(planner)
    html = client.get(list_url(plan)).content.decode()
    assert "Add a milestone" in html
    assert "Mark done" in row_html(html, timeline["late"])
    assert "Mark done" not in row_html(html, timeline["done"])

    client.force_login(role_user(Role.VIEWER))
    html = client.get(list_url(plan)).content.decode()
    assert "First draft to stakeholders" in html
    assert "Add a milestone" not in html and "Mark done" not in html


def test_anyone_reading_a_public_plan_sees_its_milestones(client, ccg):
    plan = PlanFactory(ccg=ccg, state=PlanState.PUBLISHED, is_public=True)
    MilestoneFactory(plan=plan, title="Sign-off")
    assert "Sign-off" in client.get(list_url(plan)).content.decode()
    hidden = PlanFactory(ccg=ccg, state=PlanState.DRAFT)
    client.force_login(UserFactory())
    assert client.get(list_url(hidden)).status_code == 404


# --- Adding -----------------------------------------------------------------------------------


def create_url(plan):
    return reverse("plan-milestone-create", kwargs={"pk": plan.pk})


def test_a_planning_manager_adds_a_milestone(client, planner, plan):
    client.force_login(planner)
    assert client.get(create_url(plan)).status_code == 200
    response = client.post(
        create_url(plan),
        {
            "title": "Draft to stakeholders",
            "due_on-day": "14",
            "due_on-month": "12",
            "due_on-year": "2015",
            "note": "Mid-December",
        },
        follow=True,
    )
    milestone = Milestone.objects.get()
    assert (milestone.title, milestone.due_on, milestone.done_on, milestone.note) == (
        "Draft to stakeholders",
        dt.date(2015, 12, 14),
        None,
        "Mid-December",
    )
    assert response.redirect_chain[-1][0] == f"{list_url(plan)}#milestone-{milestone.pk}"
    assert "Milestone added: Draft to stakeholders." in response.content.decode()


def test_a_milestone_needs_a_title_and_a_real_due_date(client, planner, plan):
    client.force_login(planner)
    response = client.post(
        create_url(plan),
        {
            "title": "",
            "due_on-day": "30",
            "due_on-month": "2",
            "due_on-year": "2016",
            "done_on-day": "3",
        },
    )
    html = " ".join(response.content.decode().split())
    assert '<a href="#title" > Enter the milestone </a>' in html
    assert '<a href="#due_on-day" > The due date must be a real date </a>' in html
    assert (
        '<a href="#done_on-month" > The date it was done must include a month and a year </a>'
        in html
    )
    assert not Milestone.objects.exists()


def test_only_planning_managers_add_milestones(client, role_user, plan):
    client.force_login(role_user(Role.GOVERNING_BODY))
    assert client.get(create_url(plan)).status_code == 403
    data = {"title": "X", "due_on-day": "1", "due_on-month": "1", "due_on-year": "2016"}
    assert client.post(create_url(plan), data).status_code == 403
    assert not Milestone.objects.exists()


def test_a_withdrawn_plan_takes_no_more_milestones(client, planner, ccg):
    plan = PlanFactory(ccg=ccg, state=PlanState.WITHDRAWN)
    client.force_login(planner)
    page = client.get(create_url(plan))
    assert page.status_code == 200
    assert "This plan is withdrawn and can no longer change." in page.content.decode()


# --- Changing -------------------------------------------------------------------------------


def edit_url(milestone):
    return reverse(
        "plan-milestone-edit", kwargs={"pk": milestone.plan_id, "milestone_id": milestone.pk}
    )


def edit_data(revision, **values):
    data = {
        "revision": str(revision),
        "title": "Sign-off by the governing body",
        "due_on-day": "11",
        "due_on-month": "2",
        "due_on-year": "2016",
        "note": "",
    }
    return data | values


def test_a_planning_manager_changes_a_milestone(client, planner, timeline):
    milestone = timeline["ahead"]
    client.force_login(planner)
    page = client.get(edit_url(milestone)).content.decode()
    assert 'value="Governing body sign-off"' in page and 'name="due_on-year"' in page
    response = client.post(
        edit_url(milestone),
        edit_data(1, **{"done_on-day": "9", "done_on-month": "2", "done_on-year": "2016"}),
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.due_on, milestone.done_on, milestone.revision) == (
        "Sign-off by the governing body",
        dt.date(2016, 2, 11),
        dt.date(2016, 2, 9),
        2,
    )


def test_a_conflicting_edit_shows_both_and_keeps_what_was_typed(client, planner, timeline):
    milestone = timeline["ahead"]
    other = user_with_role(Role.PLANNING_MANAGER, milestone.plan.ccg)
    services.update_milestone(milestone, user=other, expected_revision=1, title="Saved first")

    client.force_login(planner)
    response = client.post(edit_url(milestone), edit_data(1, title="Typed second"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this after you started editing" in html
    assert "Saved first" in html and 'value="Typed second"' in html
    assert 'name="revision" value="2"' in html
    milestone.refresh_from_db()
    assert milestone.title == "Saved first"

    again = client.post(edit_url(milestone), edit_data(2, title="Typed second"))
    assert again.status_code == 302
    milestone.refresh_from_db()
    assert milestone.title == "Typed second"


# --- Marking done and deleting ---------------------------------------------------------------


def done_url(milestone):
    return reverse(
        "plan-milestone-done", kwargs={"pk": milestone.plan_id, "milestone_id": milestone.pk}
    )


def test_marking_done_records_today(client, planner, timeline):
    milestone = timeline["late"]
    client.force_login(planner)
    assert client.get(done_url(milestone)).status_code == 405
    response = client.post(done_url(milestone), {"revision": "1"}, follow=True)
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY
    assert "First draft to stakeholders marked done on 5 January 2016." in (
        response.content.decode()
    )
    assert "Overdue" not in row_html(response.content.decode(), milestone)


def test_marking_done_after_someone_changed_it_asks_to_check(client, planner, timeline):
    milestone = timeline["late"]
    services.update_milestone(milestone, user=planner, expected_revision=1, note="Moved")
    client.force_login(planner)
    response = client.post(done_url(milestone), {"revision": "1"}, follow=True)
    assert "has not been marked done" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.done_on is None


def test_only_planning_managers_mark_done(client, role_user, timeline):
    client.force_login(role_user(Role.VIEWER))
    assert client.post(done_url(timeline["late"]), {"revision": "1"}).status_code == 403
    timeline["late"].refresh_from_db()
    assert timeline["late"].done_on is None


def delete_url(milestone):
    return reverse(
        "plan-milestone-delete", kwargs={"pk": milestone.plan_id, "milestone_id": milestone.pk}
    )


def test_deleting_asks_first(client, planner, timeline):
    milestone = timeline["ahead"]
    client.force_login(planner)
    page = client.get(delete_url(milestone))
    assert "Delete this milestone?" in page.content.decode()
    assert Milestone.objects.filter(pk=milestone.pk).exists()
    response = client.post(delete_url(milestone), follow=True)
    assert "Milestone deleted: Governing body sign-off." in response.content.decode()
    assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_a_milestone_of_another_plan_is_not_found(client, planner, timeline, ccg):
    other = PlanFactory(ccg=ccg)
    url = reverse(
        "plan-milestone-edit", kwargs={"pk": other.pk, "milestone_id": timeline["late"].pk}
    )
    client.force_login(planner)
    assert client.get(url).status_code == 404
