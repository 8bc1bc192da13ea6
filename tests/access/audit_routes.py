"""Access expectations of the audit log pages, merged into the permission matrix's ROUTES.

The audit log of CCG A is for its governing body members and planning managers, and staff:
everyone else signed in gets 404 (scrutiny members, viewers, assurers, other CCGs' people,
people with no role); anonymous people are sent to sign in. The API's `audit-events/` has
the same readers (AUDIT_READERS, used by test_api_read_access).
"""

from django.urls import reverse

from commissioning.access import Role
from tests.access.actors import ACTORS

AUDIT_READERS = {Role.GOVERNING_BODY, Role.PLANNING_MANAGER, "staff"}
READ = {actor: (200 if actor in AUDIT_READERS else 404) for actor in ACTORS} | {
    "anonymous": "login"
}

AUDIT_ROUTES: dict = {
    "ccg-audit": ("get", lambda w: reverse("ccg-audit", kwargs={"ods": w.a.ods_code}), READ),
    "ccg-audit-export": (
        "get",
        lambda w: reverse("ccg-audit-export", kwargs={"ods": w.a.ods_code, "fmt": "csv"}),
        READ,
    ),
}
