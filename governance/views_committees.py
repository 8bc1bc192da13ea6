"""Committee pages: a CCG's committees (kind, frequency, chair, reporting line, public or
private), each committee with its duties, quorum (as the terms state it and as the rules the
quorum check uses), membership, meetings and open action log; for planning managers adding
and changing committees and their members.

Read with `for_user(request.user)`: scrutiny members see committees that meet in public; the
action log is internal. Writes go through `governance.services_meetings`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from commissioning.models import Person
from plans.errors import EditConflict, InvalidMove, NotAllowed
from plans.markdown import render_markdown

from . import action_log
from . import services_meetings as services
from .forms_meetings import CommitteeForm, MemberForm
from .models import Committee, CommitteeMember, Meeting, MeetingAction, MemberRole
from .views_meetings import (
    action_rows,
    ccg_for,
    committee_for,
    conflict_rows,
    keep_typed,
    meeting_status_tag,
    posted,
    quorum_rules_text,
    reads_internal,
    refused,
    role_refused,
)

CHAIR_ROLES = (MemberRole.CHAIR, MemberRole.VICE_CHAIR)


def committee_url(committee, anchor: str = "") -> str:
    url = reverse("committee-detail", kwargs={"ods": committee.ccg.ods_code, "pk": committee.pk})
    return f"{url}#{anchor}" if anchor else url


def _list_url(ccg) -> str:
    return reverse("ccg-committees", kwargs={"ods": ccg.ods_code})


def _members(user, committee=None):
    members = CommitteeMember.objects.for_user(user).select_related("person")
    return members.filter(committee=committee) if committee is not None else members


# --- A CCG's committees ------------------------------------------------------------------------


@login_required
@require_GET
def ccg_committees(request, ods: str):
    ccg = ccg_for(request, ods)
    user = request.user
    chairs = _members(user).filter(role=MemberRole.CHAIR)
    committees = list(
        Committee.objects.for_user(user)
        .for_ccg(ccg)
        .select_related("reports_to", "partner")
        .prefetch_related(Prefetch("members", queryset=chairs, to_attr="chairs"))
    )
    visible = {c.pk for c in committees}
    rows = [
        {
            "committee": c,
            "href": committee_url(c),
            "chair": ", ".join(str(m) for m in c.chairs) or "Not recorded",
            "reports_to": c.reports_to if c.reports_to_id in visible else None,
            "reports_to_href": committee_url(c.reports_to) if c.reports_to_id in visible else "",
        }
        for c in committees
    ]
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"Committees of {ccg.display_name}",
        "rows": rows,
        "can_manage": services.secretariat_refusal(user, ccg) is None,
        "internal": reads_internal(user, ccg),
    }
    return render(request, "governance/meetings/committees.jinja", context)


# --- One committee ----------------------------------------------------------------------------


@login_required
@require_GET
def committee_detail(request, ods: str, pk: int):
    ccg = ccg_for(request, ods)
    committee = committee_for(request, ccg, pk)
    user = request.user
    today = timezone.localdate()
    can_manage = services.secretariat_refusal(user, ccg) is None
    visible = Committee.objects.for_user(user).for_ccg(ccg)
    reports_to = visible.filter(pk=committee.reports_to_id).first()
    members = list(_members(user, committee))
    meetings = Meeting.objects.for_user(user).filter(committee=committee).order_by("-date")
    actions = action_log.open_actions(
        MeetingAction.objects.for_user(user).filter(committee=committee)
    ).select_related("meeting__committee__ccg", "item")
    meeting_rows = [
        {
            "meeting": m,
            "href": reverse("meeting-detail", kwargs={"ods": ccg.ods_code, "pk": m.pk}),
            "status": meeting_status_tag(m.status),
        }
        for m in meetings
    ]
    member_rows = [
        {
            "member": m,
            "name": str(m),
            "seat": m.title if m.person_id else "",
            "edit_href": reverse(
                "committee-member-edit",
                kwargs={"ods": ccg.ods_code, "pk": committee.pk, "member_id": m.pk},
            )
            if can_manage
            else "",
        }
        for m in members
    ]
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "title": f"{committee.name} – {ccg.display_name}",
        "committee": committee,
        "reports_to": reports_to,
        "reports_to_href": committee_url(reports_to) if reports_to else "",
        "reporting": [
            {"committee": c, "href": committee_url(c)} for c in visible.filter(reports_to=committee)
        ],
        "duties": render_markdown(committee.duties) if committee.duties.strip() else "",
        "quorum_rules": quorum_rules_text(committee),
        "members": member_rows,
        "meetings": meeting_rows,
        "actions": action_rows(actions, today, ccg, can_manage=can_manage),
        "internal": reads_internal(user, ccg),
        "can_manage": can_manage,
    }
    return render(request, "governance/meetings/committee.jinja", context)


# --- Committee forms ----------------------------------------------------------------------------


COMMITTEE_LABELS = (("name", "Name"), ("kind", "Kind"), ("frequency", "How often it meets"),
                    ("duties", "Duties"), ("quorum_note", "Quorum as stated"),
                    ("quorum_members", "Voting members who must be present"),
                    ("quorum_requires_chair", "Chair or vice chair must be present"),
                    ("quorum_requires_lay_member", "A lay member must be present"),
                    ("quorum_requires_gp", "A GP member must be present"),
                    ("reports_to", "Reports to"), ("is_public", "Meets in public"),
                    ("is_required", "Required by statute"))  # fmt: skip


def _committee_form_page(request, ccg, form, *, committee=None, conflict=None):
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "committee": committee,
        "title": (f"Change {committee.name}" if committee else "Add a committee")
        + f" – {ccg.display_name}",
        "form": form,
        "error_list": form.error_list(),
        "conflict": conflict,
        "cancel_href": committee_url(committee) if committee else _list_url(ccg),
    }
    status = 409 if conflict else (400 if form.is_bound and form.errors else 200)
    return render(request, "governance/meetings/committee_form.jinja", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def committee_create(request, ods: str):
    ccg = ccg_for(request, ods)
    title = "You cannot add a committee"
    refusal = role_refused(request, ccg, title=title, back_url=_list_url(ccg))
    if refusal is not None:
        return refusal
    committees = Committee.objects.for_user(request.user).for_ccg(ccg)
    form = CommitteeForm(posted(request), committees=committees)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.create_committee(ccg, user=request.user,
                                                  **form.committee_values())  # fmt: skip
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=_list_url(ccg))
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Committee added: {committee.name}.")
            return redirect(committee_url(committee))
    return _committee_form_page(request, ccg, form)


@login_required
@require_http_methods(["GET", "POST"])
def committee_edit(request, ods: str, pk: int):
    ccg = ccg_for(request, ods)
    committee = committee_for(request, ccg, pk)
    title = "You cannot change this committee"
    refusal = role_refused(request, ccg, title=title, back_url=committee_url(committee))
    if refusal is not None:
        return refusal
    committees = list(
        Committee.objects.for_user(request.user).for_ccg(ccg).exclude(pk=committee.pk)
    )
    initial = {name: getattr(committee, name) for name in CommitteeForm.FIELDS}
    initial |= {"reports_to": committee.reports_to_id or "", "revision": committee.revision}
    form = CommitteeForm(posted(request), initial=initial, committees=committees, editing=True)
    conflict = None
    if request.method == "POST" and form.is_valid():
        values = form.committee_values()
        try:
            services.update_committee(
                committee,
                user=request.user,
                expected_revision=form.cleaned_data["revision"],
                **values,
            )
        except EditConflict as error:
            conflict = conflict_rows(error.current, values, COMMITTEE_LABELS)
            form = keep_typed(request, CommitteeForm, error.current.revision,
                              committees=committees)  # fmt: skip
            form.add_error(None, error.message)
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=committee_url(committee))
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{committee.name} saved.")
            return redirect(committee_url(committee))
    return _committee_form_page(request, ccg, form, committee=committee, conflict=conflict)


# --- Members -----------------------------------------------------------------------------------


def _people(request, ccg):
    return Person.objects.for_user(request.user).filter(ccg=ccg).order_by("name")


def _member_form_page(request, ccg, committee, form, *, member=None):
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "committee": committee,
        "member": member,
        "title": (f"Change {member}" if member else "Add a member") + f" – {committee.name}",
        "form": form,
        "error_list": form.error_list(),
        "cancel_href": committee_url(committee, "members"),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "governance/meetings/member_form.jinja", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request, ods: str, pk: int):
    ccg = ccg_for(request, ods)
    committee = committee_for(request, ccg, pk)
    back = committee_url(committee, "members")
    title = "You cannot add a member"
    refusal = role_refused(request, ccg, title=title, back_url=back)
    if refusal is not None:
        return refusal
    initial = {"role": MemberRole.CORE, "category": "other", "voting": True}
    form = MemberForm(posted(request), people=_people(request, ccg), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.add_member(committee, user=request.user, **form.member_values())
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{member} added to {committee.name}.")
            return redirect(back)
    return _member_form_page(request, ccg, committee, form)


def _member_for(request, committee, member_id: int) -> CommitteeMember:
    return get_object_or_404(_members(request.user, committee), pk=member_id)


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, ods: str, pk: int, member_id: int):
    ccg = ccg_for(request, ods)
    committee = committee_for(request, ccg, pk)
    member = _member_for(request, committee, member_id)
    back = committee_url(committee, "members")
    title = "You cannot change this member"
    refusal = role_refused(request, ccg, title=title, back_url=back)
    if refusal is not None:
        return refusal
    initial = {"person": member.person_id or "", "title": member.title, "role": member.role,
               "category": member.category, "voting": member.voting}  # fmt: skip
    form = MemberForm(posted(request), people=_people(request, ccg), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_member(member, user=request.user, **form.member_values())
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        except (InvalidMove, ValidationError) as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{member} saved.")
            return redirect(back)
    return _member_form_page(request, ccg, committee, form, member=member)


@login_required
@require_http_methods(["GET", "POST"])
def member_delete(request, ods: str, pk: int, member_id: int):
    ccg = ccg_for(request, ods)
    committee = committee_for(request, ccg, pk)
    member = _member_for(request, committee, member_id)
    back = committee_url(committee, "members")
    title = "You cannot remove this member"
    refusal = role_refused(request, ccg, title=title, back_url=back)
    if refusal is not None:
        return refusal
    error_text = ""
    if request.method == "POST":
        name = str(member)
        try:
            services.remove_member(member, user=request.user)
        except NotAllowed as error:
            return refused(request, ccg, error, title=title, back_url=back)
        except InvalidMove as error:
            error_text = error.message
        else:
            messages.success(request, f"{name} removed from {committee.name}.")
            return redirect(back)
    context = {
        "ccg": ccg,
        "current_ccg": ccg,
        "committee": committee,
        "member": member,
        "title": f"Remove {member} – {committee.name}",
        "error_list": [{"text": error_text}] if error_text else [],
        "cancel_href": back,
    }
    return render(request, "governance/meetings/member_delete.jinja", context,
                  status=409 if error_text else 200)  # fmt: skip
