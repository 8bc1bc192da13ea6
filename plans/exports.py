"""CSV exports of a plan's records, for people who open them in Excel.

UTF-8 with a byte order mark (Excel otherwise reads the file as Windows-1252 and mangles
"£" and curly quotes), and guarded against formula injection: a cell a stakeholder wrote
that starts with = + - @ (or a tab or carriage return) is prefixed with an apostrophe, so
the spreadsheet shows it as text instead of running it (OWASP "CSV injection"). The guard
is commissioning.spreadsheets.safe_cell, shared by every export.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from commissioning.spreadsheets import BOM, safe_cell

COMMENT_COLUMNS = (
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
)


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def comment_rows(plan, comments):
    """One row per comment, in COMMENT_COLUMNS order (not yet guarded)."""
    for comment in comments:
        yield (
            plan.title,
            f"{plan.ccg.name} ({plan.ccg.ods_code})",
            comment.stakeholder,
            comment.partner.name if comment.partner_id else "",
            comment.locality.name if comment.locality_id else "",
            comment.target_label or "The whole plan",
            comment.body,
            timezone.localdate(comment.created_at).isoformat(),
            comment.response,
            comment.get_outcome_display() if comment.outcome else "Awaiting response",
            comment.outcome_reason,
            _person(comment.responded_by) if comment.responded_by_id else "",
            _local(comment.responded_at),
        )


def comments_csv(plan, comments) -> str:
    """The comments and responses as CSV text, starting with the byte order mark."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COMMENT_COLUMNS)
    for row in comment_rows(plan, comments):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def csv_filename(plan, what: str) -> str:
    return f"{slugify(plan.title) or 'plan'}-{what}.csv"


def comments_csv_response(plan, comments) -> HttpResponse:
    response = HttpResponse(
        comments_csv(plan, comments).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{csv_filename(plan, "consultation-comments")}"'
    )
    return response
