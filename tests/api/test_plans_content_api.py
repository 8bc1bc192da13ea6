"""The plans API: sections, statements, milestones and consultation comments."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from commissioning.access import Role
from plans import services
from plans.models import ConsultationComment, Milestone, Section
from tests.factories import PartnerFactory, user_with_role
from tests.plans.factories import MilestoneFactory, PlanFactory, SectionFactory, StatementFactory


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def people(ccg, other_ccg):
    return {
        "pm": user_with_role(Role.PLANNING_MANAGER, ccg, username="pm"),
        "pm2": user_with_role(Role.PLANNING_MANAGER, ccg, username="pm2"),
        "gb": user_with_role(Role.GOVERNING_BODY, ccg, username="gb"),
        "scrutiny": user_with_role(Role.SCRUTINY, ccg, username="scrutiny"),
        "scrutiny2": user_with_role(Role.SCRUTINY, ccg, username="scrutiny2"),
        "viewer": user_with_role(Role.VIEWER, ccg, username="viewer"),
        "outsider": user_with_role(Role.PLANNING_MANAGER, other_ccg, username="outsider"),
    }


@pytest.fixture
def clients(people):
    return {name: client_as(user) for name, user in people.items()}


@pytest.fixture
def plan(ccg):
    return PlanFactory(ccg=ccg, title="Commissioning Plan 2015-19")


# --- Sections -----------------------------------------------------------------------------


def test_section_create_renders_markdown_safely(clients, plan):
    response = clients["pm"].post(
        "/api/v1/sections/",
        {
            "plan": plan.pk,
            "title": "Context",
            "body": "# Our area\n\nWe serve **257,000** people.<script>alert(1)</script>",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["plan"] == plan.pk and body["order"] == 1 and body["revision"] == 1
    assert "<h2>Our area</h2>" in body["body_html"]
    assert "<strong>257,000</strong>" in body["body_html"]
    assert "<script>" not in body["body_html"]
    assert body["key"] and response["ETag"] == '"1"'
    second = clients["pm"].post(
        "/api/v1/sections/", {"plan": plan.pk, "title": "Finance"}, format="json"
    )
    assert second.json()["order"] == 2 and second.json()["body"] == ""


def test_only_planning_managers_write_sections(clients, plan):
    section = SectionFactory(plan=plan)
    for who in ("gb", "viewer"):
        created = clients[who].post(
            "/api/v1/sections/", {"plan": plan.pk, "title": "Mine"}, format="json"
        )
        assert created.status_code == 403
        assert created.json()["detail"] == (
            "Only planning managers of Rotherham can change this plan."
        )
        assert clients[who].delete(f"/api/v1/sections/{section.pk}/").status_code == 403
    # Scrutiny members and other CCGs do not see the draft at all.
    refused = clients["scrutiny"].post(
        "/api/v1/sections/", {"plan": plan.pk, "title": "Mine"}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["field"] == "plan"
    assert clients["outsider"].patch(f"/api/v1/sections/{section.pk}/", {}).status_code == 404
    assert list(plan.sections.all()) == [section]


def test_two_editors_of_one_section_see_both_texts(clients, plan):
    section = SectionFactory(plan=plan, body="Care closer to home.")
    url = f"/api/v1/sections/{section.pk}/"
    etag = clients["pm"].get(url)["ETag"]
    assert etag == '"1"'
    mine = clients["pm"].patch(url, {"body": "Care at home."}, format="json", HTTP_IF_MATCH=etag)
    assert mine.status_code == 200 and mine["ETag"] == '"2"'
    theirs = clients["pm2"].patch(
        url, {"body": "Care in the community."}, format="json", HTTP_IF_MATCH=etag
    )
    assert theirs.status_code == 412
    body = theirs.json()
    assert body["current"]["body"] == "Care at home."
    assert body["attempted"] == {"body": "Care in the community."}
    assert body["saved_by"] == "pm"
    # The same with the revision in the body: 409.
    again = clients["pm2"].patch(
        url, {"body": "Care in the community.", "revision": 1}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["current"]["body"] == "Care at home."
    assert again.json()["attempted"]["body"] == "Care in the community."
    fresh = clients["pm2"].patch(
        url, {"body": "Care in the community.", "revision": 2}, format="json"
    )
    assert fresh.status_code == 200 and fresh.json()["revision"] == 3
    section.refresh_from_db()
    assert section.body == "Care in the community."


def test_section_put_delete_and_fixed_plan(clients, plan, ccg):
    section = SectionFactory(plan=plan, title="Old", order=3)
    url = f"/api/v1/sections/{section.pk}/"
    put = clients["pm"].put(
        url, {"plan": plan.pk, "title": "New", "body": "Text", "order": 1}, format="json"
    )
    assert put.status_code == 200, put.json()
    assert (put.json()["title"], put.json()["order"]) == ("New", 1)
    elsewhere = PlanFactory(ccg=ccg)
    moved = clients["pm"].patch(url, {"plan": elsewhere.pk}, format="json")
    assert moved.status_code == 400 and moved.json()["field"] == "plan"
    assert clients["pm"].delete(url).status_code == 204
    assert not Section.objects.filter(pk=section.pk).exists()


def test_published_plan_content_is_read_only(clients, ccg):
    published = PlanFactory(ccg=ccg, state="published")
    section = SectionFactory(plan=published)
    response = clients["pm"].patch(
        f"/api/v1/sections/{section.pk}/", {"title": "New"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "read-only"
    assert clients["pm"].delete(f"/api/v1/sections/{section.pk}/").status_code == 409
    # Scrutiny members read the published section, but cannot write it.
    assert clients["scrutiny"].get(f"/api/v1/sections/{section.pk}/").status_code == 200
    refused = clients["scrutiny"].patch(
        f"/api/v1/sections/{section.pk}/", {"title": "New"}, format="json"
    )
    assert refused.status_code == 403


def test_sections_filter_by_plan_and_ccg(clients, plan, ccg, other_ccg):
    other_plan = PlanFactory(ccg=ccg)
    SectionFactory(plan=plan, title="A")
    SectionFactory(plan=other_plan, title="B")
    SectionFactory(plan=PlanFactory(ccg=other_ccg), title="C")
    assessor = client_as(user_with_role(Role.ASSURER))

    def titles(**query):
        return sorted(
            s["title"] for s in assessor.get("/api/v1/sections/", query).json()["results"]
        )

    assert titles(plan=plan.pk) == ["A"]
    assert titles(ccg="03L") == ["A", "B"]
    assert titles(ccg="04R") == ["C"]


# --- Statements -------------------------------------------------------------------------


def test_statements_create_update_filter(clients, plan):
    created = clients["pm"].post(
        "/api/v1/plan-statements/",
        {"plan": plan.pk, "kind": "principle", "group": "Core principles", "text": "Fairness"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["order"] == 1 and created.json()["group"] == "Core principles"
    StatementFactory(plan=plan, kind="aim", text="Healthy lives")
    statement_id = created.json()["id"]
    updated = clients["pm"].patch(
        f"/api/v1/plan-statements/{statement_id}/",
        {"text": "Fairness for all"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert updated.status_code == 200 and updated.json()["text"] == "Fairness for all"
    principles = clients["viewer"].get("/api/v1/plan-statements/", {"kind": "principle"})
    assert [s["text"] for s in principles.json()["results"]] == ["Fairness for all"]
    bad = clients["pm"].post(
        "/api/v1/plan-statements/", {"plan": plan.pk, "kind": "wish", "text": "x"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "kind"
    assert clients["gb"].delete(f"/api/v1/plan-statements/{statement_id}/").status_code == 403
    assert clients["pm"].delete(f"/api/v1/plan-statements/{statement_id}/").status_code == 204


# --- Milestones -------------------------------------------------------------------------


def test_milestones_flag_and_filter_overdue(clients, plan):
    today = timezone.localdate()
    late = MilestoneFactory(plan=plan, title="First draft", due_on=today - dt.timedelta(days=3))
    MilestoneFactory(
        plan=plan,
        title="Engagement",
        due_on=today - dt.timedelta(days=10),
        done_on=today - dt.timedelta(days=11),
    )
    MilestoneFactory(plan=plan, title="Sign-off", due_on=today + dt.timedelta(days=30))
    everything = clients["viewer"].get("/api/v1/milestones/", {"plan": plan.pk}).json()
    assert {m["title"]: m["overdue"] for m in everything["results"]} == {
        "Engagement": False,
        "First draft": True,
        "Sign-off": False,
    }
    overdue = clients["viewer"].get("/api/v1/milestones/", {"overdue": "true"}).json()
    assert [m["id"] for m in overdue["results"]] == [late.pk]
    on_time = clients["viewer"].get("/api/v1/milestones/", {"overdue": "false"}).json()
    assert sorted(m["title"] for m in on_time["results"]) == ["Engagement", "Sign-off"]
    done = clients["pm"].patch(
        f"/api/v1/milestones/{late.pk}/", {"done_on": str(today)}, format="json"
    )
    assert done.status_code == 200 and done.json()["overdue"] is False


def test_milestones_are_kept_by_planning_managers_even_after_publication(clients, ccg):
    published = PlanFactory(ccg=ccg, state="published")
    payload = {"plan": published.pk, "title": "Annual review", "due_on": "2016-06-30"}
    created = clients["pm"].post("/api/v1/milestones/", payload, format="json")
    assert created.status_code == 201, created.json()
    refused = clients["gb"].post("/api/v1/milestones/", payload, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only planning managers of Rotherham can do this."
    withdrawn = PlanFactory(ccg=ccg, state="withdrawn")
    closed = clients["pm"].post(
        "/api/v1/milestones/", {**payload, "plan": withdrawn.pk}, format="json"
    )
    assert closed.status_code == 409
    assert clients["pm"].delete(f"/api/v1/milestones/{created.json()['id']}/").status_code == 204
    assert Milestone.objects.filter(plan=published).count() == 0


# --- Consultation comments --------------------------------------------------------------


@pytest.fixture
def in_consultation(plan, people):
    SectionFactory(plan=plan, title="Mental health", body="New services.")
    today = timezone.localdate()
    services.transition(
        plan,
        user=people["pm"],
        to="consultation",
        consultation={
            "opens_on": today - dt.timedelta(days=1),
            "closes_on": today + dt.timedelta(days=20),
            "invited_users": [people["scrutiny"]],
        },
    )
    return plan


def test_invited_stakeholder_comments_on_a_section(clients, in_consultation):
    section = in_consultation.sections.get()
    response = clients["scrutiny"].post(
        "/api/v1/consultation-comments/",
        {
            "plan": in_consultation.pk,
            "body": "Please say more about children's services.",
            "target_collection": "sections",
            "target_key": str(section.key),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["author"] == "scrutiny" and body["stakeholder"] == "scrutiny"
    assert body["target_label"] == "Mental health"
    assert body["answered"] is False and body["outcome"] == "" and body["revision"] == 1
    assert body["consultation"] == in_consultation.consultations.get().pk


def test_stakeholders_not_invited_cannot_comment(clients, in_consultation):
    payload = {"plan": in_consultation.pk, "body": "Me too"}
    gb = clients["gb"].post("/api/v1/consultation-comments/", payload, format="json")
    assert gb.status_code == 403
    assert gb.json() == {
        "detail": "Only invited stakeholders can comment on this plan.",
        "code": "not-allowed",
    }
    # A scrutiny member who was not invited does not see the plan in consultation at all.
    scrutiny = clients["scrutiny2"].post("/api/v1/consultation-comments/", payload, format="json")
    assert scrutiny.status_code == 400 and scrutiny.json()["field"] == "plan"
    speaking_for = clients["scrutiny"].post(
        "/api/v1/consultation-comments/",
        {**payload, "on_behalf_of": "Health Select Commission"},
        format="json",
    )
    assert speaking_for.status_code == 403
    empty = clients["scrutiny"].post(
        "/api/v1/consultation-comments/", {**payload, "body": " "}, format="json"
    )
    assert empty.status_code == 400
    assert not ConsultationComment.objects.exists()


def test_planning_manager_records_a_partners_comment(clients, in_consultation, ccg):
    partner = PartnerFactory(ccg=ccg, name="Rotherham MBC")
    response = clients["pm"].post(
        "/api/v1/consultation-comments/",
        {"plan": in_consultation.pk, "body": "Supportive.", "partner": partner.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["stakeholder"] == "Rotherham MBC"


def test_comments_on_a_plan_not_in_consultation_are_refused(clients, plan):
    response = clients["pm"].post(
        "/api/v1/consultation-comments/", {"plan": plan.pk, "body": "Hello"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "This plan is not out for consultation."


def test_respond_with_outcome_and_the_reason_rule(clients, people, in_consultation):
    comment = services.add_comment(
        in_consultation, user=people["scrutiny"], body="Add a mental health section."
    )
    url = f"/api/v1/consultation-comments/{comment.pk}/"
    no_reason = clients["pm"].patch(
        url, {"response": "We disagree.", "outcome": "not-accepted"}, format="json"
    )
    assert no_reason.status_code == 400
    assert no_reason.json() == {
        "detail": "Give the reason the comment is not accepted.",
        "code": "invalid-move",
        "field": "outcome_reason",
    }
    accepted = clients["pm"].patch(
        url, {"response": "Added.", "outcome": "accepted"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert (body["outcome"], body["response"], body["responded_by"]) == ("accepted", "Added.", "pm")
    assert body["answered"] is True and body["responded_at"] and accepted["ETag"] == '"2"'
    # Changing the outcome later keeps the response; a partial acceptance needs its reason.
    partly = clients["pm"].patch(
        url,
        {"outcome": "partly-accepted", "outcome_reason": "Only for adults", "revision": 2},
        format="json",
    )
    assert partly.status_code == 200
    assert partly.json()["response"] == "Added."
    stale = clients["pm"].patch(url, {"outcome": "accepted", "revision": 2}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["outcome"] == "partly-accepted"
    assert stale.json()["attempted"]["outcome"] == "accepted"


def test_only_planning_managers_respond_and_comments_stay_as_written(
    clients, people, in_consultation
):
    comment = services.add_comment(in_consultation, user=people["scrutiny"], body="Original")
    url = f"/api/v1/consultation-comments/{comment.pk}/"
    refused = clients["gb"].patch(url, {"response": "Yes", "outcome": "accepted"}, format="json")
    assert refused.status_code == 403
    rewrite = clients["pm"].patch(url, {"body": "Rewritten", "outcome": "accepted"}, format="json")
    assert rewrite.status_code == 400 and rewrite.json()["field"] == "body"
    bad = clients["pm"].patch(url, {"outcome": "maybe"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "outcome"
    assert clients["pm"].delete(url).status_code == 405
    comment.refresh_from_db()
    assert comment.body == "Original" and comment.outcome == ""


def test_comments_filter_by_outcome_and_answered(clients, people, in_consultation):
    answered = services.add_comment(in_consultation, user=people["scrutiny"], body="One")
    services.respond_to_comment(answered, user=people["pm"], response="Yes", outcome="accepted")
    open_one = services.add_comment(in_consultation, user=people["scrutiny"], body="Two")

    def ids(**query):
        response = clients["viewer"].get("/api/v1/consultation-comments/", query)
        return [c["id"] for c in response.json()["results"]]

    assert ids(answered="true") == [answered.pk]
    assert ids(answered="false") == [open_one.pk]
    assert ids(outcome="accepted") == [answered.pk]
    assert ids(plan=in_consultation.pk, ccg="03L") == [answered.pk, open_one.pk]
    assert ids(ccg="04R") == []
    assert clients["outsider"].get(f"/api/v1/consultation-comments/{open_one.pk}/").status_code == (
        404
    )
