"""Access expectations of the performance routes, merged into the permission matrix's ROUTES.

name -> (method, url builder taking the matrix World, {actor: expected status or "login"}).
The API resources (standards, measurements, measurement imports) are walked by the matrix's
API tests from the world's objects (tests/access/performance_world.py).
"""

from django.urls import reverse

from tests.access.actors import ACTORS, READS_A, page_expectations

PERFORMANCE_ROUTES = {
    # The SPC calculator answers POST only: any signed-in user may use it
    # (tests/api/test_performance_api.py); a GET is not allowed.
    "api:spc": ("get", lambda w: "/api/v1/spc/", {**dict.fromkeys(ACTORS, 405), "anonymous": 401}),
    # The governing body dashboard and its drill-down: everyone who reads CCG A.
    "ccg-dashboard": (
        "get",
        lambda w: reverse("ccg-dashboard", kwargs={"ods": w.a.ods_code}),
        page_expectations(READS_A),
    ),
    "ccg-standard": (
        "get",
        lambda w: reverse(
            "ccg-standard", kwargs={"ods": w.a.ods_code, "code": w.things["standard_a"].code}
        ),
        page_expectations(READS_A),
    ),
}
