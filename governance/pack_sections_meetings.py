"""Governance's meeting and risk sections of PDF packs, and the meeting as a pack subject.

- Annual review packs: "Top risks" (open risks scoring ESCALATION_SCORE or more, highest
  first, with current and target scores and bands, owner and key controls) and "Recent
  resolutions and open actions" (resolutions of the CCG's committees' meetings in the 12
  months to the pack's date, and meeting actions still open, overdue ones flagged).
  Published annual review packs are read by scrutiny members, who never see the private part
  of an agenda (governance.queries): so these sections take only public committees'
  resolutions and actions, from the public part of their agendas, and say so.
- Governing body packs, built for a meeting: the agenda, then each item's report cover sheet
  and papers, then the minutes and resolutions when the meeting has them. These packs are
  internal (plans.queries.PackBuildQuerySet), built by planning managers and governing body
  members, who read the private part too; private items are marked as such.

Every read goes through `for_user(context.user)`, in a fixed number of queries however many
risks, resolutions, actions or agenda items there are.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os

from django.db.models import F, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from commissioning.jinja2 import long_date
from plans.markdown import render_markdown
from plans.models import PackKind
from plans.packs.registry import (
    PackContext,
    PackSection,
    PackSubject,
    register_section,
    register_subject,
)

from . import action_log, risk_matrix
from .dashboard import add_months
from .models import (
    ESCALATION_SCORE,
    ActionStatus,
    AgendaItem,
    Meeting,
    MeetingAction,
    Part,
    Resolution,
    Risk,
    RiskStatus,
)
from .services_risks import bands_for, score_now

REVIEW = frozenset({PackKind.ANNUAL_REVIEW})
GOVERNING_BODY = frozenset({PackKind.GOVERNING_BODY})
RECENT_MONTHS = 12


def pack_date(context: PackContext) -> dt.date:
    """The date on the pack's cover (plans.packs.document): the plan's last change for a
    plan's pack, else today; `context.extra["as_of"]` when the builder gives one."""
    given = context.extra.get("as_of")
    if given is not None:
        return given
    if context.plan is not None:
        return timezone.localdate(context.plan.updated_at)
    return timezone.localdate()


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    first = add_months(day.replace(day=1), -months)
    return first.replace(day=min(day.day, calendar.monthrange(first.year, first.month)[1]))


def ccg_of(context: PackContext):
    return context.plan.ccg if context.plan is not None else context.ccg


# --- Top risks ------------------------------------------------------------------------------


def band_text(value: int, bands) -> str:
    band = risk_matrix.band_for(value, bands)
    return band.label if band else "No band"


def top_risks_section(context: PackContext) -> str | None:
    """Open risks whose current score is ESCALATION_SCORE or more, highest first (two
    queries: the open risks, the CCG's bands). None when the CCG has no open risks."""
    ccg = ccg_of(context)
    risks = list(
        Risk.objects.for_user(context.user).filter(ccg=ccg, status=RiskStatus.OPEN)
        .annotate(score_now=score_now()).order_by("-score_now", "reference", "pk")
    )  # fmt: skip
    if not risks:
        return None
    bands = bands_for(ccg)
    rows = [
        {
            "risk": risk,
            "current": risk.current_score,
            "current_band": band_text(risk.current_score, bands),
            "target": risk.target_score,
            "target_band": band_text(risk.target_score, bands),
        }
        for risk in risks
        if risk_matrix.is_escalated(risk.current_score)
    ]
    return render_to_string("print/governance/top_risks.jinja", {
        "rows": rows, "open_count": len(risks), "threshold": ESCALATION_SCORE,
        "illustrative": any(row["risk"].illustrative for row in rows),
    })  # fmt: skip


# --- Recent resolutions and open actions ----------------------------------------------------


def public_resolutions(user, ccg, start: dt.date, end: dt.date) -> list[Resolution]:
    """Resolutions of the CCG's public committees, made in the public part of meetings held
    after `start` up to `end`, in meeting and resolution order (one query)."""
    return list(
        Resolution.objects.for_user(user)
        .filter(item__meeting__committee__ccg=ccg, item__meeting__committee__is_public=True,
                item__part=Part.PUBLIC, item__meeting__date__gt=start,
                item__meeting__date__lte=end)
        .select_related("item__meeting__committee")
        .order_by("item__meeting__date", "item__meeting__committee__name", "item__meeting_id",
                  "number", "pk")
    )  # fmt: skip


def public_open_actions(user, ccg, end: dt.date) -> list[MeetingAction]:
    """Open actions of the CCG's public committees raised at meetings up to `end`, not under
    a private agenda item, soonest due first (one query)."""
    return list(
        MeetingAction.objects.for_user(user)
        .filter(committee__ccg=ccg, committee__is_public=True, status=ActionStatus.OPEN,
                meeting__date__lte=end)
        .filter(Q(item__isnull=True) | Q(item__part=Part.PUBLIC))
        .select_related("committee", "meeting__committee")
        .order_by(F("due_on").asc(nulls_last=True), "meeting__date", "pk")
    )  # fmt: skip


def meeting_groups(resolutions: list[Resolution]) -> list[dict]:
    groups: list[dict] = []
    for resolution in resolutions:
        meeting = resolution.item.meeting
        if not groups or groups[-1]["meeting"].pk != meeting.pk:
            groups.append({"meeting": meeting, "name": meeting_title(meeting), "items": []})
        items = groups[-1]["items"]
        if not items or items[-1]["item"].pk != resolution.item_id:
            items.append({"item": resolution.item, "resolutions": []})
        items[-1]["resolutions"].append(resolution)
    return groups


def resolutions_section(context: PackContext) -> str | None:
    """Two queries. None when there are neither resolutions nor open actions to show."""
    ccg, end = ccg_of(context), pack_date(context)
    start = months_before(end, RECENT_MONTHS)
    resolutions = public_resolutions(context.user, ccg, start, end)
    actions = public_open_actions(context.user, ccg, end)
    if not resolutions and not actions:
        return None
    return render_to_string("print/governance/resolutions.jinja", {
        "groups": meeting_groups(resolutions),
        "count": len(resolutions),
        "actions": [{"action": action, "raised": meeting_title(action.meeting),
                     "due": long_date(action.due_on) if action.due_on else "No date",
                     "overdue": action_log.action_is_overdue(action, end)}
                    for action in actions],  # fmt: skip
        "overdue_count": sum(action_log.action_is_overdue(a, end) for a in actions),
        "start": start, "end": end,
    })  # fmt: skip


# --- Governing body packs -------------------------------------------------------------------


def meeting_title(meeting: Meeting) -> str:
    """ "Governing Body meeting, 15 October 2015" (the meeting's committee is selected)."""
    return f"{meeting.committee.name} meeting, {long_date(meeting.date)}"


def meeting_page(meeting: Meeting) -> str:
    return reverse("meeting-detail",
                   kwargs={"ods": meeting.committee.ccg.ods_code, "pk": meeting.pk})  # fmt: skip


def find_meeting(user, pk: int) -> Meeting | None:
    """The meeting `pk` if `user` reads it."""
    return Meeting.objects.for_user(user).select_related("committee__ccg").filter(pk=pk).first()


def meeting_of(context: PackContext) -> Meeting | None:
    subject = context.subject
    if not isinstance(subject, Meeting):
        return None
    return find_meeting(context.user, subject.pk)


def agenda_items(user, meeting: Meeting, *, resolutions: bool = False) -> list[AgendaItem]:
    """The items the user reads, in agenda order (one query; two with the resolutions)."""
    items = AgendaItem.objects.for_user(user).filter(meeting=meeting).order_by("order", "pk")
    if resolutions:
        readable = Resolution.objects.for_user(user).order_by("number")
        items = items.prefetch_related(Prefetch("resolutions", queryset=readable))
    return list(items)


def agenda_section(context: PackContext) -> str | None:
    meeting = meeting_of(context)
    if meeting is None:
        return None
    return render_to_string("print/governance/agenda.jinja", {
        "meeting": meeting, "items": agenda_items(context.user, meeting),
        "when": long_date(meeting.date) + (f", {meeting.time:%H:%M}" if meeting.time else ""),
    })  # fmt: skip


def cover_sheet(item: AgendaItem) -> list[tuple[str, object]]:
    """The report cover sheet's filled-in fields, in the order of the form (seed 004)."""
    rows = [
        ("To", item.paper_to),
        ("Date", long_date(item.paper_date)),
        ("From", item.paper_from),
        ("Subject", item.paper_subject),
        ("Purpose", render_markdown(item.paper_purpose) if item.paper_purpose else ""),
        ("Key issues", render_markdown(item.paper_key_issues) if item.paper_key_issues else ""),
        ("Recommendations",
         render_markdown(item.paper_recommendations) if item.paper_recommendations else ""),
        ("Author", item.paper_author),
        ("Contact", item.paper_contact),
    ]  # fmt: skip
    return [(label, value) for label, value in rows if value]


def attachment_of(item: AgendaItem) -> dict | None:
    if not item.attachment:
        return None
    name = os.path.basename(item.attachment.name)
    return {"name": name, "pdf": name.lower().endswith(".pdf")}


def papers_section(context: PackContext) -> str | None:
    meeting = meeting_of(context)
    if meeting is None:
        return None
    items = agenda_items(context.user, meeting)
    if not items:
        return None
    rows = [{"item": item, "cover": cover_sheet(item), "attachment": attachment_of(item)}
            for item in items]  # fmt: skip
    return render_to_string("print/governance/papers.jinja", {
        "meeting": meeting, "rows": rows,
        "attachments": [row for row in rows if row["attachment"]],
    })  # fmt: skip


def minutes_section(context: PackContext) -> str | None:
    """None when no item has minutes or resolutions yet."""
    meeting = meeting_of(context)
    if meeting is None:
        return None
    rows = []
    for item in agenda_items(context.user, meeting, resolutions=True):
        resolutions = list(item.resolutions.all())
        if item.minutes.strip() or resolutions:
            rows.append({"item": item, "resolutions": resolutions,
                         "minutes": render_markdown(item.minutes) if item.minutes.strip()
                         else ""})  # fmt: skip
    if not rows:
        return None
    return render_to_string("print/governance/minutes.jinja", {
        "meeting": meeting, "rows": rows,
        "approved": long_date(meeting.minutes_approved_on),
    })  # fmt: skip


# --- Registration ---------------------------------------------------------------------------


def register() -> None:
    register_section(PackSection("review-top-risks", "Top risks", REVIEW, 60,
                                 top_risks_section))  # fmt: skip
    register_section(PackSection("review-resolutions", "Recent resolutions and open actions",
                                 REVIEW, 80, resolutions_section))  # fmt: skip
    register_section(PackSection("meeting-agenda", "Agenda", GOVERNING_BODY, 10,
                                 agenda_section))  # fmt: skip
    register_section(PackSection("meeting-papers", "Report cover sheets and papers",
                                 GOVERNING_BODY, 20, papers_section))  # fmt: skip
    register_section(PackSection("meeting-minutes", "Minutes and resolutions", GOVERNING_BODY,
                                 30, minutes_section))  # fmt: skip
    register_subject(PackSubject(
        label="governance.meeting",
        kinds=GOVERNING_BODY,
        lookup=find_meeting,
        ccg_of=lambda meeting: meeting.committee.ccg,
        title_of=meeting_title,
        api_field="meeting",
        url_of=meeting_page,
    ))  # fmt: skip
