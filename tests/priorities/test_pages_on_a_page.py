"""The plan on a page: mission, each priority with this year's delivery and its end state,
context, principles and the finance headline; read by everyone who reads the plan."""

import datetime as dt

from django.urls import reverse

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services as plan_services
from plans.models import Plan
from priorities import presenters, services
from tests.factories import user_with_role
from tests.priorities.test_pages_support import (  # noqa: F401 (fixtures)
    content_fixture,
    locality_fixture,
    published_fixture,
    signed_in,
    text,
)


def page_url(plan) -> str:
    return reverse("plan-on-a-page", kwargs={"pk": plan.pk})


def add_context_and_principles(plan, planner):
    plan_services.update_plan(
        plan,
        user=planner,
        expected_revision=None,
        mission="To continuously improve the health and wellbeing of the people of Rotherham",
    )
    plan_services.add_section(
        plan,
        user=planner,
        title="Context",
        body="The CCG serves a population of approximately 258,400.\n\n"
        "| Locality | Practices |\n| --- | --- |\n| Central | 10 |",
    )
    plan_services.add_section(
        plan,
        user=planner,
        title="Finance",
        body="## Allocation\n\nAchieve financial balance, with £15.6m of QIPP savings.\n\n"
        "More detail that the page leaves out.",
    )
    plan_services.add_statement(
        plan,
        user=planner,
        kind="principle",
        group="Core commissioning principles",
        title="Quality & Safety",
        text="assuring Quality & Safety",
    )
    plan_services.add_statement(
        plan,
        user=planner,
        kind="principle",
        group="Core commissioning principles",
        text="promoting Integration",
    )


def test_the_plan_on_a_page(client, content, planner):
    plan = content["plan"]
    add_context_and_principles(plan, planner)
    response = signed_in(client, planner).get(page_url(plan))
    assert response.status_code == 200
    body = text(response)
    assert 'aria-current="page">On a page</a>' in body
    assert "Mission:" in body and "people of Rotherham" in body
    table = body.split('class="nhsuk-table app-on-a-page__priorities"')[1].split("</table>")[0]
    assert "Older people and people with a long term condition" in table
    assert "We will redesign community services in each locality" in table
    assert "Not started" in table and "(RAG grey)" in table
    assert "Services work together to promote independence into old age" in table
    assert "0 of 2 actions complete" in table
    # Context, principles, finance: the first paragraph of each section, and a link to it.
    assert "approximately 258,400" in body and "| Locality |" not in body
    assert "Read the context in full" in body
    assert "Core commissioning principles" in body and "Quality &amp; Safety" in body
    assert "promoting Integration" in body
    assert "Achieve financial balance, with £15.6m of QIPP savings." in body
    assert "More detail that the page leaves out" not in body
    # Print: the tabs and header give way; the plan's name and the date are printed.
    assert "app-on-a-page__print-only" in body


def test_this_years_delivery(client, published, planner):
    plan = published["plan"]
    services.record_progress(
        published["commitment"],
        user=planner,
        status="off-track",
        narrative="Behind",
        reported_on=dt.date(2016, 1, 4),
    )
    services.record_progress(
        published["dated"],
        user=planner,
        status="complete",
        narrative="Done",
        reported_on=dt.date(2016, 1, 4),
    )
    body = text(signed_in(client, planner).get(page_url(plan)))
    assert "Off track" in body and "(RAG red)" in body and "1 of 2 actions complete" in body
    year = presenters.delivery_year(plan, dt.date.today())
    assert f"Delivery {year.label}" in body


def test_the_delivery_year_is_this_year_within_the_plan():
    plan = Plan(first_year=FinancialYear(2015), last_year=FinancialYear(2018))
    assert presenters.delivery_year(plan, dt.date(2016, 5, 1)).label == "2016/17"
    assert presenters.delivery_year(plan, dt.date(2016, 3, 31)).label == "2015/16"
    assert presenters.delivery_year(plan, dt.date(2013, 1, 1)).label == "2015/16"
    assert presenters.delivery_year(plan, dt.date(2025, 1, 1)).label == "2018/19"


def test_without_context_principles_or_finance(client, content, planner):
    body = text(signed_in(client, planner).get(page_url(content["plan"])))
    assert "No principles stated." in body and "The plan has no finance section." in body


def test_who_reads_the_plan_on_a_page(client, published, ccg, other_planner):
    plan = published["plan"]
    url = page_url(plan)
    for role in (Role.SCRUTINY, Role.GOVERNING_BODY, Role.VIEWER, Role.ASSURER):
        reader = user_with_role(role, ccg)
        assert signed_in(client, reader).get(url).status_code == 200, role
    assert signed_in(client, other_planner).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    Plan.objects.filter(pk=plan.pk).update(is_public=True)
    public = client.get(url)
    assert public.status_code == 200 and "We will redesign community services" in text(public)


def test_scrutiny_does_not_read_a_draft_on_a_page(client, content, ccg):
    scrutiny = user_with_role(Role.SCRUTINY, ccg)
    assert signed_in(client, scrutiny).get(page_url(content["plan"])).status_code == 404


def test_the_print_styles_are_there():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "app" / "app.css").read_text()
    printed = css.split("@media print")
    assert any(".app-on-a-page" in part and ".app-tabs" in part for part in printed[1:])
