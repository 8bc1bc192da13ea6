"""The versions tab, a frozen version, the diff (word by word, and the scrutiny table) and the
history tab, through the Django test client."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services
from plans.models import Plan
from tests.factories import user_with_role


@pytest.fixture
def board(role_user):
    return role_user(Role.GOVERNING_BODY)


@pytest.fixture
def published(ccg, planner, board):
    """Rotherham's 2015-19 plan, published, with the area of seed 000 as a section."""
    plan = services.create_plan(
        user=planner,
        ccg=ccg,
        kind="strategic-plan",
        title="Commissioning Plan 2015-19",
        first_year=FinancialYear(2015),
        last_year=FinancialYear(2018),
    )
    services.add_section(
        plan,
        user=planner,
        title="Joint commissioning with RMBC",
        body="In 2015-16 we will consolidate the Better Care Fund plan",
    )
    services.add_section(plan, user=planner, title="Primary Care", body="Co-commissioning")
    services.add_statement(plan, user=planner, kind="aim", text="Mental Health")
    services.transition(plan, user=planner, to="submitted", note="For February")
    services.transition(plan, user=board, to="approved")
    services.transition(plan, user=board, to="published")
    plan.refresh_from_db()
    return plan


@pytest.fixture
def refresh(published, planner):
    refresh = services.start_refresh(published, user=planner)
    joint = refresh.sections.get(title="Joint commissioning with RMBC")
    services.update_section(
        joint,
        user=planner,
        expected_revision=joint.revision,
        body="Review the current Better Care Fund initiatives",
    )
    services.add_section(refresh, user=planner, title="Response to CSE", body="Deliver Evolve")
    services.delete_section(refresh.sections.get(title="Primary Care"), user=planner)
    return refresh


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def test_the_versions_tab_lists_who_moved_the_plan_when_and_why(client, published, planner):
    response = signed_in(client, planner).get(reverse("plan-versions", kwargs={"pk": published.pk}))
    body = text(response)
    assert response.status_code == 200
    assert "Version 1" in body and "Version 3" in body
    assert "Draft 1" in body and "Final" in body and "For February" in body
    assert reverse("plan-version", kwargs={"pk": published.pk, "number": 2}) in body
    assert 'name="from"' in body and 'name="to"' in body


def test_scrutiny_sees_only_published_versions(client, published, role_user):
    scrutiny = role_user(Role.SCRUTINY)
    body = text(
        signed_in(client, scrutiny).get(reverse("plan-versions", kwargs={"pk": published.pk}))
    )
    assert "Version 3" in body and "Version 1" not in body
    url = reverse("plan-version", kwargs={"pk": published.pk, "number": 1})
    assert client.get(url).status_code == 404


def test_a_version_page_shows_the_frozen_content(client, published, planner):
    section = published.sections.get(title="Primary Care")
    Plan.objects.filter(pk=published.pk).update(state="draft")  # to edit it after freezing
    published.refresh_from_db()
    services.update_section(section, user=planner, expected_revision=None, body="Later text")
    response = signed_in(client, planner).get(
        reverse("plan-version", kwargs={"pk": published.pk, "number": 1})
    )
    body = text(response)
    assert "Co-commissioning" in body and "Later text" not in body
    assert "Mental Health" in body and "Draft 1" in body
    missing = reverse("plan-version", kwargs={"pk": published.pk, "number": 9})
    assert client.get(missing).status_code == 404


def test_the_diff_shows_changed_words_with_ins_and_del(client, refresh, planner):
    url = reverse("plan-diff", kwargs={"pk": refresh.pk})
    response = signed_in(client, planner).get(url, {"from": "parent", "to": "current"})
    assert response.status_code == 200
    body = text(response)
    assert "Summary of changes" in body
    assert (
        '<del class="app-diff__del"><span class="nhsuk-u-visually-hidden">removed: </span>' in body
    )
    assert '<ins class="app-diff__ins"><span class="nhsuk-u-visually-hidden">added: </span>' in body
    assert "Review" in body and "consolidate" in body
    assert "Response to CSE" in body and "Added" in body and "Removed" in body
    assert "Primary Care" in body


def test_the_diff_defaults_to_the_parent_for_a_refresh(client, refresh, planner):
    body = text(signed_in(client, planner).get(reverse("plan-diff", kwargs={"pk": refresh.pk})))
    assert "as published" in body and "Response to CSE" in body


def test_the_scrutiny_table_puts_current_beside_proposed(client, refresh, planner):
    response = signed_in(client, planner).get(
        reverse("plan-diff", kwargs={"pk": refresh.pk}),
        {"from": "parent", "to": "current", "view": "table"},
    )
    body = text(response)
    assert "Current plan states" in body and "Proposed for 2016/17" in body
    row = (
        body[body.index("Joint commissioning with RMBC</th>") :]
        if ("Joint commissioning with RMBC</th>" in body)
        else body[body.index("Joint commissioning with RMBC") :]
    )
    assert row.index("consolidate the Better Care Fund") < row.index("Review the current")


def test_comparing_two_versions_by_number(client, published, planner):
    body = text(
        signed_in(client, planner).get(
            reverse("plan-diff", kwargs={"pk": published.pk}), {"from": "1", "to": "3"}
        )
    )
    assert "There are no differences between these two." in body
    bad = reverse("plan-diff", kwargs={"pk": published.pk})
    assert client.get(bad, {"from": "7"}).status_code == 404
    assert client.get(bad, {"from": "parent"}).status_code == 404  # it refreshes nothing
    assert client.get(bad, {"from": "x"}).status_code == 404


def test_history_shows_who_changed_which_fields(client, refresh, planner):
    joint = refresh.sections.get(title="Joint commissioning with RMBC")
    services.update_section(joint, user=planner, expected_revision=None, body="Explore joint work")
    response = signed_in(client, planner).get(reverse("plan-history", kwargs={"pk": refresh.pk}))
    assert response.status_code == 200
    body = text(response)
    assert "Section: Joint commissioning with RMBC" in body
    assert "Changed" in body and "Deleted" in body and "Created" in body
    assert "Body:" in body and "Review the current Better Care Fund initiatives" in body
    assert "Explore joint work" in body
    # The refresh's copied sections have no creation row to compare their first change with.
    assert "The version before this change was not recorded." not in body
    assert "Annual refresh of Commissioning Plan 2015-19" in body  # the change reason


def test_history_takes_the_same_number_of_queries_however_long(client, refresh, planner):
    client = signed_in(client, planner)
    url = reverse("plan-history", kwargs={"pk": refresh.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    section = refresh.sections.first()
    for number in range(8):
        services.update_section(section, user=planner, expected_revision=None, body=f"v{number}")
        services.add_statement(refresh, user=planner, kind="value", text=f"Value {number}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_history_is_for_people_with_a_role_in_the_ccg(client, published, role_user, other_ccg):
    url = reverse("plan-history", kwargs={"pk": published.pk})
    assert signed_in(client, role_user(Role.SCRUTINY)).get(url).status_code == 200
    Plan.objects.filter(pk=published.pk).update(is_public=True)
    outsider = user_with_role(Role.PLANNING_MANAGER, other_ccg)
    assert (
        signed_in(client, outsider)
        .get(reverse("plan-detail", kwargs={"pk": published.pk}))
        .status_code
        == 200
    )
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
