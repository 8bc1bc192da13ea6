"""Access expectations of the assurance pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
Assurance is internal: CCG A's planning managers, governing body members and viewers read
it, as do assurers and staff; scrutiny members, other CCGs' people and people with no role
get 404. The forms are for assurers and staff (any CCG): CCG A's readers get 403 with the
reason.
"""

from django.urls import reverse

from commissioning.access import Role
from tests.access.actors import ACTORS, READS_A

INTERNAL_READERS = READS_A - {Role.SCRUTINY}
ASSURANCE_WRITERS = {Role.ASSURER, "staff"}


def expect(*, form: bool = False) -> dict:
    expected = {}
    for actor in ACTORS:
        if actor == "anonymous":
            expected[actor] = "login"
        elif actor not in INTERNAL_READERS:
            expected[actor] = 404
        elif form and actor not in ASSURANCE_WRITERS:
            expected[actor] = 403
        else:
            expected[actor] = 200
    return expected


READ = expect()
FORM = expect(form=True)


def url(name, part=None):
    """CCG A's page `name`: of its checkpoint, and of the checkpoint's `part` when given."""

    def build(w):
        kwargs = {"ods": w.a.ods_code}
        if name != "ccg-assurance" and name != "assurance-checkpoint-create":
            kwargs["pk"] = w.things["assurance_checkpoint_a"].pk
        if part is not None:
            kwargs["item_id"] = w.things[f"assurance_{part}_a"].pk
        return reverse(name, kwargs=kwargs)

    return build


ASSURANCE_ROUTES: dict = {
    "ccg-assurance": ("get", url("ccg-assurance"), READ),
    "assurance-checkpoint": ("get", url("assurance-checkpoint"), READ),
    "assurance-checkpoint-create": ("get", url("assurance-checkpoint-create"), FORM),
    "assurance-checkpoint-edit": ("get", url("assurance-checkpoint-edit"), FORM),
    "assurance-checkpoint-delete": ("get", url("assurance-checkpoint-delete"), FORM),
    **{
        f"assurance-{part}-new": ("get", url(f"assurance-{part}-new"), FORM)
        for part in ("scorecard", "finding", "action")
    },
    **{
        f"assurance-{part}-{verb}": ("get", url(f"assurance-{part}-{verb}", part), FORM)
        for part in ("scorecard", "finding", "action")
        for verb in ("edit", "delete")
    },
}
