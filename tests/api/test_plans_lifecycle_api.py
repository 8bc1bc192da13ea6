"""The plans API: lifecycle moves, the annual refresh, frozen versions and diffs."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from commissioning.access import Role
from plans.models import Plan, PlanVersion
from tests.factories import LocalityFactory, PartnerFactory, user_with_role
from tests.plans.factories import PlanFactory, SectionFactory


def client_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def people(ccg, other_ccg):
    return {
        "pm": user_with_role(Role.PLANNING_MANAGER, ccg, username="pm"),
        "gb": user_with_role(Role.GOVERNING_BODY, ccg, username="gb"),
        "scrutiny": user_with_role(Role.SCRUTINY, ccg, username="scrutiny"),
        "viewer": user_with_role(Role.VIEWER, ccg, username="viewer"),
        "outsider": user_with_role(Role.PLANNING_MANAGER, other_ccg, username="outsider"),
    }


@pytest.fixture
def clients(people):
    return {name: client_as(user) for name, user in people.items()}


@pytest.fixture
def plan(ccg):
    plan = PlanFactory(ccg=ccg, title="Commissioning Plan 2015-19", draft_number=4)
    SectionFactory(plan=plan, title="Context", body="We will commission care closer to home.")
    return plan


def move(client, plan, to, **extra):
    return client.post(f"/api/v1/plans/{plan.pk}/transition/", {"to": to, **extra}, format="json")


def window(**extra):
    today = timezone.localdate()
    return {
        "opens_on": str(today - dt.timedelta(days=1)),
        "closes_on": str(today + dt.timedelta(days=20)),
        **extra,
    }


def test_every_move_through_the_api_by_the_right_role(clients, people, plan, ccg):
    partner, locality = PartnerFactory(ccg=ccg), LocalityFactory(ccg=ccg)
    opened = move(
        clients["pm"],
        plan,
        "consultation",
        note="Out to stakeholders",
        purpose="Views on our priorities",
        invited_users=["scrutiny"],
        invited_partners=[partner.pk],
        invited_localities=[locality.pk],
        **window(),
    )
    assert opened.status_code == 200, opened.json()
    body = opened.json()
    assert body["plan"]["state"] == "consultation"
    assert body["version"]["number"] == 1 and body["version"]["label"] == "Draft 4"
    assert (
        body["version"]["from_state"] == "draft" and body["version"]["to_state"] == "consultation"
    )
    assert (
        body["version"]["created_by"] == "pm" and body["version"]["note"] == "Out to stakeholders"
    )
    consultation = plan.consultations.get()
    assert list(consultation.invited_users.all()) == [people["scrutiny"]]
    assert list(consultation.invited_partners.all()) == [partner]
    assert list(consultation.invited_localities.all()) == [locality]
    assert consultation.purpose == "Views on our priorities"

    steps = [
        ("pm", "submitted", "", "Draft 4"),
        ("gb", "draft", "Say more about mental health", "Draft 5"),  # sent back
        ("pm", "submitted", "", "Draft 5"),
        ("gb", "approved", "Approved at the March meeting", "Final"),
        ("gb", "draft", "Reopened to add the finance section", "Draft 6"),  # reopened
        ("pm", "submitted", "", "Draft 6"),
        ("gb", "approved", "", "Final"),
        ("pm", "published", "", "Final"),
        ("gb", "withdrawn", "Replaced by the STP", "Withdrawn"),
    ]
    for number, (who, to, note, label) in enumerate(steps, start=2):
        response = move(clients[who], plan, to, note=note)
        assert response.status_code == 200, (to, response.json())
        assert response.json()["plan"]["state"] == to
        assert response.json()["version"] == {
            **response.json()["version"],
            "number": number,
            "label": label,
            "to_state": to,
        }
    assert list(plan.versions.values_list("number", flat=True)) == list(range(1, 11))
    assert consultation.__class__.objects.get(pk=consultation.pk).closed_at is not None


@pytest.mark.parametrize(
    ("state", "who", "to", "reason"),
    [
        ("draft", "gb", "consultation", "Only planning managers of Rotherham can open "
         "consultation."),
        ("draft", "viewer", "submitted", "Only planning managers of Rotherham can submit to the "
         "governing body."),
        ("submitted", "pm", "approved", "Only governing body members of Rotherham can approve."),
        ("submitted", "pm", "draft", "Only governing body members of Rotherham can send back "
         "with reasons."),
        ("approved", "viewer", "published", "Only planning managers or governing body members of "
         "Rotherham can publish."),
        ("published", "scrutiny", "withdrawn", "Only planning managers or governing body members "
         "of Rotherham can withdraw."),
    ],
)  # fmt: skip
def test_the_wrong_role_is_403_with_the_reason(clients, plan, state, who, to, reason):
    Plan.objects.filter(pk=plan.pk).update(state=state)
    dates = window() if to == "consultation" else {}
    response = move(clients[who], plan, to, note="Because", **dates)
    assert response.status_code == 403
    assert response.json() == {"detail": reason, "code": "not-allowed"}
    plan.refresh_from_db()
    assert plan.state == state and not plan.versions.exists()


def test_closing_consultation_returns_the_plan_to_draft(clients, plan):
    assert move(clients["pm"], plan, "consultation", **window()).status_code == 200
    refused = move(clients["gb"], plan, "draft", note="Enough")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only planning managers of Rotherham can close consultation."
    closed = move(clients["pm"], plan, "draft", note="Window over")
    assert closed.status_code == 200
    assert closed.json()["version"]["from_state"] == "consultation"
    assert closed.json()["plan"]["state"] == "draft"
    assert plan.consultations.get().closed_at is not None


def test_a_plan_out_of_sight_is_404(clients, plan):
    assert move(clients["outsider"], plan, "submitted").status_code == 404
    # Scrutiny members do not see drafts at all.
    assert move(clients["scrutiny"], plan, "submitted").status_code == 404


@pytest.mark.parametrize(
    ("state", "to", "reason"),
    [
        ("draft", "approved", "Only a plan submitted to the governing body can be approved."),
        ("draft", "published", "Only an approved plan can be published."),
        ("draft", "draft", "The plan is already draft."),
        ("published", "draft", "A published plan is read-only: start an annual refresh to "
         "change it, or withdraw it."),
        ("withdrawn", "draft", "The plan is withdrawn: it can no longer change state."),
        ("published", "superseded", "A plan is superseded automatically when its refresh is "
         "published."),
    ],
)  # fmt: skip
def test_invalid_moves_are_409_with_the_reason(clients, plan, state, to, reason):
    Plan.objects.filter(pk=plan.pk).update(state=state)
    response = move(clients["pm"], plan, to, note="Because")
    assert response.status_code == 409
    assert response.json() == {"detail": reason, "code": "invalid-move", "field": "to"}


def test_submitting_without_sections_is_409(clients, plan):
    plan.sections.all().delete()
    response = move(clients["pm"], plan, "submitted")
    assert response.status_code == 409
    assert response.json()["detail"] == "Add at least one section before submitting the plan."


def test_malformed_moves_are_400(clients, plan, other_ccg):
    unknown = move(clients["pm"], plan, "shredded")
    assert unknown.status_code == 400 and unknown.json()["field"] == "to"
    no_dates = move(clients["pm"], plan, "consultation")
    assert no_dates.status_code == 400
    assert no_dates.json()["field"] == "opens_on"
    assert set(no_dates.json()["errors"]) == {"opens_on", "closes_on"}
    backwards = move(
        clients["pm"], plan, "consultation", opens_on="2016-01-22", closes_on="2015-12-14"
    )
    assert backwards.status_code == 400
    assert backwards.json() == {
        "detail": "The closing date must be on or after the opening date.",
        "code": "invalid-move",
        "field": "closes_on",
    }
    stray = move(clients["pm"], plan, "submitted", opens_on="2016-01-22")
    assert stray.status_code == 400 and stray.json()["field"] == "opens_on"
    outsider = move(clients["pm"], plan, "consultation", invited_users=["outsider"], **window())
    assert outsider.status_code == 400
    assert outsider.json()["field"] == "invited_users"
    assert "outsider" in outsider.json()["detail"]
    foreign = move(
        clients["pm"],
        plan,
        "consultation",
        invited_partners=[PartnerFactory(ccg=other_ccg).pk],
        **window(),
    )
    assert foreign.status_code == 400 and foreign.json()["field"] == "invited_partners"
    plan.refresh_from_db()
    assert plan.state == "draft" and not plan.versions.exists()


def test_sending_back_needs_a_note(clients, plan):
    Plan.objects.filter(pk=plan.pk).update(state="submitted")
    response = move(clients["gb"], plan, "draft", note="  ")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Give a reason: send back with reasons needs a note saying why.",
        "code": "invalid-move",
        "field": "note",
    }


# --- Annual refresh -------------------------------------------------------------------------


@pytest.fixture
def published(ccg):
    plan = PlanFactory(ccg=ccg, title="Commissioning Plan 2015-19", state="draft")
    SectionFactory(plan=plan, title="Context", body="We will commission care closer to home.")
    SectionFactory(plan=plan, title="Finance", body="Our allocation is 400 million pounds.")
    from plans import services

    for to in ("submitted", "approved", "published"):
        services.transition(plan, user=None, to=to)
    return plan


def test_refresh_creates_a_draft_linked_to_its_parent(clients, published):
    response = clients["pm"].post(f"/api/v1/plans/{published.pk}/refresh/", {}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["refreshes"] == published.pk and body["state"] == "draft"
    assert (body["first_year"], body["last_year"]) == ("2016/17", "2018/19")
    assert body["title"] == "Commissioning Plan 2015-19: 2016/17 refresh"
    assert response["Location"] == f"/api/v1/plans/{body['id']}/"
    refresh = Plan.objects.get(pk=body["id"])
    assert [s.title for s in refresh.sections.all()] == ["Context", "Finance"]
    again = clients["pm"].post(f"/api/v1/plans/{published.pk}/refresh/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "A refresh of this plan is already under way: Commissioning Plan 2015-19: 2016/17 refresh."
    )


def test_refresh_title_and_year_can_be_given(clients, published):
    response = clients["pm"].post(
        f"/api/v1/plans/{published.pk}/refresh/",
        {"title": "Refresh for 2017/18", "first_year": "2017/18"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["first_year"] == "2017/18"
    assert response.json()["title"] == "Refresh for 2017/18"


def test_refresh_refusals(clients, published, plan):
    gb = clients["gb"].post(f"/api/v1/plans/{published.pk}/refresh/", {}, format="json")
    assert gb.status_code == 403
    assert gb.json()["detail"] == "Only planning managers of Rotherham can start a refresh."
    draft = clients["pm"].post(f"/api/v1/plans/{plan.pk}/refresh/", {}, format="json")
    assert draft.status_code == 409
    assert draft.json()["detail"] == "Only a published plan can be refreshed."
    late = clients["pm"].post(
        f"/api/v1/plans/{published.pk}/refresh/", {"first_year": "2019/20"}, format="json"
    )
    assert late.status_code == 400 and late.json()["field"] == "first_year"
    assert not published.refreshed_by.exists()


# --- Versions -------------------------------------------------------------------------------


def test_versions_list_and_detail(clients, published):
    listing = clients["viewer"].get(f"/api/v1/plans/{published.pk}/versions/")
    assert listing.status_code == 200
    rows = listing.json()
    assert [(v["number"], v["to_state"], v["label"]) for v in rows] == [
        (1, "submitted", "Draft 1"),
        (2, "approved", "Final"),
        (3, "published", "Final"),
    ]
    assert "content" not in rows[0] and rows[0]["created_by"] is None
    detail = clients["viewer"].get(f"/api/v1/plans/{published.pk}/versions/1/")
    assert detail.status_code == 200
    content = detail.json()["content"]
    assert content["plan"]["title"] == "Commissioning Plan 2015-19"
    assert [s["title"] for s in content["collections"]["sections"]] == ["Context", "Finance"]
    assert clients["viewer"].get(f"/api/v1/plans/{published.pk}/versions/9/").status_code == 404


def test_scrutiny_see_only_published_versions(clients, published):
    listing = clients["scrutiny"].get(f"/api/v1/plans/{published.pk}/versions/")
    assert [v["number"] for v in listing.json()] == [3]
    assert clients["scrutiny"].get(f"/api/v1/plans/{published.pk}/versions/3/").status_code == 200
    hidden = clients["scrutiny"].get(f"/api/v1/plans/{published.pk}/versions/1/")
    assert hidden.status_code == 404
    assert clients["outsider"].get(f"/api/v1/plans/{published.pk}/versions/").status_code == 404


def test_versions_are_read_only(clients, published):
    url = f"/api/v1/plans/{published.pk}/versions/1/"
    assert clients["pm"].delete(url).status_code == 405
    assert clients["pm"].post(f"/api/v1/plans/{published.pk}/versions/", {}).status_code == 405
    assert PlanVersion.objects.filter(plan=published).count() == 3


# --- Diff -------------------------------------------------------------------------------


def runs(field):
    return [(w["op"], w["text"]) for w in field["words"]]


def collection(body, name):
    return next(c for c in body["collections"] if c["name"] == name)


def test_diff_between_two_versions(clients, people, plan):
    from plans import services

    services.transition(plan, user=people["pm"], to="submitted")
    services.transition(plan, user=people["gb"], to="draft", note="More on mental health")
    context, = plan.sections.filter(title="Context")  # fmt: skip
    services.update_section(
        context,
        user=people["pm"],
        expected_revision=context.revision,
        body="We will commission more care closer to home.",
    )
    services.add_section(plan, user=people["pm"], title="Mental health", body="New services.")
    services.transition(plan, user=people["pm"], to="submitted")
    response = clients["viewer"].get(f"/api/v1/plans/{plan.pk}/diff/", {"from": "1", "to": "3"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["old_label"] == "Version 1 (Draft 4)"
    assert body["new_label"] == "Version 3 (Draft 5)"
    assert body["has_changes"] is True
    sections = collection(body, "sections")
    assert sections["counts"] == {
        "added": 1, "removed": 0, "changed": 1, "unchanged": 0, "moved": 0
    }  # fmt: skip
    changed, added = sections["items"]
    assert (changed["status"], changed["title"], changed["moved"]) == ("changed", "Context", False)
    (field,) = changed["fields"]
    assert field["name"] == "body" and field["label"] == "Text"
    assert field["old"] == "We will commission care closer to home."
    assert field["new"] == "We will commission more care closer to home."
    assert runs(field) == [
        ("equal", "We will commission"),
        ("insert", " more"),
        ("equal", " care closer to home."),
    ]
    assert (added["status"], added["title"], added["fields"]) == ("added", "Mental health", [])


def test_diff_to_current_by_default_and_reordering(clients, people, plan):
    from plans import services

    services.add_section(plan, user=people["pm"], title="Finance", body="Money.")
    services.transition(plan, user=people["pm"], to="submitted")
    services.transition(plan, user=people["gb"], to="draft", note="Swap them")
    finance = plan.sections.get(title="Finance")
    services.move_section(finance, user=people["pm"], direction=-1)
    body = clients["pm"].get(f"/api/v1/plans/{plan.pk}/diff/", {"from": "1"}).json()
    assert body["new_label"] == "Current (Draft 5)"
    items = collection(body, "sections")["items"]
    assert [(i["title"], i["status"], i["moved"]) for i in items] == [
        ("Finance", "unchanged", True),
        ("Context", "unchanged", False),
    ]
    plan_fields = body["plan_fields"]
    assert plan_fields == []


def test_diff_of_a_refresh_against_its_parent(clients, people, published):
    from plans import services

    refresh = services.start_refresh(published, user=people["pm"])
    finance = refresh.sections.get(title="Finance")
    services.update_section(
        finance,
        user=people["pm"],
        expected_revision=finance.revision,
        body="Our allocation is 412 million pounds.",
    )
    services.update_plan(refresh, user=people["pm"], expected_revision=None, vision="Fit for 2020")
    response = clients["gb"].get(f"/api/v1/plans/{refresh.pk}/diff/", {"from": "parent"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["old_label"] == "Commissioning Plan 2015-19 (2015-19), as published"
    assert body["new_label"] == "Current (Draft 1)"
    fields = {f["name"]: f for f in body["plan_fields"]}
    assert runs(fields["vision"]) == [("insert", "Fit for 2020")]
    assert fields["period"]["old"] == "2015-19" and fields["period"]["new"] == "2016-19"
    items = {i["title"]: i for i in collection(body, "sections")["items"]}
    assert items["Context"]["status"] == "unchanged"
    assert items["Finance"]["status"] == "changed"
    assert runs(items["Finance"]["fields"][0]) == [
        ("equal", "Our allocation is "),
        ("delete", "400"),
        ("insert", "412"),
        ("equal", " million pounds."),
    ]


@pytest.mark.parametrize(
    ("query", "status", "field", "message"),
    [
        ({}, 400, "from", "Say what to compare from"),
        ({"from": "first"}, 400, "from", "'first' is not a version"),
        ({"from": "1", "to": "last"}, 400, "to", "'last' is not a version"),
        ({"from": "1", "to": "parent"}, 400, "to", "Only 'from' can be the parent plan."),
        ({"from": "parent"}, 400, "from", "This plan is not a refresh"),
        ({"from": "99"}, 404, None, "This plan has no version 99 that you can see."),
        ({"from": "current", "to": "7"}, 404, None, "This plan has no version 7"),
    ],
)
def test_diff_parameters_are_checked(clients, published, query, status, field, message):
    response = clients["pm"].get(f"/api/v1/plans/{published.pk}/diff/", query)
    assert response.status_code == status, response.json()
    assert message in response.json()["detail"]
    assert response.json().get("field") == field


def test_scrutiny_cannot_diff_unpublished_versions(clients, published):
    url = f"/api/v1/plans/{published.pk}/diff/"
    assert clients["scrutiny"].get(url, {"from": "1", "to": "3"}).status_code == 404
    ok = clients["scrutiny"].get(url, {"from": "3"})
    assert ok.status_code == 200 and ok.json()["has_changes"] is False
