"""Liveness and readiness probes."""

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """The process is alive and serving requests."""
    return JsonResponse({"status": "ok"})


def check_database() -> str | None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        return f"database unreachable: {error.__class__.__name__}: {error}".strip()
    return None


def check_broker() -> str | None:
    if not settings.REDIS_URL:
        return None
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        client.ping()
    except Exception as error:  # noqa: BLE001
        return f"broker unreachable: {error.__class__.__name__}: {error}".strip()
    return None


@never_cache
@require_GET
def readyz(request):
    """Ready to serve: the database answers, and the broker when one is configured."""
    checks = {"database": check_database()}
    if settings.REDIS_URL:
        checks["broker"] = check_broker()
    body = {name: (problem or "ok") for name, problem in checks.items()}
    ready = not any(checks.values())
    body["status"] = "ok" if ready else "unavailable"
    return JsonResponse(body, status=200 if ready else 503)


class ProbeMiddleware:
    """Answer /healthz and /readyz before host validation and the HTTPS redirect.

    Load balancers and container health checks call by IP address over plain HTTP; the
    probes reveal nothing, so they need not pass ALLOWED_HOSTS or SECURE_SSL_REDIRECT.
    """

    probes = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = self.probes.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
