"""The priorities tab: what each role reads, delivery status with its RAG colour in words,
read-only once the plan is approved, and the history tab listing the priorities' changes."""

import datetime as dt

from django.urls import reverse

from commissioning.access import Role
from plans import services as plan_services
from plans.models import Plan
from priorities import services
from tests.factories import user_with_role
from tests.priorities.test_pages_support import (  # noqa: F401 (fixtures)
    content_fixture,
    item_url,
    locality_fixture,
    published_fixture,
    signed_in,
    tab_url,
    text,
)


def test_the_tab_shows_priorities_commitments_actions_measures_and_focus(client, content, planner):
    response = signed_in(client, planner).get(tab_url(content["plan"]))
    assert response.status_code == 200
    body = text(response)
    for words in (
        "Older people and people with a long term condition",
        "Our objective is to integrate services",
        "Services work together to promote independence into old age",
        "Older people live independently",
        "We will redesign community services in each locality",
        "Lead: Head of Community Services · Locality: Derby Advanced Commissioning",
        "Review Single Point of Access in each locality",
        "Lead: Locality lead · Due: 30 September 2015",
        "Due: Q3 2015/16",
        "Emergency admissions for ambulatory care sensitive conditions",
        "1,200 (2014/15)",
        "Reduce by 10%",
        "Discharge planning",
    ):
        assert words in body, words
    # A planning manager of a draft plan gets the controls.
    for control in (
        "Add a priority",
        "Add a commitment",
        "Add an action",
        "Add a success measure",
        "Add a locality focus area",
        "Move down",
    ):
        assert control in body, control
    edit = item_url("plan-commitment-edit", content["commitment"])
    assert f'href="{edit}"' in body and f'hx-get="{edit}"' in body


def test_the_tab_is_a_tab_of_the_plan(client, content, planner):
    body = text(signed_in(client, planner).get(tab_url(content["plan"])))
    assert f'href="{tab_url(content["plan"])}" aria-current="page">Priorities</a>' in body
    on_a_page = reverse("plan-on-a-page", kwargs={"pk": content["plan"].pk})
    assert f'href="{on_a_page}"' in body


def test_readers_get_no_controls(client, content, ccg):
    for role in (Role.GOVERNING_BODY, Role.VIEWER):
        body = text(signed_in(client, user_with_role(role, ccg)).get(tab_url(content["plan"])))
        assert "We will redesign community services" in body
        assert "Add a priority" not in body and "Move down" not in body
        assert "/edit/" not in body.split('id="priorities"')[1]


def test_who_reads_the_tab(client, content, ccg, other_planner):
    url = tab_url(content["plan"])
    scrutiny = user_with_role(Role.SCRUTINY, ccg)
    assert signed_in(client, scrutiny).get(url).status_code == 404  # a draft is internal
    assert signed_in(client, other_planner).get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_scrutiny_and_the_public_read_a_published_plan(client, published, ccg, planner):
    plan = published["plan"]
    scrutiny = user_with_role(Role.SCRUTINY, ccg)
    body = text(signed_in(client, scrutiny).get(tab_url(plan)))
    assert "We will redesign community services" in body and "Add a priority" not in body
    client.logout()
    assert client.get(tab_url(plan)).status_code == 302
    Plan.objects.filter(pk=plan.pk).update(is_public=True)
    assert client.get(tab_url(plan)).status_code == 200


def test_delivery_status_is_shown_in_words_with_its_rag_colour(client, published, planner):
    action = published["dated"]
    services.record_progress(
        action,
        user=planner,
        status="at-risk",
        narrative="Procurement delayed",
        reported_on=dt.date(2015, 8, 1),
    )
    services.record_progress(
        published["quarterly"],
        user=planner,
        status="complete",
        narrative="Done",
        reported_on=dt.date(2015, 8, 1),
    )
    body = text(signed_in(client, planner).get(tab_url(published["plan"])))
    row = body.split(f'id="action-{action.pk}"')[1].split("</li>")[0]
    assert "At risk" in row and "nhsuk-tag--yellow" in row and "(RAG amber)" in row
    assert "Delivery status: " in row
    # Past its due date and not complete: flagged as overdue, in words.
    assert "Overdue" in row
    done = body.split(f'id="action-{published["quarterly"].pk}"')[1].split("</li>")[0]
    assert "Complete" in done and "(RAG blue)" in done and "Overdue" not in done
    # The commitment, with no update of its own, rolls its actions up: at risk.
    commitment = body.split(f'id="commitment-{published["commitment"].pk}-body"')[1]
    assert "At risk" in commitment.split("</p>")[0]


def test_read_only_once_approved(client, published, planner):
    plan = published["plan"]
    body = text(signed_in(client, planner).get(tab_url(plan)))
    assert "published and read-only" in body  # the reason, for the planning manager
    assert "Add a priority" not in body and "Move up" not in body and "Move down" not in body
    assert "/edit/" not in body.split('id="priorities"')[1]
    commitment = published["commitment"]
    edit = item_url("plan-commitment-edit", commitment)
    assert client.get(edit).status_code == 409
    response = client.post(edit, {"text": "We will change", "revision": "1"})
    assert response.status_code == 409
    assert "Start an annual refresh to change it." in text(response)
    moved = client.post(item_url("plan-action-move", published["quarterly"]), {"direction": "up"})
    assert moved.status_code == 409
    new = reverse("plan-priority-new", kwargs={"pk": plan.pk})
    assert client.post(new, {"title": "Another"}).status_code == 409
    deleted = client.post(item_url("plan-priority-delete", published["priority"]))
    assert deleted.status_code == 409
    commitment.refresh_from_db()
    assert commitment.text == "We will redesign community services in each locality"
    assert plan.priorities.count() == 1
    assert list(commitment.actions.order_by("order").values_list("pk", flat=True)) == [
        published["dated"].pk,
        published["quarterly"].pk,
    ]


def test_only_planning_managers_change_a_draft(client, content, ccg):
    board = user_with_role(Role.GOVERNING_BODY, ccg)
    edit = item_url("plan-commitment-edit", content["commitment"])
    assert signed_in(client, board).get(edit).status_code == 403
    response = client.post(edit, {"text": "We will change", "revision": "1"})
    assert response.status_code == 403
    assert "Only planning managers of Rotherham can change this plan." in text(response)


def test_an_item_of_another_plan_is_not_found(client, content, planner, ccg):
    other = plan_services.create_plan(
        user=planner,
        ccg=ccg,
        kind="delivery-plan",
        title="Other",
        first_year=content["plan"].first_year,
        last_year=content["plan"].first_year,
    )
    url = reverse(
        "plan-commitment-edit", kwargs={"pk": other.pk, "item_id": content["commitment"].pk}
    )
    assert signed_in(client, planner).get(url).status_code == 404


def test_the_history_tab_lists_a_commitment_change(client, content, planner):
    commitment = content["commitment"]
    signed_in(client, planner).post(
        item_url("plan-commitment-edit", commitment),
        {
            "text": commitment.text,
            "lead": "Chief Nurse",
            "locality": "",
            "revision": str(commitment.revision),
        },
    )
    body = text(client.get(reverse("plan-history", kwargs={"pk": content["plan"].pk})))
    assert "Commitment: We will redesign community services in each locality" in body
    assert "Head of Community Services" in body and "Chief Nurse" in body
    assert "Priority: Older people and people with a long term condition" in body
    assert "Action: Review Single Point of Access in each locality" in body
    assert "Locality focus area: Discharge planning" in body
