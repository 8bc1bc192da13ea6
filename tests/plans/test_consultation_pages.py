"""The consultation pages: the tab, opening consultation, commenting, responding, the CSV."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.access import Role
from commissioning.years import FinancialYear
from plans import services
from plans.models import ConsultationComment, Outcome, PlanState
from tests.factories import LocalityFactory, PartnerFactory, user_with_role
from tests.plans.factories import PlanFactory

pytestmark = pytest.mark.django_db

OPENS, CLOSES = dt.date(2015, 12, 14), dt.date(2016, 1, 22)
IN_WINDOW = dt.date(2016, 1, 5)


def fix_today(monkeypatch, day):
    """Make "today" `day` for the pages and the rules (timezone.localdate() with no value)."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


@pytest.fixture
def today(monkeypatch):
    fix_today(monkeypatch, IN_WINDOW)
    return IN_WINDOW


@pytest.fixture
def people(ccg, planner):
    return {
        "planner": planner,
        "invited": user_with_role(Role.SCRUTINY, ccg, first_name="Cllr", last_name="Pitchley"),
        "uninvited_scrutiny": user_with_role(Role.SCRUTINY, ccg),
        "viewer": user_with_role(Role.VIEWER, ccg),
        "board": user_with_role(Role.GOVERNING_BODY, ccg),
    }


@pytest.fixture
def partner(ccg):
    return PartnerFactory(ccg=ccg, name="Rotherham Metropolitan Borough Council")


@pytest.fixture
def locality(ccg):
    return LocalityFactory(ccg=ccg, name="Wentworth North", code="WN")


@pytest.fixture
def draft(ccg, planner):
    plan = services.create_plan(
        user=planner,
        ccg=ccg,
        kind="strategic-plan",
        title="Commissioning Plan 2015-19",
        first_year=FinancialYear(2015),
        last_year=FinancialYear(2018),
    )
    services.add_section(plan, user=planner, title="Primary Care", body="Invest in GP access")
    services.add_section(plan, user=planner, title="Mental Health", body="IAPT recovery 50%")
    return plan


@pytest.fixture
def in_consultation(draft, people, partner, locality):
    services.open_consultation(
        draft,
        user=people["planner"],
        opens_on=OPENS,
        closes_on=CLOSES,
        purpose="Views on the 2016/17 refresh",
        invited_users=[people["invited"]],
        invited_partners=[partner],
        invited_localities=[locality],
    )
    draft.refresh_from_db()
    return draft


def error_links(html: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the NHS error summary."""
    start = html.index("nhsuk-error-summary__list")
    summary = html[start : html.index("</ul>", start)]
    return [
        (href, " ".join(text.split()))
        for href, text in re.findall(r'<a href="([^"]*)"\s*>(.*?)</a>', summary, re.S)
    ]


def client_for(client, user):
    client.force_login(user)
    return client


def section_key(plan, title):
    return str(plan.sections.get(title=title).key)


# --- The consultation tab -----------------------------------------------------------------


def test_the_tab_shows_the_window_the_invited_people_and_the_comments(
    client, in_consultation, people, partner, today
):
    plan = in_consultation
    services.add_comment(
        plan,
        user=people["invited"],
        body="Say more about GP access",
        target_collection="sections",
        target_key=section_key(plan, "Primary Care"),
    )
    answered = services.add_comment(plan, user=people["planner"], body="Fine", partner=partner)
    services.respond_to_comment(
        answered,
        user=people["planner"],
        response="Noted",
        outcome=Outcome.NOT_ACCEPTED,
        outcome_reason="Out of scope",
    )

    response = client_for(client, people["planner"]).get(
        reverse("plan-consultation", kwargs={"pk": plan.pk})
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Open today" in html
    assert "14 December 2015" in html and "22 January 2016" in html
    assert "Views on the 2016/17 refresh" in html
    assert "Cllr Pitchley" in html and "Scrutiny member" in html
    assert "Rotherham Metropolitan Borough Council" in html and "Wentworth North" in html
    assert re.search(
        r"app-counts__value\">1</span>\s*<span class=\"app-counts__label\">"
        r"Awaiting response",
        html,
    )
    assert re.search(
        r"app-counts__value\">1</span>\s*<span class=\"app-counts__label\">"
        r"Not accepted",
        html,
    )
    # Grouped by what they are about: the whole plan first, then the sections in order.
    assert html.index("The whole plan</h3>") < html.index("Section: Primary Care</h3>")
    assert "Out of scope" in html and "Say more about GP access" in html
    assert html.count("Respond<span") == 1 and html.count("Change the response") == 1
    assert "Download comments and responses (CSV)" in html
    assert reverse("plan-move", kwargs={"pk": plan.pk, "to": "draft"}) in html  # close it


def test_the_tab_filters_comments_by_outcome_and_subject(client, in_consultation, people, today):
    plan = in_consultation
    key = section_key(plan, "Mental Health")
    services.add_comment(plan, user=people["invited"], body="About the whole plan")
    services.add_comment(
        plan,
        user=people["invited"],
        body="About IAPT",
        target_collection="sections",
        target_key=key,
    )
    url = reverse("plan-consultation", kwargs={"pk": plan.pk})
    client_for(client, people["planner"])

    about = client.get(url, {"about": f"sections:{key}"}).content.decode()
    assert "About IAPT" in about and "About the whole plan" not in about
    assert "Showing 1 of 2 comments" in about

    awaiting = client.get(url, {"outcome": "awaiting"}).content.decode()
    assert "About IAPT" in awaiting and "About the whole plan" in awaiting
    accepted = client.get(url, {"outcome": "accepted"}).content.decode()
    assert "No comments match these filters." in accepted


def test_invited_stakeholders_see_the_tab_but_cannot_respond(
    client, in_consultation, people, today
):
    services.add_comment(in_consultation, user=people["invited"], body="A comment")
    response = client_for(client, people["invited"]).get(
        reverse("plan-consultation", kwargs={"pk": in_consultation.pk})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Add a comment" in html
    assert "Respond<span" not in html
    assert "Close consultation" not in html and "Open consultation" not in html


def test_people_without_a_role_in_the_ccg_do_not_find_the_tab(
    client, in_consultation, other_ccg, today
):
    outsider = user_with_role(Role.PLANNING_MANAGER, other_ccg)
    url = reverse("plan-consultation", kwargs={"pk": in_consultation.pk})
    assert client_for(client, outsider).get(url).status_code == 404


def test_a_public_plan_keeps_its_consultation_to_the_ccg(client, ccg):
    plan = PlanFactory(ccg=ccg, state=PlanState.PUBLISHED, is_public=True)
    url = reverse("plan-consultation", kwargs={"pk": plan.pk})
    assert client.get(url).status_code == 302  # signed out: sign in first
    from tests.factories import UserFactory

    assert client_for(client, UserFactory()).get(url).status_code == 404


def test_the_tab_says_when_the_window_has_not_opened_or_has_ended(
    client, monkeypatch, in_consultation, people
):
    url = reverse("plan-consultation", kwargs={"pk": in_consultation.pk})
    client_for(client, people["invited"])
    fix_today(monkeypatch, dt.date(2015, 12, 1))
    early = client.get(url).content.decode()
    assert "Not open yet" in early and "The consultation opens on 14 December 2015." in early
    fix_today(monkeypatch, dt.date(2016, 2, 1))
    late = client.get(url).content.decode()
    assert "Window ended" in late and "The consultation closed on 22 January 2016." in late


# --- Opening consultation -----------------------------------------------------------------


def open_url(plan):
    return reverse("plan-consultation-open", kwargs={"pk": plan.pk})


def dates(opens=("14", "12", "2015"), closes=("22", "1", "2016")):
    data = {}
    for name, parts in (("opens_on", opens), ("closes_on", closes)):
        for part, value in zip(("day", "month", "year"), parts, strict=True):
            data[f"{name}-{part}"] = value
    return data


def test_a_planning_manager_opens_consultation_with_invitations(
    client, draft, people, partner, locality, today
):
    client_for(client, people["planner"])
    page = client.get(open_url(draft)).content.decode()
    assert "Cllr Pitchley (" in page and "Scrutiny member" in page
    assert "Rotherham Metropolitan Borough Council" in page and "Local authority" in page

    response = client.post(
        open_url(draft),
        dates()
        | {
            "purpose": "Views on the draft",
            "invited_users": [people["invited"].pk],
            "invited_partners": [partner.pk],
            "invited_localities": [locality.pk],
            "note": "Draft 1 to stakeholders",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("plan-consultation", kwargs={"pk": draft.pk})
    assert "Consultation opened." in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == PlanState.CONSULTATION
    window = draft.consultations.get()
    assert (window.opens_on, window.closes_on) == (OPENS, CLOSES)
    assert window.purpose == "Views on the draft"
    assert list(window.invited_users.all()) == [people["invited"]]
    assert list(window.invited_partners.all()) == [partner]
    assert list(window.invited_localities.all()) == [locality]
    assert draft.versions.get().note == "Draft 1 to stakeholders"


@pytest.mark.parametrize(
    ("data", "message", "href"),
    [
        (
            dates(closes=("13", "12", "2015")),
            "The closing date must be on or after the opening date",
            "#closes_on-day",
        ),
        (
            dates(opens=("14", "", "2015")),
            "The opening date must include a month",
            "#opens_on-month",
        ),
        (dates(opens=("31", "2", "2016")), "The opening date must be a real date", "#opens_on-day"),
        (dates(opens=("", "", "")), "Enter the opening date", "#opens_on-day"),
        (dates(closes=("1", "2", "16")), "The year must include 4 numbers", "#closes_on-year"),
    ],
)
def test_wrong_dates_are_shown_in_the_error_summary(client, draft, people, data, message, href):
    response = client_for(client, people["planner"]).post(open_url(draft), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert error_links(html) == [(href, message)]
    assert "<title>Error: " in html
    draft.refresh_from_db()
    assert draft.state == PlanState.DRAFT


def test_opening_takes_month_names(client, draft, people):
    client_for(client, people["planner"]).post(
        open_url(draft), dates(opens=("14", "Dec", "2015"), closes=("22", "january", "2016"))
    )
    assert draft.consultations.get().opens_on == OPENS


def test_only_people_of_the_ccg_can_be_invited(client, draft, people, other_ccg):
    outsider = user_with_role(Role.SCRUTINY, other_ccg)
    response = client_for(client, people["planner"]).post(
        open_url(draft), dates() | {"invited_users": [outsider.pk]}
    )
    assert "Invite only people with a role in this plan" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == PlanState.DRAFT


def test_only_planning_managers_open_consultation(client, draft, people):
    client_for(client, people["board"])
    response = client.get(open_url(draft))
    assert response.status_code == 403
    assert "Only planning managers of Rotherham can open consultation." in (
        response.content.decode()
    )
    assert client.post(open_url(draft), dates()).status_code == 403
    draft.refresh_from_db()
    assert draft.state == PlanState.DRAFT


def test_consultation_opens_only_on_a_draft(client, in_consultation, people):
    client_for(client, people["planner"])
    page = client.get(open_url(in_consultation))
    assert page.status_code == 200
    assert "Consultation can only be opened on a draft." in page.content.decode()
    assert client.post(open_url(in_consultation), dates()).status_code == 409


# --- Commenting -----------------------------------------------------------------------------


def comment_url(plan):
    return reverse("plan-comment-create", kwargs={"pk": plan.pk})


def test_an_invited_stakeholder_comments_on_a_section(client, in_consultation, people, today):
    key = section_key(in_consultation, "Mental Health")
    client_for(client, people["invited"])
    form = client.get(comment_url(in_consultation), {"about": f"sections:{key}"})
    html = form.content.decode()
    assert "Section: Primary Care" in html
    assert f'value="sections:{key}" selected' in html
    assert "On behalf of" not in html  # only planning managers record for others

    response = client.post(
        comment_url(in_consultation), {"about": f"sections:{key}", "body": "More on IAPT"}
    )

    comment = ConsultationComment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert (comment.target_collection, str(comment.target_key)) == ("sections", key)
    assert comment.target_label == "Mental Health"
    assert comment.author == people["invited"]
    assert comment.stakeholder == "Cllr Pitchley"


def test_an_empty_comment_is_refused_with_a_linked_error(client, in_consultation, people, today):
    response = client_for(client, people["invited"]).post(
        comment_url(in_consultation), {"about": "", "body": "  "}
    )
    assert error_links(response.content.decode()) == [("#body", "Enter your comment")]
    assert not ConsultationComment.objects.exists()


def test_people_not_invited_cannot_comment(client, in_consultation, people, today):
    client_for(client, people["viewer"])
    response = client.get(comment_url(in_consultation))
    assert response.status_code == 403
    assert "Only invited stakeholders can comment on this plan." in response.content.decode()
    assert client.post(comment_url(in_consultation), {"body": "Hello"}).status_code == 403
    assert not ConsultationComment.objects.exists()


def test_a_scrutiny_member_not_invited_does_not_see_the_draft(client, in_consultation, people):
    response = client_for(client, people["uninvited_scrutiny"]).get(comment_url(in_consultation))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2015, 12, 13), "The consultation opens on 14 December 2015."),
        (dt.date(2016, 1, 23), "The consultation closed on 22 January 2016."),
    ],
)
def test_invited_people_comment_only_while_the_window_is_open(
    client, monkeypatch, in_consultation, people, day, message
):
    fix_today(monkeypatch, day)
    client_for(client, people["invited"])
    page = client.get(comment_url(in_consultation))
    assert page.status_code == 200
    assert message in page.content.decode()
    assert "<textarea" not in page.content.decode()
    refused = client.post(comment_url(in_consultation), {"body": "Too early or too late"})
    assert refused.status_code == 409
    assert not ConsultationComment.objects.exists()


def test_no_one_comments_on_a_plan_that_is_not_out_for_consultation(client, draft, people):
    page = client_for(client, people["planner"]).get(comment_url(draft))
    assert page.status_code == 200
    assert "This plan is not out for consultation." in page.content.decode()


def test_a_planning_manager_records_a_comment_for_a_partner(
    client, monkeypatch, in_consultation, people, partner, locality
):
    fix_today(monkeypatch, dt.date(2016, 2, 1))  # after the window: planning managers still may
    response = client_for(client, people["planner"]).post(
        comment_url(in_consultation),
        {
            "about": "",
            "body": "The council asks for a joint plan on dementia",
            "on_behalf_of": "Health Select Commission",
            "partner": partner.pk,
            "locality": locality.pk,
        },
        follow=True,
    )
    assert "Comment recorded for Health Select Commission." in response.content.decode()
    comment = ConsultationComment.objects.get()
    assert (comment.partner, comment.locality, comment.author) == (
        partner,
        locality,
        people["planner"],
    )
    assert comment.stakeholder == "Health Select Commission"


def test_stakeholders_cannot_record_comments_for_others(
    client, in_consultation, people, partner, today
):
    client_for(client, people["invited"]).post(
        comment_url(in_consultation),
        {"body": "Mine", "on_behalf_of": "Somebody else", "partner": partner.pk},
    )
    comment = ConsultationComment.objects.get()
    assert (comment.on_behalf_of, comment.partner) == ("", None)


# --- Responding -----------------------------------------------------------------------------


@pytest.fixture
def comment(in_consultation, people, today):
    return services.add_comment(in_consultation, user=people["invited"], body="Add dementia")


def respond_url(comment):
    return reverse("plan-comment-respond", kwargs={"pk": comment.plan_id, "comment_id": comment.pk})


def test_a_planning_manager_responds_partly_accepted_with_a_reason(client, comment, people):
    client_for(client, people["planner"])
    page = client.get(respond_url(comment)).content.decode()
    assert "Add dementia" in page and 'name="revision" value="1"' in page

    response = client.post(
        respond_url(comment),
        {
            "revision": "1",
            "response": "We will add a dementia section",
            "outcome": "partly-accepted",
            "outcome_reason": "Funding is not agreed yet",
        },
        follow=True,
    )

    assert "Response saved" in response.content.decode()
    comment.refresh_from_db()
    assert comment.outcome == Outcome.PARTLY_ACCEPTED
    assert comment.outcome_reason == "Funding is not agreed yet"
    assert comment.responded_by == people["planner"]


def test_a_reason_is_needed_unless_the_comment_is_accepted(client, comment, people):
    client_for(client, people["planner"])
    data = {"revision": "1", "response": "Thank you", "outcome": "not-accepted"}
    refused = client.post(respond_url(comment), data)
    assert error_links(refused.content.decode()) == [
        ("#outcome_reason", "Give the reason the comment is not accepted")
    ]
    comment.refresh_from_db()
    assert comment.outcome == ""

    accepted = client.post(respond_url(comment), data | {"outcome": "accepted"})
    assert accepted.status_code == 302
    comment.refresh_from_db()
    assert (comment.outcome, comment.outcome_reason) == ("accepted", "")


def test_a_missing_outcome_links_to_the_radios(client, comment, people):
    response = client_for(client, people["planner"]).post(
        respond_url(comment), {"revision": "1", "response": "Thanks"}
    )
    assert error_links(response.content.decode()) == [
        ("#outcome", "Choose whether the comment is accepted, partly accepted or not accepted")
    ]


def test_stakeholders_cannot_respond(client, comment, people):
    client_for(client, people["invited"])
    assert client.get(respond_url(comment)).status_code == 403
    data = {"revision": "1", "response": "Mine", "outcome": "accepted"}
    assert client.post(respond_url(comment), data).status_code == 403
    comment.refresh_from_db()
    assert comment.outcome == ""


def test_a_conflicting_response_shows_both_and_loses_nothing(client, comment, people):
    other = user_with_role(
        Role.PLANNING_MANAGER, comment.plan.ccg, first_name="Alex", last_name="Hart"
    )
    services.respond_to_comment(
        comment, user=other, response="Saved first", outcome="accepted", expected_revision=1
    )

    response = client_for(client, people["planner"]).post(
        respond_url(comment),
        {
            "revision": "1",
            "response": "Typed second",
            "outcome": "not-accepted",
            "outcome_reason": "My reason",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this after you started editing" in html
    assert "Saved first" in html and "Alex Hart" in html
    assert "Typed second" in html and "My reason" in html
    assert 'name="revision" value="2"' in html
    comment.refresh_from_db()
    assert comment.response == "Saved first"

    # Saving again from the conflict page replaces the saved response, knowingly.
    again = client.post(
        respond_url(comment),
        {
            "revision": "2",
            "response": "Typed second",
            "outcome": "not-accepted",
            "outcome_reason": "My reason",
        },
    )
    assert again.status_code == 302
    comment.refresh_from_db()
    assert (comment.response, comment.outcome) == ("Typed second", "not-accepted")


def test_a_comment_of_another_plan_is_not_found(client, comment, people, ccg):
    other_plan = PlanFactory(ccg=ccg)
    url = reverse("plan-comment-respond", kwargs={"pk": other_plan.pk, "comment_id": comment.pk})
    assert client_for(client, people["planner"]).get(url).status_code == 404


# --- CSV ------------------------------------------------------------------------------------


def test_the_csv_has_every_comment_a_bom_and_no_formulas(
    client, in_consultation, people, partner, locality, today
):
    plan = in_consultation
    services.add_comment(
        plan,
        user=people["planner"],
        body='=HYPERLINK("http://evil.example")',
        on_behalf_of="@Council",
        partner=partner,
        locality=locality,
        target_collection="sections",
        target_key=section_key(plan, "Primary Care"),
    )
    answered = services.add_comment(plan, user=people["invited"], body="+44 is a number")
    services.respond_to_comment(
        answered,
        user=people["planner"],
        response="-1 from us",
        outcome="partly-accepted",
        outcome_reason="Costs £3.3m",
    )

    response = client_for(client, people["viewer"]).get(
        reverse("plan-consultation-csv", kwargs={"pk": plan.pk})
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="commissioning-plan-2015-19-consultation-comments.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Plan",
        "CCG",
        "Stakeholder",
        "Partner",
        "Locality",
        "About",
        "Comment",
        "Date",
        "Response",
        "Outcome",
        "Reason",
        "Responded by",
        "Responded at",
    ]
    first, second = rows[1], rows[2]
    assert first[:7] == [
        "Commissioning Plan 2015-19",
        "NHS Rotherham CCG (03L)",
        "'@Council",
        "Rotherham Metropolitan Borough Council",
        "Wentworth North",
        "Primary Care",
        '\'=HYPERLINK("http://evil.example")',
    ]
    assert first[7] == "2016-01-05" or re.match(r"\d{4}-\d\d-\d\d", first[7])
    assert first[9] == "Awaiting response"
    assert second[2] == "Cllr Pitchley" and second[5] == "The whole plan"
    assert second[6] == "'+44 is a number" and second[8] == "'-1 from us"
    assert second[9:11] == ["Partly accepted", "Costs £3.3m"]
    assert second[11] == people["planner"].get_username()


def test_the_csv_is_for_people_who_read_comments(client, in_consultation, other_ccg):
    url = reverse("plan-consultation-csv", kwargs={"pk": in_consultation.pk})
    assert client.get(url).status_code == 302
    outsider = user_with_role(Role.PLANNING_MANAGER, other_ccg)
    assert client_for(client, outsider).get(url).status_code == 404
