"""Access expectations of the risks pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
Risks are internal: people of CCG A other than scrutiny members, assurers and staff read
them; scrutiny members, other CCGs' people and people with no role get 404. Forms are for
planning managers (and staff): the other readers get 403 with the reason. Posting nothing
to reopen a risk or complete an action redirects a planning manager back to the risk.
"""

from django.urls import reverse

from commissioning.access import Role
from tests.access.actors import ACTORS, READS_A

INTERNAL_READERS = READS_A - {Role.SCRUTINY}
WRITERS = {Role.PLANNING_MANAGER, "staff"}


def internal(readers=INTERNAL_READERS, *, writers_get=None, refused=403) -> dict:
    """Readers get 200 (or `refused` when `writers_get` is set and they are not writers)."""
    expected = {}
    for actor in ACTORS:
        if actor == "anonymous":
            expected[actor] = "login"
        elif actor not in readers:
            expected[actor] = 404
        elif writers_get is None:
            expected[actor] = 200
        else:
            expected[actor] = writers_get if actor in WRITERS else refused
    return expected


READ = internal()
FORM = internal(writers_get=200)
POST_BACK = internal(writers_get=302)


def ccg_url(name):
    return lambda w: reverse(name, kwargs={"ods": w.a.ods_code})


def risk_url(name, thing="risk_a", **extra):
    def build(w):
        risk = w.things[thing]
        kwargs = {"ods": w.a.ods_code, "pk": risk.pk}
        for key, (other, attribute) in extra.items():
            kwargs[key] = getattr(w.things[other], attribute)
        return reverse(name, kwargs=kwargs)

    return build


RISKS_ROUTES: dict = {
    "ccg-risks": ("get", ccg_url("ccg-risks"), READ),
    "ccg-risk-heat-map": ("get", ccg_url("ccg-risk-heat-map"), READ),
    "ccg-risk-framework": ("get", ccg_url("ccg-risk-framework"), READ),
    "ccg-risks-escalated": ("get", ccg_url("ccg-risks-escalated"), READ),
    "ccg-risks-overdue": ("get", ccg_url("ccg-risks-overdue"), READ),
    "risk-create": ("get", ccg_url("risk-create"), FORM),
    "risk-detail": ("get", risk_url("risk-detail"), READ),
    "risk-edit": ("get", risk_url("risk-edit"), FORM),
    "risk-review": ("get", risk_url("risk-review"), FORM),
    "risk-close": ("get", risk_url("risk-close"), FORM),
    "risk-reopen": ("post", risk_url("risk-reopen", "closed_risk_a"), POST_BACK),
    "risk-action-new": ("get", risk_url("risk-action-new"), FORM),
    "risk-action-complete": (
        "post",
        risk_url("risk-action-complete", action_id=("risk_action_a", "pk")),
        POST_BACK,
    ),
}
