"""Meetings records of CCG A and CCG B in the permission matrix's world.

Each CCG has a governing body that meets in public (with a chair, one meeting, attendance, a
public agenda item with a paper and a resolution, a private item with a resolution, and an
action), and a remuneration committee that meets in private. Scrutiny members read the
public committee, its meeting and the public item; attendance and actions are internal (see
INTERNAL in test_permission_matrix)."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from governance import services_meetings as services
from governance.models import AgendaItem
from tests.factories import PersonFactory

PAPER = "papers/matrix/plan-refresh-cover-sheet.txt"


def _paper() -> str:
    """One small file for every run (written once, so runs leave nothing new behind)."""
    if not default_storage.exists(PAPER):
        default_storage.save(PAPER, ContentFile(b"Commissioning Plan refresh: cover sheet\n"))
    return PAPER


def _records(ccg) -> dict:
    body = services.create_committee(
        ccg,
        user=None,
        name="Governing Body",
        kind="governing-body",
        is_public=True,
        quorum_members=1,
        quorum_requires_chair=True,
        frequency="Monthly",
    )
    person = PersonFactory(ccg=ccg, name=f"Chair of {ccg.ods_code}")
    chair = services.add_member(body, user=None, role="chair", category="gp", person=person)
    meeting = services.create_meeting(
        body, user=None, date=dt.date(2015, 11, 5), location="Town Hall"
    )
    services.record_attendance(meeting, user=None, members={chair.pk: "present"})
    public = services.add_agenda_item(
        meeting,
        user=None,
        title="Commissioning Plan refresh",
        purpose="decision",
        paper_subject="Refresh of the plan",
        paper_recommendations="Note the priorities",
    )
    AgendaItem.objects.filter(pk=public.pk).update(attachment=_paper())
    private = services.add_agenda_item(
        meeting, user=None, title="Contract negotiations", part="private"
    )
    resolution = services.add_resolution(public, user=None, text="That the priorities be noted.")
    private_resolution = services.add_resolution(private, user=None, text="That terms be agreed.")
    action = services.raise_action(
        meeting,
        user=None,
        text="Circulate the draft plan",
        owner="Chief Officer",
        due_on=dt.date(2015, 12, 1),
    )
    remuneration = services.create_committee(
        ccg, user=None, name="Remuneration Committee", kind="remuneration", is_public=False
    )
    private_meeting = services.create_meeting(remuneration, user=None, date=dt.date(2015, 11, 12))
    return {
        "committee": body,
        "committee_member": chair,
        "meeting": meeting,
        "agenda_item": public,
        "private_agenda_item": private,
        "resolution": resolution,
        "private_resolution": private_resolution,
        "meeting_action": action,
        "private_committee": remuneration,
        "private_meeting": private_meeting,
    }


def meetings_world(a, b, objects: dict, things: dict) -> dict:
    """Create the records, add API prefixes to `objects` (prefix -> (A's lookup, B's)),
    and return named records for the page routes (e.g. {"x_a": ..., "x_b": ...})."""
    of_a, of_b = _records(a), _records(b)
    for prefix, name in (
        ("committees", "committee"),
        ("meetings", "meeting"),
        ("agenda-items", "agenda_item"),
        ("resolutions", "resolution"),
        ("meeting-actions", "meeting_action"),
    ):
        objects[prefix] = (of_a[name].pk, of_b[name].pk)
    return {f"{name}_a": record for name, record in of_a.items()} | {
        f"{name}_b": record for name, record in of_b.items()
    }
