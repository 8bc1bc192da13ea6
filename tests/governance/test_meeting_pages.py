"""Committee and meeting pages: what each role reads (private parts hidden from scrutiny
members, another CCG's records a 404), and the secretariat's forms end to end."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commissioning.access import Role
from governance import services_meetings as services
from governance.models import AgendaItem, Attendance, MeetingAction, Resolution
from tests.factories import PersonFactory
from tests.governance import meetings_factories as make
from tests.plans.factories import PlanFactory

DAY = dt.date(2015, 11, 5)


@pytest.fixture
def world(ccg, planner):
    body, seats = make.governing_body(ccg)
    audit = make.committee(
        ccg,
        name="Audit Committee",
        kind="audit",
        reports_to=body,
        frequency="Quarterly",
        is_required=True,
    )
    earlier = make.meeting(body, dt.date(2015, 10, 1))
    meeting = make.meeting(body, DAY, location="Oak House, Rotherham", time=dt.time(14, 0))
    carried = services.raise_action(
        earlier,
        user=None,
        text="Circulate the draft plan",
        owner="Chief Officer",
        due_on=dt.date(2015, 10, 20),
    )
    public = make.item(
        meeting,
        "Commissioning Plan refresh",
        purpose="decision",
        presenters="Ian Atkinson",
        minutes="The Commission **noted** the priorities.",
        paper_to="Health Select Commission",
        paper_subject="Refresh of the Commissioning Plan",
        paper_key_issues="Five priorities for 2016/17",
        paper_recommendations="That the priorities be noted",
    )
    private = make.item(
        meeting,
        "Contract negotiations with the Foundation Trust",
        part="private",
        minutes="Confidential terms discussed.",
    )
    services.add_resolution(public, user=None, text="That the proposed priorities be noted.")
    services.add_resolution(public, user=None, text="That the draft plan be circulated.")
    services.add_resolution(private, user=None, text="That the secret terms be agreed.")
    raised = services.raise_action(
        meeting, user=None, text="Publish the refreshed plan", owner="Head of Planning", item=public
    )
    return {
        "body": body,
        "seats": seats,
        "audit": audit,
        "meeting": meeting,
        "earlier": earlier,
        "public": public,
        "private": private,
        "carried": carried,
        "raised": raised,
    }


def page(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs={"ods": "03L", **kwargs}))


def text(response) -> str:
    return response.content.decode()


# --- Reading ----------------------------------------------------------------------------------


def test_ccg_overview_links_to_committees(client, planner, ccg):
    client.force_login(planner)
    body = text(client.get(reverse("ccg-detail", args=["03L"])))
    assert reverse("ccg-committees", kwargs={"ods": "03L"}) in body


def test_committee_list(client, planner, role_user, world):
    body = text(page(client, planner, "ccg-committees"))
    for words in (
        "Governing Body",
        "Audit Committee",
        "Quarterly",
        "Required by statute",
        "Dr Julie Kitlowski",
        "Audit committee",
        "Add a committee",
        "Action log",
    ):
        assert words in body, words
    assert reverse("committee-detail", kwargs={"ods": "03L", "pk": world["body"].pk}) in body
    # Scrutiny members see committees that meet in public, and no action log.
    scrutiny = text(page(client, role_user(Role.SCRUTINY), "ccg-committees"))
    assert "Governing Body" in scrutiny and "Audit Committee" not in scrutiny
    assert "Action log" not in scrutiny and "Add a committee" not in scrutiny


def test_committee_page(client, planner, role_user, world):
    response = page(client, planner, "committee-detail", pk=world["body"].pk)
    body = text(response)
    for words in (
        "Three voting members including the chair or vice chair and a lay member",
        "3 voting members",
        "the chair or vice chair",
        "a lay member",
        "Sue Cassin",
        "Vice chair",
        "Lay member",
        "Required by statute",
        "Audit Committee",
        "5 November 2015",
        "1 October 2015",
        "Open actions",
        "Circulate the draft plan",
        "Publish the refreshed plan",
        "Overdue",
        "Add a member",
        "Add a meeting",
    ):
        assert words in body, words
    scrutiny = text(page(client, role_user(Role.SCRUTINY), "committee-detail", pk=world["body"].pk))
    assert "Sue Cassin" in scrutiny and "5 November 2015" in scrutiny
    assert "Circulate the draft plan" not in scrutiny and "Add a member" not in scrutiny
    # A private committee is not found for scrutiny members.
    refused = page(client, role_user(Role.SCRUTINY), "committee-detail", pk=world["audit"].pk)
    assert refused.status_code == 404


def test_meeting_page_for_the_secretariat(client, planner, world):
    services.record_attendance(
        world["meeting"],
        user=None,
        members={
            world["seats"]["chair"]: "present",
            world["seats"]["lay"]: "present",
            world["seats"]["gp"]: "apologies",
        },
        guests=["Councillor Steele"],
    )
    body = text(page(client, planner, "meeting-detail", pk=world["meeting"].pk))
    for words in (
        "Oak House, Rotherham",
        "14:00",
        "Commissioning Plan refresh",
        "For decision",
        "Ian Atkinson",
        "Contract negotiations with the Foundation Trust",
        "Private",
        "Report cover sheet",
        "Refresh of the Commissioning Plan",
        "Five priorities for 2016/17",
        "<strong>noted</strong>",
        "Resolved:",
        '(1) <span class="app-prose">That the proposed priorities be noted.',
        '(2) <span class="app-prose">That the draft plan be circulated.',
        '(3) <span class="app-prose">That the secret terms be agreed.',
        "Councillor Steele",
        "Apologies",
        "Not quorate",
        "Only 2 voting members present; the quorum is 3 voting members.",
        "The chair was present (Dr Julie Kitlowski).",
        "Publish the refreshed plan",
        "Actions carried over from earlier meetings",
        "Circulate the draft plan",
        "Record attendance",
        "Add an agenda item",
        "Write minutes",
        "Raise an action",
    ):
        assert words in body, words


def test_private_parts_are_hidden_from_scrutiny_members(client, role_user, world):
    scrutiny = role_user(Role.SCRUTINY)
    response = page(client, scrutiny, "meeting-detail", pk=world["meeting"].pk)
    body = text(response)
    assert response.status_code == 200
    assert "Commissioning Plan refresh" in body and "(1)" in body and "(2)" in body
    for hidden in (
        "Contract negotiations",
        "Confidential terms",
        "secret terms",
        "(3)",
        "Quorum check",
        "Publish the refreshed plan",
        "Circulate the draft plan",
        "Record attendance",
        "Write minutes",
    ):
        assert hidden not in body, hidden
    assert "Items taken in the private part of the meeting are not shown." in body
    # Nor can they reach a private item's forms or paper.
    kwargs = {"pk": world["meeting"].pk, "item_id": world["private"].pk}
    assert page(client, scrutiny, "agenda-item-paper", **kwargs).status_code == 404
    assert page(client, scrutiny, "agenda-item-minutes", **kwargs).status_code == 404


@pytest.mark.parametrize("role", [Role.GOVERNING_BODY, Role.VIEWER])
def test_internal_readers_see_everything_but_cannot_write(client, role_user, world, role):
    body = text(page(client, role_user(role), "meeting-detail", pk=world["meeting"].pk))
    assert "Contract negotiations" in body and "Quorum check" in body
    assert "Record attendance" not in body and "Write minutes" not in body


def test_another_ccgs_records_are_not_found(client, other_ccg, role_user, world):
    outsider = role_user(Role.PLANNING_MANAGER, other_ccg)
    assert page(client, outsider, "ccg-committees").status_code == 404
    assert page(client, outsider, "meeting-detail", pk=world["meeting"].pk).status_code == 404
    # Nor through their own CCG's address.
    client.force_login(outsider)
    url = reverse("meeting-detail", kwargs={"ods": other_ccg.ods_code, "pk": world["meeting"].pk})
    assert client.get(url).status_code == 404


def test_action_log(client, planner, role_user, world):
    url = reverse("ccg-actions", kwargs={"ods": "03L"})
    client.force_login(planner)
    body = text(client.get(url))
    assert "Circulate the draft plan" in body and "Publish the refreshed plan" in body
    assert "2 open, 1 overdue" in body
    overdue = text(client.get(url, {"overdue": "on"}))
    assert "Circulate the draft plan" in overdue and "Publish the refreshed plan" not in overdue
    services.close_action(world["raised"], user=None, on=DAY)
    complete = text(client.get(url, {"status": "complete"}))
    assert "Publish the refreshed plan" in complete and "Circulate the draft plan" not in complete
    audit = text(client.get(url, {"committee": world["audit"].pk}))
    assert "No actions match these filters." in audit
    wrong = client.get(url, {"committee": "999999"})
    assert wrong.status_code == 400 and "Choose a committee from the list" in text(wrong)
    client.force_login(role_user(Role.SCRUTINY))
    assert client.get(url).status_code == 404


# --- The secretariat's forms -------------------------------------------------------------------


def test_add_a_meeting(client, planner, world):
    client.force_login(planner)
    url = reverse("meeting-create", kwargs={"ods": "03L", "pk": world["body"].pk})
    empty = client.post(url, {"status": "scheduled"})
    assert empty.status_code == 400 and "Enter the date" in text(empty)
    response = client.post(
        url,
        {
            "date-day": "3",
            "date-month": "12",
            "date-year": "2015",
            "time": "14:00",
            "location": "Oak House",
            "status": "scheduled",
        },
    )
    meeting = world["body"].meetings.get(date=dt.date(2015, 12, 3))
    assert response.status_code == 302 and response["Location"].endswith(f"/meetings/{meeting.pk}/")
    assert meeting.time == dt.time(14, 0) and meeting.history.first().history_user == planner


def test_board_members_are_refused_with_the_reason(client, role_user, world):
    client.force_login(role_user(Role.GOVERNING_BODY))
    url = reverse("meeting-attendance", kwargs={"ods": "03L", "pk": world["meeting"].pk})
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 403
        assert "Only planning managers of Rotherham can change its committees" in text(response)


def test_record_attendance(client, planner, world):
    client.force_login(planner)
    seats = world["seats"]
    url = reverse("meeting-attendance", kwargs={"ods": "03L", "pk": world["meeting"].pk})
    form = text(client.get(url))
    assert "Dr Julie Kitlowski" in form and "Chair, gp" in form.replace("GP", "gp")
    response = client.post(
        url,
        {
            f"member-{seats['vice'].pk}": "present",
            f"member-{seats['lay'].pk}": "present",
            f"member-{seats['gp'].pk}": "present",
            f"member-{seats['chair'].pk}": "apologies",
            "guests": "Councillor Steele\n\nKate Tufnell",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#attendance")
    assert Attendance.objects.filter(meeting=world["meeting"]).count() == 6
    body = text(client.get(response["Location"]))
    assert "Quorate" in body and "The vice chair was present (Sue Cassin); the chair was not." in (
        body
    )
    # The form shows what was recorded.
    again = text(client.get(url))
    assert "Kate Tufnell" in again
    wrong = client.post(url, {f"member-{seats['vice'].pk}": "late"})
    assert wrong.status_code == 400 and "Choose whether Sue Cassin was present" in text(wrong)


def test_add_an_agenda_item_with_a_cover_sheet_and_paper(
    client, planner, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(planner)
    meeting = world["meeting"]
    url = reverse("agenda-item-create", kwargs={"ods": "03L", "pk": meeting.pk})
    paper = SimpleUploadedFile("cover-sheet.pdf", b"%PDF-1.4 the paper", "application/pdf")
    response = client.post(
        url,
        {
            "title": "Health and Wellbeing Strategy",
            "purpose": "approval",
            "part": "public",
            "presenters": "Director of Public Health",
            "paper_to": "Health and Wellbeing Board",
            "paper_date-day": "28",
            "paper_date-month": "10",
            "paper_date-year": "2015",
            "paper_subject": "Joint Strategy",
            "paper_recommendations": "Approve the strategy",
            "paper_author": "Kate Tufnell",
            "paper_contact": "01709 302000",
            "attachment": paper,
        },
    )
    item = AgendaItem.objects.get(title="Health and Wellbeing Strategy")
    assert response.status_code == 302, text(response)
    assert (item.number, item.paper_date, item.purpose) == ("3", dt.date(2015, 10, 28), "approval")
    body = text(client.get(reverse("meeting-detail", kwargs={"ods": "03L", "pk": meeting.pk})))
    assert "Joint Strategy" in body and "Download the paper" in body
    download = client.get(
        reverse("agenda-item-paper", kwargs={"ods": "03L", "pk": meeting.pk, "item_id": item.pk})
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 the paper"
    assert "attachment" in download["Content-Disposition"]
    # Not a paper
    bad = SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream")
    refused = client.post(
        url, {"title": "Virus", "purpose": "noting", "part": "public", "attachment": bad}
    )
    assert refused.status_code == 400 and "The paper must be a PDF" in text(refused)
    # A number already used
    duplicate = client.post(
        url, {"number": "1", "title": "Again", "purpose": "noting", "part": "public"}
    )
    assert duplicate.status_code == 400 and "This meeting already has an item 1." in text(duplicate)


def test_change_an_item(client, planner, world):
    client.force_login(planner)
    item = world["public"]
    url = reverse(
        "agenda-item-edit", kwargs={"ods": "03L", "pk": world["meeting"].pk, "item_id": item.pk}
    )
    form = text(client.get(url))
    assert "Refresh of the Commissioning Plan" in form
    response = client.post(
        url,
        {
            "number": "1",
            "title": "Commissioning Plan refresh 2016",
            "purpose": "decision",
            "part": "public",
            "revision": item.revision,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Commissioning Plan refresh 2016" and item.paper_subject == ""


def test_write_minutes_and_meet_a_conflict(client, planner, world):
    client.force_login(planner)
    item = world["public"]
    url = reverse(
        "agenda-item-minutes", kwargs={"ods": "03L", "pk": world["meeting"].pk, "item_id": item.pk}
    )
    start = item.revision
    saved = client.post(url, {"minutes": "The Commission discussed the plan.", "revision": start})
    assert saved.status_code == 302 and saved["Location"].endswith(f"#item-{item.pk}")
    stale = client.post(url, {"minutes": "My version of the minutes.", "revision": start})
    body = text(stale)
    assert stale.status_code == 409
    assert "Someone else saved this after you started editing" in body
    assert "The Commission discussed the plan." in body and "My version of the minutes." in body
    assert f'name="revision" value="{start + 1}"' in body
    item.refresh_from_db()
    assert item.minutes == "The Commission discussed the plan."


def test_add_a_resolution(client, planner, world):
    client.force_login(planner)
    url = reverse(
        "resolution-create",
        kwargs={"ods": "03L", "pk": world["meeting"].pk, "item_id": world["public"].pk},
    )
    assert "That the proposed priorities be noted." in text(client.get(url))
    empty = client.post(url, {"text": " "})
    assert empty.status_code == 400 and "Enter what was resolved" in text(empty)
    response = client.post(url, {"text": "That the plan be published."})
    assert response.status_code == 302
    numbers = list(
        Resolution.objects.filter(item__meeting=world["meeting"])
        .order_by("number")
        .values_list("number", "text")
    )
    assert numbers[2] == (3, "That the plan be published.")
    assert numbers[3] == (4, "That the secret terms be agreed.")  # the private item comes after


def test_raise_and_update_an_action(client, planner, world):
    client.force_login(planner)
    meeting = world["meeting"]
    url = reverse("meeting-action-create", kwargs={"ods": "03L", "pk": meeting.pk})
    assert "Commissioning Plan refresh" in text(client.get(url, {"item": world["public"].pk}))
    response = client.post(
        url,
        {
            "text": "Send the plan to NHS England",
            "owner": "Chief Officer",
            "due_on-day": "1",
            "due_on-month": "12",
            "due_on-year": "2015",
            "item": world["public"].pk,
        },
    )
    action = MeetingAction.objects.get(text="Send the plan to NHS England")
    assert response.status_code == 302 and response["Location"].endswith(f"#action-{action.pk}")
    assert action.item == world["public"] and action.created_by == planner
    edit = reverse("meeting-action-edit", kwargs={"ods": "03L", "pk": action.pk})
    back = reverse("meeting-detail", kwargs={"ods": "03L", "pk": meeting.pk})
    response = client.post(
        edit,
        {
            "text": action.text,
            "owner": "Chief Officer",
            "status": "complete",
            "closed_on-day": "3",
            "closed_on-month": "12",
            "closed_on-year": "2015",
            "revision": action.revision,
            "next": back + "#actions",
        },
    )
    assert response.status_code == 302 and response["Location"] == back + "#actions"
    action.refresh_from_db()
    assert (action.status, action.closed_on) == ("complete", dt.date(2015, 12, 3))
    # Closing before the meeting that raised it is refused on the field.
    early = client.post(
        edit,
        {
            "text": action.text,
            "status": "dropped",
            "closed_on-day": "1",
            "closed_on-month": "1",
            "closed_on-year": "2015",
            "revision": action.revision,
        },
    )
    assert early.status_code == 400
    assert "An action cannot be closed before the meeting that raised it." in text(early)
    # Another site is never a destination.
    away = client.post(
        edit,
        {
            "text": action.text,
            "status": "open",
            "revision": action.revision,
            "next": "https://example.com/",
        },
    )
    assert away["Location"].startswith("/ccgs/03L/actions/")


def test_committee_and_member_forms(client, planner, world, ccg):
    client.force_login(planner)
    create = reverse("committee-create", kwargs={"ods": "03L"})
    response = client.post(
        create,
        {
            "name": "Primary Care Commissioning Committee",
            "kind": "primary-care",
            "frequency": "Bi-monthly",
            "reports_to": world["body"].pk,
            "quorum_members": "4",
            "quorum_requires_gp": "on",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    committee = ccg.committees.get(name="Primary Care Commissioning Committee")
    assert (committee.reports_to, committee.quorum_members, committee.quorum_requires_gp) == (
        world["body"],
        4,
        True,
    )
    duplicate = client.post(create, {"name": "Audit Committee", "kind": "audit"})
    assert duplicate.status_code == 400 and "already has a committee called" in text(duplicate)

    edit = reverse("committee-edit", kwargs={"ods": "03L", "pk": committee.pk})
    stale = {
        "name": committee.name,
        "kind": "primary-care",
        "frequency": "Monthly",
        "revision": committee.revision,
    }
    assert client.post(edit, stale).status_code == 302
    conflict = client.post(edit, {**stale, "frequency": "Weekly"})
    assert conflict.status_code == 409 and "Someone else saved this" in text(conflict)
    assert "Weekly" in text(conflict)

    add = reverse("committee-member-create", kwargs={"ods": "03L", "pk": committee.pk})
    person = PersonFactory(ccg=ccg, name="Dr Avanthi Gunasekera")
    assert client.post(add, {}).status_code == 400
    response = client.post(
        add, {"person": person.pk, "role": "chair", "category": "gp", "voting": "on"}
    )
    assert response.status_code == 302
    member = committee.members.get()
    assert (member.person, member.role, member.voting) == (person, "chair", True)
    second_chair = client.post(add, {"title": "Lay chair", "role": "chair", "category": "lay"})
    assert second_chair.status_code == 400 and "already has a chair" in text(second_chair)
    change = reverse(
        "committee-member-edit", kwargs={"ods": "03L", "pk": committee.pk, "member_id": member.pk}
    )
    assert (
        client.post(
            change, {"person": person.pk, "role": "vice-chair", "category": "gp"}
        ).status_code
        == 302
    )
    member.refresh_from_db()
    assert (member.role, member.voting) == ("vice-chair", False)
    remove = reverse(
        "committee-member-delete", kwargs={"ods": "03L", "pk": committee.pk, "member_id": member.pk}
    )
    assert "Remove Dr Avanthi Gunasekera?" in text(client.get(remove))
    assert client.post(remove).status_code == 302
    assert not committee.members.exists()
    # A member with attendance stays: the page says why.
    lay = world["seats"]["lay"]
    services.record_attendance(world["meeting"], user=None, members={lay.pk: "present"})
    kept = client.post(
        reverse(
            "committee-member-delete",
            kwargs={"ods": "03L", "pk": world["body"].pk, "member_id": lay.pk},
        )
    )
    assert kept.status_code == 409 and "stays on record" in text(kept)


def test_linked_plan_and_meeting_conflict(client, planner, world, ccg):
    plan = PlanFactory(ccg=ccg, title="Commissioning Plan 2015-19")
    services.update_agenda_item(world["public"], user=None, expected_revision=None, plan=plan)
    client.force_login(planner)
    meeting = world["meeting"]
    body = text(client.get(reverse("meeting-detail", kwargs={"ods": "03L", "pk": meeting.pk})))
    assert f'href="{reverse("plan-detail", kwargs={"pk": plan.pk})}"' in body
    url = reverse("meeting-edit", kwargs={"ods": "03L", "pk": meeting.pk})
    typed = {
        "date-day": "5",
        "date-month": "11",
        "date-year": "2015",
        "time": "14:00",
        "location": "Riverside House",
        "status": "held",
        "revision": meeting.revision,
    }
    assert client.post(url, typed).status_code == 302
    conflict = client.post(url, {**typed, "location": "Online", "time": "9:30"})
    page_text = text(conflict)
    assert conflict.status_code == 409
    assert "Riverside House" in page_text and "Online" in page_text and "09:30" in page_text
    meeting.refresh_from_db()
    assert (meeting.location, meeting.status) == ("Riverside House", "held")
