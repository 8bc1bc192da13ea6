"""NHS England assurance checkpoints through governance.services_assurance: assurers and staff
write for any CCG, nobody else does; ratings come from the year's scheme; one checkpoint a
quarter; parts written whole or one at a time; revisions and history."""

import datetime as dt

import pytest

from commissioning.access import Role
from commissioning.years import FinancialYear
from governance import services_assurance as services
from governance.models import (
    AgreedAction,
    AssuranceCheckpoint,
    Finding,
    RatingScheme,
    ScorecardResult,
)
from plans.errors import EditConflict, InvalidMove, NotAllowed
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def assurer(db):
    return user_with_role(Role.ASSURER)


def record(ccg, user, **values):
    values = {"year": "2013/14", "quarter": 1, **values}
    return services.create_checkpoint(ccg, user=user, **values)


# --- Who writes ---------------------------------------------------------------------------------


def test_an_assurer_records_a_checkpoint_of_any_ccg(ccg, other_ccg, assurer):
    first = record(ccg, assurer, held_on=dt.date(2013, 9, 2), assessor="Area team")
    second = record(other_ccg, assurer)
    assert (first.ccg, first.year, first.quarter) == (ccg, FinancialYear(2013), 1)
    assert second.ccg == other_ccg
    assert first.history.first().history_user == assurer


def test_staff_record_checkpoints(ccg, staff_user):
    assert record(ccg, staff_user).pk


@pytest.mark.parametrize(
    "role", [Role.PLANNING_MANAGER, Role.GOVERNING_BODY, Role.VIEWER, Role.SCRUTINY]
)
def test_people_of_the_ccg_do_not_write_assurance(ccg, role_user, assurer, role):
    user = role_user(role)
    with pytest.raises(NotAllowed, match="Only NHS England assurers"):
        record(ccg, user)
    checkpoint = record(ccg, assurer)
    with pytest.raises(NotAllowed):
        services.update_checkpoint(checkpoint, user=user, expected_revision=None, rating="")
    with pytest.raises(NotAllowed):
        services.add_part(checkpoint, "findings", user=user, area="QIPP", text="On target")
    with pytest.raises(NotAllowed):
        services.delete_checkpoint(checkpoint, user=user)
    assert AssuranceCheckpoint.objects.count() == 1


def test_who_reads_assurance(ccg, other_ccg, role_user, assurer, staff_user):
    assert services.can_read_assurance(role_user(Role.PLANNING_MANAGER), ccg)
    assert services.can_read_assurance(role_user(Role.GOVERNING_BODY), ccg)
    assert services.can_read_assurance(role_user(Role.VIEWER), ccg)
    assert not services.can_read_assurance(role_user(Role.SCRUTINY), ccg)
    assert not services.can_read_assurance(role_user(Role.PLANNING_MANAGER, other_ccg), ccg)
    assert services.can_read_assurance(assurer, ccg)
    assert services.can_read_assurance(staff_user, other_ccg)
    checkpoint = record(ccg, assurer)
    planner = role_user(Role.PLANNING_MANAGER)
    scrutiny = role_user(Role.SCRUTINY)
    assert list(AssuranceCheckpoint.objects.for_user(planner)) == [checkpoint]
    assert not AssuranceCheckpoint.objects.for_user(scrutiny).exists()


# --- Ratings and places ----------------------------------------------------------------------


def test_the_rating_must_be_one_of_the_schemes(ccg, assurer):
    with pytest.raises(InvalidMove) as refused:
        record(ccg, assurer, rating="Good")  # a 2016/17 rating in 2013/14
    assert refused.value.field == "rating"
    assert "Assured, Assured with support or Not assured" in refused.value.message
    checkpoint = record(ccg, assurer, rating="Assured with support")
    assert checkpoint.rating_scheme == RatingScheme.ASSURANCE_2013


def test_the_scheme_follows_the_year(ccg, assurer):
    later = record(ccg, assurer, year="2016/17", quarter=2, rating="Requires improvement")
    assert later.rating_scheme == RatingScheme.IAF_2016
    with pytest.raises(InvalidMove, match="Outstanding, Good, Requires improvement or Inadequate"):
        record(ccg, assurer, year="2017/18", rating="Assured")
    with pytest.raises(InvalidMove) as refused:
        record(ccg, assurer, year="2013/14", rating_scheme="no-such-scheme")
    assert refused.value.field == "rating_scheme"


def test_one_checkpoint_a_quarter(ccg, other_ccg, assurer):
    record(ccg, assurer)
    with pytest.raises(InvalidMove) as refused:
        record(ccg, assurer)
    assert refused.value.field == "quarter"
    assert "has a Q1 2013/14 checkpoint already" in refused.value.message
    record(ccg, assurer, quarter=2)
    record(other_ccg, assurer)
    with pytest.raises(InvalidMove):
        record(ccg, assurer, quarter=5)


def test_the_letter_follows_the_checkpoint(ccg, assurer):
    with pytest.raises(InvalidMove) as refused:
        record(ccg, assurer, held_on=dt.date(2013, 9, 6), letter_date=dt.date(2013, 9, 2))
    assert refused.value.field == "letter_date"


def test_ccg_year_and_quarter_are_fixed(ccg, other_ccg, assurer):
    checkpoint = record(ccg, assurer)
    with pytest.raises(InvalidMove) as refused:
        services.update_checkpoint(checkpoint, user=assurer, expected_revision=None, quarter=2)
    assert refused.value.field == "quarter"
    with pytest.raises(InvalidMove):
        services.update_checkpoint(checkpoint, user=assurer, expected_revision=None,
                                   ccg=other_ccg)  # fmt: skip
    # the same values are not changes
    same = {"ccg": ccg, "year": FinancialYear(2013), "quarter": 1}
    services.update_checkpoint(checkpoint, user=assurer, expected_revision=None,
                               assessor="Area team", **same)  # fmt: skip
    checkpoint.refresh_from_db()
    assert checkpoint.assessor == "Area team"


# --- Parts ---------------------------------------------------------------------------------------


def test_parts_given_with_the_checkpoint_keep_their_order(ccg, assurer):
    checkpoint = record(
        ccg,
        assurer,
        scorecard=[
            {"metric": "Friends and Family Test", "target": "15%", "met": False},
            {"metric": "QIPP", "target": "4 QIPP workstream areas", "met": True},
            {"metric": "Unclosed Serious Incidents", "met": None},
        ],
        findings=[{"area": "QIPP", "text": "On target."}],
        actions=[
            {"text": "Publish the scorecard", "owner": "CCG", "due_on": dt.date(2013, 10, 18)}
        ],  # fmt: skip
    )
    results = list(checkpoint.scorecard.all())
    assert [(r.metric, r.met, r.order) for r in results] == [
        ("Friends and Family Test", False, 1),
        ("QIPP", True, 2),
        ("Unclosed Serious Incidents", None, 3),
    ]
    assert checkpoint.findings.get().area == "QIPP"
    assert checkpoint.actions.get().due_on == dt.date(2013, 10, 18)


def test_a_list_sets_the_parts_whole(ccg, assurer):
    checkpoint = record(ccg, assurer, scorecard=[{"metric": "A"}, {"metric": "B"}])
    a, b = checkpoint.scorecard.all()
    services.update_checkpoint(
        checkpoint,
        user=assurer,
        expected_revision=checkpoint.revision,
        scorecard=[{"id": b.pk, "metric": "B changed"}, {"metric": "C"}],
    )
    rows = list(ScorecardResult.objects.filter(checkpoint=checkpoint))
    assert [(r.metric, r.order) for r in rows] == [("B changed", 1), ("C", 2)]
    assert rows[0].pk == b.pk
    assert not ScorecardResult.objects.filter(pk=a.pk).exists()


def test_a_part_of_another_checkpoint_is_refused(ccg, other_ccg, assurer):
    mine = record(ccg, assurer, findings=[{"area": "QIPP", "text": "x"}])
    theirs = record(other_ccg, assurer, findings=[{"area": "Finance", "text": "y"}])
    with pytest.raises(InvalidMove) as refused:
        other = theirs.findings.get().pk
        services.update_checkpoint(mine, user=assurer, expected_revision=None,
                                   findings=[{"id": other, "text": "z"}])  # fmt: skip
    assert refused.value.field == "findings.0.id"
    assert theirs.findings.get().text == "y"


def test_parts_need_their_words(ccg, assurer):
    with pytest.raises(InvalidMove) as refused:
        record(ccg, assurer, scorecard=[{"metric": "QIPP"}, {"target": "95%"}])
    assert refused.value.field == "scorecard.1.metric"
    assert not AssuranceCheckpoint.objects.exists()  # all or nothing
    checkpoint = record(ccg, assurer)
    with pytest.raises(InvalidMove) as refused:
        services.add_part(checkpoint, "findings", user=assurer, area="QIPP", text="")
    assert refused.value.field == "text"
    with pytest.raises(InvalidMove):
        services.add_part(checkpoint, "actions", user=assurer, text="x", colour="red")


def test_one_part_at_a_time_counts_as_a_change_of_the_checkpoint(ccg, assurer):
    checkpoint = record(ccg, assurer)
    start = checkpoint.revision
    finding = services.add_part(checkpoint, "findings", user=assurer, area="QIPP", text="a")
    action = services.add_part(checkpoint, "actions", user=assurer, text="Do it", owner="CCG")
    services.update_part(finding, "findings", user=assurer, text="b")
    services.update_part(action, "actions", user=assurer, done_on=dt.date(2013, 10, 1))
    services.delete_part(finding, "findings", user=assurer)
    checkpoint.refresh_from_db()
    assert checkpoint.revision == start + 5
    assert not Finding.objects.exists()
    assert AgreedAction.objects.get().done_on == dt.date(2013, 10, 1)
    assert checkpoint.history.count() == 6


# --- Concurrency ---------------------------------------------------------------------------------


def test_a_stale_revision_is_an_edit_conflict(ccg, assurer):
    checkpoint = record(ccg, assurer)
    opened = checkpoint.revision
    services.update_checkpoint(checkpoint, user=assurer, expected_revision=opened,
                               rating="Assured")  # fmt: skip
    stale = AssuranceCheckpoint.objects.get(pk=checkpoint.pk)
    with pytest.raises(EditConflict) as conflict:
        services.update_checkpoint(stale, user=assurer, expected_revision=opened,
                                   rating="Not assured")  # fmt: skip
    assert conflict.value.current.rating == "Assured"
    assert conflict.value.attempted == {"rating": "Not assured"}
    assert conflict.value.saved_by == assurer


def test_deleting_a_checkpoint_deletes_its_parts(ccg, assurer):
    checkpoint = record(ccg, assurer, scorecard=[{"metric": "QIPP"}],
                        actions=[{"text": "Publish"}])  # fmt: skip
    services.delete_checkpoint(checkpoint, user=assurer)
    assert not AssuranceCheckpoint.objects.exists()
    assert not ScorecardResult.objects.exists() and not AgreedAction.objects.exists()
