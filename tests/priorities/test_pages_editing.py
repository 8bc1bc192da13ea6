"""Adding, changing, deleting and reordering priorities, commitments, actions, success
measures and locality focus through the pages: validation errors as NHS error summaries, the
two-editors conflict, and htmx answers (just the fragment that changed) beside the plain
POST-redirect of the same forms."""

import datetime as dt

from django.urls import reverse

from commissioning.access import Role
from priorities import services
from priorities.models import Action, Commitment, LocalityFocus, PriorityArea, SuccessMeasure
from tests.factories import LocalityFactory, user_with_role
from tests.priorities.test_pages_support import (  # noqa: F401 (fixtures)
    HX,
    content_fixture,
    item_url,
    locality_fixture,
    signed_in,
    tab_url,
    text,
)


def new_url(name, plan, parent=None):
    kwargs = {"pk": plan.pk}
    if parent is not None:
        kwargs["parent_id"] = parent.pk
    return reverse(name, kwargs=kwargs)


# --- Priorities --------------------------------------------------------------------------------


def test_adding_a_priority(client, content, planner):
    plan = content["plan"]
    url = new_url("plan-priority-new", plan)
    page = signed_in(client, planner).get(url)
    assert page.status_code == 200 and "Add a priority" in text(page)
    response = client.post(
        url,
        {
            "title": "Mental Health",
            "objective": "Improve wellbeing",
            "end_state": "",
            "hwb_aims": "",
        },
        follow=True,
    )
    added = PriorityArea.objects.get(plan=plan, title="Mental Health")
    assert response.redirect_chain[-1][0].endswith(f"{tab_url(plan)}#priority-{added.pk}")
    assert "Priority added: Mental Health." in text(response)
    assert added.order == 2 and added.objective == "Improve wellbeing"


def test_a_priority_needs_a_title(client, content, planner):
    url = new_url("plan-priority-new", content["plan"])
    response = signed_in(client, planner).post(url, {"title": "", "objective": "Kept"})
    body = text(response)
    assert response.status_code == 200
    assert "There is a problem" in body and 'href="#title"' in body
    assert "Enter the priority&#39;s title" in body and "Kept" in body
    assert "Error: " in body.split("<title>")[1].split("</title>")[0]
    assert PriorityArea.objects.filter(plan=content["plan"]).count() == 1


def test_changing_a_priority(client, content, planner):
    priority = content["priority"]
    url = item_url("plan-priority-edit", priority)
    page = text(signed_in(client, planner).get(url))
    assert 'name="revision" value="1"' in page and "Our objective is to integrate services" in page
    client.post(
        url,
        {
            "title": "Older people",
            "objective": "New",
            "end_state": "",
            "hwb_aims": "",
            "revision": "1",
        },
    )
    priority.refresh_from_db()
    assert (priority.title, priority.objective, priority.revision) == ("Older people", "New", 2)


def test_an_edit_without_its_revision_is_refused(client, content, planner):
    priority = content["priority"]
    response = signed_in(client, planner).post(
        item_url("plan-priority-edit", priority), {"title": "Older people"}
    )
    assert "This form is out of date" in text(response)
    priority.refresh_from_db()
    assert priority.revision == 1


def test_deleting_a_priority_asks_first_and_says_what_goes_with_it(client, content, planner):
    priority = content["priority"]
    url = item_url("plan-priority-delete", priority)
    page = text(signed_in(client, planner).get(url))
    assert "Delete this priority?" in page
    assert "This also deletes its 1 commitment, 2 actions, 1 success measure." in page
    assert PriorityArea.objects.filter(pk=priority.pk).exists()
    response = client.post(url, follow=True)
    assert "Priority deleted: Older people and people with a long term condition." in text(response)
    assert not PriorityArea.objects.filter(pk=priority.pk).exists()
    assert not Action.objects.filter(commitment__priority=priority).exists()


def test_moving_priorities(client, content, planner):
    plan = content["plan"]
    second = services.add_priority(plan, user=planner, title="Mental Health")
    first = content["priority"]
    url = item_url("plan-priority-move", second)
    assert signed_in(client, planner).get(url).status_code == 405
    response = client.post(url, {"direction": "up"})
    assert response["Location"].endswith(f"#priority-{second.pk}")
    order = list(PriorityArea.objects.filter(plan=plan).order_by("order"))
    assert order == [second, first]
    body = text(client.get(tab_url(plan)))
    assert body.index("Mental Health</h2>") < body.index("long term condition</h2>")
    assert client.post(url, {"direction": "sideways"}).status_code == 400


# --- Commitments -------------------------------------------------------------------------------


def test_adding_a_commitment_with_a_locality(client, content, planner, locality):
    priority = content["priority"]
    url = new_url("plan-commitment-new", content["plan"], priority)
    page = text(signed_in(client, planner).get(url))
    assert "Add a commitment to: Older people" in page and "Derby Advanced Commissioning" in page
    client.post(
        url,
        {
            "text": "We will review care homes",
            "lead": "Head of Quality",
            "locality": str(locality.pk),
        },
    )
    added = Commitment.objects.get(priority=priority, text="We will review care homes")
    assert (added.lead, added.locality, added.order) == ("Head of Quality", locality, 2)


def test_a_commitment_needs_its_text_and_a_locality_of_the_ccg(client, content, planner, other_ccg):
    elsewhere = LocalityFactory(ccg=other_ccg, name="Amber Valley")
    url = new_url("plan-commitment-new", content["plan"], content["priority"])
    response = signed_in(client, planner).post(url, {"text": "", "locality": str(elsewhere.pk)})
    body = text(response)
    assert 'href="#text"' in body and "Enter the commitment, starting" in body
    assert 'href="#locality"' in body and "Choose one of the CCG&#39;s localities" in body
    assert "Amber Valley" not in body
    assert content["priority"].commitments.count() == 1


def test_two_saves_of_a_commitment_lose_nothing(client, content, planner, ccg):
    commitment = content["commitment"]
    url = item_url("plan-commitment-edit", commitment)
    colleague = user_with_role(Role.PLANNING_MANAGER, ccg, first_name="Lydia", last_name="George")
    signed_in(client, colleague).post(
        url,
        {
            "text": "We will redesign community services",
            "lead": "Their lead",
            "locality": "",
            "revision": "1",
        },
    )
    response = signed_in(client, planner).post(
        url, {"text": commitment.text, "lead": "My lead", "locality": "", "revision": "1"}
    )
    assert response.status_code == 200
    body = text(response)
    assert "Someone else saved this commitment" in body
    assert "Their version (saved by Lydia George" in body
    assert "Their lead" in body and "My lead" in body
    assert 'name="revision" value="2"' in body
    assert "app-conflict-compare__row--differs" in body
    commitment.refresh_from_db()
    assert commitment.lead == "Their lead"
    # Saving again, knowingly, replaces their version with mine.
    client.post(url, {"text": commitment.text, "lead": "My lead", "locality": "", "revision": "2"})
    commitment.refresh_from_db()
    assert (commitment.lead, commitment.revision) == ("My lead", 3)


def test_moving_and_deleting_a_commitment(client, content, planner):
    priority = content["priority"]
    second = services.add_commitment(priority, user=planner, text="We will review care homes")
    signed_in(client, planner).post(item_url("plan-commitment-move", second), {"direction": "up"})
    assert list(priority.commitments.order_by("order")) == [second, content["commitment"]]
    page = text(client.get(item_url("plan-commitment-delete", content["commitment"])))
    assert "This also deletes its 2 actions." in page
    response = client.post(item_url("plan-commitment-delete", content["commitment"]))
    assert response["Location"].endswith(f"#priority-{priority.pk}")
    assert list(priority.commitments.all()) == [second]


# --- Actions -----------------------------------------------------------------------------------


def test_adding_actions_due_on_a_date_or_in_a_quarter(client, content, planner):
    commitment = content["commitment"]
    url = new_url("plan-action-new", content["plan"], commitment)
    page = text(signed_in(client, planner).get(url))
    assert '<option value="2015-2"' in page and "Q2 2015/16" in page and "Q4 2018/19" in page
    client.post(
        url,
        {
            "text": "Procure a diabetes service",
            "lead": "Diabetes lead",
            "due_on-day": "",
            "due_on-month": "",
            "due_on-year": "",
            "due_quarter": "2015-2",
        },
    )
    quarterly = Action.objects.get(text="Procure a diabetes service")
    assert (quarterly.due_on, quarterly.due_precision) == (dt.date(2015, 9, 30), "quarter")
    assert quarterly.due_label == "Q2 2015/16"
    client.post(
        url,
        {
            "text": "Evaluate pilots",
            "due_on-day": "14",
            "due_on-month": "dec",
            "due_on-year": "2015",
            "due_quarter": "",
        },
    )
    dated = Action.objects.get(text="Evaluate pilots")
    assert (dated.due_on, dated.due_precision) == (dt.date(2015, 12, 14), "date")
    client.post(url, {"text": "No date yet"})
    assert Action.objects.get(text="No date yet").due_on is None
    body = text(client.get(tab_url(content["plan"])))
    assert "Due: Q2 2015/16" in body and "Due: 14 December 2015" in body


def test_an_action_is_due_on_a_real_date_or_in_a_quarter_not_both(client, content, planner):
    url = new_url("plan-action-new", content["plan"], content["commitment"])
    signed_in(client, planner)
    both = text(
        client.post(
            url,
            {
                "text": "Both",
                "due_on-day": "1",
                "due_on-month": "4",
                "due_on-year": "2015",
                "due_quarter": "2015-1",
            },
        )
    )
    assert "Give a due date or a quarter, not both" in both and 'href="#due_quarter"' in both
    unreal = text(
        client.post(
            url, {"text": "Unreal", "due_on-day": "31", "due_on-month": "2", "due_on-year": "2016"}
        )
    )
    assert "The due date must be a real date" in unreal and 'href="#due_on-day"' in unreal
    partial = text(client.post(url, {"text": "Partial", "due_on-day": "1", "due_on-year": "2016"}))
    assert "The due date must include a month" in partial and 'href="#due_on-month"' in partial
    outside = text(client.post(url, {"text": "Outside", "due_quarter": "2030-1"}))
    assert "Choose one of the plan&#39;s quarters" in outside
    assert content["commitment"].actions.count() == 2


def test_changing_an_action_keeps_its_quarter(client, content, planner):
    action = content["quarterly"]
    url = item_url("plan-action-edit", action)
    page = text(signed_in(client, planner).get(url))
    assert '<option value="2015-3" selected' in page
    client.post(
        url,
        {
            "text": action.text,
            "lead": "Commissioning manager",
            "due_quarter": "2016-1",
            "revision": "1",
        },
    )
    action.refresh_from_db()
    assert action.due_label == "Q1 2016/17" and action.lead == "Commissioning manager"
    dated = content["dated"]
    page = text(client.get(item_url("plan-action-edit", dated)))
    assert 'name="due_on-day" type="text" value="30"' in page


def test_moving_an_action(client, content, planner):
    signed_in(client, planner).post(
        item_url("plan-action-move", content["quarterly"]), {"direction": "up"}
    )
    assert list(content["commitment"].actions.order_by("order")) == [
        content["quarterly"],
        content["dated"],
    ]


# --- Success measures and locality focus ---------------------------------------------------------


def test_adding_and_changing_a_success_measure(client, content, planner):
    plan = content["plan"]
    url = new_url("plan-measure-new", plan)
    missing = text(signed_in(client, planner).post(url, {"measure": ""}))
    assert 'href="#measure"' in missing and "Enter the measure" in missing
    client.post(
        url,
        {
            "measure": "Dementia diagnosis rate",
            "priority": "",
            "baseline": "48%",
            "aspiration": "67%",
            "source": "QOF",
        },
    )
    measure = SuccessMeasure.objects.get(measure="Dementia diagnosis rate")
    assert measure.priority is None and measure.order == 2
    body = text(client.get(tab_url(plan)))
    assert "The plan as a whole" in body and "Source: QOF" in body
    client.post(
        item_url("plan-measure-edit", measure),
        {
            "measure": "Dementia diagnosis rate",
            "priority": str(content["priority"].pk),
            "baseline": "48%",
            "aspiration": "70%",
            "revision": "1",
        },
    )
    measure.refresh_from_db()
    assert (measure.priority, measure.aspiration) == (content["priority"], "70%")
    client.post(item_url("plan-measure-move", measure), {"direction": "up"})
    assert list(SuccessMeasure.objects.filter(plan=plan).order_by("order")) == [
        measure,
        content["measure"],
    ]


def test_locality_focus_is_ordered_within_its_locality(client, content, planner, ccg, locality):
    plan = content["plan"]
    other = LocalityFactory(ccg=ccg, name="Amber Valley")
    url = new_url("plan-focus-new", plan)
    missing = text(signed_in(client, planner).post(url, {"locality": "", "text": "x"}))
    assert 'href="#locality"' in missing and "Choose the locality" in missing
    client.post(url, {"locality": str(other.pk), "text": "Falls prevention"})
    client.post(url, {"locality": str(locality.pk), "text": "Care homes"})
    care_homes = LocalityFocus.objects.get(text="Care homes")
    client.post(item_url("plan-focus-move", care_homes), {"direction": "up"})
    mine = LocalityFocus.objects.filter(plan=plan, locality=locality).order_by("order")
    assert [f.text for f in mine] == ["Care homes", "Discharge planning"]
    body = text(client.get(tab_url(plan)))
    assert body.index("Amber Valley</h3>") < body.index("Derby Advanced Commissioning</h3>")
    assert body.index("Care homes") < body.index("Discharge planning")


# --- htmx: inline forms and fragments -------------------------------------------------------


def test_an_inline_form_is_just_the_form(client, content, planner):
    commitment = content["commitment"]
    url = new_url("plan-action-new", content["plan"], commitment)
    response = signed_in(client, planner).get(url, **HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    slot = f"commitment-{commitment.pk}-new-action"
    assert body.strip().startswith(f'<div id="{slot}"')
    assert f'hx-post="{url}"' in body and f'hx-target="#{slot}"' in body
    assert f'id="{slot}-text"' in body  # ids of its own: nothing clashes with the page


def test_an_inline_save_answers_with_the_changed_fragment(client, content, planner):
    commitment, priority = content["commitment"], content["priority"]
    url = new_url("plan-action-new", content["plan"], commitment)
    data = {"text": "Develop community team support", "due_quarter": "2015-4"}
    response = signed_in(client, planner).post(url, data, **HX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#priority-{priority.pk}"
    assert response["HX-Reswap"] == "outerHTML"
    body = text(response)
    assert body.strip().startswith(f'<section class="app-priority" id="priority-{priority.pk}"')
    assert "Develop community team support" in body and "Due: Q4 2015/16" in body
    assert "<html" not in body
    # The message goes to the live region, and not to the next page as well.
    assert 'id="priorities-status"' in body and "Action added: Develop community" in body
    assert "Action added" not in text(client.get(tab_url(content["plan"])))


def test_the_same_post_without_htmx_redirects(client, content, planner):
    url = new_url("plan-action-new", content["plan"], content["commitment"])
    response = signed_in(client, planner).post(url, {"text": "Develop community team support"})
    added = Action.objects.get(text="Develop community team support")
    assert response.status_code == 302
    assert response["Location"] == f"{tab_url(content['plan'])}#action-{added.pk}"
    assert "HX-Retarget" not in response


def test_an_inline_form_with_errors_answers_with_itself(client, content, planner):
    priority = content["priority"]
    url = new_url("plan-commitment-new", content["plan"], priority)
    response = signed_in(client, planner).post(url, {"text": ""}, **HX)
    body = text(response)
    slot = f"priority-{priority.pk}-new-commitment"
    assert response.status_code == 200 and "HX-Retarget" not in response
    assert body.strip().startswith(f'<div id="{slot}"')
    assert "There is a problem" in body and f'href="#{slot}-text"' in body


def test_an_inline_edit_conflict_shows_both_versions(client, content, planner):
    action = content["dated"]
    services.update_item(action, user=planner, expected_revision=1, lead="Saved lead")
    response = signed_in(client, planner).post(
        item_url("plan-action-edit", action),
        {"text": action.text, "lead": "My lead", "revision": "1"},
        **HX,
    )
    body = text(response)
    assert "Someone else saved this action" in body
    assert "Saved lead" in body and "My lead" in body and 'value="2"' in body
    assert body.strip().startswith(f'<div id="action-{action.pk}-body"')


def test_a_move_through_htmx_answers_with_the_fragment(client, content, planner):
    plan = content["plan"]
    second = services.add_priority(plan, user=planner, title="Mental Health")
    response = signed_in(client, planner).post(
        item_url("plan-priority-move", second), {"direction": "up"}, **HX
    )
    body = text(response)
    assert response["HX-Retarget"] == "#priorities"
    assert body.strip().startswith('<div id="priorities"')
    assert body.index("Mental Health</h2>") < body.index("long term condition</h2>")
    assert "Priority moved up: Mental Health." in body
    measure = text(
        client.post(item_url("plan-measure-move", content["measure"]), {"direction": "down"}, **HX)
    )
    assert measure.strip().startswith('<section id="success-measures"')


def test_an_inline_priority_edit_also_refreshes_the_measures(client, content, planner):
    priority = content["priority"]
    response = signed_in(client, planner).post(
        item_url("plan-priority-edit", priority),
        {"title": "Older people", "revision": "1"},
        **HX,
    )
    body = text(response)
    assert response["HX-Retarget"] == "#priorities"
    assert '<section id="success-measures" class="app-priorities-part"' in body
    assert 'hx-swap-oob="true"' in body.split('id="success-measures"')[1].split(">")[0]


def test_refusals_are_the_same_through_htmx(client, content, ccg):
    viewer = user_with_role(Role.VIEWER, ccg)
    url = new_url("plan-priority-new", content["plan"])
    assert signed_in(client, viewer).post(url, {"title": "x"}, **HX).status_code == 403
    assert PriorityArea.objects.filter(plan=content["plan"]).count() == 1
