"""Shared by the priorities page tests (fixtures and helpers; no tests of its own): a plan with
one of everything under it. Test modules import the fixtures by their function names
(`content_fixture`); tests ask for them by name (`content`)."""

import datetime as dt

import pytest
from django.urls import reverse

from commissioning.access import Role
from plans import services as plan_services
from priorities import services
from tests.factories import LocalityFactory, user_with_role

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(name="locality")
def locality_fixture(ccg):
    return LocalityFactory(ccg=ccg, name="Derby Advanced Commissioning", code="DAC")


@pytest.fixture(name="content")
def content_fixture(draft_plan, planner, locality):
    """Under the draft 2015-19 plan: a priority with one commitment and two actions (one due
    on a date, one in a quarter), a success measure and a locality focus area."""
    priority = services.add_priority(
        draft_plan,
        user=planner,
        title="Older people and people with a long term condition",
        objective="Our objective is to integrate services",
        end_state="Services work together to promote independence into old age",
        hwb_aims="Older people live independently",
    )
    commitment = services.add_commitment(
        priority,
        user=planner,
        text="We will redesign community services in each locality",
        lead="Head of Community Services",
        locality=locality,
    )
    dated = services.add_action(
        commitment,
        user=planner,
        text="Review Single Point of Access in each locality",
        lead="Locality lead",
        due_on=dt.date(2015, 9, 30),
    )
    quarterly = services.add_action(
        commitment,
        user=planner,
        text="Specify and procure core integrated services",
        due_on=dt.date(2015, 12, 31),
        due_precision="quarter",
    )
    measure = services.add_success_measure(
        draft_plan,
        user=planner,
        priority=priority,
        measure="Emergency admissions for ambulatory care sensitive conditions",
        baseline="1,200 (2014/15)",
        aspiration="Reduce by 10%",
    )
    focus = services.add_locality_focus(
        draft_plan, user=planner, locality=locality, text="Discharge planning"
    )
    return {
        "plan": draft_plan,
        "priority": priority,
        "commitment": commitment,
        "dated": dated,
        "quarterly": quarterly,
        "measure": measure,
        "focus": focus,
    }


def signed_in(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def tab_url(plan) -> str:
    return reverse("plan-priorities", kwargs={"pk": plan.pk})


def item_url(name: str, item, **extra) -> str:
    plan = item.plan
    return reverse(name, kwargs={"pk": plan.pk, "item_id": item.pk, **extra})


def viewer(ccg):
    return user_with_role(Role.VIEWER, ccg)


@pytest.fixture(name="published")
def published_fixture(content, planner, board):
    """The same plan, approved and published: read-only, delivery recorded on it."""
    plan = content["plan"]
    plan_services.transition(plan, user=planner, to="submitted")
    plan_services.transition(plan, user=board, to="approved")
    plan_services.transition(plan, user=board, to="published")
    plan.refresh_from_db()
    return content
