"""The sections tab, the section editor (preview, save, the two-editors conflict), deleting
and reordering sections, and the statement forms, through the Django test client."""

import pytest
from django.urls import reverse

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services
from plans.models import PlanStatement, Section
from tests.factories import user_with_role


@pytest.fixture
def plan(ccg, planner):
    plan = services.create_plan(
        user=planner,
        ccg=ccg,
        kind="strategic-plan",
        title="Commissioning Plan 2015-19",
        first_year=FinancialYear(2015),
        last_year=FinancialYear(2018),
    )
    services.add_section(plan, user=planner, title="Foreword", body="We **will** listen.")
    services.add_section(plan, user=planner, title="Primary Care", body="Four year plan")
    return plan


@pytest.fixture
def section(plan):
    return plan.sections.get(title="Foreword")


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def edit_url(section):
    return reverse("plan-section-edit", kwargs={"pk": section.plan_id, "section_id": section.pk})


def test_the_sections_tab_renders_markdown_with_controls_for_planners(client, plan, planner):
    response = signed_in(client, planner).get(reverse("plan-sections", kwargs={"pk": plan.pk}))
    body = text(response)
    assert "<strong>will</strong>" in body
    assert "Add a section" in body and "Move down" in body and "Delete" in body


def test_markdown_is_sanitised(client, plan, planner, section):
    services.update_section(
        section, user=planner, expected_revision=None, body="<script>alert(1)</script> hi"
    )
    body = text(signed_in(client, planner).get(reverse("plan-sections", kwargs={"pk": plan.pk})))
    assert "<script>alert(1)" not in body


def test_readers_get_no_controls_and_no_editor(client, plan, role_user, section):
    viewer = role_user(Role.VIEWER)
    body = text(signed_in(client, viewer).get(reverse("plan-sections", kwargs={"pk": plan.pk})))
    assert "Primary Care" in body and "Add a section" not in body and "Move down" not in body
    assert client.get(edit_url(section)).status_code == 403
    response = client.post(edit_url(section), {"title": "Mine", "body": "x", "revision": "1"})
    assert response.status_code == 403
    section.refresh_from_db()
    assert section.title == "Foreword"


def test_adding_a_section(client, plan, planner):
    url = reverse("plan-section-new", kwargs={"pk": plan.pk})
    assert signed_in(client, planner).get(url).status_code == 200
    response = client.post(url, {"title": "Context", "body": "## Population\n\n258,400 people"})
    added = plan.sections.get(title="Context")
    assert response["Location"].endswith(f"#section-{added.pk}")
    assert added.order == 3


def test_a_section_needs_a_title(client, plan, planner):
    url = reverse("plan-section-new", kwargs={"pk": plan.pk})
    response = signed_in(client, planner).post(url, {"title": "", "body": "Text kept"})
    body = text(response)
    assert 'href="#title"' in body and "Enter the section&#39;s title" in body
    assert "Text kept" in body
    assert plan.sections.count() == 2


def test_preview_renders_the_text_and_saves_nothing(client, plan, planner, section):
    response = signed_in(client, planner).post(
        edit_url(section),
        {"title": "Foreword", "body": "A *new* start", "revision": "1", "action": "preview"},
    )
    assert response.status_code == 200
    body = text(response)
    assert "Preview" in body and "<em>new</em>" in body
    assert "A *new* start" in body  # still in the textarea
    section.refresh_from_db()
    assert (section.body, section.revision) == ("We **will** listen.", 1)
    new = client.post(
        reverse("plan-section-new", kwargs={"pk": plan.pk}),
        {"title": "", "body": "Draft text", "action": "preview"},
    )
    assert "There is a problem" not in text(new)  # preview checks nothing
    assert plan.sections.count() == 2


def test_saving_an_edit(client, plan, planner, section):
    response = signed_in(client, planner).post(
        edit_url(section), {"title": "Foreword", "body": "Changed", "revision": "1"}, follow=True
    )
    section.refresh_from_db()
    assert (section.body, section.revision) == ("Changed", 2)
    assert "Section saved: Foreword." in text(response)


def test_two_saves_from_the_same_revision_lose_nothing(client, plan, planner, ccg, section):
    colleague = user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")
    signed_in(client, colleague).post(
        edit_url(section), {"title": "Foreword", "body": "Their words", "revision": "1"}
    )
    response = signed_in(client, planner).post(
        edit_url(section), {"title": "Foreword", "body": "My words", "revision": "1"}
    )
    assert response.status_code == 200
    body = text(response)
    assert "Someone else saved this section" in body and 'href="#' in body
    assert "Their version (saved by Lydia George" in body
    assert "Their words" in body and "My words" in body
    assert 'name="revision" value="2"' in body
    section.refresh_from_db()
    assert section.body == "Their words"
    # Saving again, knowingly, replaces their version with mine.
    client.post(edit_url(section), {"title": "Foreword", "body": "My words", "revision": "2"})
    section.refresh_from_db()
    assert (section.body, section.revision) == ("My words", 3)


def test_moving_a_section(client, plan, planner, section):
    url = reverse("plan-section-move", kwargs={"pk": plan.pk, "section_id": section.pk})
    assert signed_in(client, planner).get(url).status_code == 405
    client.post(url, {"direction": "down"})
    assert list(plan.sections.order_by("order").values_list("title", flat=True)) == [
        "Primary Care",
        "Foreword",
    ]


def test_deleting_a_section_asks_first(client, plan, planner, section):
    url = reverse("plan-section-delete", kwargs={"pk": plan.pk, "section_id": section.pk})
    page = signed_in(client, planner).get(url)
    assert "Delete this section?" in text(page) and Section.objects.filter(pk=section.pk).exists()
    client.post(url)
    assert not Section.objects.filter(pk=section.pk).exists()


def test_a_section_of_another_plan_is_not_found(client, plan, planner, ccg):
    other = services.create_plan(
        user=planner, ccg=ccg, kind="delivery-plan", title="Other",
        first_year=FinancialYear(2015), last_year=FinancialYear(2015),
    )  # fmt: skip
    url = reverse(
        "plan-section-edit", kwargs={"pk": other.pk, "section_id": plan.sections.first().pk}
    )
    assert signed_in(client, planner).get(url).status_code == 404


def test_sections_are_read_only_once_submitted(client, plan, planner, section):
    services.transition(plan, user=planner, to="submitted")
    response = signed_in(client, planner).get(edit_url(section))
    assert response.status_code == 409
    assert "read-only until it is approved or sent back" in text(response)
    body = text(client.get(reverse("plan-sections", kwargs={"pk": plan.pk})))
    assert "Add a section" not in body


# --- Statements ---------------------------------------------------------------------------------


def test_adding_editing_and_deleting_a_statement(client, plan, planner):
    new = reverse("plan-statement-new", kwargs={"pk": plan.pk})
    page = signed_in(client, planner).get(new + "?kind=value")
    assert 'value="value" checked' in text(page)
    missing = client.post(new, {"kind": "aim", "text": ""})
    assert 'href="#text"' in text(missing) and "Enter the statement&#39;s text" in text(missing)
    client.post(new, {"kind": "aim", "title": "Mental Health", "text": "Parity of esteem"})
    statement = PlanStatement.objects.get(plan=plan)
    overview = text(client.get(reverse("plan-detail", kwargs={"pk": plan.pk})))
    assert "Mental Health" in overview and "Parity of esteem" in overview
    edit = reverse("plan-statement-edit", kwargs={"pk": plan.pk, "statement_id": statement.pk})
    client.post(edit, {"kind": "aim", "title": "Mental Health", "text": "CAMHS", "revision": "1"})
    statement.refresh_from_db()
    assert statement.text == "CAMHS"
    stale = client.post(edit, {"kind": "aim", "text": "Stale", "revision": "1"})
    assert "Someone else saved this statement" in text(stale) and "CAMHS" in text(stale)
    assert "Stale" in text(stale)
    delete = reverse("plan-statement-delete", kwargs={"pk": plan.pk, "statement_id": statement.pk})
    assert "Delete this strategic aim?" in text(client.get(delete))
    client.post(delete)
    assert not PlanStatement.objects.filter(plan=plan).exists()
