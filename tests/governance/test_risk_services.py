"""The risk register's writes (governance.services_risks): adding, changing, reviewing,
closing and reopening risks, their actions, who may do it, the score history, the bands (as
data, loaded idempotently) and the dashboard's risk, action and meeting panels."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commissioning.access import Role
from governance import dashboard
from governance import services_risks as services
from governance.models import Committee, Meeting, MeetingAction, Risk, RiskBand, RiskReview
from plans.errors import EditConflict, InvalidMove, NotAllowed, ReadOnly
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

TODAY = dt.date(2016, 5, 10)


# --- Helpers (also used by the page, API and browser tests) ---------------------------------


def make_risk(ccg, *, user=None, current=(4, 4), target=(2, 3), inherent=(5, 4), **values):
    """A risk of `ccg` (by the system unless `user` is given) with these scores."""
    values.setdefault("title", "QIPP savings not delivered")
    return services.create_risk(
        ccg,
        user=user,
        inherent_likelihood=inherent[0],
        inherent_consequence=inherent[1],
        current_likelihood=current[0],
        current_consequence=current[1],
        target_likelihood=target[0],
        target_consequence=target[1],
        **values,
    )


def make_committee(ccg, name="Audit committee", kind="audit", **values):
    return Committee.objects.create(ccg=ccg, name=name, kind=kind, **values)


@pytest.fixture
def today(monkeypatch):
    """Pin the services' (and pages') idea of today."""
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    return TODAY


@pytest.fixture
def board(role_user):
    return role_user(Role.GOVERNING_BODY)


# --- Bands ----------------------------------------------------------------------------------


def test_default_bands_load_idempotently():
    assert services.ensure_default_bands() == dict.fromkeys(
        ["low", "moderate", "high", "extreme"], "created"
    )
    RiskBand.objects.filter(code="high").update(label="Significant")

    again = services.ensure_default_bands()

    assert again == {"low": "unchanged", "moderate": "unchanged", "high": "updated",
                     "extreme": "unchanged"}  # fmt: skip
    assert services.ensure_default_bands() == dict.fromkeys(again, "unchanged")
    rows = RiskBand.objects.filter(ccg__isnull=True).order_by("min_score")
    assert [(b.code, b.label, b.min_score, b.max_score) for b in rows] == [
        ("low", "Low", 1, 3),
        ("moderate", "Moderate", 4, 6),
        ("high", "High", 8, 12),
        ("extreme", "Extreme", 15, 25),
    ]


def test_the_band_book_reads_stored_bands_and_a_ccgs_own(ccg, other_ccg):
    book = services.band_book()
    assert [b.code for b in book.for_ccg(ccg.pk)] == ["low", "moderate", "high", "extreme"]

    RiskBand.objects.create(ccg=ccg, code="green", label="Green", min_score=1, max_score=4)
    RiskBand.objects.create(ccg=ccg, code="amber", label="Amber", min_score=5, max_score=12)
    RiskBand.objects.create(ccg=ccg, code="red", label="Red", min_score=15, max_score=25)
    services.ensure_default_bands()
    book = services.band_book()

    assert book.band(ccg.pk, 4).code == "green"
    assert book.band(other_ccg.pk, 4).code == "moderate"
    assert services.bands_for(ccg)[0].label == "Green"
    assert ("red", "Red") in book.codes() and book.codes()[0] == ("low", "Low")


def test_band_filter_uses_each_ccgs_own_bands(ccg, other_ccg):
    RiskBand.objects.create(ccg=ccg, code="extreme", label="Extreme", min_score=12, max_score=25)
    twelve_a = make_risk(ccg, current=(3, 4))
    twelve_b = make_risk(other_ccg, current=(4, 3))
    sixteen_b = make_risk(other_ccg, current=(4, 4))
    risks = Risk.objects.annotate(score_now=services.score_now())

    extreme = risks.filter(services.band_book().score_ranges("extreme"))

    assert set(extreme) == {twelve_a, sixteen_b}
    assert set(risks.filter(services.band_book().score_ranges("high"))) == {twelve_b}


# --- Adding and changing a risk -------------------------------------------------------------


def test_a_planning_manager_adds_a_risk_with_the_next_reference(ccg, planner, today):
    first = make_risk(ccg, user=planner, owner="Chief Finance Officer")
    second = make_risk(ccg, user=planner, title="Acute activity over plan")

    assert (first.reference, second.reference) == ("R01", "R02")
    assert (first.current_score, first.inherent_score, first.target_score) == (16, 20, 6)
    history = list(first.reviews.all())
    assert [(r.reviewed_on, r.score, r.note) for r in history] == [
        (TODAY, 16, "Added to the register.")
    ]
    assert history[0].reviewed_by == planner
    assert first.history.first().history_user == planner


def test_a_risk_reference_is_unique_in_its_ccg(ccg, other_ccg):
    make_risk(ccg, reference="GBAF1")
    make_risk(other_ccg, reference="GBAF1")
    with pytest.raises(InvalidMove) as refused:
        make_risk(ccg, reference="gbaf1")
    assert refused.value.field == "reference"
    assert "already has a risk gbaf1" in refused.value.message


@pytest.mark.parametrize(
    ("scores", "field", "message"),
    [
        ({"current": (0, 3)}, "current_likelihood", "The current likelihood must be"),
        ({"target": (2, 6)}, "target_consequence", "The target consequence must be"),
        ({"inherent": (9, 1)}, "inherent_likelihood", "The inherent likelihood must be"),
    ],
)
def test_scores_off_the_matrix_are_refused(ccg, scores, field, message):
    with pytest.raises(InvalidMove) as refused:
        make_risk(ccg, **scores)
    assert refused.value.field == field and refused.value.message.startswith(message)


def test_links_must_be_the_ccgs_own(ccg, other_ccg):
    theirs = make_committee(other_ccg)
    with pytest.raises(InvalidMove) as refused:
        make_risk(ccg, committee=theirs)
    assert refused.value.field == "committee"


@pytest.mark.parametrize("role", [Role.GOVERNING_BODY, Role.VIEWER, Role.SCRUTINY, Role.ASSURER])
def test_only_planning_managers_change_the_register(ccg, role):
    user = user_with_role(role, ccg)
    with pytest.raises(NotAllowed, match="Only planning managers of"):
        make_risk(ccg, user=user)
    risk = make_risk(ccg)
    for attempt in (
        lambda: services.update_risk(risk, user=user, expected_revision=None, title="x"),
        lambda: services.review_risk(risk, user=user, likelihood=1, consequence=1),
        lambda: services.add_risk_action(risk, user=user, text="Do it"),
        lambda: services.close_risk(risk, user=user),
    ):
        with pytest.raises(NotAllowed):
            attempt()


def test_staff_change_any_register(ccg):
    staff = UserFactory(is_staff=True)
    assert make_risk(ccg, user=staff).reference == "R01"


def test_an_edit_that_changes_the_current_scores_adds_to_the_history(ccg, planner, today):
    risk = make_risk(ccg, user=planner)
    services.update_risk(risk, user=planner, expected_revision=1, owner="CFO")
    assert risk.reviews.count() == 1 and risk.revision == 2

    services.update_risk(risk, user=planner, expected_revision=2, current_likelihood=3)

    risk.refresh_from_db()
    assert risk.current_score == 12 and risk.revision == 3
    assert [(r.score, r.note) for r in risk.reviews.order_by("pk")] == [
        (16, "Added to the register."),
        (12, "Current scores changed when the risk was edited."),
    ]


def test_a_stale_edit_is_refused_with_both_versions(ccg, planner):
    risk = make_risk(ccg, user=planner)
    services.update_risk(risk, user=planner, expected_revision=1, title="Saved first")

    with pytest.raises(EditConflict) as conflict:
        services.update_risk(Risk.objects.get(pk=risk.pk), user=planner, expected_revision=1,
                             title="Saved second")  # fmt: skip

    assert conflict.value.current.title == "Saved first"
    assert conflict.value.attempted == {"title": "Saved second"}
    assert conflict.value.saved_by == planner


def test_unknown_fields_are_refused(ccg):
    risk = make_risk(ccg)
    with pytest.raises(InvalidMove, match="cannot be changed here: status"):
        services.update_risk(risk, user=None, expected_revision=None, status="closed")


# --- Reviews --------------------------------------------------------------------------------


def test_a_review_appends_to_the_history_and_sets_the_dates(ccg, planner, today):
    risk = make_risk(ccg, user=planner, added_on=dt.date(2016, 1, 4))

    review = services.review_risk(risk, user=planner, likelihood=3, consequence=4,
                                  note="Recovery plan agreed", expected_revision=1)  # fmt: skip

    risk.refresh_from_db()
    assert (risk.current_likelihood, risk.current_consequence, risk.current_score) == (3, 4, 12)
    assert risk.last_reviewed_on == TODAY
    assert risk.next_review_on == dt.date(2016, 8, 10)  # three months on
    assert (review.reviewed_on, review.score, review.note, review.reviewed_by) == (
        TODAY, 12, "Recovery plan agreed", planner
    )  # fmt: skip
    assert [(r.reviewed_on, r.score) for r in risk.reviews.order_by("reviewed_on", "pk")] == [
        (dt.date(2016, 1, 4), 16),
        (TODAY, 12),
    ]
    assert risk.revision == 2


def test_a_review_takes_a_date_and_the_next_review(ccg, today):
    risk = make_risk(ccg, added_on=dt.date(2016, 1, 4))
    services.review_risk(risk, user=None, likelihood=5, consequence=5,
                         reviewed_on=dt.date(2016, 3, 31),
                         next_review_on=dt.date(2016, 4, 30))  # fmt: skip
    risk.refresh_from_db()
    assert (risk.last_reviewed_on, risk.next_review_on) == (dt.date(2016, 3, 31),
                                                            dt.date(2016, 4, 30))  # fmt: skip


def test_review_dates_at_the_end_of_a_month():
    assert services.add_months(dt.date(2016, 11, 30), 3) == dt.date(2017, 2, 28)
    assert services.add_months(dt.date(2016, 1, 31), 1) == dt.date(2016, 2, 29)


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        ({"reviewed_on": dt.date(2016, 5, 11)}, "reviewed_on", "today or in the past"),
        (
            {"reviewed_on": dt.date(2016, 1, 3)},
            "reviewed_on",
            "on or after the latest review (4 January 2016)",
        ),
        ({"next_review_on": TODAY}, "next_review_on", "after this review"),
    ],  # fmt: skip
)
def test_review_dates_are_checked(ccg, today, dates, field, message):
    risk = make_risk(ccg, added_on=dt.date(2016, 1, 4))
    with pytest.raises(InvalidMove) as refused:
        services.review_risk(risk, user=None, likelihood=2, consequence=2, **dates)
    assert refused.value.field == field and message in refused.value.message
    assert risk.reviews.count() == 1


def test_a_stale_review_is_refused(ccg, planner):
    risk = make_risk(ccg)
    services.review_risk(risk, user=planner, likelihood=3, consequence=3, expected_revision=1)
    with pytest.raises(EditConflict):
        services.review_risk(Risk.objects.get(pk=risk.pk), user=planner, likelihood=1,
                             consequence=1, expected_revision=1)  # fmt: skip
    assert RiskReview.objects.filter(risk=risk).count() == 2


# --- Closing, reopening, actions ------------------------------------------------------------


def test_a_closed_risk_is_read_only_until_reopened(ccg, planner):
    risk = make_risk(ccg, user=planner)
    services.close_risk(risk, user=planner, expected_revision=1)
    assert Risk.objects.get(pk=risk.pk).status == "closed"

    for attempt in (
        lambda: services.update_risk(risk, user=planner, expected_revision=None, title="x"),
        lambda: services.review_risk(risk, user=planner, likelihood=1, consequence=1),
        lambda: services.add_risk_action(risk, user=planner, text="Do it"),
    ):
        with pytest.raises(ReadOnly, match="R01 is closed: reopen it to change it"):
            attempt()
    with pytest.raises(InvalidMove, match="closed already"):
        services.close_risk(risk, user=planner)

    services.reopen_risk(risk, user=planner, expected_revision=2)
    assert Risk.objects.get(pk=risk.pk).status == "open"
    with pytest.raises(InvalidMove, match="open already"):
        services.reopen_risk(risk, user=planner)


def test_actions_are_added_and_completed(ccg, planner, today):
    risk = make_risk(ccg, user=planner)
    action = services.add_risk_action(risk, user=planner, text=" Agree recovery plan ",
                                      owner="CFO", due_on=dt.date(2016, 6, 30))  # fmt: skip
    assert (action.text, action.owner, action.done_on) == ("Agree recovery plan", "CFO", None)

    services.complete_risk_action(action, user=planner)

    action.refresh_from_db()
    assert action.done_on == TODAY and action.revision == 2
    with pytest.raises(InvalidMove, match="completed on 10 May 2016"):
        services.complete_risk_action(action, user=planner)
    with pytest.raises(InvalidMove) as empty:
        services.add_risk_action(risk, user=planner, text="  ")
    assert empty.value.field == "text"


# --- The dashboard's panels -----------------------------------------------------------------


def test_the_dashboard_shows_a_risk_scoring_16(ccg, board):
    make_risk(ccg, title="QIPP savings not delivered", current=(4, 4))
    make_risk(ccg, title="Low risk", current=(1, 2))
    services.close_risk(make_risk(ccg, title="Closed extreme", current=(5, 5)), user=None)

    panels = dashboard.later_panels(board, ccg, dt.date(2016, 3, 1))

    assert [p.code for p in panels] == ["risks"]
    assert panels[0].title == "Risks scoring 15 or more"
    assert panels[0].rows == (
        ("R01 QIPP savings not delivered", "16, Extreme (likelihood 4 × consequence 4)"),
    )


def test_the_risk_panel_says_none_are_escalated(ccg, board):
    make_risk(ccg, current=(3, 4))
    (panel,) = dashboard.later_panels(board, ccg, dt.date(2016, 3, 1))
    assert panel.rows == (("Risks scoring 15 or more", "None of the 1 open risks"),)


def test_scrutiny_members_see_no_risk_panel(ccg, role_user):
    make_risk(ccg)
    assert dashboard.later_panels(role_user(Role.SCRUTINY), ccg, dt.date(2016, 3, 1)) == []


def _meeting(committee, day, **values):
    return Meeting.objects.create(committee=committee, date=day, **values)


def test_overdue_actions_and_next_meetings_as_at_the_month_end(ccg, other_ccg, board):
    body = make_committee(ccg, "Governing body", "governing-body", is_public=True)
    march = _meeting(body, dt.date(2016, 3, 3))
    late = dict(committee=body, meeting=march, owner="CFO")
    MeetingAction.objects.create(text="Report QIPP", due_on=dt.date(2016, 3, 31), **late)
    MeetingAction.objects.create(text="Not due yet", due_on=dt.date(2016, 4, 30), **late)
    done = dict(late, status="complete")
    MeetingAction.objects.create(text="Done in time", due_on=dt.date(2016, 3, 10),
                                 closed_on=dt.date(2016, 3, 9), **done)  # fmt: skip
    MeetingAction.objects.create(text="Done after", due_on=dt.date(2016, 2, 10),
                                 closed_on=dt.date(2016, 4, 9), **done)  # fmt: skip
    _meeting(body, dt.date(2016, 4, 7), time=dt.time(13, 30), location="Oak House")
    _meeting(body, dt.date(2016, 5, 5), status="cancelled")
    _meeting(make_committee(other_ccg), dt.date(2016, 4, 1))

    panels = {p.code: p for p in dashboard.later_panels(board, ccg, dt.date(2016, 3, 1))}

    assert set(panels) == {"overdue-actions", "next-meetings"}
    assert panels["overdue-actions"].rows == (
        ("Overdue actions", "2 of 3 open actions"),
        ("Governing body: Done after", "Due 10 February 2016, CFO"),
        ("Governing body: Report QIPP", "Due 31 March 2016, CFO"),
    )
    assert panels["next-meetings"].rows == (("Governing body", "7 April 2016, 13:30, Oak House"),)


def test_the_panels_read_in_a_fixed_number_of_queries(ccg, board):
    body = make_committee(ccg, "Governing body", "governing-body")

    def count():
        with CaptureQueriesContext(connection) as queries:
            dashboard.later_panels(board, ccg, dt.date(2016, 3, 1))
        return len(queries)

    make_risk(ccg)
    meeting = _meeting(body, dt.date(2016, 3, 3))
    MeetingAction.objects.create(committee=body, meeting=meeting, text="A",
                                 due_on=dt.date(2016, 3, 4))  # fmt: skip
    _meeting(body, dt.date(2016, 4, 3))
    count()  # reads the user's memberships once (cached for the request)
    few = count()
    for number in range(5):
        make_risk(ccg, current=(5, 4))
        MeetingAction.objects.create(committee=body, meeting=meeting, text=f"B{number}",
                                     due_on=dt.date(2016, 3, 4))  # fmt: skip
        _meeting(body, dt.date(2016, 4, 10 + number))
    assert count() == few == 6  # with the (empty) finance panels' two
