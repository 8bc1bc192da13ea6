"""drf-spectacular postprocessing: the error answers every operation can give, documented
once. Each operation gains, where its own declaration does not already say otherwise,

- 401 (not signed in, or a bad token) unless the operation needs no authentication;
- 403 (the role or a read-only token does not allow it), 429 (throttled, with Retry-After);
- 404 when its path addresses one record; 400 (field errors) when it takes a body or
  query parameters (filters that do not validate);

all with the `ApiError` body (commissioning/api_errors.py writes it).
"""

from __future__ import annotations

ERROR_COMPONENT = "ApiError"
ERROR_SCHEMA = {
    "type": "object",
    "description": "The body of every error answer.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for a person."},
        "code": {
            "type": "string",
            "description": "A stable kebab-case code, e.g. `invalid`, `not-authenticated`, "
            "`not-allowed`, `not-found`, `edit-conflict`, `precondition-failed`, "
            "`throttled`.",
        },
        "field": {"type": "string", "description": "The first invalid field, if any."},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "Every invalid field's messages (400 only).",
        },
        "retry_after": {"type": "integer", "description": "Seconds to wait (429 only)."},
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
    "example": {"detail": "This field is required.", "code": "invalid", "field": "title"},
}

DESCRIPTIONS = {
    "400": "Invalid input: `errors` has every field's messages",
    "401": "Not signed in, or the token is invalid or revoked",
    "403": "The user's role, or a read-only token, does not allow this",
    "404": "No such record, or not one the user can see; or a page beyond the last",
    "429": "Too many requests: wait `Retry-After` seconds",
}
BODY_METHODS = frozenset({"post", "put", "patch"})


def _error_response(code: str) -> dict:
    response = {
        "description": DESCRIPTIONS[code],
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}
        },
    }
    if code == "429":
        response["headers"] = {
            "Retry-After": {
                "schema": {"type": "integer"},
                "description": "Seconds until the next request is allowed",
            }
        }
    return response


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            anonymous = {} in operation.get("security", [])
            codes = ["403", "429"]
            if not anonymous:
                codes.append("401")
            paged = any(p.get("name") == "page" for p in operation.get("parameters", []))
            if "{" in path or paged:
                codes.append("404")  # no such record, or a page beyond the last
            filtered = any(p.get("in") == "query" for p in operation.get("parameters", []))
            if method in BODY_METHODS or filtered:
                codes.append("400")  # a body, or filters, that do not validate
            for code in codes:
                responses.setdefault(code, _error_response(code))
            operation["responses"] = dict(sorted(responses.items()))
    return result
