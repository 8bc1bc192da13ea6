"""The NHS England assurance pages: a CCG's checkpoints, each checkpoint (scorecard, findings,
agreed actions with overdue ones flagged), and the assurers' forms. Planning managers read
their CCG's and cannot write; scrutiny members and other CCGs get 404."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from commissioning.access import Role
from governance import services_assurance as services
from governance.models import AgreedAction, AssuranceCheckpoint, Finding, ScorecardResult
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
TAG = re.compile(r'<strong class="nhsuk-tag[^"]*"\s*>(.*?)</strong>', re.DOTALL)


@pytest.fixture
def assurer(db):
    return user_with_role(Role.ASSURER)


@pytest.fixture
def checkpoint(ccg, assurer):
    return services.create_checkpoint(
        ccg,
        user=assurer,
        year="2013/14",
        quarter=1,
        held_on=dt.date(2013, 9, 2),
        letter_date=dt.date(2013, 9, 6),
        assessor="South Yorkshire and Bassetlaw Area Team",
        summary="It is clear from the discussions that good progress has been made.",
        scorecard=[
            {"metric": "Friends and Family Test", "target": "15%", "result": "Not achieved",
             "met": False},
            {"metric": "QIPP", "target": "4 QIPP workstream areas", "met": True},
            {"metric": "Unclosed Serious Incidents", "met": None},
        ],
        findings=[
            {"area": "A&E – 4 Hour Target", "text": "Below the 95% target.\n\nA top priority."},
            {"area": "QIPP", "text": "On target."},
        ],
        actions=[
            {"text": "Publish the balanced scorecard", "owner": "Rotherham CCG",
             "due_on": dt.date(2013, 10, 18)},
            {"text": "Share the action plan", "owner": "Area Team",
             "due_on": dt.date(2013, 9, 20), "done_on": dt.date(2013, 9, 19)},
        ],
    )  # fmt: skip


def page(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs))


def detail_url(checkpoint):
    return reverse("assurance-checkpoint", kwargs={"ods": "03L", "pk": checkpoint.pk})


# --- Reading -------------------------------------------------------------------------------------


def test_the_ccgs_checkpoints_by_quarter_with_their_rating(client, planner, checkpoint, assurer):
    services.update_checkpoint(checkpoint, user=assurer, expected_revision=None,
                               rating="Assured with support")  # fmt: skip
    response = page(client, planner, "ccg-assurance", ods="03L")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2013/14" in html and "Quarter 1" in html
    assert "Assured with support" in html
    assert "1 of 3 targets met" in html
    assert "1 open, <strong>1 overdue</strong>" in html
    assert "Record a checkpoint" not in html  # planning managers do not write assurance


def test_an_assurer_is_offered_the_form(client, assurer, ccg):
    html = page(client, assurer, "ccg-assurance", ods="03L").content.decode()
    assert "No assurance checkpoints are recorded" in html
    assert reverse("assurance-checkpoint-create", kwargs={"ods": "03L"}) in html


def test_the_checkpoint_page(client, planner, checkpoint):
    response = page(client, planner, "assurance-checkpoint", ods="03L", pk=checkpoint.pk)
    html = response.content.decode()
    assert response.status_code == 200
    # The scorecard: metric, target, result and "met" in words.
    assert "Friends and Family Test" in html and "15%" in html and "Not achieved" in html
    tags = [" ".join(t.split()) for t in TAG.findall(html)]
    assert tags[:3] == ["Not met", "Met", "Not assessed"]
    # Findings under their area, paragraphs kept.
    assert "<h3>A&amp;E – 4 Hour Target</h3>" in html
    assert "Below the 95% target.</p>" in html and "A top priority.</p>" in html
    # Agreed actions: owner, due date; the undone past one flagged overdue, the other done.
    assert "Rotherham CCG" in html and "18 October 2013" in html
    assert "Overdue" in html and "Done" in html
    assert "<strong>1 overdue</strong>" in html
    assert "Change details" not in html  # no forms for a planning manager


@pytest.mark.parametrize("who", ["scrutiny", "other"])
def test_scrutiny_and_other_ccgs_get_404(client, ccg, other_ccg, checkpoint, role_user, who):
    user = role_user(Role.SCRUTINY) if who == "scrutiny" else role_user(
        Role.PLANNING_MANAGER, other_ccg
    )  # fmt: skip
    assert page(client, user, "ccg-assurance", ods="03L").status_code == 404
    assert (
        page(client, user, "assurance-checkpoint", ods="03L", pk=checkpoint.pk).status_code == 404
    )


def test_a_checkpoint_is_found_under_its_own_ccg_only(client, assurer, checkpoint, other_ccg):
    response = page(client, assurer, "assurance-checkpoint", ods="04R", pk=checkpoint.pk)
    assert response.status_code == 404


def test_signed_out_visitors_sign_in_first(client, checkpoint):
    response = client.get(detail_url(checkpoint))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_ccg_overview_links_to_assurance(client, planner, ccg):
    html = page(client, planner, "ccg-detail", ods="03L").content.decode()
    assert reverse("ccg-assurance", kwargs={"ods": "03L"}) in html
    assert "NHS England assurance" in html


# --- Recording --------------------------------------------------------------------------------


def test_an_assurer_records_a_checkpoint(client, assurer, ccg):
    client.force_login(assurer)
    response = client.post(
        reverse("assurance-checkpoint-create", kwargs={"ods": "03L"}),
        {
            "year": "2013/14",
            "quarter": "2",
            "held_on-day": "2",
            "held_on-month": "12",
            "held_on-year": "2013",
            "assessor": "Area team",
            "rating_scheme": "",
            "rating": "Assured",
            "summary": "Good progress.",
        },
    )
    checkpoint = AssuranceCheckpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(checkpoint)
    assert (checkpoint.quarter, checkpoint.rating, checkpoint.held_on) == (
        2,
        "Assured",
        dt.date(2013, 12, 2),
    )
    assert checkpoint.rating_scheme == "assurance-2013"


def test_a_rating_of_another_scheme_is_shown_as_an_error(client, assurer, ccg):
    client.force_login(assurer)
    response = client.post(
        reverse("assurance-checkpoint-create", kwargs={"ods": "03L"}),
        {"year": "2013/14", "quarter": "1", "rating_scheme": "", "rating": "Outstanding"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and 'href="#rating"' in html
    assert "Outstanding is not a rating of the 2013/14 scheme" in html
    assert not AssuranceCheckpoint.objects.exists()


def test_a_second_checkpoint_for_the_quarter_is_refused_in_words(client, assurer, checkpoint):
    client.force_login(assurer)
    response = client.post(
        reverse("assurance-checkpoint-create", kwargs={"ods": "03L"}),
        {"year": "2013/14", "quarter": "1"},
    )
    assert "has a Q1 2013/14 checkpoint already" in response.content.decode()
    assert AssuranceCheckpoint.objects.count() == 1


@pytest.mark.parametrize("role", [Role.PLANNING_MANAGER, Role.GOVERNING_BODY, Role.VIEWER])
def test_the_ccgs_people_cannot_write(client, role_user, checkpoint, role):
    client.force_login(role_user(role))
    create = reverse("assurance-checkpoint-create", kwargs={"ods": "03L"})
    assert client.get(create).status_code == 403
    response = client.post(create, {"year": "2014/15", "quarter": "1"})
    assert response.status_code == 403
    assert "Only NHS England assurers" in response.content.decode()
    kwargs = {"ods": "03L", "pk": checkpoint.pk}
    assert client.post(reverse("assurance-checkpoint-delete", kwargs=kwargs)).status_code == 403
    new_finding = reverse("assurance-finding-new", kwargs=kwargs)
    assert client.post(new_finding, {"area": "x", "text": "y"}).status_code == 403
    assert AssuranceCheckpoint.objects.count() == 1 and Finding.objects.count() == 2


def test_changing_a_checkpoint_and_an_edit_conflict(client, assurer, checkpoint):
    client.force_login(assurer)
    url = reverse("assurance-checkpoint-edit", kwargs={"ods": "03L", "pk": checkpoint.pk})
    form = client.get(url).content.decode()
    assert f'name="revision" value="{checkpoint.revision}"' in form
    fields = {"revision": str(checkpoint.revision), "rating_scheme": "assurance-2013",
              "rating": "Assured", "assessor": "Area team", "summary": "Changed"}  # fmt: skip
    assert client.post(url, fields).status_code == 302
    checkpoint.refresh_from_db()
    assert (checkpoint.rating, checkpoint.summary) == ("Assured", "Changed")
    # Someone else saved since this form was opened: both versions, nothing saved.
    response = client.post(url, {**fields, "rating": "Not assured"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this" in html and "Yours (not saved yet)" in html
    checkpoint.refresh_from_db()
    assert checkpoint.rating == "Assured"


def test_adding_changing_and_deleting_parts(client, assurer, checkpoint):
    client.force_login(assurer)
    kwargs = {"ods": "03L", "pk": checkpoint.pk}
    response = client.post(
        reverse("assurance-scorecard-new", kwargs=kwargs),
        {"metric": "A&E – 4 Hour Target", "target": "95%", "result": "Below", "met": "no"},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(checkpoint) + "#scorecard"
    added = ScorecardResult.objects.get(metric="A&E – 4 Hour Target")
    assert (added.met, added.order) == (False, 4)
    # a missing answer is shown against its field
    response = client.post(reverse("assurance-scorecard-new", kwargs=kwargs), {"metric": "x"})
    assert 'href="#met"' in response.content.decode()

    action = AgreedAction.objects.get(text="Publish the balanced scorecard")
    edit = reverse("assurance-action-edit", kwargs={**kwargs, "item_id": action.pk})
    assert "Publish the balanced scorecard" in client.get(edit).content.decode()
    response = client.post(edit, {"text": "Publish the balanced scorecard", "owner": "CCG",
                                  "due_on-day": "18", "due_on-month": "10",
                                  "due_on-year": "2013", "done_on-day": "18",
                                  "done_on-month": "10", "done_on-year": "2013"})  # fmt: skip
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == dt.date(2013, 10, 18)

    finding = Finding.objects.get(area="QIPP")
    delete = reverse("assurance-finding-delete", kwargs={**kwargs, "item_id": finding.pk})
    assert "Delete this finding?" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not Finding.objects.filter(pk=finding.pk).exists()


def test_deleting_a_checkpoint(client, assurer, checkpoint):
    client.force_login(assurer)
    url = reverse("assurance-checkpoint-delete", kwargs={"ods": "03L", "pk": checkpoint.pk})
    assert (
        "3 scorecard results, 2 findings and 2 agreed actions" in client.get(url).content.decode()
    )
    response = client.post(url)
    assert response["Location"] == reverse("ccg-assurance", kwargs={"ods": "03L"})
    assert not AssuranceCheckpoint.objects.exists()
