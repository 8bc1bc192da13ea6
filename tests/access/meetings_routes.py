"""Access expectations of the committee and meeting pages, merged into the permission
matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
CCG A's governing body meets in public: everyone who reads CCG A (scrutiny members too) reads
its page, its meeting and the public item's paper. The action log is internal: scrutiny
members get 404 there, as for an action's form. Forms are for planning managers (and staff,
who act as one); other readers get 403 with the reason; those who cannot see the record 404.
"""

from django.urls import reverse

from commissioning.access import Role
from tests.access.actors import ACTORS, READS_A

WRITERS = {Role.PLANNING_MANAGER, "staff"}
INTERNAL_READERS = READS_A - {Role.SCRUTINY}


def expect(readers, *, writers_only: bool = False) -> dict:
    expected = {}
    for actor in ACTORS:
        if actor == "anonymous":
            expected[actor] = "login"
        elif actor not in readers:
            expected[actor] = 404
        elif writers_only and actor not in WRITERS:
            expected[actor] = 403
        else:
            expected[actor] = 200
    return expected


READ = expect(READS_A)
READ_INTERNAL = expect(INTERNAL_READERS)
FORM = expect(READS_A, writers_only=True)
INTERNAL_FORM = expect(INTERNAL_READERS, writers_only=True)


def url(name, **things):
    """A URL of CCG A: keyword -> (thing in the world, attribute), e.g. pk=("meeting_a",
    "pk")."""

    def build(w):
        kwargs = {"ods": w.a.ods_code}
        for key, (thing, attribute) in things.items():
            kwargs[key] = getattr(w.things[thing], attribute)
        return reverse(name, kwargs=kwargs)

    return build


COMMITTEE = {"pk": ("committee_a", "pk")}
MEMBER = {**COMMITTEE, "member_id": ("committee_member_a", "pk")}
MEETING = {"pk": ("meeting_a", "pk")}
ITEM = {**MEETING, "item_id": ("agenda_item_a", "pk")}

MEETINGS_ROUTES: dict = {
    "ccg-committees": ("get", url("ccg-committees"), READ),
    "committee-detail": ("get", url("committee-detail", **COMMITTEE), READ),
    "meeting-detail": ("get", url("meeting-detail", **MEETING), READ),
    "agenda-item-paper": ("get", url("agenda-item-paper", **ITEM), READ),
    "ccg-actions": ("get", url("ccg-actions"), READ_INTERNAL),
    "committee-create": ("get", url("committee-create"), FORM),
    "committee-edit": ("get", url("committee-edit", **COMMITTEE), FORM),
    "committee-member-create": ("get", url("committee-member-create", **COMMITTEE), FORM),
    "committee-member-edit": ("get", url("committee-member-edit", **MEMBER), FORM),
    "committee-member-delete": ("get", url("committee-member-delete", **MEMBER), FORM),
    "meeting-create": ("get", url("meeting-create", **COMMITTEE), FORM),
    "meeting-edit": ("get", url("meeting-edit", **MEETING), FORM),
    "meeting-attendance": ("get", url("meeting-attendance", **MEETING), FORM),
    "agenda-item-create": ("get", url("agenda-item-create", **MEETING), FORM),
    "agenda-item-edit": ("get", url("agenda-item-edit", **ITEM), FORM),
    "agenda-item-minutes": ("get", url("agenda-item-minutes", **ITEM), FORM),
    "resolution-create": ("get", url("resolution-create", **ITEM), FORM),
    "meeting-action-create": ("get", url("meeting-action-create", **MEETING), FORM),
    "meeting-action-edit": (
        "get",
        url("meeting-action-edit", pk=("meeting_action_a", "pk")),
        INTERNAL_FORM,
    ),
}
