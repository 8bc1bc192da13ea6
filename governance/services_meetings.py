"""Every write to committees, their members and meetings goes through here: attendance, the
agenda (with report cover sheets), minutes, resolutions and the action log. Pages, the API
and the demo loader share one path and one set of rules.

Who writes: planning managers of the committee's CCG (they run the committee secretariat);
superusers anything; `user=None` is the system itself (the demo loader, commands). Refusals
are `plans.errors`: NotAllowed (403) for the user's role, InvalidMove with `.field` (400) for
bad input, EditConflict (409/412) when someone saved first (records with a `revision`).
Changes are recorded in the history (simple-history) with the user who made them.

Resolutions are numbered (1), (2) ... through the whole meeting in agenda order: adding,
removing or reordering renumbers them.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from commissioning.access import Role, ccg_scope
from plans.errors import InvalidMove, NotAllowed
from plans.services.guards import change_reason, claim_revision, set_history_user

from .models import (
    ActionStatus,
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingAction,
    MemberRole,
    Resolution,
)

COMMITTEE_FIELDS = ("name", "kind", "frequency", "duties", "quorum_members",
                    "quorum_requires_chair", "quorum_requires_lay_member", "quorum_requires_gp",
                    "quorum_note", "reports_to", "is_public", "is_required", "order", "partner",
                    "source_note")  # fmt: skip
MEMBER_FIELDS = ("person", "title", "role", "category", "voting", "order")
MEETING_FIELDS = ("date", "time", "location", "status", "title", "minutes_approved_on")
PAPER_FIELDS = ("paper_to", "paper_date", "paper_from", "paper_subject", "paper_purpose",
                "paper_key_issues", "paper_recommendations", "paper_author",
                "paper_contact")  # fmt: skip
ITEM_FIELDS = ("number", "order", "title", "presenters", "purpose", "part", "plan", "minutes",
               *PAPER_FIELDS, "attachment")  # fmt: skip
ACTION_FIELDS = ("text", "owner", "due_on", "status", "closed_on", "note", "item")
# Attendance as recorded on the attendance form.
PRESENT, APOLOGIES, NOT_RECORDED = "present", "apologies", ""
SINGLE_SEATS = {MemberRole.CHAIR: "a chair", MemberRole.VICE_CHAIR: "a vice chair"}
_RENUMBER_OFFSET = 1_000_000


# --- Who may write ----------------------------------------------------------------------------


def secretariat_refusal(user, ccg) -> str | None:
    """Why `user` may not change the committees and meetings of `ccg`, or None."""
    if user is None or getattr(user, "is_superuser", False):
        return None
    if ccg_scope(user).role_in(ccg.pk) != Role.PLANNING_MANAGER:
        return (
            f"Only planning managers of {ccg.display_name} can change its committees and meetings."
        )
    return None


def _require(user, ccg) -> None:
    refusal = secretariat_refusal(user, ccg)
    if refusal:
        raise NotAllowed(refusal)


def _unknown(values: dict, allowed) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise InvalidMove(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")


def _save(instance, user, reason: str = "") -> None:
    instance.full_clean()
    set_history_user(instance, user)
    if reason:
        instance._change_reason = change_reason(reason)
    instance.save()


# --- Committees -------------------------------------------------------------------------------


def _check_committee(committee: Committee, values: dict) -> None:
    ccg = committee.ccg
    name = (values.get("name", committee.name) or "").strip()
    if "name" in values:
        values["name"] = name
        same = Committee.objects.filter(ccg=ccg, name__iexact=name).exclude(pk=committee.pk)
        if same.exists():
            raise InvalidMove(f"{ccg.display_name} already has a committee called {name}.",
                              field="name")  # fmt: skip
    reports_to = values.get("reports_to")
    if reports_to is not None:
        if reports_to.ccg_id != ccg.pk:
            raise InvalidMove("A committee reports to a committee of its own CCG.",
                              field="reports_to")  # fmt: skip
        seen, above = set(), reports_to
        while above is not None and above.pk not in seen:
            if committee.pk is not None and above.pk == committee.pk:
                raise InvalidMove(
                    "A committee cannot report to itself or to a committee that reports to it.",
                    field="reports_to",
                )
            seen.add(above.pk)
            above = above.reports_to
    partner = values.get("partner")
    if partner is not None and partner.ccg_id != ccg.pk:
        raise InvalidMove("Choose a partner organisation of this CCG.", field="partner")


@transaction.atomic
def create_committee(ccg, *, user, name: str, kind: str, **values) -> Committee:
    _unknown(values, COMMITTEE_FIELDS)
    _require(user, ccg)
    committee = Committee(ccg=ccg)
    values = {"name": name, "kind": kind, **values}
    _check_committee(committee, values)
    for field, value in values.items():
        setattr(committee, field, value)
    if "order" not in values:
        top = Committee.objects.filter(ccg=ccg).aggregate(top=Max("order"))["top"]
        committee.order = (top or 0) + 1
    _save(committee, user, "Created")
    return committee


@transaction.atomic
def update_committee(committee: Committee, *, user, expected_revision: int | None,
                     **values) -> Committee:  # fmt: skip
    _unknown(values, COMMITTEE_FIELDS)
    _require(user, committee.ccg)
    _check_committee(committee, values)
    claim_revision(committee, expected_revision, values)
    for field, value in values.items():
        setattr(committee, field, value)
    _save(committee, user)
    return committee


# --- Members ----------------------------------------------------------------------------------


def _check_member(member: CommitteeMember, values: dict) -> None:
    committee = member.committee
    person = values.get("person", member.person)
    title = (values.get("title", member.title) or "").strip()
    if person is None and not title:
        raise InvalidMove("Choose the person, or name the seat (for example, Lay member).",
                          field="person")  # fmt: skip
    if person is not None and person.ccg_id != committee.ccg_id:
        raise InvalidMove("Choose a person of this CCG.", field="person")
    if person is not None and "person" in values:
        taken = committee.members.filter(person=person).exclude(pk=member.pk)
        if taken.exists():
            raise InvalidMove(f"{person.name} already sits on {committee.name}.", field="person")
    role = values.get("role", member.role)
    if role in SINGLE_SEATS:
        others = committee.members.filter(role=role).exclude(pk=member.pk).first()
        if others is not None:
            raise InvalidMove(
                f"{committee.name} already has {SINGLE_SEATS[role]} ({others}). Change that "
                "seat first.",
                field="role",
            )


@transaction.atomic
def add_member(committee: Committee, *, user, **values) -> CommitteeMember:
    _unknown(values, MEMBER_FIELDS)
    _require(user, committee.ccg)
    member = CommitteeMember(committee=committee)
    _check_member(member, values)
    for field, value in values.items():
        setattr(member, field, value)
    if values.get("order") is None:
        top = committee.members.aggregate(top=Max("order"))["top"]
        member.order = (top or 0) + 1
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def update_member(member: CommitteeMember, *, user, **values) -> CommitteeMember:
    _unknown(values, MEMBER_FIELDS)
    _require(user, member.committee.ccg)
    _check_member(member, values)
    for field, value in values.items():
        setattr(member, field, value)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def remove_member(member: CommitteeMember, *, user) -> None:
    _require(user, member.committee.ccg)
    if member.attendance.exists():
        raise InvalidMove(
            f"{member} has attendance recorded at meetings of {member.committee.name}, which "
            "stays on record. Change the seat instead (for example, to observer)."
        )
    member.delete()


# --- Meetings ---------------------------------------------------------------------------------


def _check_meeting(meeting: Meeting, values: dict) -> None:
    date = values.get("date", meeting.date)
    approved = values.get("minutes_approved_on", meeting.minutes_approved_on)
    if approved is not None and date is not None and approved < date:
        raise InvalidMove("The minutes cannot be approved before the meeting took place.",
                          field="minutes_approved_on")  # fmt: skip


@transaction.atomic
def create_meeting(committee: Committee, *, user, date: dt.date, **values) -> Meeting:
    _unknown(values, MEETING_FIELDS)
    _require(user, committee.ccg)
    meeting = Meeting(committee=committee, date=date)
    _check_meeting(meeting, values)
    for field, value in values.items():
        setattr(meeting, field, value)
    _save(meeting, user, "Created")
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, *, user, expected_revision: int | None,
                   **values) -> Meeting:  # fmt: skip
    _unknown(values, MEETING_FIELDS)
    _require(user, meeting.committee.ccg)
    _check_meeting(meeting, values)
    claim_revision(meeting, expected_revision, values)
    for field, value in values.items():
        setattr(meeting, field, value)
    _save(meeting, user)
    return meeting


@transaction.atomic
def record_attendance(meeting: Meeting, *, user, members: dict, guests=None) -> list[Attendance]:
    """Record who was at the meeting. `members` maps committee seats (members or their ids)
    to "present", "apologies" or "" (not recorded: any row is removed); seats not named are
    left as they are. `guests` (names of people who are not members, all present), when
    given, replace the guests recorded before."""
    _require(user, meeting.committee.ccg)
    seats = {m.pk: m for m in meeting.committee.members.all()}
    for key, state in members.items():
        pk = getattr(key, "pk", key)
        if pk not in seats:
            raise InvalidMove("Record attendance for members of this committee only.",
                              field="members")  # fmt: skip
        if state not in (PRESENT, APOLOGIES, NOT_RECORDED):
            raise InvalidMove(f"Attendance is present, apologies or not recorded, not {state}.",
                              field="members")  # fmt: skip
        if state == NOT_RECORDED:
            Attendance.objects.filter(meeting=meeting, member_id=pk).delete()
        else:
            Attendance.objects.update_or_create(
                meeting=meeting, member_id=pk, defaults={"present": state == PRESENT, "name": ""}
            )
    if guests is not None:
        names = [" ".join(name.split()) for name in guests]
        names = list(dict.fromkeys(name for name in names if name))
        too_long = next((name for name in names if len(name) > 200), None)
        if too_long:
            raise InvalidMove("Each name must be 200 characters or fewer.", field="guests")
        Attendance.objects.filter(meeting=meeting, member__isnull=True).delete()
        Attendance.objects.bulk_create(
            [Attendance(meeting=meeting, name=name, present=True) for name in names]
        )
    return list(meeting.attendance.select_related("member__person"))


# --- Agenda items -----------------------------------------------------------------------------


def next_item_number(meeting: Meeting) -> str:
    """The number after the highest whole number on the agenda ("7a" counts as 7)."""
    numbers = [
        int(match.group(1))
        for text in meeting.items.values_list("number", flat=True)
        if (match := re.match(r"\s*(\d+)", text))
    ]
    return str(max(numbers, default=0) + 1)


def _check_item(item: AgendaItem, values: dict) -> None:
    meeting = item.meeting
    if "number" in values:
        number = (values["number"] or "").strip()
        values["number"] = number
        if number and meeting.items.filter(number__iexact=number).exclude(pk=item.pk).exists():
            raise InvalidMove(f"This meeting already has an item {number}.", field="number")
    plan = values.get("plan")
    if plan is not None and plan.ccg_id != meeting.committee.ccg_id:
        raise InvalidMove("Link a plan of this committee's CCG.", field="plan")
    paper_date = values.get("paper_date")
    if paper_date is not None and paper_date > meeting.date + dt.timedelta(days=366):
        raise InvalidMove("The report's date is more than a year after the meeting.",
                          field="paper_date")  # fmt: skip


@transaction.atomic
def add_agenda_item(meeting: Meeting, *, user, title: str, **values) -> AgendaItem:
    _unknown(values, ITEM_FIELDS)
    _require(user, meeting.committee.ccg)
    item = AgendaItem(meeting=meeting)
    values = {"title": title, **values}
    if not (values.get("number") or "").strip():
        values["number"] = next_item_number(meeting)
    _check_item(item, values)
    for field, value in values.items():
        setattr(item, field, value)
    if values.get("order") is None:
        top = meeting.items.aggregate(top=Max("order"))["top"]
        item.order = (top or 0) + 1
    _save(item, user, "Added to the agenda")
    if values.get("order") is not None:
        _renumber_resolutions(meeting, user)
    return item


@transaction.atomic
def update_agenda_item(item: AgendaItem, *, user, expected_revision: int | None,
                       **values) -> AgendaItem:  # fmt: skip
    _unknown(values, ITEM_FIELDS)
    _require(user, item.meeting.committee.ccg)
    if "number" in values and not (values["number"] or "").strip():
        raise InvalidMove("Enter the item's number, for example 7 or 7a.", field="number")
    _check_item(item, values)
    reordered = "order" in values and values["order"] != item.order
    claim_revision(item, expected_revision, values)
    for field, value in values.items():
        setattr(item, field, value)
    _save(item, user, "Minutes written" if set(values) == {"minutes"} else "")
    if reordered:
        _renumber_resolutions(item.meeting, user)
    return item


def write_minutes(item: AgendaItem, *, user, minutes: str,
                  expected_revision: int | None) -> AgendaItem:  # fmt: skip
    """The minutes of one agenda item (Markdown)."""
    return update_agenda_item(item, user=user, expected_revision=expected_revision,
                              minutes=minutes)  # fmt: skip


@transaction.atomic
def delete_agenda_item(item: AgendaItem, *, user) -> None:
    """Remove an item from the agenda with its resolutions (actions raised under it stay in
    the action log, no longer tied to the item)."""
    meeting = item.meeting
    _require(user, meeting.committee.ccg)
    set_history_user(item, user)
    item.delete()
    _renumber_resolutions(meeting, user)


# --- Resolutions ------------------------------------------------------------------------------


def _renumber_resolutions(meeting: Meeting, user) -> None:
    """Number the meeting's resolutions (1), (2) ... in agenda order, each item's in the
    order they were made."""
    rows = list(
        Resolution.objects.filter(item__meeting=meeting)
        .select_for_update()
        .order_by("item__order", "item_id", "number", "id")
    )
    wanted = {row.pk: position for position, row in enumerate(rows, start=1)}
    changed = [row for row in rows if row.number != wanted[row.pk]]
    if not changed:
        return
    # (item, number) is unique: move the changing rows out of the way first.
    Resolution.objects.filter(pk__in=[row.pk for row in changed]).update(
        number=F("number") + _RENUMBER_OFFSET
    )
    for row in changed:
        row.number = wanted[row.pk]
        set_history_user(row, user)
        row._change_reason = "Renumbered"
        row.save(update_fields=["number"])


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidMove("Enter what was resolved.", field="text")
    return text


@transaction.atomic
def add_resolution(item: AgendaItem, *, user, text: str) -> Resolution:
    meeting = item.meeting
    _require(user, meeting.committee.ccg)
    top = item.resolutions.aggregate(top=Max("number"))["top"] or 0
    resolution = Resolution(item=item, number=top + 1, text=_clean_text(text))
    _save(resolution, user, "Resolved")
    _renumber_resolutions(meeting, user)
    resolution.refresh_from_db()
    return resolution


@transaction.atomic
def update_resolution(resolution: Resolution, *, user, text: str) -> Resolution:
    _require(user, resolution.item.meeting.committee.ccg)
    resolution.text = _clean_text(text)
    _save(resolution, user)
    return resolution


@transaction.atomic
def delete_resolution(resolution: Resolution, *, user) -> None:
    meeting = resolution.item.meeting
    _require(user, meeting.committee.ccg)
    set_history_user(resolution, user)
    resolution.delete()
    _renumber_resolutions(meeting, user)


# --- Actions ----------------------------------------------------------------------------------


def _check_action(action: MeetingAction, values: dict) -> None:
    if "text" in values:
        values["text"] = (values["text"] or "").strip()
        if not values["text"]:
            raise InvalidMove("Enter the action.", field="text")
    item = values.get("item")
    if item is not None and item.meeting_id != action.meeting_id:
        raise InvalidMove("Choose an item of the meeting the action was raised at.", field="item")
    status = values.get("status", action.status)
    if status not in ActionStatus.values:
        raise InvalidMove("Choose open, complete or dropped.", field="status")
    if status == ActionStatus.OPEN:
        if values.get("closed_on"):
            raise InvalidMove("An open action has no closing date.", field="closed_on")
        values["closed_on"] = None
    else:
        closed_on = values.get("closed_on") or action.closed_on or timezone.localdate()
        if closed_on < action.meeting.date:
            raise InvalidMove("An action cannot be closed before the meeting that raised it.",
                              field="closed_on")  # fmt: skip
        values["closed_on"] = closed_on


@transaction.atomic
def raise_action(meeting: Meeting, *, user, text: str, owner: str = "", due_on=None, item=None,
                 note: str = "") -> MeetingAction:  # fmt: skip
    _require(user, meeting.committee.ccg)
    action = MeetingAction(committee=meeting.committee, meeting=meeting)
    values = {"text": text, "owner": owner.strip(), "due_on": due_on, "item": item, "note": note}
    _check_action(action, values)
    values.pop("closed_on", None)
    for field, value in values.items():
        setattr(action, field, value)
    if user is not None and getattr(user, "is_authenticated", False):
        action.created_by = user
    _save(action, user, "Raised")
    return action


@transaction.atomic
def update_action(action: MeetingAction, *, user, expected_revision: int | None,
                  **values) -> MeetingAction:  # fmt: skip
    """Change an action: its text, owner, due date, note, or its status (complete or dropped
    closes it on `closed_on`, today unless given; open again clears the closing date)."""
    _unknown(values, ACTION_FIELDS)
    _require(user, action.committee.ccg)
    before = action.status
    _check_action(action, values)
    claim_revision(action, expected_revision, values)
    for field, value in values.items():
        setattr(action, field, value)
    reason = ""
    if action.status != before:
        reason = (
            "Reopened" if action.status == ActionStatus.OPEN else ActionStatus(action.status).label
        )
    _save(action, user, reason)
    return action


def close_action(action: MeetingAction, *, user, status: str = ActionStatus.COMPLETE,
                 on: dt.date | None = None, note: str | None = None,
                 expected_revision: int | None = None) -> MeetingAction:  # fmt: skip
    if status == ActionStatus.OPEN:
        raise InvalidMove("Close an action as complete or dropped.", field="status")
    values = {"status": status, "closed_on": on}
    if note is not None:
        values["note"] = note
    return update_action(action, user=user, expected_revision=expected_revision, **values)
