"""Optimistic concurrency for API records that carry no `revision` field.

`ConditionalRequestsMixin` gives a viewset what the plan resources get from their revisions
(plans/api_common.py), from the record's representation instead:

- Every detail answer (GET, and the answers of POST, PUT and PATCH) carries an `ETag`: a
  strong validator, the quoted SHA-256 (first 32 hex digits) of the canonical JSON of what
  the resource answers (keys sorted, no spaces, UTF-8). Any change to any field the answer
  shows changes it; the same data gives the same ETag in every process. The tag stands for
  the record's data, whatever format it is rendered in.
- `PUT`, `PATCH` and `DELETE` with `If-Match` are checked in one transaction with the row
  locked (`select_for_update()`, on a queryset that goes through `for_user`): when no tag
  sent matches the current ETag, the answer is 412 with `{"detail", "code":
  "precondition-failed", "current": <the record as saved now>}` and the current ETag, and
  nothing changes. `If-Match: *`, or no header, means no check.
- If-Match compares strongly (RFC 9110 13.1.1): a weak tag (`W/"..."`) never matches, so it
  is answered with 412 (saying why), not ignored. A list (`"a", "b"`) matches when any tag
  does. A header that is not `*` or a list of quoted tags is a 400 in the API's error shape.
- `GET` with `If-None-Match` (weak comparison, `*` matching any record) that matches the
  current ETag is answered 304 Not Modified, without a body.

The schema documents it (`ConditionalRequestsSchema`): If-Match and 412 (and 400 for a
malformed header) on update, partial_update and destroy, If-None-Match and 304 on
retrieve, and the ETag response header, whatever `extend_schema` the viewset adds.
Put the mixin first in the viewset's bases.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping

from django.db import transaction
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .api_errors import error_body

WRITE_ACTIONS = frozenset({"update", "partial_update", "destroy"})
# The actions whose answer is one record: they carry its ETag.
DETAIL_ACTIONS = frozenset({"retrieve", "create", "update", "partial_update"})
IF_MATCH_HEADER = "If-Match"

# RFC 9110 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = %x21 / %x23-7E / obs-text
_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*')
_SEPARATOR = re.compile(r"[ \t]*,")

MALFORMED = (
    'Send If-Match as the ETag you read, in its quotes (If-Match: "0f3c..."), a list of '
    "such tags, or * to skip the check."
)
CHANGED = (
    "Someone changed this record after you read it, so nothing was saved. `current` is the "
    "record as it is saved now and the ETag header its tag: read it, make your change again, "
    "and send that tag in If-Match."
)
WEAK = (
    "If-Match compares ETags strongly, so a weak tag (W/...) never matches and nothing was "
    'saved. Send the ETag exactly as the API gave it ("..."), or * to skip the check.'
)


class MalformedPrecondition(ValueError):
    """A conditional header that is not `*` or a list of entity tags."""


def canonical_json(data) -> bytes:
    """The same bytes for the same data: keys sorted, no spaces, UTF-8."""
    text = json.dumps(
        data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return text.encode("utf-8")


def etag_for(data) -> str:
    """A strong ETag for a record's representation: `"<32 hex digits>"`."""
    return f'"{hashlib.sha256(canonical_json(data)).hexdigest()[:32]}"'


def parse_entity_tags(value: str) -> list[tuple[bool, str]] | None:
    """An If-Match / If-None-Match value as [(weak, opaque tag with its quotes)], or None for
    `*`. Raises MalformedPrecondition for anything else (an empty value included)."""
    if value.strip() == "*":
        return None
    tags: list[tuple[bool, str]] = []
    position, end = 0, len(value)
    while position < end:
        separator = _SEPARATOR.match(value, position)
        if separator:  # an empty list element (RFC 9110 5.6.1.2), or the comma after a tag
            position = separator.end()
            continue
        if not value[position:].strip(" \t"):
            break
        tag = _TAG.match(value, position)
        if tag is None:
            raise MalformedPrecondition(value)
        tags.append((bool(tag.group(1)), f'"{tag.group(2)}"'))
        position = tag.end()
        if position < end and value[position] != ",":
            raise MalformedPrecondition(value)
    if not tags:
        raise MalformedPrecondition(value)
    return tags


def strong_match(tags: list[tuple[bool, str]], current: str) -> bool:
    """RFC 9110 8.8.3.2 strong comparison: neither tag weak, and the same characters."""
    return any(not weak and tag == current for weak, tag in tags)


def weak_match(tags: list[tuple[bool, str]] | None, current: str) -> bool:
    """Weak comparison (If-None-Match): the opaque tags are the same; None (`*`) matches."""
    return tags is None or any(tag == current for _weak, tag in tags)


class PreconditionFailedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What happened and what to do, for a person")
    code = serializers.CharField(help_text="`precondition-failed`")
    current = serializers.DictField(help_text="The record as it is saved now")


IF_MATCH = OpenApiParameter(
    IF_MATCH_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag the change started from (as read, in its quotes); 412 with the "
    "record as saved now if it is no longer current. Compared strongly: a weak tag (W/...) "
    "never matches. `*` or no header: no check.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="An ETag read before: 304 Not Modified, without a body, while it is current",
)


def _etag_header(codes) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=list(codes),
        description="The record's current ETag: send it in If-Match to change the record",
    )


class ConditionalRequestsSchema(AutoSchema):
    """Documents the mixin's headers and answers on top of whatever the viewset declares."""

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        action = getattr(self.view, "action", None)
        if action == "retrieve":
            parameters += [IF_NONE_MATCH, _etag_header([200, 304])]
        elif action in ("create", "update", "partial_update"):
            parameters.append(_etag_header([200, 201, 202]))
        return parameters

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        action = getattr(self.view, "action", None)
        if operation is None or action not in WRITE_ACTIONS | {"retrieve"}:
            return operation
        responses = operation.setdefault("responses", {})
        if action == "retrieve":
            responses.setdefault(
                "304",
                {"description": "Not modified: the If-None-Match ETag is still current",
                 "headers": _etag_response_header()},
            )  # fmt: skip
            return operation
        # Whatever the viewset declared for If-Match (a revision, say), this mixin reads it.
        if_match = build_parameter_type(
            name=IF_MATCH.name,
            schema=build_basic_type(OpenApiTypes.STR),
            location=OpenApiParameter.HEADER,
            description=IF_MATCH.description,
        )
        parameters = [p for p in operation.get("parameters", []) if not _is_if_match(p)]
        parameters.append(if_match)
        if spectacular_settings.SORT_OPERATION_PARAMETERS is True:
            parameters.sort(key=lambda p: p["name"])
        operation["parameters"] = parameters
        failed = self.resolve_serializer(PreconditionFailedSerializer, "response")
        responses["412"] = {
            "description": "If-Match is no longer current: nothing changed. The body has the "
            "record as saved now; the ETag header is its tag",
            "headers": _etag_response_header(),
            "content": {"application/json": {"schema": failed.ref}},
        }
        if action == "destroy":  # bodies' 400s are documented with their field errors
            responses.setdefault("400", {"description": "An If-Match header that is not an ETag"})
        return operation


def _etag_response_header() -> dict:
    return {
        "ETag": {
            "schema": build_basic_type(OpenApiTypes.STR),
            "description": "The record's current ETag",
        }
    }


def _is_if_match(parameter) -> bool:
    return (
        isinstance(parameter, dict)
        and parameter.get("in") == "header"
        and str(parameter.get("name", "")).lower() == "if-match"
    )


class ConditionalRequestsMixin:
    """ETags from the representation; If-Match checked on PUT, PATCH and DELETE (412 when
    stale); If-None-Match answered 304 on GET. See the module's docstring."""

    schema = ConditionalRequestsSchema()

    # --- ETags ---------------------------------------------------------------------------

    def current_representation(self, instance) -> dict:
        """The record as GET shows it: what its ETag is worked out from."""
        return self.get_serializer(instance).data

    def get_lock_queryset(self, instance):
        """The row to lock before checking If-Match: through `for_user`, and plain (no
        annotations or prefetches, which FOR UPDATE does not allow everywhere)."""
        model = type(instance)
        return model.objects.for_user(self.request.user).filter(pk=instance.pk)

    def with_etag(self, response, instance):
        """PlanApiMixin's hook (retrieve, create, update): the ETag is set once the answer is
        final (`finalize_response`); remember the record the answer shows."""
        self._answered_record = instance
        return response

    def expected_revision(self, validated: dict) -> None:
        """PlanApiMixin's hook: these records have no revision, and If-Match was checked
        against the ETag before the write began."""
        validated.pop("revision", None)
        return None

    def finalize_response(self, request, response, *args, **kwargs):
        action = getattr(self, "action", None)
        if (
            action in DETAIL_ACTIONS
            and isinstance(response, Response)
            and status.is_success(response.status_code)
            and isinstance(response.data, Mapping)
            and not response.has_header("ETag")
        ):
            etag = etag_for(response.data)
            if action == "retrieve" and self._not_modified(request, etag):
                response = Response(status=status.HTTP_304_NOT_MODIFIED)
            response["ETag"] = etag
        return super().finalize_response(request, response, *args, **kwargs)

    @staticmethod
    def _not_modified(request, etag: str) -> bool:
        header = request.headers.get("If-None-Match")
        if header is None or request.method not in ("GET", "HEAD"):
            return False
        try:
            return weak_match(parse_entity_tags(header), etag)
        except MalformedPrecondition:
            return False  # a malformed If-None-Match is ignored (RFC 9110 13.1.2)

    # --- Writes --------------------------------------------------------------------------
    # The checks wrap the handler DRF is about to call (dispatch looks it up after
    # `initial`), so the mixin adds no action a viewset does not have: a read-only or
    # create-only resource stays so.

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._answered_record = None
        action = getattr(self, "action", None)
        method = request.method.lower()
        handler = getattr(self, method, None)
        if handler is None:
            return
        if action in WRITE_ACTIONS:
            setattr(self, method, functools.partial(self._conditionally, handler))
        elif action == "create":
            setattr(self, method, functools.partial(self._answer_as_saved, handler))

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._answered_record = serializer.instance

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self._answered_record = serializer.instance

    def _answer_as_saved(self, write, request, *args, **kwargs):
        return self._as_saved_now(write(request, *args, **kwargs))

    def _conditionally(self, write, request, *args, **kwargs):
        header = request.headers.get(IF_MATCH_HEADER)
        try:
            tags = None if header is None else parse_entity_tags(header)
        except MalformedPrecondition:
            return Response(
                error_body(MALFORMED, "invalid", IF_MATCH_HEADER,
                           errors={IF_MATCH_HEADER: [MALFORMED]}),
                status=status.HTTP_400_BAD_REQUEST,
            )  # fmt: skip
        if tags is None:  # no header, or `*`: no check (a missing record is still a 404)
            return self._answer_as_saved(write, request, *args, **kwargs)
        with transaction.atomic():
            instance = self.get_object()
            list(self.get_lock_queryset(instance).select_for_update(of=("self",)))
            instance = self.get_object()  # read again, now that the row is ours
            current = self.current_representation(instance)
            etag = etag_for(current)
            if not strong_match(tags, etag):
                weak_only = all(weak for weak, _ in tags)
                response = Response(
                    error_body(WEAK if weak_only else CHANGED, "precondition-failed",
                               current=current),
                    status=status.HTTP_412_PRECONDITION_FAILED,
                )  # fmt: skip
                response["ETag"] = etag
                return response
            return self._answer_as_saved(write, request, *args, **kwargs)

    def _as_saved_now(self, response):
        """The answer to a write shows the record as a GET would now (annotated figures
        included), so that its ETag is the one the next If-Match is checked against."""
        record = getattr(self, "_answered_record", None)
        self._answered_record = None
        if (
            record is None
            or record.pk is None
            or not status.is_success(response.status_code)
            or not isinstance(getattr(response, "data", None), Mapping)
        ):
            return response
        fresh = self.get_queryset().filter(pk=record.pk).first()
        if fresh is not None:
            response.data = self.current_representation(fresh)
        return response
