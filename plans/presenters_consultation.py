"""Display logic of the consultation pages: comment rows, counts, the window's status."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from markupsafe import Markup, escape

from commissioning.jinja2 import long_date
from commissioning.models import Membership

from . import snapshots
from .forms_consultation import about_choices, person_name
from .models import Consultation, Outcome

OUTCOME_TAGS = {
    "": ("Awaiting response", "nhsuk-tag--grey"),
    Outcome.ACCEPTED: ("Accepted", "nhsuk-tag--green"),
    Outcome.PARTLY_ACCEPTED: ("Partly accepted", "nhsuk-tag--yellow"),
    Outcome.NOT_ACCEPTED: ("Not accepted", "nhsuk-tag--red"),
}


AWAITING = "awaiting"


WHOLE_PLAN = "plan"


def paragraphs(text: str) -> Markup:
    """Plain text as paragraphs, its line breaks kept."""
    blocks = [b.strip() for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup('<p class="app-comment__text">{}</p>').format(
            Markup("<br>").join(escape(line) for line in block.split("\n"))
        )
        for block in blocks
    )


def roles_by_user(user, plan) -> dict[int, str]:
    rows = Membership.objects.for_user(user).for_ccg(plan.ccg)
    return {m.user_id: m.get_role_display() for m in rows}


def window_status(consultation: Consultation, today) -> dict:
    """Whether the window is open today, as a tag and a sentence."""
    opens, closes = long_date(consultation.opens_on), long_date(consultation.closes_on)
    if consultation.is_closed:
        closed = long_date(timezone.localdate(consultation.closed_at))
        return {
            "tag": ("Closed", "nhsuk-tag--grey"),
            "text": f"Consultation closed on {closed}.",
            "open": False,
        }
    if today < consultation.opens_on:
        return {
            "tag": ("Not open yet", "nhsuk-tag--blue"),
            "text": f"Consultation opens on {opens} and closes on {closes}.",
            "open": False,
        }
    if today > consultation.closes_on:
        return {
            "tag": ("Window ended", "nhsuk-tag--orange"),
            "text": f"The consultation window ended on {closes}. Invited people can no longer "
            "comment; a planning manager can close the consultation.",
            "open": False,
        }
    return {
        "tag": ("Open today", "nhsuk-tag--green"),
        "text": f"Consultation is open: invited people can comment until {closes}.",
        "open": True,
    }


def about_key(comment) -> str:
    if not comment.target_collection:
        return WHOLE_PLAN
    return f"{comment.target_collection}:{comment.target_key}"


def about_groups(plan, comments) -> list[tuple[str, str]]:
    """(value, label) of what the comments are about: the whole plan, then the plan's parts
    in their order, then parts no longer in the plan."""
    current = dict(about_choices(plan))
    present = {}
    for comment in comments:
        key = about_key(comment)
        if key in present:
            continue
        if key == WHOLE_PLAN:
            present[key] = "The whole plan"
        elif key in current:
            present[key] = current[key]
        else:
            kind = snapshots.get(comment.target_collection)
            prefix = kind.item_label.capitalize() if kind else comment.target_collection
            present[key] = f"{prefix}: {comment.target_label} (no longer in the plan)"
    order = [WHOLE_PLAN, *(value for value in current if value)]
    known = [(value, present[value]) for value in order if value in present]
    gone = sorted((v, label) for v, label in present.items() if v not in order)
    return known + gone


def comment_row(comment, *, several_windows: bool, can_respond: bool, plan) -> dict:
    details = []
    if comment.partner_id:
        details.append(("Partner", comment.partner.name))
    if comment.locality_id:
        details.append(("Locality", comment.locality.name))
    recorded_for_others = comment.on_behalf_of or comment.partner_id or comment.locality_id
    if comment.author_id and recorded_for_others:
        details.append(("Recorded by", person_name(comment.author)))
    if several_windows:
        details.append(
            (
                "Consultation",
                f"{long_date(comment.consultation.opens_on)} to "
                f"{long_date(comment.consultation.closes_on)}",
            )
        )
    text, tag_class = OUTCOME_TAGS[comment.outcome]
    return {
        "comment": comment,
        "id": f"comment-{comment.pk}",
        "stakeholder": comment.stakeholder,
        "date": long_date(timezone.localdate(comment.created_at)),
        "details": details,
        "body": paragraphs(comment.body),
        "tag": {"text": text, "classes": tag_class},
        "response": paragraphs(comment.response),
        "reason": paragraphs(comment.outcome_reason),
        "responded": (
            f"{person_name(comment.responded_by) if comment.responded_by_id else 'Unknown'}, "
            f"{long_date(timezone.localdate(comment.responded_at))}"
            if comment.responded_at
            else ""
        ),
        "respond_url": reverse(
            "plan-comment-respond", kwargs={"pk": plan.pk, "comment_id": comment.pk}
        )
        if can_respond
        else "",
    }


def comment_counts(comments) -> list[dict]:
    totals = comments.aggregate(
        all=Count("pk"),
        awaiting=Count("pk", filter=Q(outcome="")),
        accepted=Count("pk", filter=Q(outcome=Outcome.ACCEPTED)),
        partly=Count("pk", filter=Q(outcome=Outcome.PARTLY_ACCEPTED)),
        not_accepted=Count("pk", filter=Q(outcome=Outcome.NOT_ACCEPTED)),
    )
    return [
        {"label": "Comments", "value": totals["all"], "filter": ""},
        {"label": "Awaiting response", "value": totals["awaiting"], "filter": AWAITING},
        {"label": "Accepted", "value": totals["accepted"], "filter": Outcome.ACCEPTED},
        {"label": "Partly accepted", "value": totals["partly"], "filter": Outcome.PARTLY_ACCEPTED},
        {"label": "Not accepted", "value": totals["not_accepted"], "filter": Outcome.NOT_ACCEPTED},
    ]


def conflict_row(current) -> dict:
    """The response as someone else saved it, for the side-by-side comparison."""
    return {
        "response": paragraphs(current.response),
        "outcome": OUTCOME_TAGS[current.outcome][0],
        "reason": paragraphs(current.outcome_reason),
        "by": person_name(current.responded_by) if current.responded_by_id else "",
        "at": long_date(timezone.localdate(current.responded_at)) if current.responded_at else "",
    }
