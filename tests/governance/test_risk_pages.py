"""Risk register pages: the register with filters and sorting, the heat map (current and
target, each cell linking to the filtered register), the assurance framework by strategic
objective, escalations, overdue reviews, a risk with its actions and score history; the forms
planning managers use; who sees what (risks are internal: scrutiny members get a 404)."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.access import Role
from governance import services_risks as services
from governance.models import Risk, RiskAction
from tests.factories import user_with_role
from tests.governance.test_dashboard import add_series, make_standard
from tests.governance.test_risk_services import TODAY, make_committee, make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


@pytest.fixture
def audit(ccg):
    return make_committee(ccg, "Audit committee")


@pytest.fixture
def register(ccg, audit):
    """Rotherham's register: an extreme risk (16), a high one (12, overdue for review), a low
    one (2) and a closed extreme one."""
    qipp = make_risk(ccg, title="QIPP savings not delivered", current=(4, 4), target=(2, 3),
                     owner="Chief Finance Officer", committee=audit,
                     strategic_objective="Deliver financial balance",
                     cause="Activity growth", event="Savings fall short",
                     effect="Deficit at year end", key_controls="Monthly QIPP monitoring",
                     internal_assurance="Finance reports to the governing body",
                     external_assurance="External audit opinion",
                     gaps_in_control="No recovery plan for urgent care",
                     gaps_in_assurance="No benchmarking",
                     next_review_on=dt.date(2016, 6, 30))  # fmt: skip
    ae = make_risk(ccg, title="A&E 4-hour standard missed", current=(3, 4), target=(2, 2),
                   owner="Chief Operating Officer", strategic_objective="Improve urgent care",
                   next_review_on=dt.date(2016, 4, 30))  # fmt: skip
    low = make_risk(ccg, title="Estates lease expires", current=(1, 2), target=(1, 1),
                    inherent=(2, 2), owner="Chief Finance Officer")  # fmt: skip
    closed = make_risk(ccg, title="Old contract dispute", current=(5, 5))
    services.close_risk(closed, user=None)
    services.add_risk_action(qipp, user=None, text="Agree recovery plan", owner="CFO",
                             due_on=dt.date(2016, 4, 1))  # fmt: skip
    return {"qipp": qipp, "ae": ae, "low": low, "closed": closed}


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def manager(client, planner):
    return logged_in(client, planner)


def url(name, ccg, risk=None, **kwargs):
    if risk is not None:
        kwargs["pk"] = risk.pk
    return reverse(name, kwargs={"ods": ccg.ods_code, **kwargs})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def row_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr class="nhsuk-table__row" id="risk-(\d+)"',
                                         response.content.decode())]  # fmt: skip


# --- The register ---------------------------------------------------------------------------


def test_the_register_lists_open_risks_by_current_score(manager, ccg, register):
    response = manager.get(url("ccg-risks", ccg))

    assert response.status_code == 200
    assert row_ids(response) == [register["qipp"].pk, register["ae"].pk, register["low"].pk]
    text = text_of(response)
    assert "R01 QIPP savings not delivered" in text
    assert "16 Extreme" in text and "12 High" in text and "2 Low" in text
    assert "Escalated to the governing body" in text
    assert "Review overdue" in text  # the A&E risk, due 30 April 2016
    assert "Low 1-3, Moderate 4-6, High 8-12, Extreme 15-25." in text
    assert "Add a risk" in text
    assert "/api/v1/risks/?ccg=03L&amp;format=csv" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "closed"}, ["closed"]),
        ({"status": "all"}, ["closed", "qipp", "ae", "low"]),
        ({"band": "high"}, ["ae"]),
        ({"owner": "Chief Finance Officer"}, ["qipp", "low"]),
        ({"overdue": "on"}, ["ae"]),
        ({"sort": "reference"}, ["qipp", "ae", "low"]),
        ({"sort": "review"}, ["ae", "qipp", "low"]),
        ({"likelihood": "4", "consequence": "4", "scores": "current"}, ["qipp"]),
        ({"likelihood": "2", "consequence": "3", "scores": "target"}, ["qipp"]),
    ],
)
def test_the_register_filters_and_sorts(manager, ccg, register, query, expected):
    response = manager.get(url("ccg-risks", ccg), query)
    assert row_ids(response) == [register[name].pk for name in expected]


def test_a_heat_map_cell_says_which_risks_it_shows(manager, ccg, register):
    query = {"likelihood": "4", "consequence": "4", "scores": "current"}
    page = manager.get(url("ccg-risks", ccg), query).content.decode()
    assert "<p>Showing risks with current likelihood 4 (likely) × consequence 4" in page
    assert "&lt;p&gt;" not in page  # the inset's markup is not escaped into view


def test_the_register_filters_by_committee(manager, ccg, register, audit):
    response = manager.get(url("ccg-risks", ccg), {"committee": audit.pk})
    assert row_ids(response) == [register["qipp"].pk]
    assert "Clear filters" in text_of(response)


def test_a_filter_value_not_offered_is_reported(manager, ccg, register):
    response = manager.get(url("ccg-risks", ccg), {"band": "purple", "likelihood": "9"})
    text = text_of(response)
    assert "There is a problem" in text
    assert "Choose a band from the list" in text
    assert "The likelihood must be a whole number from 1 to 5" in text
    assert len(row_ids(response)) == 3  # the other filters still apply


# --- Heat map, framework, escalations, overdue reviews --------------------------------------


def cell(response, ident) -> str:
    match = re.search(rf'id="{ident}" data-count="(\d+)"', response.content.decode())
    return match.group(1)


def test_the_heat_map_counts_open_risks_in_each_cell(manager, ccg, register):
    response = manager.get(url("ccg-risk-heat-map", ccg))

    assert response.status_code == 200
    assert cell(response, "current-4-4") == "1"
    assert cell(response, "current-3-4") == "1"
    assert cell(response, "current-1-2") == "1"
    assert cell(response, "current-5-5") == "0"  # the closed risk does not count
    assert cell(response, "target-2-3") == "1"
    page = response.content.decode()
    assert 'href="/ccgs/03L/risks/?likelihood=4&amp;consequence=4&amp;scores=current"' in page
    assert 'href="/ccgs/03L/risks/?likelihood=2&amp;consequence=3&amp;scores=target"' in page
    text = text_of(response)
    assert "Open risks by current likelihood and consequence (3 risks)" in text
    assert "5 Almost certain" in text and "Consequence 5 Catastrophic" in text
    assert "Low 1, Moderate 0, High 1, Extreme 1." in text


def test_the_assurance_framework_groups_risks_by_objective(manager, ccg, register):
    response = manager.get(url("ccg-risk-framework", ccg))
    text = text_of(response)
    headings = re.findall(r'<h2 id="objective-\d+">([^<]+)</h2>', response.content.decode())
    assert headings == ["Deliver financial balance", "Improve urgent care",
                        "No strategic objective recorded"]  # fmt: skip
    for words in (
        "Cause: Activity growth",
        "Monthly QIPP monitoring",
        "Finance reports to the governing body",
        "External audit opinion",
        "No recovery plan for urgent care",
        "No benchmarking",
        "Audit committee",
    ):
        assert words in text  # fmt: skip
    assert "Old contract dispute" not in text


def test_escalated_and_overdue_lists(manager, ccg, register):
    escalated = manager.get(url("ccg-risks-escalated", ccg))
    overdue = manager.get(url("ccg-risks-overdue", ccg))
    assert row_ids(escalated) == [register["qipp"].pk]
    assert row_ids(overdue) == [register["ae"].pk]
    assert "10 days overdue" in text_of(overdue)


# --- A risk ---------------------------------------------------------------------------------


def test_a_risk_page_shows_everything_and_its_history(manager, ccg, register, planner):
    qipp = register["qipp"]
    services.review_risk(qipp, user=planner, likelihood=3, consequence=4, note="Plan agreed")

    response = manager.get(url("risk-detail", ccg, qipp))

    text = text_of(response)
    assert response.status_code == 200
    for words in (
        "R01 QIPP savings not delivered",
        "Inherent (before controls)",
        "5 – Almost certain",
        "4 – Major",
        "Deliver financial balance",
        "Savings fall short",
        "Agree recovery plan",
        "Overdue",
        "Plan agreed",
        "Added to the register.",
        "Review this risk",
        "Mark complete",
    ):
        assert words in text, words  # fmt: skip
    assert re.search(r"<svg[^>]*role=\"img\"", response.content.decode())
    assert "Current score of R01 at each review" in response.content.decode()


def test_a_risk_of_another_ccg_is_not_found_under_this_one(manager, ccg, other_ccg, planner):
    theirs = make_risk(other_ccg)
    response = manager.get(reverse("risk-detail", kwargs={"ods": "03L", "pk": theirs.pk}))
    assert response.status_code == 404


# --- Forms ----------------------------------------------------------------------------------


def risk_post(**overrides):
    data = {
        "title": "Continuing healthcare costs rise",
        "owner": "Director of Nursing",
        "strategic_objective": "Deliver financial balance",
        "inherent_likelihood": "4",
        "inherent_consequence": "4",
        "current_likelihood": "3",
        "current_consequence": "4",
        "target_likelihood": "2",
        "target_consequence": "3",
        "next_review_on-day": "30",
        "next_review_on-month": "9",
        "next_review_on-year": "2016",
    }
    return data | overrides


def test_a_planning_manager_adds_a_risk(manager, ccg, audit):
    form = manager.get(url("risk-create", ccg))
    assert form.status_code == 200
    text = text_of(form)
    assert "1 – Rare" in text and "5 – Almost certain" in text
    assert "1 – Negligible" in text and "5 – Catastrophic" in text
    assert "Leave it empty for the next reference, R01" in text

    response = manager.post(url("risk-create", ccg), risk_post(committee=str(audit.pk)))

    risk = Risk.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("risk-detail", ccg, risk)
    assert (risk.reference, risk.current_score, risk.committee) == ("R01", 12, audit)
    assert risk.next_review_on == dt.date(2016, 9, 30)


def test_the_risk_form_reports_problems(manager, ccg):
    response = manager.post(url("risk-create", ccg),
                            risk_post(title="", current_likelihood="",
                                      **{"next_review_on-month": "13"}))  # fmt: skip
    text = text_of(response)
    assert response.status_code == 200 and not Risk.objects.exists()
    assert "There is a problem" in text
    assert "Enter the risk's title" in text
    assert "Choose the current likelihood" in text
    assert "The next review date must be a real date" in text
    assert 'href="#current_likelihood"' in response.content.decode()


def test_a_duplicate_reference_is_reported_on_its_field(manager, ccg, register):
    response = manager.post(url("risk-create", ccg), risk_post(reference="R01"))
    assert "already has a risk R01" in text_of(response)
    assert 'href="#reference"' in response.content.decode()


def test_an_edit_saved_first_elsewhere_shows_both_versions(manager, ccg, register, planner):
    qipp = register["qipp"]
    services.update_risk(qipp, user=planner, expected_revision=1, title="Saved elsewhere")
    data = risk_post(reference="R01", title="My title", revision="1")

    response = manager.post(url("risk-edit", ccg, qipp), data)

    text = text_of(response)
    assert "Someone else saved this" in text
    assert "Saved elsewhere" in text and "My title" in text
    assert Risk.objects.get(pk=qipp.pk).title == "Saved elsewhere"
    assert 'name="revision" value="2"' in response.content.decode()


def test_an_edit_is_saved(manager, ccg, register):
    qipp = register["qipp"]
    data = risk_post(reference="R01", title="QIPP shortfall", revision="1")
    response = manager.post(url("risk-edit", ccg, qipp), data)
    assert response.status_code == 302
    qipp.refresh_from_db()
    assert (qipp.title, qipp.current_score, qipp.revision) == ("QIPP shortfall", 12, 2)
    assert qipp.reviews.count() == 2  # the changed current score joined the history


def test_a_review_changes_the_current_score_and_adds_to_the_history(manager, ccg, register):
    qipp = register["qipp"]
    form = manager.get(url("risk-review", ccg, qipp))
    assert 'value="4" checked' in form.content.decode().replace("\n", " ")

    response = manager.post(url("risk-review", ccg, qipp), {
        "current_likelihood": "2", "current_consequence": "4", "note": "Recovery plan agreed",
        "reviewed_on-day": "10", "reviewed_on-month": "5", "reviewed_on-year": "2016",
        "revision": "1",
    })  # fmt: skip

    assert response.status_code == 302
    assert response["Location"].endswith("#history")
    qipp.refresh_from_db()
    assert (qipp.current_score, qipp.last_reviewed_on, qipp.next_review_on) == (
        8, TODAY, dt.date(2016, 8, 10)
    )  # fmt: skip
    assert [r.score for r in qipp.reviews.order_by("pk")] == [16, 8]
    page = manager.get(response["Location"])
    assert "Review recorded: R01 now scores 8 (High)." in text_of(page)


def test_a_review_dated_in_the_future_is_refused(manager, ccg, register):
    response = manager.post(url("risk-review", ccg, register["qipp"]), {
        "current_likelihood": "2", "current_consequence": "4",
        "reviewed_on-day": "1", "reviewed_on-month": "6", "reviewed_on-year": "2016",
        "revision": "1",
    })  # fmt: skip
    assert "The review date must be today or in the past" in text_of(response)
    assert 'href="#reviewed_on-day"' in response.content.decode()


def test_actions_are_added_and_completed(manager, ccg, register):
    qipp = register["qipp"]
    response = manager.post(url("risk-action-new", ccg, qipp), {
        "text": "Benchmark against peers", "owner": "Head of Finance",
        "due_on-day": "31", "due_on-month": "7", "due_on-year": "2016",
    })  # fmt: skip
    action = RiskAction.objects.get(text="Benchmark against peers")
    assert response.status_code == 302 and action.due_on == dt.date(2016, 7, 31)

    missing = manager.post(url("risk-action-new", ccg, qipp), {"text": ""})
    assert "Enter the action" in text_of(missing)

    done = manager.post(url("risk-action-complete", ccg, qipp, action_id=action.pk))
    action.refresh_from_db()
    assert done.status_code == 302 and action.done_on == TODAY
    again = manager.post(url("risk-action-complete", ccg, qipp, action_id=action.pk))
    assert again.status_code == 302
    assert "completed on 10 May 2016" in text_of(manager.get(again["Location"]))


def test_a_risk_is_closed_and_reopened(manager, ccg, register):
    qipp = register["qipp"]
    assert "A closed risk leaves the register" in text_of(manager.get(url("risk-close", ccg, qipp)))

    closed = manager.post(url("risk-close", ccg, qipp), {"revision": "1"})
    assert closed.status_code == 302
    assert Risk.objects.get(pk=qipp.pk).status == "closed"
    page = text_of(manager.get(url("risk-detail", ccg, qipp)))
    assert "Reopen this risk" in page and "Review this risk" not in page
    assert manager.get(url("risk-review", ccg, qipp)).status_code == 409

    manager.post(url("risk-reopen", ccg, qipp), {"revision": "2"})
    assert Risk.objects.get(pk=qipp.pk).status == "open"


# --- Who sees what --------------------------------------------------------------------------


def test_a_board_member_reads_but_does_not_change_risks(client, ccg, register):
    client.force_login(user_with_role(Role.GOVERNING_BODY, ccg))
    page = text_of(client.get(url("risk-detail", ccg, register["qipp"])))
    assert "R01 QIPP savings not delivered" in page
    assert "Review this risk" not in page and "Mark complete" not in page
    refused = client.get(url("risk-review", ccg, register["qipp"]))
    assert refused.status_code == 403
    assert "Only planning managers of Rotherham can change its risk register." in text_of(refused)


@pytest.mark.parametrize("who", ["scrutiny", "other-ccg"])
def test_scrutiny_members_and_other_ccgs_do_not_find_risks(client, ccg, other_ccg, register,
                                                            who):  # fmt: skip
    user = (user_with_role(Role.SCRUTINY, ccg) if who == "scrutiny"
            else user_with_role(Role.PLANNING_MANAGER, other_ccg))  # fmt: skip
    client.force_login(user)
    for name in ("ccg-risks", "ccg-risk-heat-map", "ccg-risk-framework", "ccg-risks-escalated"):
        assert client.get(url(name, ccg)).status_code == 404
    assert client.get(url("risk-detail", ccg, register["qipp"])).status_code == 404


def test_the_ccg_overview_links_to_the_register(manager, ccg):
    response = manager.get(reverse("ccg-detail", args=["03L"]))
    assert 'href="/ccgs/03L/risks/"' in response.content.decode()


def test_the_ccg_overview_offers_scrutiny_members_only_what_they_can_open(client, ccg):
    client.force_login(user_with_role(Role.SCRUTINY, ccg))
    html = client.get(reverse("ccg-detail", args=["03L"])).content.decode()
    assert 'href="/ccgs/03L/committees/"' in html
    assert 'href="/ccgs/03L/risks/"' not in html
    assert 'href="/ccgs/03L/assurance/"' not in html


def test_the_dashboard_shows_risks_before_any_measurement_arrives(client, ccg, register):
    client.force_login(user_with_role(Role.GOVERNING_BODY, ccg))
    text = text_of(client.get(reverse("ccg-dashboard", kwargs={"ods": "03L"})))
    assert "R01 QIPP savings not delivered" in text


def test_the_dashboard_shows_the_risks_scoring_15_or_more(client, ccg, register):
    add_series(make_standard(), ccg, [95, 96, 94])  # the dashboard shows a month with data
    client.force_login(user_with_role(Role.GOVERNING_BODY, ccg))
    response = client.get(reverse("ccg-dashboard", kwargs={"ods": "03L"}))
    text = text_of(response)
    assert "Risks scoring 15 or more" in text
    assert "R01 QIPP savings not delivered" in text
    assert "16, Extreme (likelihood 4 × consequence 4)" in text
