"""Sign-in lockout (django-axes) hooks: the client's address and the lockout answer.

Settings: LOGIN_FAILURE_LIMIT failures (default 5) for one username from one address lock
that pair out for LOGIN_LOCKOUT_MINUTES (default 15). The answer is HTTP 429: the sign-in
page with an NHS-style message for browsers, the API's error shape under /api/.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

LOCKOUT_CODE = "locked-out"


def client_ip(request) -> str | None:
    """The caller's address as the API throttles see it (API_NUM_PROXIES hops trusted)."""
    return BaseThrottle().get_ident(request)


def lockout_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    minutes = lockout_minutes()
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"You have entered a wrong username or password too many times. "
        f"Wait {minutes} {unit}, then try again."
    )


def retry_after_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(request, original_response=None, credentials=None):
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message(), "code": LOCKOUT_CODE}, status=status)
    else:
        from .views import SignInForm  # the views import the models: not at module load

        form = SignInForm(request)
        response = render(
            request,
            "commissioning/login.jinja",
            {
                "form": form,
                "locked_out": True,
                "lockout_message": lockout_message(),
                "error_list": [{"text": lockout_message(), "href": "#username"}],
            },
            status=status,
        )
    response["Retry-After"] = str(retry_after_seconds())
    return response
