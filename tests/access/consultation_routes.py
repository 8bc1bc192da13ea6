"""Access expectations of the consultation pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).

The world's plans are published (not public) and their consultation is closed: everyone
holding a role in CCG A (and assurers, staff) reads the consultation tab and the CSV; no one
can comment (409: not out for consultation); only planning managers (and staff, who act as
every role) respond, open consultation or change milestones; the rest of CCG A's readers get
a 403 saying why; people who cannot read the plan get a 404.
"""

from django.urls import reverse

from commissioning.access import Role
from tests.access.actors import ACTORS, READS_A, page_expectations

MANAGERS = {Role.PLANNING_MANAGER, "staff"}


def _plan(name):
    return lambda w: reverse(name, kwargs={"pk": w.things["plan_a"].pk})


def _comment(name):
    return lambda w: reverse(
        name, kwargs={"pk": w.things["plan_a"].pk, "comment_id": w.things["comment_a"].pk}
    )


def _milestone(name):
    return lambda w: reverse(
        name, kwargs={"pk": w.things["plan_a"].pk, "milestone_id": w.things["milestone_a"].pk}
    )


def managers_only(ok):
    """Planning managers (and staff) get `ok`; CCG A's other readers a 403; the rest 404."""
    return {
        actor: ok if actor in MANAGERS else (403 if actor in READS_A else 404) for actor in ACTORS
    } | {"anonymous": "login"}


def readers_get(status):
    return {actor: status if actor in READS_A else 404 for actor in ACTORS} | {"anonymous": "login"}


CONSULTATION_ROUTES: dict = {
    "plan-consultation": ("get", _plan("plan-consultation"), page_expectations(READS_A)),
    "plan-consultation-csv": ("get", _plan("plan-consultation-csv"), page_expectations(READS_A)),
    # A published plan cannot go to consultation: planning managers are told why (200).
    "plan-consultation-open": ("get", _plan("plan-consultation-open"), managers_only(200)),
    # A published plan is not out for consultation: nobody comments (409 on POST).
    "plan-comment-create": ("post", _plan("plan-comment-create"), readers_get(409)),
    "plan-comment-respond": ("get", _comment("plan-comment-respond"), managers_only(200)),
    "plan-milestones": ("get", _plan("plan-milestones"), page_expectations(READS_A)),
    "plan-milestone-create": ("get", _plan("plan-milestone-create"), managers_only(200)),
    "plan-milestone-edit": ("get", _milestone("plan-milestone-edit"), managers_only(200)),
    "plan-milestone-done": ("post", _milestone("plan-milestone-done"), managers_only(302)),
    "plan-milestone-delete": ("get", _milestone("plan-milestone-delete"), managers_only(200)),
}
