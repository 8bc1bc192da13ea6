"""The delivery tab and progress pages: the tracker with its filters, counts and overdue flags;
recording progress on actions and commitments for the right role and plan state; access."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.access import Role
from commissioning.years import FinancialYear
from priorities import services
from priorities.models import DuePrecision, ProgressUpdate
from tests.access.actors import ACTORS, READS_A
from tests.access.world import build_world, client_for
from tests.factories import LocalityFactory, UserFactory, user_with_role
from tests.plans.factories import PlanFactory
from tests.priorities.factories import ActionFactory, CommitmentFactory, PriorityFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2013, 11, 15)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def planner(ccg):
    return user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")


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
    south = LocalityFactory(ccg=ccg, name="South Dales")
    older = PriorityFactory(plan=plan, title="Older people", order=1)
    mental = PriorityFactory(plan=plan, title="Mental health", order=2)
    care = CommitmentFactory(
        priority=older, text="We will integrate care", lead="Jo Smith", locality=south
    )
    dementia = CommitmentFactory(priority=mental, text="We will diagnose dementia early")
    return {
        "older": older,
        "mental": mental,
        "south": south,
        "care": care,
        "dementia": dementia,
        "teams": ActionFactory(
            commitment=care,
            text="Set up locality teams",
            lead="Jo Smith",
            due_on=dt.date(2013, 9, 30),
            due_precision=DuePrecision.QUARTER,
        ),
        "clinic": ActionFactory(
            commitment=dementia,
            text="Open a memory clinic",
            lead="Sam Patel",
            due_on=dt.date(2014, 3, 31),
            status="at-risk",
        ),
    }


def tracker_url(plan, **params):
    url = reverse("plan-delivery", kwargs={"pk": plan.pk})
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def progress_url(plan, action):
    return reverse("plan-action-progress", kwargs={"pk": plan.pk, "action_id": action.pk})


def commitment_url(plan, commitment):
    return reverse(
        "plan-commitment-progress", kwargs={"pk": plan.pk, "commitment_id": commitment.pk}
    )


def squash(html: str) -> str:
    return " ".join(html.split())


def row_html(html: str, row_id: str) -> str:
    match = re.search(rf'<tr [^>]*id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return squash(match.group(1))


def counts_row(html: str, priority: str) -> list[str]:
    table = re.search(r'<table class="nhsuk-table app-delivery-counts">(.*?)</table>', html, re.S)
    assert table
    row = re.search(rf"<th [^>]*>{priority}</th>(.*?)</tr>", table.group(1), re.S)
    assert row, f"no counts for {priority}"
    return re.findall(r">(\d+)</td>", row.group(1))


def update(subject, status="on-track", narrative="On plan", **extra):
    data = {
        "status": status,
        "narrative": narrative,
        "reported_on-day": "15",
        "reported_on-month": "11",
        "reported_on-year": "2013",
    }
    return data | extra


# --- The tracker --------------------------------------------------------------------------------


def test_the_tracker_lists_commitments_and_actions(client, planner, plan, content):
    client.force_login(planner)
    response = client.get(tracker_url(plan))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">Delivery</a>' in html
    teams = row_html(html, f"action-{content['teams'].pk}")
    assert "Set up locality teams" in teams and "For: We will integrate care" in teams
    assert "Older people" in teams and "Jo Smith" in teams and "South Dales" in teams
    assert "Q2 2013/14" in teams and "Overdue" in teams
    assert "Not started (grey)" in teams and "No updates yet" in teams
    clinic = row_html(html, f"action-{content['clinic'].pk}")
    assert "At risk (amber)" in clinic and "Overdue" not in clinic
    care = row_html(html, f"commitment-{content['care'].pk}")
    assert "Commitment" in care and "Overdue" not in care
    summary = squash(html)
    assert "2 commitments and 2 actions; <strong>1 overdue</strong>." in summary
    assert f'href="/api/v1/actions/?plan={plan.pk}&amp;format=csv"' in html
    # Counts by status (not started, on track, at risk, off track, complete, all).
    assert counts_row(html, "Older people") == ["1", "0", "0", "0", "0", "1"]
    assert counts_row(html, "Mental health") == ["0", "0", "1", "0", "0", "1"]
    assert counts_row(html, "All priorities") == ["1", "0", "1", "0", "0", "2"]


def test_the_tracker_filters_without_javascript(client, planner, plan, content):
    client.force_login(planner)
    html = client.get(tracker_url(plan, overdue="on")).content.decode()
    assert "Set up locality teams" in html and "Open a memory clinic" not in html
    assert f'id="commitment-{content["care"].pk}"' not in html  # commitments have no due date
    assert "Clear filters" in html
    html = client.get(tracker_url(plan, priority=content["mental"].pk)).content.decode()
    assert "Open a memory clinic" in html and "Set up locality teams" not in html
    assert re.search(rf'<option value="{content["mental"].pk}"\s+selected', html)
    html = client.get(tracker_url(plan, status="at-risk", lead="Sam+Patel")).content.decode()
    assert "Open a memory clinic" in html
    assert f'id="commitment-{content["dementia"].pk}"' not in html
    html = client.get(tracker_url(plan, quarter="2013/14+Q2")).content.decode()
    assert "Set up locality teams" in html and "Open a memory clinic" not in html
    html = client.get(tracker_url(plan, locality=content["south"].pk)).content.decode()
    assert "Set up locality teams" in html and "Open a memory clinic" not in html


def test_a_filter_not_offered_is_reported(client, planner, plan, content):
    client.force_login(planner)
    response = client.get(tracker_url(plan, priority=999999, status="at-risk"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and 'href="#priority"' in html
    assert "Choose a priority from the list" in html
    assert "<title>Error: " in html
    # The valid filter still applies.
    assert "Open a memory clinic" in html and "Set up locality teams" not in html


def test_no_rows_says_so(client, planner, plan, content):
    client.force_login(planner)
    html = client.get(tracker_url(plan, status="off-track")).content.decode()
    assert "No commitments or actions match these filters." in html


def tracker_queries(client, plan) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(tracker_url(plan))
    assert response.status_code == 200
    return len(queries)


def fill(plan, actions: int):
    priority = PriorityFactory(plan=plan)
    locality = LocalityFactory(ccg=plan.ccg)
    for n in range(actions // 5):
        commitment = CommitmentFactory(priority=priority, locality=locality, lead=f"Lead {n}")
        for action in ActionFactory.create_batch(
            5, commitment=commitment, lead=f"Lead {n}", due_on=dt.date(2013, 6, 30)
        ):
            ProgressUpdate.objects.create(
                plan=plan, action=action, status="on-track", narrative="Fine", reported_on=TODAY
            )


def test_the_tracker_page_reads_a_constant_number_of_times(client, planner, ccg):
    small = PlanFactory(ccg=ccg, state="published")
    large = PlanFactory(ccg=ccg, state="published")
    fill(small, 5)
    fill(large, 50)
    client.force_login(planner)
    assert tracker_queries(client, small) == tracker_queries(client, large)


# --- Progress -----------------------------------------------------------------------------------


def test_the_progress_page_lists_updates(client, planner, plan, content):
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
        illustrative=True,
    )
    client.force_login(planner)
    html = squash(client.get(progress_url(plan, teams)).content.decode())
    assert "Set up locality teams" in html and "We will integrate care" in html
    assert "Q2 2013/14 (overdue)" in html
    assert html.index("Two vacancies") < html.index("Recruiting")  # latest first
    assert "1 November 2013" in html and "Lydia George" in html
    assert "Illustrative" in html and "At risk (amber)" in html
    # The form: status radios with their RAG colours, the date defaulting to today.
    assert "Record progress" in html and "RAG: Amber" in html
    for part, value in (("day", "15"), ("month", "11"), ("year", "2013")):
        box = re.search(rf'<input [^>]*name="reported_on-{part}"[^>]*>', html)
        assert box and f'value="{value}"' in box.group(0), part


def test_a_planning_manager_records_progress(client, planner, plan, content):
    teams = content["teams"]
    client.force_login(planner)
    response = client.post(
        progress_url(plan, teams), update(teams, "at-risk", "Two vacancies", back="overdue=on")
    )
    assert response.status_code == 302
    assert response["Location"] == tracker_url(plan, overdue="on") + f"#action-{teams.pk}"
    teams.refresh_from_db()
    assert teams.status == "at-risk"
    saved = ProgressUpdate.objects.get(action=teams)
    assert (saved.narrative, saved.reported_on, saved.reported_by) == (
        "Two vacancies",
        TODAY,
        planner,
    )
    html = client.get(response["Location"]).content.decode()
    assert "Progress recorded: at risk as of 15 November 2013." in html
    assert "At risk (amber)" in row_html(html, f"action-{teams.pk}")


def test_the_way_back_keeps_only_tracker_filters(client, planner, plan, content):
    teams = content["teams"]
    client.force_login(planner)
    response = client.post(
        progress_url(plan, teams), update(teams, back="next=https://evil.example/&status=on-track")
    )
    assert response["Location"] == tracker_url(plan, status="on-track") + f"#action-{teams.pk}"


def test_progress_on_a_commitment(client, planner, plan, content):
    care = content["care"]
    client.force_login(planner)
    response = client.post(commitment_url(plan, care), update(care, "on-track", "Board agreed"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#commitment-{care.pk}")
    care.refresh_from_db()
    assert care.status == "on-track"
    html = client.get(commitment_url(plan, care)).content.decode()
    assert "Board agreed" in html and "Commitment" in html


@pytest.mark.parametrize(
    ("data", "message", "href"),
    [
        ({"status": ""}, "Choose the delivery status", "#status"),
        ({"narrative": " "}, "Say what has happened since the last update", "#narrative"),
        (
            {"reported_on-day": "16"},
            "The date of an update cannot be in the future.",
            "#reported_on-day",
        ),
        ({"reported_on-month": ""}, "The date reported must include a month", "#reported_on-month"),
    ],
)
def test_progress_errors_are_summarised(client, planner, plan, content, data, message, href):
    teams = content["teams"]
    client.force_login(planner)
    response = client.post(progress_url(plan, teams), update(teams) | data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html and f'href="{href}"' in html
    assert not ProgressUpdate.objects.filter(action=teams).exists()


def test_a_draft_plan_takes_no_progress(client, planner, ccg):
    draft = PlanFactory(ccg=ccg, state="draft")
    action = ActionFactory(commitment=CommitmentFactory(priority=PriorityFactory(plan=draft)))
    client.force_login(planner)
    html = client.get(progress_url(draft, action)).content.decode()
    reason = "Progress is recorded once the plan is approved or published."
    assert reason in html and "Record progress</button>" not in html
    response = client.post(progress_url(draft, action), update(action))
    assert response.status_code == 409 and reason in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_other_roles_read_progress_but_do_not_record_it(client, plan, content, role_user):
    board = role_user(Role.GOVERNING_BODY)
    teams = content["teams"]
    client.force_login(board)
    html = client.get(progress_url(plan, teams)).content.decode()
    reason = "Only planning managers of Rotherham can record progress."
    assert reason in html and 'name="narrative"' not in html
    response = client.post(progress_url(plan, teams), update(teams))
    assert response.status_code == 403 and reason in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_an_action_of_another_plan_is_not_found(client, planner, plan, content, ccg):
    other = PlanFactory(ccg=ccg, state="published")
    client.force_login(planner)
    assert client.get(progress_url(other, content["teams"])).status_code == 404


def test_public_readers_do_not_see_who_reported(client, planner, plan, content):
    plan.is_public = True
    plan.save()
    services.record_progress(
        content["teams"], user=planner, status="on-track", narrative="Recruiting", reported_on=TODAY
    )
    html = client.get(progress_url(plan, content["teams"])).content.decode()
    assert "Recruiting" in html and "Lydia George" not in html and "The CCG" in html
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(tracker_url(plan)).status_code == 200


# --- Access: a complete update posted by every actor on the world's published plan ----------


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("actor", ACTORS)
def test_who_records_progress_on_a_published_plan(world, actor):
    plan, action = world.things["plan_a"], world.things["action_a"]
    before = ProgressUpdate.objects.filter(action=action).count()
    response = client_for(world, actor).post(progress_url(plan, action), update(action))
    writers = {Role.PLANNING_MANAGER, "staff"}
    if actor == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif actor in writers:
        assert response.status_code == 302, response.status_code
    elif actor in READS_A:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    created = ProgressUpdate.objects.filter(action=action).count() - before
    assert created == (1 if actor in writers else 0)


@pytest.mark.parametrize("actor", ACTORS)
def test_who_reads_the_tracker(world, actor):
    response = client_for(world, actor).get(tracker_url(world.things["plan_a"]))
    if actor == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if actor in READS_A else 404)
        if actor in READS_A:
            assert world.things["action_a"].text in response.content.decode()
