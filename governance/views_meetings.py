"""Meeting pages: a meeting with its agenda (numbers, purposes, presenters, part), report cover
sheets, minutes, resolutions, attendance with the quorum check, and the actions raised at it
and carried over to it; the forms the secretariat (planning managers) use to minute it; and
a CCG's action log across its committees' meetings.

Everything is read with `for_user(request.user)`: scrutiny members read public committees'
meetings and only the public part of their agendas; attendance and actions are internal
(people of the CCG other than scrutiny members, assurers and staff). Another CCG's records are
a 404. Writes go through `governance.services_meetings`; a refusal shows its reason (403 for
the user's role), an edit conflict shows both versions with what was typed kept.
"""

from __future__ import annotations

import datetime as dt
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.access import ccg_scope
from commissioning.jinja2 import long_date
from commissioning.models import CCG
from plans.errors import EditConflict, InvalidMove, NotAllowed
from plans.markdown import render_markdown
from plans.models import PackBuild, Plan
from plans.services.packs import build_refusal

from . import action_log, quorum
from . import services_meetings as services
from .forms_meetings import (
    ActionForm,
    ActionLogFilterForm,
    AgendaItemForm,
    AttendanceForm,
    MeetingForm,
    MinutesForm,
    ResolutionForm,
)
from .models import (
    ActionStatus,
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingAction,
    MeetingStatus,
    Resolution,
)
from .queries import INTERNAL_ROLES

# --- Shared by the committee and meeting pages --------------------------------------------------


def ccg_for(request, ods: str) -> CCG:
    return get_object_or_404(CCG.objects.for_user(request.user), ods_code=ods.upper())


def reads_internal(user, ccg) -> bool:
    """Whether `user` reads the CCG's internal records (attendance, the action log)."""
    scope = ccg_scope(user)
    return scope.everything or scope.role_in(ccg.pk) in INTERNAL_ROLES


def posted(request):
    """The form data of a POST (even an empty one, so it is checked), None for a GET."""
    return request.POST if request.method == "POST" else None


def committee_for(request, ccg, pk: int) -> Committee:
    committees = Committee.objects.for_user(request.user).for_ccg(ccg)
    return get_object_or_404(committees.select_related("ccg", "reports_to"), pk=pk)


def meeting_for(request, ccg, pk: int) -> Meeting:
    meetings = Meeting.objects.for_user(request.user).filter(committee__ccg=ccg)
    return get_object_or_404(meetings.select_related("committee__ccg"), pk=pk)


def refused(request, ccg, reason, *, title: str, back_url: str, by_role: bool = True):
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": title,
        "reason": getattr(reason, "message", None) or str(reason),
        "back_url": back_url,
    }
    return render(request, "governance/meetings/refused.jinja", context,
                  status=403 if by_role else 409)  # fmt: skip


def role_refused(request, ccg, *, title: str, back_url: str):
    """None when the user may change the CCG's committees and meetings, else the 403 page."""
    refusal = services.secretariat_refusal(request.user, ccg)
    if refusal is None:
        return None
    return refused(request, ccg, refusal, title=title, back_url=back_url)


def show_value(value) -> str:
    if value is None or value == "":
        return "None"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return long_date(value)
    return str(value)


def conflict_rows(current, attempted: dict, labels) -> list[dict]:
    """Both sides of an edit conflict for the fields the form changes."""
    rows = []
    for name, label in labels:
        if name not in attempted:
            continue
        saved, yours = getattr(current, name), attempted[name]
        if name == "attachment":
            saved, yours = saved.name if saved else None, getattr(yours, "name", yours)
        rows.append(
            {
                "label": label,
                "saved": show_value(saved),
                "yours": show_value(yours),
                "differs": saved != yours,
            }
        )
    return rows


def keep_typed(request, form_class, revision: int, **kwargs):
    """The form again with what was typed and the revision now saved (saving again replaces
    the saved record)."""
    data = request.POST.copy()
    data["revision"] = str(revision)
    form = form_class(data, request.FILES or None, editing=True, **kwargs)
    form.is_valid()
    return form


def status_tag(status: str, overdue: bool = False) -> dict:
    if overdue:
        return {"text": "Overdue", "classes": "nhsuk-tag--red"}
    classes = {
        ActionStatus.OPEN: "nhsuk-tag--blue",
        ActionStatus.COMPLETE: "nhsuk-tag--green",
        ActionStatus.DROPPED: "nhsuk-tag--grey",
    }
    return {"text": ActionStatus(status).label, "classes": classes[status]}


def meeting_status_tag(status: str) -> dict:
    classes = {
        MeetingStatus.SCHEDULED: "nhsuk-tag--blue",
        MeetingStatus.HELD: "nhsuk-tag--green",
        MeetingStatus.CANCELLED: "nhsuk-tag--grey",
    }
    return {"text": MeetingStatus(status).label, "classes": classes[status]}


def meeting_url(meeting, anchor: str = "") -> str:
    url = reverse(
        "meeting-detail", kwargs={"ods": meeting.committee.ccg.ods_code, "pk": meeting.pk}
    )
    return f"{url}#{anchor}" if anchor else url


def meeting_name(meeting) -> str:
    text = f"{meeting.committee.name}, {long_date(meeting.date)}"
    return f"{text} ({meeting.title})" if meeting.title else text


def action_rows(actions, today, ccg, *, can_manage: bool) -> list[dict]:
    rows = []
    for action in actions:
        overdue = action_log.action_is_overdue(action, today)
        rows.append(
            {
                "action": action,
                "id": f"action-{action.pk}",
                "due": long_date(action.due_on) if action.due_on else "No date",
                "closed": long_date(action.closed_on),
                "overdue": overdue,
                "status": status_tag(action.status, overdue),
                "raised_at": meeting_name(action.meeting),
                "raised_href": meeting_url(action.meeting),
                "edit_href": reverse(
                    "meeting-action-edit", kwargs={"ods": ccg.ods_code, "pk": action.pk}
                )
                if can_manage
                else "",
            }
        )
    return rows


def quorum_rules_text(committee) -> list[str]:
    """The committee's quorum rules in words."""
    rules = quorum.rules_of(committee)
    lines = []
    if rules.members:
        lines.append(f"{rules.members} voting member{'' if rules.members == 1 else 's'}")
    if rules.requires_chair:
        lines.append("the chair or vice chair")
    if rules.requires_lay_member:
        lines.append("a lay member")
    if rules.requires_gp:
        lines.append("a GP member")
    return lines


# --- The meeting page ----------------------------------------------------------------------------


def _attendance(user, meeting) -> list[Attendance]:
    rows = Attendance.objects.for_user(user).filter(meeting=meeting)
    return list(rows.select_related("member__person").order_by("member__order", "id"))


def _items(user, meeting):
    return list(
        AgendaItem.objects.for_user(user)
        .filter(meeting=meeting)
        .select_related("plan")
        .prefetch_related(
            Prefetch("resolutions", queryset=Resolution.objects.for_user(user).order_by("number"))
        )
    )


def item_anchor(item) -> str:
    return f"item-{item.pk}"


def _paper_rows(item) -> list[dict]:
    rows = [
        ("To", item.paper_to),
        ("Date", long_date(item.paper_date)),
        ("From", item.paper_from),
        ("Subject", item.paper_subject),
        ("Purpose", item.paper_purpose),
        ("Key issues", item.paper_key_issues),
        ("Recommendations", item.paper_recommendations),
        ("Author", item.paper_author),
        ("Contact", item.paper_contact),
    ]
    return [
        {"key": {"text": key}, "value": {"html": render_markdown(value)}}
        for key, value in rows
        if value
    ]


@login_required
@require_GET
def meeting_detail(request, ods: str, pk: int):
    ccg = ccg_for(request, ods)
    meeting = meeting_for(request, ccg, pk)
    committee = meeting.committee
    user = request.user
    today = timezone.localdate()
    can_manage = services.secretariat_refusal(user, ccg) is None
    internal = reads_internal(user, ccg)
    linked = Plan.objects.for_user(user).filter(agenda_items__meeting=meeting)
    readable_plans = set(linked.values_list("pk", flat=True))
    items = []
    for item in _items(user, meeting):
        links = {}
        if can_manage:
            kwargs = {"ods": ccg.ods_code, "pk": meeting.pk, "item_id": item.pk}
            links = {
                "edit": reverse("agenda-item-edit", kwargs=kwargs),
                "minutes": reverse("agenda-item-minutes", kwargs=kwargs),
                "resolution": reverse("resolution-create", kwargs=kwargs),
            }
        items.append(
            {
                "item": item,
                "anchor": item_anchor(item),
                "paper": _paper_rows(item),
                "paper_href": reverse(
                    "agenda-item-paper",
                    kwargs={"ods": ccg.ods_code, "pk": meeting.pk, "item_id": item.pk},
                )
                if item.attachment
                else "",
                "paper_name": os.path.basename(item.attachment.name) if item.attachment else "",
                "plan_href": reverse("plan-detail", kwargs={"pk": item.plan_id})
                if item.plan_id in readable_plans
                else "",
                "minutes": render_markdown(item.minutes) if item.minutes.strip() else "",
                "resolutions": list(item.resolutions.all()),
                "links": links,
            }
        )
    attendance = _attendance(user, meeting) if internal else []
    actions = MeetingAction.objects.for_user(user)
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"{meeting_name(meeting)} – {ccg.display_name}",
        "meeting": meeting,
        "committee": committee,
        "heading": meeting.title or f"Meeting of {long_date(meeting.date)}",
        "status": meeting_status_tag(meeting.status),
        "items": items,
        "internal": internal,
        "present": [a for a in attendance if a.present and a.member_id],
        "apologies": [a for a in attendance if not a.present],
        "guests": [a for a in attendance if a.present and not a.member_id],
        "quorum": quorum.check_meeting(committee, attendance) if internal else None,
        "quorum_rules": quorum_rules_text(committee),
        "raised": action_rows(
            action_log.raised_at(actions, meeting), today, ccg, can_manage=can_manage
        ),  # fmt: skip
        "carried": action_rows(
            action_log.carried_over(actions, meeting), today, ccg, can_manage=can_manage
        ),  # fmt: skip
        "can_manage": can_manage,
        "committee_href": reverse(
            "committee-detail", kwargs={"ods": ccg.ods_code, "pk": committee.pk}
        ),  # fmt: skip
        # The governing body pack: who may build it, and the builds of this meeting so far.
        "pack_refusal": build_refusal(user, ccg),
        "pack_builds": list(
            PackBuild.objects.for_user(user)
            .filter(
                subject_type=ContentType.objects.get_for_model(Meeting),  # access: types
                subject_id=meeting.pk,
            )
            .select_related("requested_by")[:20]
        ),  # fmt: skip
    }
    return render(request, "governance/meetings/meeting.jinja", context)


@login_required
@require_GET
def agenda_item_paper(request, ods: str, pk: int, item_id: int):
    """The paper attached to an agenda item, for those who read the item."""
    ccg = ccg_for(request, ods)
    meeting = meeting_for(request, ccg, pk)
    item = get_object_or_404(AgendaItem.objects.for_user(request.user).filter(meeting=meeting),
                             pk=item_id)  # fmt: skip
    if not item.attachment:
        raise Http404("No paper is attached to this item")
    try:
        handle = item.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("The paper's file is missing") from None
    name = os.path.basename(item.attachment.name)
    return FileResponse(handle, as_attachment=True, filename=name)


# --- Meeting forms ----------------------------------------------------------------------------


MEETING_LABELS = (("date", "Date"), ("time", "Time"), ("location", "Location"),
                  ("title", "Title"), ("status", "Status"),
                  ("minutes_approved_on", "Minutes approved on"))  # fmt: skip


def _meeting_form_page(request, ccg, committee, form, *, meeting=None, conflict=None):
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "committee": committee,
        "meeting": meeting,
        "title": (
            f"Change meeting – {meeting_name(meeting)}"
            if meeting
            else f"Add a meeting – {committee.name}"
        ),  # fmt: skip
        "form": form,
        "error_list": form.error_list(),
        "conflict": conflict,
        "cancel_href": meeting_url(meeting)
        if meeting
        else reverse("committee-detail", kwargs={"ods": ccg.ods_code, "pk": committee.pk}),
    }
    status = 409 if conflict else (400 if form.is_bound and form.errors else 200)
    return render(request, "governance/meetings/meeting_form.jinja", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, ods: str, pk: int):
    ccg = ccg_for(request, ods)
    committee = committee_for(request, ccg, pk)
    back = reverse("committee-detail", kwargs={"ods": ccg.ods_code, "pk": committee.pk})
    title = "You cannot add a meeting"
    refusal = role_refused(request, ccg, title=title, back_url=back)
    if refusal is not None:
        return refusal
    form = MeetingForm(posted(request), initial={"status": MeetingStatus.SCHEDULED})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(committee, user=request.user,
                                              **form.meeting_values())  # fmt: skip
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Meeting added: {meeting_name(meeting)}.")
            return redirect(meeting_url(meeting))
    return _meeting_form_page(request, ccg, committee, form)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, ods: str, pk: int):
    ccg = ccg_for(request, ods)
    meeting = meeting_for(request, ccg, pk)
    title = "You cannot change this meeting"
    refusal = role_refused(request, ccg, title=title, back_url=meeting_url(meeting))
    if refusal is not None:
        return refusal
    initial = {name: getattr(meeting, name) for name, _ in MEETING_LABELS}
    initial["revision"] = meeting.revision
    form = MeetingForm(posted(request), initial=initial, editing=True)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = form.meeting_values()
        try:
            services.update_meeting(
                meeting,
                user=request.user,
                expected_revision=form.cleaned_data["revision"],
                **values,
            )
        except EditConflict as error:
            conflict = conflict_rows(error.current, values, MEETING_LABELS)
            form = keep_typed(request, MeetingForm, error.current.revision)
            form.add_error(None, error.message)
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=meeting_url(meeting))
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Meeting details saved.")
            return redirect(meeting_url(meeting))
    return _meeting_form_page(request, ccg, meeting.committee, form, meeting=meeting,
                              conflict=conflict)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def meeting_attendance(request, ods: str, pk: int):
    ccg = ccg_for(request, ods)
    meeting = meeting_for(request, ccg, pk)
    title = "You cannot record attendance at this meeting"
    refusal = role_refused(request, ccg, title=title, back_url=meeting_url(meeting))
    if refusal is not None:
        return refusal
    members = list(
        CommitteeMember.objects.for_user(request.user)
        .filter(committee=meeting.committee)
        .select_related("person")
    )
    recorded = _attendance(request.user, meeting)
    initial = {
        AttendanceForm.seat_name(row.member): "present" if row.present else "apologies"
        for row in recorded
        if row.member_id
    }
    initial["guests"] = "\n".join(row.name for row in recorded if not row.member_id)
    form = AttendanceForm(posted(request), initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_attendance(meeting, user=request.user, **form.attendance_values())
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=meeting_url(meeting))
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Attendance recorded.")
            return redirect(meeting_url(meeting, "attendance"))
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "meeting": meeting,
        "meeting_name": meeting_name(meeting),
        "title": f"Record attendance – {meeting_name(meeting)}",
        "form": form,
        "error_list": form.error_list(),
        "members_href": reverse(
            "committee-detail", kwargs={"ods": ccg.ods_code, "pk": meeting.committee_id}
        ),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "governance/meetings/attendance_form.jinja", context, status=status)


# --- Agenda items, minutes and resolutions -------------------------------------------------------


ITEM_LABELS = (("number", "Number"), ("title", "Title"), ("presenters", "Presented by"),
               ("purpose", "Purpose"), ("part", "Part"), ("plan", "Linked plan"),
               ("paper_to", "Report to"), ("paper_date", "Date of the report"),
               ("paper_from", "Report from"), ("paper_subject", "Subject"),
               ("paper_purpose", "Purpose of the report"), ("paper_key_issues", "Key issues"),
               ("paper_recommendations", "Recommendations"), ("paper_author", "Author"),
               ("paper_contact", "Contact"), ("attachment", "The paper"))  # fmt: skip


def _item_for(request, meeting, item_id: int) -> AgendaItem:
    items = AgendaItem.objects.for_user(request.user).filter(meeting=meeting)
    return get_object_or_404(items.select_related("plan"), pk=item_id)


def _ccg_plans(request, ccg):
    return Plan.objects.for_user(request.user).for_ccg(ccg).order_by("-first_year", "title")


def _item_form_page(request, ccg, meeting, form, *, item=None, conflict=None):
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "meeting": meeting,
        "meeting_name": meeting_name(meeting),
        "item": item,
        "title": (
            f"Change item {item.number} – {meeting_name(meeting)}"
            if item
            else f"Add an agenda item – {meeting_name(meeting)}"
        ),  # fmt: skip
        "form": form,
        "error_list": form.error_list(),
        "conflict": conflict,
        "cancel_href": meeting_url(meeting, item_anchor(item) if item else "agenda"),
    }
    status = 409 if conflict else (400 if form.is_bound and form.errors else 200)
    return render(request, "governance/meetings/item_form.jinja", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_create(request, ods: str, pk: int):
    ccg = ccg_for(request, ods)
    meeting = meeting_for(request, ccg, pk)
    title = "You cannot add to this meeting's agenda"
    refusal = role_refused(request, ccg, title=title, back_url=meeting_url(meeting))
    if refusal is not None:
        return refusal
    form = AgendaItemForm(posted(request), request.FILES or None, plans=_ccg_plans(request, ccg),
                          initial={"purpose": "noting", "part": "public"})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        values = form.item_values()
        try:
            item = services.add_agenda_item(meeting, user=request.user, **values)
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=meeting_url(meeting))
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Item {item.number} added: {item.title}.")
            return redirect(meeting_url(meeting, item_anchor(item)))
    return _item_form_page(request, ccg, meeting, form)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_edit(request, ods: str, pk: int, item_id: int):
    ccg = ccg_for(request, ods)
    meeting = meeting_for(request, ccg, pk)
    item = _item_for(request, meeting, item_id)
    back = meeting_url(meeting, item_anchor(item))
    title = "You cannot change this agenda item"
    refusal = role_refused(request, ccg, title=title, back_url=back)
    if refusal is not None:
        return refusal
    plans = list(_ccg_plans(request, ccg))
    initial = {name: getattr(item, name) for name in AgendaItemForm.FIELDS}
    initial |= {"plan": item.plan_id or "", "revision": item.revision}
    form = AgendaItemForm(posted(request), request.FILES or None, initial=initial, plans=plans,
                          editing=True)  # fmt: skip
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = form.item_values()
        try:
            services.update_agenda_item(
                item,
                user=request.user,
                expected_revision=form.cleaned_data["revision"],
                **values,
            )
        except EditConflict as error:
            conflict = conflict_rows(error.current, values, ITEM_LABELS)
            form = keep_typed(request, AgendaItemForm, error.current.revision, plans=plans)
            form.add_error(None, error.message)
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Item {item.number} saved.")
            return redirect(back)
    return _item_form_page(request, ccg, meeting, form, item=item, conflict=conflict)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_minutes(request, ods: str, pk: int, item_id: int):
    ccg = ccg_for(request, ods)
    meeting = meeting_for(request, ccg, pk)
    item = _item_for(request, meeting, item_id)
    back = meeting_url(meeting, item_anchor(item))
    title = "You cannot write the minutes of this item"
    refusal = role_refused(request, ccg, title=title, back_url=back)
    if refusal is not None:
        return refusal
    initial = {"minutes": item.minutes, "revision": item.revision}
    form = MinutesForm(posted(request), initial=initial, editing=True)
    conflict = None
    if request.method == "POST" and form.is_valid():
        minutes = form.cleaned_data["minutes"]
        try:
            services.write_minutes(item, user=request.user, minutes=minutes,
                                   expected_revision=form.cleaned_data["revision"])  # fmt: skip
        except EditConflict as error:
            conflict = conflict_rows(error.current, {"minutes": minutes}, [("minutes", "Minutes")])
            form = keep_typed(request, MinutesForm, error.current.revision)
            form.add_error(None, error.message)
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Minutes of item {item.number} saved.")
            return redirect(back)
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "meeting": meeting,
        "meeting_name": meeting_name(meeting),
        "item": item,
        "title": f"Minutes of item {item.number} – {meeting_name(meeting)}",
        "form": form,
        "error_list": form.error_list(),
        "conflict": conflict,
        "cancel_href": back,
    }
    status = 409 if conflict else (400 if form.is_bound and form.errors else 200)
    return render(request, "governance/meetings/minutes_form.jinja", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def resolution_create(request, ods: str, pk: int, item_id: int):
    ccg = ccg_for(request, ods)
    meeting = meeting_for(request, ccg, pk)
    item = _item_for(request, meeting, item_id)
    back = meeting_url(meeting, item_anchor(item))
    title = "You cannot add a resolution"
    refusal = role_refused(request, ccg, title=title, back_url=back)
    if refusal is not None:
        return refusal
    form = ResolutionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            resolution = services.add_resolution(item, user=request.user,
                                                 text=form.cleaned_data["text"])  # fmt: skip
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Resolution ({resolution.number}) added.")
            return redirect(back)
    existing = Resolution.objects.for_user(request.user).filter(item=item).order_by("number")
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "meeting": meeting,
        "meeting_name": meeting_name(meeting),
        "item": item,
        "existing": list(existing),
        "title": f"Add a resolution to item {item.number} – {meeting_name(meeting)}",
        "form": form,
        "error_list": form.error_list(),
        "cancel_href": back,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "governance/meetings/resolution_form.jinja", context, status=status)


# --- Actions ----------------------------------------------------------------------------------


ACTION_LABELS = (("text", "Action"), ("owner", "Owner"), ("due_on", "Due on"),
                 ("item", "Agenda item"), ("status", "Status"), ("closed_on", "Closed on"),
                 ("note", "Note"))  # fmt: skip


def _action_form_page(request, ccg, meeting, form, *, action=None, conflict=None):
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "meeting": meeting,
        "meeting_name": meeting_name(meeting),
        "action": action,
        "title": (
            f"Update action – {meeting_name(meeting)}"
            if action
            else f"Raise an action – {meeting_name(meeting)}"
        ),  # fmt: skip
        "form": form,
        "error_list": form.error_list(),
        "conflict": conflict,
        "cancel_href": meeting_url(meeting, "actions"),
        "next": _next_of(request),
    }
    status = 409 if conflict else (400 if form.is_bound and form.errors else 200)
    return render(request, "governance/meetings/action_form.jinja", context, status=status)


def _meeting_items(request, meeting) -> list[AgendaItem]:
    return list(AgendaItem.objects.for_user(request.user).filter(meeting=meeting))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_action_create(request, ods: str, pk: int):
    ccg = ccg_for(request, ods)
    meeting = meeting_for(request, ccg, pk)
    title = "You cannot raise an action"
    refusal = role_refused(request, ccg, title=title, back_url=meeting_url(meeting))
    if refusal is not None:
        return refusal
    items = _meeting_items(request, meeting)
    chosen = request.GET.get("item", "")
    form = ActionForm(posted(request), items=items, initial={"item": chosen})
    if request.method == "POST" and form.is_valid():
        try:
            action = services.raise_action(meeting, user=request.user, **form.action_values())
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=meeting_url(meeting))
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Action raised: {action.text[:80]}")
            return redirect(meeting_url(meeting, f"action-{action.pk}"))
    return _action_form_page(request, ccg, meeting, form)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_action_edit(request, ods: str, pk: int):
    ccg = ccg_for(request, ods)
    actions = MeetingAction.objects.for_user(request.user).filter(committee__ccg=ccg)
    action = get_object_or_404(actions.select_related("meeting__committee__ccg", "item"), pk=pk)
    meeting = action.meeting
    back = reverse("ccg-actions", kwargs={"ods": ccg.ods_code}) + f"#action-{action.pk}"
    title = "You cannot update this action"
    refusal = role_refused(request, ccg, title=title, back_url=back)
    if refusal is not None:
        return refusal
    items = _meeting_items(request, meeting)
    initial = {name: getattr(action, name) for name, _ in ACTION_LABELS}
    initial |= {"item": action.item_id or "", "revision": action.revision}
    form = ActionForm(posted(request), initial=initial, items=items, editing=True)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = form.action_values()
        try:
            services.update_action(
                action,
                user=request.user,
                expected_revision=form.cleaned_data["revision"],
                **values,
            )
        except EditConflict as error:
            conflict = conflict_rows(error.current, values, ACTION_LABELS)
            form = keep_typed(request, ActionForm, error.current.revision, items=items)
            form.add_error(None, error.message)
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Action updated.")
            destination = request.POST.get("next", "")
            return redirect(destination if _safe_next(destination) else back)
    return _action_form_page(request, ccg, meeting, form, action=action, conflict=conflict)


def _next_of(request) -> str:
    value = request.POST.get("next") or request.GET.get("next") or ""
    return value if _safe_next(value) else ""


def _safe_next(value) -> bool:
    """Only our own pages' paths (never another site) are followed after saving."""
    return bool(value) and value.startswith("/ccgs/") and "//" not in value


# --- The action log ------------------------------------------------------------------------------


@login_required
@require_GET
def ccg_actions(request, ods: str):
    ccg = ccg_for(request, ods)
    user = request.user
    if not reads_internal(user, ccg):
        raise Http404("The action log is for people of the CCG")
    today = timezone.localdate()
    committees = Committee.objects.for_user(user).for_ccg(ccg)
    form = ActionLogFilterForm(request.GET or None, committees=committees)
    chosen = form.filters()
    actions = (
        MeetingAction.objects.for_user(user)
        .filter(committee__ccg=ccg)
        .select_related("committee", "meeting__committee__ccg", "item")
        .order_by("committee__order", "committee__name", "meeting__date", "due_on", "id")
    )
    everything = actions
    if chosen["committee"] is not None:
        actions = actions.filter(committee=chosen["committee"])
    if chosen["status"]:
        actions = actions.filter(status=chosen["status"])
    if chosen["overdue"]:
        actions = action_log.overdue(actions, today)
    can_manage = services.secretariat_refusal(user, ccg) is None
    rows = action_rows(actions, today, ccg, can_manage=can_manage)
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"Action log – {ccg.display_name}",
        "form": form,
        "error_list": form.error_list(),
        "rows": rows,
        "open_count": action_log.open_actions(everything).count(),
        "overdue_count": action_log.overdue(everything, today).count(),
        "filtered": bool(request.GET),
        "today": today,
    }
    status = 400 if form.errors else 200
    return render(request, "governance/meetings/action_log.jinja", context, status=status)
