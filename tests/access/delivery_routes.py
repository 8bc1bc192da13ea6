"""Access expectations of the delivery pages, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
The world's plans are published, so everyone holding a role in CCG A reads their trackers,
progress pages and programmes; only CCG A's planning manager (and staff, who act as one)
records progress and changes programmes: the rest of CCG A's readers get 403 with the reason.
A progress POST with no fields is accepted for checking (200, the form with its errors) only
from them; tests/priorities/test_delivery_pages.py posts complete updates as every actor.
"""

from django.urls import reverse

from commissioning.access import Role
from tests.access.actors import ACTORS, READS_A, page_expectations

READ = page_expectations(READS_A)


def expect(allowed: dict, refused: int = 403) -> dict:
    """Readers of CCG A get `refused` unless named in `allowed`; the rest as for reading."""
    return {
        actor: allowed.get(actor, refused) if actor in READS_A else READ[actor] for actor in ACTORS
    }


def managers(status: int) -> dict:
    return expect({Role.PLANNING_MANAGER: status, "staff": status})


def url(name: str, **things):
    """A URL builder: each keyword names a URL argument and the world thing giving its pk
    ("plan" for the plan of CCG A)."""

    def build(w):
        kwargs = {key: w.things[f"{thing}_a"].pk for key, thing in things.items()}
        return reverse(name, kwargs=kwargs)

    return build


DELIVERY_ROUTES: dict = {
    "plan-delivery": ("get", url("plan-delivery", pk="plan"), READ),
    "plan-action-progress": (
        "post",
        url("plan-action-progress", pk="plan", action_id="action"),
        managers(200),
    ),
    "plan-commitment-progress": (
        "post",
        url("plan-commitment-progress", pk="plan", commitment_id="commitment"),
        managers(200),
    ),
    "ccg-programmes": ("get", lambda w: reverse("ccg-programmes", kwargs={"ods": "03L"}), READ),
    "programme-create": (
        "get",
        lambda w: reverse("programme-create", kwargs={"ods": "03L"}),
        managers(200),
    ),
    "programme-detail": ("get", url("programme-detail", pk="programme"), READ),
    "programme-edit": ("get", url("programme-edit", pk="programme"), managers(200)),
    "programme-measure-create": (
        "get",
        url("programme-measure-create", pk="programme"),
        managers(200),
    ),
    "programme-measure-edit": (
        "get",
        url("programme-measure-edit", pk="programme", measure_id="programme_measure"),
        managers(200),
    ),
    "programme-measure-delete": (
        "get",
        url("programme-measure-delete", pk="programme", measure_id="programme_measure"),
        managers(200),
    ),
    "programme-commitment-link": (
        "get",
        url("programme-commitment-link", pk="programme"),
        managers(200),
    ),
    # Unlinking answers with a redirect back to the programme.
    "programme-commitment-unlink": (
        "post",
        url("programme-commitment-unlink", pk="programme", commitment_id="commitment"),
        managers(302),
    ),
    # The world's plans are published: the page lists them with the reason they cannot take
    # a new intention.
    "programme-intention-create": (
        "get",
        url("programme-intention-create", pk="programme"),
        managers(200),
    ),
}
