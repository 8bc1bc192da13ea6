"""Programme pages: a CCG's programmes, one programme with its intentions, linked commitments
and measures; planning managers create and change programmes and measures, link and unlink
commitments, and add intentions to plans that can still change."""

import re

import pytest
from django.urls import reverse

from commissioning.access import Role
from commissioning.years import FinancialYear
from priorities.models import Programme, ProgrammeIntention, ProgrammeMeasure
from tests.factories import user_with_role
from tests.plans.factories import PlanFactory
from tests.priorities.factories import (
    CommitmentFactory,
    PriorityFactory,
    ProgrammeFactory,
    ProgrammeIntentionFactory,
    ProgrammeMeasureFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(ccg):
    return PlanFactory(
        ccg=ccg,
        state="published",
        title="Commissioning Intentions 2015/16",
        first_year=FinancialYear(2015),
        last_year=FinancialYear(2015),
    )


@pytest.fixture
def draft(ccg):
    return PlanFactory(
        ccg=ccg,
        state="draft",
        title="Commissioning Intentions 2016/17",
        first_year=FinancialYear(2016),
        last_year=FinancialYear(2016),
    )


@pytest.fixture
def dementia(ccg, published, draft):
    programme = ProgrammeFactory(
        ccg=ccg, name="Dementia", lead="Dr Jane Hall", description="Diagnosis and support"
    )
    ProgrammeIntentionFactory(
        programme=programme, plan=published, text="Commission a memory assessment service"
    )
    ProgrammeIntentionFactory(programme=programme, plan=draft, text="Extend dementia cafes")
    memory = CommitmentFactory(
        priority=PriorityFactory(plan=published), text="We will diagnose dementia early"
    )
    memory.status = "at-risk"
    memory.save()
    hidden = CommitmentFactory(priority=PriorityFactory(plan=draft), text="We will train carers")
    programme.commitments.add(memory, hidden)
    ProgrammeMeasureFactory(programme=programme)
    return programme


def detail_url(programme):
    return reverse("programme-detail", kwargs={"pk": programme.pk})


def squash(html: str) -> str:
    return " ".join(html.split())


# --- Reading ------------------------------------------------------------------------------------


def test_a_ccgs_programmes(client, planner, dementia, published, draft):
    client.force_login(planner)
    html = squash(client.get(reverse("ccg-programmes", kwargs={"ods": "03L"})).content.decode())
    row = re.search(rf'id="programme-{dementia.pk}">(.*?)</tr>', html).group(1)
    assert "Dementia" in row and "Dr Jane Hall" in row
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">2</td>' in row
    assert "Commissioning Intentions 2015/16</a> (2015/16)" in row
    assert "Commissioning Intentions 2016/17</a> (2016/17)" in row
    assert "Create a programme" in html


def test_scrutiny_sees_only_what_published_plans_hold(client, role_user, dementia):
    client.force_login(role_user(Role.SCRUTINY))
    html = squash(client.get(reverse("ccg-programmes", kwargs={"ods": "03L"})).content.decode())
    row = re.search(rf'id="programme-{dementia.pk}">(.*?)</tr>', html).group(1)
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">1</td>' in row
    assert "2016/17" not in row and "Create a programme" not in html
    detail = client.get(detail_url(dementia)).content.decode()
    assert "Commission a memory assessment service" in detail
    assert "Extend dementia cafes" not in detail and "We will train carers" not in detail
    assert "Change the programme" not in detail and "Link commitments" not in detail


def test_a_programme_with_intentions_commitments_and_measures(client, planner, dementia):
    client.force_login(planner)
    html = squash(client.get(detail_url(dementia)).content.decode())
    assert "Diagnosis and support" in html and "Dr Jane Hall" in html
    assert html.index("Commissioning Intentions 2015/16") < html.index("Extend dementia cafes")
    assert "(2015/16, published)" in html and "(2016/17, draft)" in html
    assert "We will diagnose dementia early" in html and "At risk (amber)" in html
    assert "95% of people wait no longer than 8 weeks" in html
    assert "Link commitments" in html and "Add a measure" in html


def test_other_ccgs_programmes_are_not_found(client, dementia, other_ccg):
    client.force_login(user_with_role(Role.PLANNING_MANAGER, other_ccg))
    assert client.get(detail_url(dementia)).status_code == 404
    assert client.get(reverse("ccg-programmes", kwargs={"ods": "03L"})).status_code == 404
    edit = reverse("programme-edit", kwargs={"pk": dementia.pk})
    assert client.post(edit, {"name": "Mine"}).status_code == 404


# --- Creating and changing ------------------------------------------------------------------------


def test_a_planning_manager_creates_a_programme(client, planner, ccg):
    client.force_login(planner)
    url = reverse("programme-create", kwargs={"ods": "03L"})
    response = client.post(url, {"name": "Stroke", "lead": "Mr Shah", "description": "Care"})
    programme = Programme.objects.get(ccg=ccg, name="Stroke")
    assert response.status_code == 302 and response["Location"] == detail_url(programme)
    html = client.get(response["Location"]).content.decode()
    assert "Programme created: Stroke." in html


def test_creating_refuses_a_duplicate_and_a_missing_name(client, planner, dementia):
    client.force_login(planner)
    url = reverse("programme-create", kwargs={"ods": "03L"})
    html = client.post(url, {"name": "dementia"}).content.decode()
    assert "Rotherham already has a programme called dementia." in html
    assert 'href="#name"' in html
    html = client.post(url, {"name": ""}).content.decode()
    assert "Enter the programme&#39;s name" in html
    assert Programme.objects.count() == 1


def test_other_roles_cannot_create_or_change_programmes(client, role_user, dementia):
    client.force_login(role_user(Role.GOVERNING_BODY))
    create = client.post(reverse("programme-create", kwargs={"ods": "03L"}), {"name": "Stroke"})
    assert create.status_code == 403
    assert "Only planning managers of Rotherham can change programmes." in create.content.decode()
    edit = client.post(reverse("programme-edit", kwargs={"pk": dementia.pk}), {"name": "X"})
    assert edit.status_code == 403
    assert Programme.objects.get().name == "Dementia"


def test_editing_a_programme(client, planner, dementia):
    client.force_login(planner)
    url = reverse("programme-edit", kwargs={"pk": dementia.pk})
    form = client.get(url).content.decode()
    assert 'name="revision" value="1"' in form and 'value="Dementia"' in form
    response = client.post(
        url, {"name": "Dementia care", "lead": "Dr Hall", "description": "", "revision": "1"}
    )
    assert response.status_code == 302
    dementia.refresh_from_db()
    assert (dementia.name, dementia.lead, dementia.revision) == ("Dementia care", "Dr Hall", 2)


def test_an_edit_conflict_shows_both_versions(client, planner, dementia):
    client.force_login(planner)
    url = reverse("programme-edit", kwargs={"pk": dementia.pk})
    client.post(url, {"name": "Dementia care", "lead": "Dr Hall", "revision": "1"})
    response = client.post(url, {"name": "Memory", "lead": "Dr Hall", "revision": "1"})
    html = squash(response.content.decode())
    assert response.status_code == 200
    assert "Someone else saved this" in html and "Dementia care" in html and "Memory" in html
    assert 'name="revision" value="2"' in html
    # Saving again from here replaces the saved version.
    assert client.post(url, {"name": "Memory", "revision": "2"}).status_code == 302
    dementia.refresh_from_db()
    assert dementia.name == "Memory"


# --- Measures -------------------------------------------------------------------------------------


def test_measures_are_added_changed_and_deleted(client, planner, dementia):
    client.force_login(planner)
    add = reverse("programme-measure-create", kwargs={"pk": dementia.pk})
    assert "Enter the measure" in client.post(add, {"text": ""}).content.decode()
    response = client.post(add, {"text": "Diagnosis rate of 67%"})
    measure = ProgrammeMeasure.objects.get(text="Diagnosis rate of 67%")
    assert response["Location"] == detail_url(dementia) + f"#measure-{measure.pk}"
    edit = reverse("programme-measure-edit", kwargs={"pk": dementia.pk, "measure_id": measure.pk})
    client.post(edit, {"text": "Diagnosis rate of 70%", "revision": str(measure.revision)})
    measure.refresh_from_db()
    assert measure.text == "Diagnosis rate of 70%"
    stale = client.post(edit, {"text": "Old", "revision": "1"})
    assert "Someone else saved this" in stale.content.decode()
    delete = reverse(
        "programme-measure-delete", kwargs={"pk": dementia.pk, "measure_id": measure.pk}
    )
    assert "Delete this measure?" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not ProgrammeMeasure.objects.filter(pk=measure.pk).exists()


def test_scrutiny_cannot_change_measures(client, role_user, dementia):
    measure = dementia.measures.get()
    client.force_login(role_user(Role.SCRUTINY))
    delete = reverse(
        "programme-measure-delete", kwargs={"pk": dementia.pk, "measure_id": measure.pk}
    )
    assert client.post(delete).status_code == 403
    assert ProgrammeMeasure.objects.filter(pk=measure.pk).exists()


# --- Linking commitments --------------------------------------------------------------------------


def test_linking_and_unlinking_commitments(client, planner, dementia, published, other_ccg):
    extra = CommitmentFactory(
        priority=PriorityFactory(plan=published), text="We will support carers"
    )
    foreign = CommitmentFactory(
        priority=PriorityFactory(plan=PlanFactory(ccg=other_ccg, state="published")),
        text="We will not be offered",
    )
    client.force_login(planner)
    url = reverse("programme-commitment-link", kwargs={"pk": dementia.pk})
    page = client.get(url).content.decode()
    assert "We will support carers" in page
    assert "We will diagnose dementia early" not in page  # already linked
    assert "We will not be offered" not in page
    refused = client.post(url, {"commitments": [str(foreign.pk)]})
    assert "Choose commitments from the list" in refused.content.decode()
    assert "Choose one or more commitments to link" in client.post(url, {}).content.decode()
    response = client.post(url, {"commitments": [str(extra.pk)]})
    assert response["Location"] == detail_url(dementia) + "#commitments"
    assert extra in dementia.commitments.all()
    assert "1 commitment linked to Dementia." in client.get(detail_url(dementia)).content.decode()

    unlink = reverse(
        "programme-commitment-unlink", kwargs={"pk": dementia.pk, "commitment_id": extra.pk}
    )
    assert client.get(unlink).status_code == 405
    assert client.post(unlink).status_code == 302
    assert extra not in dementia.commitments.all()
    foreign_unlink = reverse(
        "programme-commitment-unlink", kwargs={"pk": dementia.pk, "commitment_id": foreign.pk}
    )
    assert client.post(foreign_unlink).status_code == 404


def test_only_planning_managers_unlink(client, role_user, dementia):
    linked = dementia.commitments.get(text="We will diagnose dementia early")
    client.force_login(role_user(Role.VIEWER))
    unlink = reverse(
        "programme-commitment-unlink", kwargs={"pk": dementia.pk, "commitment_id": linked.pk}
    )
    assert client.post(unlink).status_code == 403
    assert linked in dementia.commitments.all()


# --- Intentions -----------------------------------------------------------------------------------


def test_an_intention_is_added_to_a_plan_that_can_change(client, planner, dementia, draft):
    client.force_login(planner)
    url = reverse("programme-intention-create", kwargs={"pk": dementia.pk})
    html = squash(client.get(url).content.decode())
    # The draft is offered; the published plan is listed with the reason it cannot change.
    assert f'value="{draft.pk}"' in html
    assert "Plans that cannot change now" in html
    assert "This plan is published and read-only. Start an annual refresh to change it." in html
    response = client.post(url, {"plan": str(draft.pk), "text": "Open two more memory cafes"})
    assert response["Location"] == detail_url(dementia) + "#intentions"
    assert ProgrammeIntention.objects.filter(plan=draft, text="Open two more memory cafes")
    assert "Intention added to" in client.get(detail_url(dementia)).content.decode()


def test_a_plan_that_cannot_change_refuses_an_intention(client, planner, dementia, published):
    client.force_login(planner)
    url = reverse("programme-intention-create", kwargs={"pk": dementia.pk})
    response = client.post(url, {"plan": str(published.pk), "text": "Too late"})
    assert response.status_code == 409
    assert "published and read-only" in response.content.decode()
    assert not ProgrammeIntention.objects.filter(text="Too late").exists()


def test_no_editable_plan_says_so(client, planner, dementia, draft):
    draft.state = "submitted"
    draft.save()
    client.force_login(planner)
    url = reverse("programme-intention-create", kwargs={"pk": dementia.pk})
    html = squash(client.get(url).content.decode())
    assert "None of Rotherham&#39;s plans can take a new intention now." in html
    assert "with the governing body and read-only" in html
    assert 'name="text"' not in html


def test_the_ccg_overview_links_to_programmes(client, planner, ccg):
    client.force_login(planner)
    html = client.get(reverse("ccg-detail", kwargs={"ods": "03L"})).content.decode()
    assert f'href="{reverse("ccg-programmes", kwargs={"ods": "03L"})}"' in html
