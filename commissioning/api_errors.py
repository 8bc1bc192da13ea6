"""One shape for every error the API answers, whoever raised it:

    {"detail": "<a sentence for a person>", "code": "<kebab-case>",
     "field": "<the first invalid field>"?, "errors": {<field>: [messages]}?}

`exception_handler` is DRF's EXCEPTION_HANDLER: it reshapes DRF's own answers (field
errors, 401, 403, 404, 405, 406, 415, 429 with `Retry-After`) and answers an unexpected
exception with a plain JSON 500, never an HTML page or a stack trace (the exception is
logged, and still reaches Django's `got_request_exception` so tests see it).
`api_not_found` / `api_server_error` do the same for addresses under /api/ that no view
answers. Resource-specific refusals (plans' NotAllowed, EditConflict ...) are answered in the
same shape by their mixins, with `error_body`.
"""

from __future__ import annotations

import logging
import sys

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("commissioning.api")

SERVER_ERROR = "The server could not answer this request. It has been logged; try again later."
NOT_FOUND = "There is no API resource at this address. The resources are listed at /api/v1/."

# DRF's codes (snake_case) in the API's spelling, where a plain replacement would not do.
CODES = {
    "invalid": "invalid",
    "parse_error": "malformed-request",
    "authentication_failed": "not-authenticated",
    "not_authenticated": "not-authenticated",
    "permission_denied": "not-allowed",
    "not_found": "not-found",
    "method_not_allowed": "method-not-allowed",
    "not_acceptable": "not-acceptable",
    "unsupported_media_type": "unsupported-media-type",
    "throttled": "throttled",
}


def error_body(message: str, code: str, field: str | None = None, **extra) -> dict:
    body = {"detail": message, "code": code}
    if field:
        body["field"] = field
    body.update(extra)
    return body


def first_error(detail) -> tuple[str | None, str]:
    """The first (field, message) of a DRF error detail (dict, list or string); nested
    fields are joined with dots (`lines.0.amount`)."""
    if isinstance(detail, dict):
        for name, value in detail.items():
            inner_field, message = first_error(value)
            field = None if name in ("non_field_errors", "__all__") else str(name)
            return (f"{field}.{inner_field}" if field and inner_field else field), message
        return None, "Invalid input."
    if isinstance(detail, list):
        return first_error(detail[0]) if detail else (None, "Invalid input.")
    return None, str(detail)


def invalid_body(detail) -> dict:
    """A 400 body for serializer or model validation errors."""
    if isinstance(detail, list | str):
        detail = {"non_field_errors": detail if isinstance(detail, list) else [detail]}
    field, message = first_error(detail)
    return error_body(message, "invalid", field, errors=detail)


def _code_of(exc: exceptions.APIException) -> str:
    code = exc.default_code
    codes = exc.get_codes()
    if isinstance(codes, str):
        code = codes
    return CODES.get(code, str(code).replace("_", "-"))


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return _server_error(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        response.data = invalid_body(exc.detail)
    elif isinstance(response.data, dict) and {"detail", "code"} <= set(response.data):
        pass  # already in shape
    else:
        detail = getattr(exc, "detail", None)
        message = str(detail) if isinstance(detail, str) else _message_of(response.data)
        code = _code_of(exc) if isinstance(exc, exceptions.APIException) else "error"
        if response.status_code == status.HTTP_404_NOT_FOUND:
            code = "not-found"
        elif response.status_code == status.HTTP_403_FORBIDDEN and code == "error":
            code = "not-allowed"
        extra = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            extra["retry_after"] = int(exc.wait) + (0 if float(exc.wait).is_integer() else 1)
        response.data = error_body(message, code, **extra)
    return response


def _message_of(data) -> str:
    if isinstance(data, dict) and "detail" in data:
        return str(data["detail"])
    return first_error(data)[1]


def _server_error(exc, context) -> Response:
    request = context.get("request")
    logger.error("API error: %s", exc, exc_info=(type(exc), exc, exc.__traceback__))
    django_request = getattr(request, "_request", request)
    if sys.exc_info()[0] is not None:
        # Django's test client re-raises what this signal reports; servers only log it.
        got_request_exception.send(sender=None, request=django_request)
    return Response(
        error_body(SERVER_ERROR, "server-error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


def api_not_found(request, exception=None) -> JsonResponse:
    return JsonResponse(error_body(NOT_FOUND, "not-found"), status=404)


def api_server_error(request) -> JsonResponse:
    return JsonResponse(error_body(SERVER_ERROR, "server-error"), status=500)
