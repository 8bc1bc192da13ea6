"""When the database cannot be reached, answer 503 with a plain message, not a 500.

`DatabaseOutageMiddleware` sits high in MIDDLEWARE (just after the probes), outside the
session and authentication middleware, which reach the database before any view. Django
turns an exception inside each inner middleware or view into a 500 response before it gets
here, so the failure is noted on the request (Django's `got_request_exception` signal, sent
while the exception is being handled, and DRF's views send it too) and the 500 answer is
replaced. A connection failure is `OperationalError` or `InterfaceError` from django.db; a
failing query of a reachable database (a bad statement) is not one and stays a 500.

Pages get a static HTML page (no template, no context processor, no session: nothing that
needs the database); addresses under /api/ get the API's error shape
`{"detail", "code": "database_unavailable"}`. Both carry `Retry-After`. /readyz (answered
before this, by the probe middleware) says what is wrong; /healthz still answers 200.
"""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger("commissioning.database")

RETRY_AFTER_SECONDS = 30
MESSAGE = ("The service cannot reach its database just now. Nothing you have saved is lost. "
           "Try again in a few minutes.")  # fmt: skip
CODE = "database_unavailable"
PAGE = f"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sorry, the service is unavailable - CCG planning</title>
<style>body{{font-family:Arial,sans-serif;margin:0;color:#212b32;background:#f0f4f5}}
header{{background:#005eb8;color:#fff;padding:16px 24px;font-weight:bold}}
main{{max-width:640px;margin:32px auto;padding:0 24px}}h1{{font-size:2rem}}</style></head>
<body><header>CCG planning</header>
<main id="maincontent"><h1>Sorry, the service is unavailable</h1>
<p>{MESSAGE}</p></main></body></html>
"""
_MARK = "_database_outage"


def is_connection_failure(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _note_exception(sender, request=None, **kwargs):
    if request is not None and is_connection_failure(sys.exc_info()[1]):
        setattr(request, _MARK, True)


got_request_exception.connect(_note_exception, dispatch_uid="database_outage")


def outage_response(request) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE, "code": CODE}, status=503)
    else:
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except (OperationalError, InterfaceError) as error:
            logger.error("Database unreachable: %s", error)
            return outage_response(request)
        if getattr(request, _MARK, False):
            logger.error("Database unreachable: answered %s with 503", request.path_info)
            return outage_response(request)
        return response
