"""Access expectations of the finance and QIPP pages, merged into the permission matrix's
ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
Finance is internal: people of CCG A other than scrutiny members, assurers and staff read
it; scrutiny members, other CCGs' people and people with no role get 404. The monthly entry
form and imports are for planning managers (and staff): the other readers get 403 with the
reason. Applying the world's import (a preview whose file was not kept) sends a planning
manager back to it with the reason.
"""

from django.urls import reverse

from tests.access.risks_routes import internal

READ = internal()
FORM = internal(writers_get=200)
POST_BACK = internal(writers_get=302)


def ccg_url(name, **kwargs):
    return lambda w: reverse(name, kwargs={"ods": w.a.ods_code, **kwargs})


def thing_url(name, thing):
    return lambda w: reverse(name, kwargs={"ods": w.a.ods_code, "pk": w.things[thing].pk})


FINANCE_ROUTES: dict = {
    "ccg-finance": ("get", ccg_url("ccg-finance"), READ),
    "ccg-qipp": ("get", ccg_url("ccg-qipp"), READ),
    "qipp-export": ("get", ccg_url("qipp-export", fmt="csv"), READ),
    "qipp-scheme": ("get", thing_url("qipp-scheme", "qipp_scheme_a"), READ),
    "qipp-scheme-months": ("get", thing_url("qipp-scheme-months", "qipp_scheme_a"), FORM),
    "qipp-import": ("get", ccg_url("qipp-import"), FORM),
    "qipp-import-detail": ("get", thing_url("qipp-import-detail", "qipp_import_a"), READ),
    "qipp-import-apply": ("post", thing_url("qipp-import-apply", "qipp_import_a"), POST_BACK),
}
