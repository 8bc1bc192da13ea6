"""Two planning managers save the same section from the same starting revision: one wins,
the other gets a conflict carrying both texts, and nothing is lost."""

import threading

import pytest
from django.db import connection

from commissioning.access import Role
from plans import services
from plans.errors import EditConflict
from plans.models import Section
from tests.factories import user_with_role


@pytest.mark.django_db
def test_the_second_save_from_the_same_revision_is_refused_with_both_texts(
    draft_plan, planner, ccg
):
    colleague = user_with_role(Role.PLANNING_MANAGER, ccg)
    section = draft_plan.sections.get()
    mine, theirs = Section.objects.get(pk=section.pk), Section.objects.get(pk=section.pk)
    services.update_section(theirs, user=colleague, expected_revision=1, body="Their text")
    with pytest.raises(EditConflict) as raised:
        services.update_section(mine, user=planner, expected_revision=1, body="My text")
    conflict = raised.value
    assert conflict.current.body == "Their text"
    assert conflict.current.revision == 2
    assert conflict.attempted == {"body": "My text"}
    assert "Someone else saved this" in conflict.message
    section.refresh_from_db()
    assert (section.body, section.revision) == ("Their text", 2)
    # Saving again from the revision the conflict showed succeeds: a deliberate overwrite.
    services.update_section(mine, user=planner, expected_revision=2, body="My text")
    section.refresh_from_db()
    assert (section.body, section.revision) == ("My text", 3)
    assert section.history.count() == 3


@pytest.mark.django_db
def test_statements_and_plan_details_are_guarded_too(draft_plan, planner):
    statement = draft_plan.statements.get()
    services.update_statement(statement, user=planner, expected_revision=1, text="A")
    with pytest.raises(EditConflict):
        services.update_statement(statement, user=planner, expected_revision=1, text="B")
    services.update_plan(draft_plan, user=planner, expected_revision=1, vision="One")
    with pytest.raises(EditConflict):
        services.update_plan(draft_plan, user=planner, expected_revision=1, vision="Two")
    draft_plan.refresh_from_db()
    assert draft_plan.vision == "One"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a database with concurrent writers"
)
def test_simultaneous_saves_on_postgresql_one_wins(ccg):
    """Real concurrency: two threads, two connections, the same starting revision."""
    from commissioning.years import FinancialYear

    planner = user_with_role(Role.PLANNING_MANAGER, ccg)
    plan = services.create_plan(
        user=planner, ccg=ccg, kind="strategic-plan", title="Plan",
        first_year=FinancialYear(2015), last_year=FinancialYear(2018),
    )  # fmt: skip
    section = services.add_section(plan, user=planner, title="Primary Care", body="Start")
    barrier = threading.Barrier(2)
    outcomes = []

    def save(text):
        from django.db import connections

        try:
            barrier.wait()
            services.update_section(
                Section.objects.get(pk=section.pk), user=planner, expected_revision=1, body=text
            )
            outcomes.append(("saved", text))
        except EditConflict as conflict:
            outcomes.append(("conflict", conflict.current.body))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    section.refresh_from_db()
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    winner = next(text for kind, text in outcomes if kind == "saved")
    loser_saw = next(text for kind, text in outcomes if kind == "conflict")
    assert section.body == winner == loser_saw
    assert section.revision == 2
