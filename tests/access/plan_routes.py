"""Access expectations of the plan pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
The world's plans are published and not public: everyone holding a role in CCG A reads them.
Forms that change content answer 403 to those who are not planning managers and 409 to
planning managers (and staff, who act as one), because a published plan is read-only.
"""

from django.urls import reverse

from commissioning.access import Role
from tests.access.actors import ACTORS, READS_A, page_expectations


def plan_url(name, **extra):
    def build(w):
        kwargs = {"pk": w.things["plan_a"].pk}
        for key, (thing, attribute) in extra.items():
            kwargs[key] = getattr(w.things[thing], attribute)
        return reverse(name, kwargs=kwargs)

    return build


def expect(allowed: dict, refused: int = 403) -> dict:
    """Readers of CCG A get `refused` unless named in `allowed`; the rest as for reading."""
    reading = page_expectations(READS_A)
    return {
        actor: allowed.get(actor, refused) if actor in READS_A else reading[actor]
        for actor in ACTORS
    }


# Planning managers (and staff) are refused by the plan's state, everyone else by role.
CHANGE_CONTENT = expect({Role.PLANNING_MANAGER: 409, "staff": 409})
READ = page_expectations(READS_A)

PLAN_ROUTES: dict = {
    "ccg-plans": ("get", lambda w: reverse("ccg-plans", kwargs={"ods": "03L"}), READ),
    "plan-create": (
        "get",
        lambda w: reverse("plan-create", kwargs={"ods": "03L"}),
        expect({Role.PLANNING_MANAGER: 200, "staff": 200}),
    ),
    "plan-detail": ("get", plan_url("plan-detail"), READ),
    "plan-edit": ("get", plan_url("plan-edit"), CHANGE_CONTENT),
    "plan-move": (
        "get",
        lambda w: reverse("plan-move", kwargs={"pk": w.things["plan_a"].pk, "to": "withdrawn"}),
        expect({Role.PLANNING_MANAGER: 200, Role.GOVERNING_BODY: 200, "staff": 200}),
    ),
    "plan-refresh": (
        "get",
        plan_url("plan-refresh"),
        expect({Role.PLANNING_MANAGER: 200, "staff": 200}),
    ),
    "plan-sections": ("get", plan_url("plan-sections"), READ),
    "plan-section-new": ("get", plan_url("plan-section-new"), CHANGE_CONTENT),
    "plan-section-edit": (
        "get",
        plan_url("plan-section-edit", section_id=("section_a", "pk")),
        CHANGE_CONTENT,
    ),
    "plan-section-delete": (
        "get",
        plan_url("plan-section-delete", section_id=("section_a", "pk")),
        CHANGE_CONTENT,
    ),
    "plan-section-move": (
        "post",
        plan_url("plan-section-move", section_id=("section_a", "pk")),
        CHANGE_CONTENT,
    ),
    "plan-statement-new": ("get", plan_url("plan-statement-new"), CHANGE_CONTENT),
    "plan-statement-edit": (
        "get",
        plan_url("plan-statement-edit", statement_id=("statement_a", "pk")),
        CHANGE_CONTENT,
    ),
    "plan-statement-delete": (
        "get",
        plan_url("plan-statement-delete", statement_id=("statement_a", "pk")),
        CHANGE_CONTENT,
    ),
    "plan-versions": ("get", plan_url("plan-versions"), READ),
    "plan-version": ("get", plan_url("plan-version", number=("version_a", "number")), READ),
    "plan-diff": ("get", plan_url("plan-diff"), READ),
    "plan-history": ("get", plan_url("plan-history"), READ),
}

# PDF packs: the Documents tab is read like the plan; building is for planning managers and
# governing body members (a POST with no kind is refused by the service with 302 back to the
# tab for them); published packs are read by everyone who reads the plan, unpublished ones by
# the CCG's internal roles, assurers and staff.
INTERNAL_READERS = READS_A - {Role.SCRUTINY}


def pack_url(name, thing="pack_a"):
    return lambda w: reverse(name, kwargs={"pk": w.things[thing].pk})


PACK_ROUTES: dict = {
    "plan-packs": ("get", plan_url("plan-packs"), READ),
    "pack-detail": ("get", pack_url("pack-detail"), READ),
    "pack-file": ("get", pack_url("pack-file"), READ),
    "pack-publish": ("post", pack_url("pack-publish", "unpublished_pack_a"),
                     expect({Role.PLANNING_MANAGER: 302, "staff": 302}, refused=403)
                     | {Role.SCRUTINY: 404}),
    "pack-start": ("post", lambda w: reverse("pack-start"),
                   {actor: ("login" if actor == "anonymous" else 404) for actor in ACTORS}),
}  # fmt: skip
