"""Plan pages through the Django test client: a CCG's plans, creating a plan, the overview,
editing the details (with the concurrency check), lifecycle moves and the annual refresh."""

import pytest
from django.urls import reverse

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services
from plans.models import Plan, PlanVersion
from tests.factories import user_with_role


@pytest.fixture
def board(role_user):
    return role_user(Role.GOVERNING_BODY)


@pytest.fixture
def plan(ccg, planner):
    plan = services.create_plan(
        user=planner,
        ccg=ccg,
        kind="strategic-plan",
        title="Commissioning Plan 2015-19",
        first_year=FinancialYear(2015),
        last_year=FinancialYear(2018),
        vision="Better health for Rotherham",
        draft_number=5,
    )
    services.add_section(plan, user=planner, title="Primary Care", body="Four year plan")
    services.add_statement(plan, user=planner, kind="aim", text="Unscheduled Care")
    services.add_statement(
        plan, user=planner, kind="principle", group="Core principles", text="Quality & Safety"
    )
    return plan


@pytest.fixture
def published(plan, planner, board):
    services.transition(plan, user=planner, to="submitted")
    services.transition(plan, user=board, to="approved")
    services.transition(plan, user=board, to="published")
    plan.refresh_from_db()
    return plan


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- A CCG's plans ------------------------------------------------------------------------


def test_ccg_plans_lists_the_plans_with_state_and_version(client, plan, planner, ccg):
    response = signed_in(client, planner).get(reverse("ccg-plans", kwargs={"ods": "03L"}))
    assert response.status_code == 200
    body = text(response)
    assert "Commissioning Plan 2015-19" in body
    assert "Strategic plan" in body and "2015-19" in body
    assert "Draft 5" in body and "app-state--draft" in body
    assert "Create a plan" in body


def test_ccg_plans_hides_drafts_from_scrutiny_and_the_create_button(client, plan, role_user):
    response = signed_in(client, role_user(Role.SCRUTINY)).get(
        reverse("ccg-plans", kwargs={"ods": "03L"})
    )
    assert response.status_code == 200
    assert "Commissioning Plan 2015-19" not in text(response)
    assert "Create a plan" not in text(response)


def test_ccg_plans_of_another_ccg_is_not_found(client, other_ccg, planner):
    response = signed_in(client, planner).get(reverse("ccg-plans", kwargs={"ods": "04R"}))
    assert response.status_code == 404


# --- Creating a plan ------------------------------------------------------------------------


def test_a_planning_manager_creates_a_plan_from_draft_five(client, planner, ccg):
    response = signed_in(client, planner).post(
        reverse("plan-create", kwargs={"ods": "03L"}),
        {
            "kind": "commissioning-intentions",
            "title": "Commissioning Intentions 2015/16",
            "first_year": "2015/16",
            "last_year": "2015/16",
            "summary": "What we intend to commission",
            "draft_number": "5",
            "is_public": "on",
        },
        follow=True,
    )
    plan = Plan.objects.get(title="Commissioning Intentions 2015/16")
    assert response.redirect_chain[-1][0] == reverse("plan-detail", kwargs={"pk": plan.pk})
    assert plan.version_label == "Draft 5" and plan.is_public and plan.created_by == planner
    assert "Plan created" in text(response)  # the success banner


def test_the_create_form_shows_an_error_summary_linking_to_each_field(client, planner, ccg):
    response = signed_in(client, planner).post(
        reverse("plan-create", kwargs={"ods": "03L"}),
        {
            "kind": "",
            "title": "",
            "first_year": "2016/17",
            "last_year": "2015/16",
            "draft_number": "0",
        },  # fmt: skip
    )
    assert response.status_code == 200
    body = text(response)
    assert "There is a problem" in body
    assert 'href="#kind"' in body and "Choose the kind of plan" in body
    assert 'href="#title"' in body and "Enter the plan&#39;s title" in body
    assert 'href="#last_year"' in body and "The last year must be the same as or after" in body
    assert 'href="#draft_number"' in body
    assert "<title>Error: " in body
    assert not Plan.objects.exists()


def test_a_bad_financial_year_is_explained(client, planner, ccg):
    response = signed_in(client, planner).post(
        reverse("plan-create", kwargs={"ods": "03L"}),
        {
            "kind": "strategic-plan",
            "title": "X",
            "first_year": "2015/17",
            "last_year": "2018/19",
            "draft_number": "1",
        },  # fmt: skip
    )
    assert "the second year must follow the first" in text(response)


@pytest.mark.parametrize("role", [Role.GOVERNING_BODY, Role.SCRUTINY, Role.VIEWER])
def test_only_planning_managers_create_plans(client, role_user, role, ccg):
    user = role_user(role)
    url = reverse("plan-create", kwargs={"ods": "03L"})
    assert signed_in(client, user).get(url).status_code == 403
    response = client.post(url, {"kind": "strategic-plan", "title": "X"})
    assert response.status_code == 403
    assert "Only planning managers of" in text(response)
    assert not Plan.objects.exists()


# --- The overview ---------------------------------------------------------------------------


def test_the_overview_shows_details_statements_and_allowed_moves(client, plan, planner):
    response = signed_in(client, planner).get(reverse("plan-detail", kwargs={"pk": plan.pk}))
    assert response.status_code == 200
    body = text(response)
    assert "NHS Rotherham CCG (03L)" in body and "Draft 5" in body
    assert "Better health for Rotherham" in body
    assert "Strategic aims" in body and "Unscheduled Care" in body
    assert "Core principles" in body and "Quality &amp; Safety" in body
    assert reverse("plan-edit", kwargs={"pk": plan.pk}) in body
    assert reverse("plan-move", kwargs={"pk": plan.pk, "to": "submitted"}) in body
    assert reverse("plan-consultation-open", kwargs={"pk": plan.pk}) in body


def test_the_overview_shows_why_a_move_is_not_allowed(client, plan, planner, board):
    services.transition(plan, user=planner, to="submitted")
    response = signed_in(client, planner).get(reverse("plan-detail", kwargs={"pk": plan.pk}))
    body = text(response)
    assert "Only governing body members of Rotherham can approve." in body
    assert reverse("plan-move", kwargs={"pk": plan.pk, "to": "approved"}) not in body
    assert "read-only until it is approved or sent back" in body


def test_a_viewer_sees_the_plan_but_no_edit_links(client, plan, role_user):
    response = signed_in(client, role_user(Role.VIEWER)).get(
        reverse("plan-detail", kwargs={"pk": plan.pk})
    )
    assert response.status_code == 200
    assert reverse("plan-edit", kwargs={"pk": plan.pk}) not in text(response)
    assert reverse("plan-statement-new", kwargs={"pk": plan.pk}) not in text(response)


def test_a_draft_is_hidden_from_scrutiny_and_other_ccgs(client, plan, role_user, other_ccg):
    url = reverse("plan-detail", kwargs={"pk": plan.pk})
    assert signed_in(client, role_user(Role.SCRUTINY)).get(url).status_code == 404
    other = user_with_role(Role.PLANNING_MANAGER, other_ccg)
    assert signed_in(client, other).get(url).status_code == 404


def test_a_public_published_plan_is_read_signed_out(client, published):
    url = reverse("plan-detail", kwargs={"pk": published.pk})
    assert client.get(url).status_code == 302  # not public yet: sign in first
    Plan.objects.filter(pk=published.pk).update(is_public=True)
    response = client.get(url)
    assert response.status_code == 200
    assert "Commissioning Plan 2015-19" in text(response)
    assert "What happens next" not in text(response)  # no lifecycle panel for the public
    assert client.get(reverse("plan-sections", kwargs={"pk": published.pk})).status_code == 200
    assert client.get(reverse("plan-history", kwargs={"pk": published.pk})).status_code == 404


# --- Editing the details --------------------------------------------------------------------


def details(plan, **changes) -> dict:
    return {
        "kind": plan.kind,
        "title": plan.title,
        "first_year": plan.first_year.label,
        "last_year": plan.last_year.label,
        "summary": plan.summary,
        "vision": plan.vision,
        "mission": plan.mission,
        "revision": plan.revision,
        **changes,
    }


def test_editing_the_details_saves_through_the_service(client, plan, planner):
    url = reverse("plan-edit", kwargs={"pk": plan.pk})
    assert 'name="revision"' in text(signed_in(client, planner).get(url))
    response = client.post(url, details(plan, mission="To commission well"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.mission == "To commission well" and plan.revision == 2


def test_an_edit_from_a_stale_revision_shows_both_versions_and_keeps_the_input(
    client, plan, planner, role_user
):
    other = role_user(Role.PLANNING_MANAGER)
    url = reverse("plan-edit", kwargs={"pk": plan.pk})
    start = details(plan)
    signed_in(client, other).post(url, {**start, "vision": "Their vision"})
    response = signed_in(client, planner).post(url, {**start, "vision": "My vision"})
    assert response.status_code == 200
    body = text(response)
    assert "Someone else saved this after you started editing" in body
    assert "Their vision" in body and "My vision" in body
    assert 'name="revision" value="2"' in body  # saving again overwrites knowingly
    plan.refresh_from_db()
    assert plan.vision == "Their vision"
    client.post(url, {**start, "vision": "My vision", "revision": "2"})
    plan.refresh_from_db()
    assert plan.vision == "My vision"


def test_a_published_plan_cannot_be_edited(client, published, planner, role_user):
    url = reverse("plan-edit", kwargs={"pk": published.pk})
    response = signed_in(client, planner).get(url)
    assert response.status_code == 409
    assert "Start an annual refresh to change it." in text(response)
    assert signed_in(client, role_user(Role.SCRUTINY)).get(url).status_code == 403


# --- Lifecycle moves ------------------------------------------------------------------------


def test_submitting_through_the_confirmation_page(client, plan, planner):
    url = reverse("plan-move", kwargs={"pk": plan.pk, "to": "submitted"})
    page = signed_in(client, planner).get(url)
    assert page.status_code == 200
    assert "Submit to the governing body" in text(page) and 'name="note"' in text(page)
    response = client.post(url, {"note": "Ready for February"}, follow=True)
    plan.refresh_from_db()
    assert plan.state == "submitted"
    version = PlanVersion.objects.get(plan=plan)
    assert (version.note, version.created_by, version.label) == ("Ready for February", planner,
                                                                 "Draft 5")  # fmt: skip
    assert "version 1 (Draft 5) has been saved" in text(response)


def test_a_refused_move_shows_the_reason_as_an_error_summary(client, plan, planner):
    services.transition(plan, user=planner, to="submitted")
    url = reverse("plan-move", kwargs={"pk": plan.pk, "to": "approved"})
    response = signed_in(client, planner).get(url)
    assert response.status_code == 403
    body = text(response)
    assert "There is a problem" in body and 'href="#refusal"' in body
    assert "Only governing body members of Rotherham can approve." in body
    assert signed_in(client, planner).post(url).status_code == 403
    plan.refresh_from_db()
    assert plan.state == "submitted"


def test_sending_back_needs_a_reason(client, plan, planner, board):
    services.transition(plan, user=planner, to="submitted")
    url = reverse("plan-move", kwargs={"pk": plan.pk, "to": "draft"})
    response = signed_in(client, board).post(url, {"note": "  "})
    assert response.status_code == 200
    assert 'href="#note"' in text(response) and "Give a reason" in text(response)
    plan.refresh_from_db()
    assert plan.state == "submitted"
    client.post(url, {"note": "Say more about children's services"})
    plan.refresh_from_db()
    assert (plan.state, plan.version_label) == ("draft", "Draft 6")


def test_a_move_that_does_not_exist_is_explained(client, plan, planner):
    response = signed_in(client, planner).get(
        reverse("plan-move", kwargs={"pk": plan.pk, "to": "published"})
    )
    assert response.status_code == 409
    assert "Only an approved plan can be published." in text(response)
    url = reverse("plan-move", kwargs={"pk": plan.pk, "to": "nowhere"})
    assert client.get(url).status_code == 404


def test_opening_consultation_goes_to_its_own_form(client, plan, planner):
    response = signed_in(client, planner).get(
        reverse("plan-move", kwargs={"pk": plan.pk, "to": "consultation"})
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("plan-consultation-open", kwargs={"pk": plan.pk})


# --- The annual refresh ---------------------------------------------------------------------


def test_starting_the_annual_refresh(client, published, planner):
    url = reverse("plan-refresh", kwargs={"pk": published.pk})
    overview = signed_in(client, planner).get(reverse("plan-detail", kwargs={"pk": published.pk}))
    assert "Start annual refresh" in text(overview)
    page = client.get(url)
    assert page.status_code == 200 and "2016/17" in text(page)
    response = client.post(url, {"title": "Commissioning Plan 2016/17 refresh"})
    refresh = Plan.objects.get(refreshes=published)
    assert response["Location"] == reverse("plan-detail", kwargs={"pk": refresh.pk})
    assert refresh.sections.get().title == "Primary Care"
    body = text(client.get(response["Location"]))
    assert "Compare with the plan it refreshes" in body
    assert "Refreshes" in body
    assert client.get(url).status_code == 409  # a refresh is already under way


def test_only_planning_managers_refresh(client, published, role_user):
    board = role_user(Role.GOVERNING_BODY)
    url = reverse("plan-refresh", kwargs={"pk": published.pk})
    assert signed_in(client, board).get(url).status_code == 403
    assert signed_in(client, board).post(url, {"title": "X"}).status_code == 403
    assert not Plan.objects.filter(refreshes=published).exists()


def test_the_ccg_overview_links_to_its_plans(client, planner, ccg):
    response = signed_in(client, planner).get(reverse("ccg-detail", kwargs={"ods": "03L"}))
    assert reverse("ccg-plans", kwargs={"ods": "03L"}) in text(response)
