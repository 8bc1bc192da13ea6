"""Display logic of the delivery and programme pages: status tags that say their RAG colour in
words, tracker rows and count tables for NHS.UK tables, progress updates. No queries: the
views pass in what they read through `for_user`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.urls import reverse

from commissioning.jinja2 import long_date
from plans.presenters_consultation import paragraphs

from . import delivery
from .delivery import rag
from .models import DeliveryStatus
from .tracker import Filters, Row, Tracker

STATUS_LABELS = dict(DeliveryStatus.choices)


def status_tag(status: str) -> dict:
    """The NHS tag of a delivery status, its RAG colour in words (colour is never the only
    sign): "At risk (amber)"."""
    colour = rag(status)
    return {
        "text": f"{STATUS_LABELS[status]} ({colour.label.lower()})",
        "classes": f"{colour.tag_class} app-rag app-rag--{colour.code}",
    }


OVERDUE_TAG = {"text": "Overdue", "classes": "nhsuk-tag--red app-overdue"}
ILLUSTRATIVE_TAG = {"text": "Illustrative", "classes": "nhsuk-tag--purple"}


def row_id(kind: str, pk: int) -> str:
    return f"{kind}-{pk}"


def progress_url(plan, kind: str, pk: int, back: str = "") -> str:
    if kind == "action":
        url = reverse("plan-action-progress", kwargs={"pk": plan.pk, "action_id": pk})
    else:
        url = reverse("plan-commitment-progress", kwargs={"pk": plan.pk, "commitment_id": pk})
    return f"{url}?{urlencode({'back': back})}" if back else url


def clean_back(query: str) -> str:
    """The tracker's own filter parameters from a `back` value (nothing else survives), so a
    return link can only ever lead back to the tracker."""
    kept = [(k, v) for k, v in parse_qsl(query or "") if k in Filters.PARAMS and v]
    return urlencode(kept)


def tracker_url(plan, back: str = "", anchor: str = "") -> str:
    url = reverse("plan-delivery", kwargs={"pk": plan.pk})
    query = clean_back(back)
    return url + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


def tracker_row(row: Row, plan, back: str) -> dict:
    item = row.item
    latest = row.latest
    return {
        "id": row_id(row.kind, item.pk),
        "kind": row.kind,
        "kind_label": "Commitment" if row.kind == "commitment" else "Action",
        "text": item.text,
        "priority": row.priority.title,
        "commitment": row.commitment.text if row.kind == "action" else "",
        "lead": row.lead,
        "locality": row.locality.name if row.locality else "",
        "due": row.due_label,
        "overdue": row.overdue,
        "status": status_tag(row.status),
        "latest": {
            "date": long_date(latest.reported_on),
            "narrative": latest.narrative,
            "illustrative": latest.illustrative,
        }
        if latest
        else None,
        "href": progress_url(plan, row.kind, item.pk, back),
    }


def count_table(tracker: Tracker) -> dict:
    """Counts by status for each priority, with a total row: head and rows of an NHS table."""
    head = [{"text": "Priority"}] + [
        {"text": label, "format": "numeric"} for label in STATUS_LABELS.values()
    ]
    head.append({"text": "Actions", "format": "numeric"})
    rows = []
    for line in tracker.counts:
        rows.append(
            {
                "priority": line.priority.title,
                "cells": [line.counts[s] for s in DeliveryStatus.values],
                "total": line.total,
            }
        )
    totals = tracker.totals
    return {
        "head": head,
        "rows": rows,
        "totals": [totals[s] for s in DeliveryStatus.values],
        "total": sum(totals.values()),
        "statuses": [
            {"label": label, "rag": rag(value).label.lower()}
            for value, label in DeliveryStatus.choices
        ],
    }


def reporter(update, *, internal: bool) -> str:
    """Who reported an update: named for people of the CCG, the CCG otherwise."""
    user = update.reported_by
    if user is None:
        return "Not recorded"
    if not internal:
        return "The CCG"
    return user.get_full_name() or user.get_username()


def update_rows(updates, *, internal: bool) -> list[dict]:
    return [
        {
            "id": f"update-{u.pk}",
            "date": long_date(u.reported_on),
            "who": reporter(u, internal=internal),
            "status": status_tag(u.status),
            "narrative": paragraphs(u.narrative),
            "illustrative": u.illustrative,
        }
        for u in updates
    ]


def subject_facts(subject, kind: str, today) -> list[dict]:
    """The summary list at the top of a progress page."""
    commitment = subject if kind == "commitment" else subject.commitment
    rows = [("Priority", commitment.priority.title)]
    if kind == "action":
        rows.append(("Commitment", commitment.text))
    rows.append(("Lead", subject.lead or "Not stated"))
    rows.append(("Locality", commitment.locality.name if commitment.locality else "Not stated"))
    if kind == "action":
        due = subject.due_label or "Not stated"
        if delivery.is_overdue(subject.due_on, subject.status, today):
            due = f"{due} (overdue)"
        rows.append(("Due", due))
    return [{"key": {"text": key}, "value": {"text": value}} for key, value in rows]


def programme_rows(programmes) -> list[dict]:
    """A CCG's programmes for the list: with the prefetched commitments and intentions the
    user may read (the plans they come from)."""
    rows = []
    for programme in programmes:
        plans = {}
        for intention in programme.intentions.all():
            plans.setdefault(intention.plan_id, intention.plan)
        rows.append(
            {
                "programme": programme,
                "href": reverse("programme-detail", kwargs={"pk": programme.pk}),
                "commitment_count": len(programme.commitments.all()),
                "plans": [
                    {
                        "title": plan.title,
                        "year": plan.period_label,
                        "href": reverse("plan-detail", kwargs={"pk": plan.pk}),
                    }
                    for plan in plans.values()
                ],
            }
        )
    return rows
