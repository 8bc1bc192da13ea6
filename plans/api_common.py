"""What every plan API resource shares: the permission, the error answers, and the
optimistic concurrency rules (`If-Match` header or `revision` field).

Reads are decided by `for_user`; writes reach `plans.services`, which decide by role and
state and refuse with messages written for people. Those refusals are answered as
`{"detail": message, "code": ..., "field"?: ...}`:

- NotAllowed -> 403; ReadOnly -> 409; InvalidMove -> 409, or 400 when it names a field of
  the request (bad input rather than a move the plan's state forbids);
- EditConflict -> 409, or 412 when the client sent `If-Match`; the body adds `current` (the
  record as saved now) and `attempted` (the values that were not saved);
- invalid input (serializer or model validation) -> 400 in the same shape, with `errors`.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from commissioning.api_errors import error_body, invalid_body
from commissioning.permissions import token_is_read_only

from .errors import EditConflict, InvalidMove, NotAllowed, PlanError, ReadOnly
from .services.guards import revision_conflict

# InvalidMove names these when the plan's state (not the request) is the problem.
STATE_FIELDS = frozenset({"to"})
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d+)"?\s*$')


class ReadInScopeWriteThroughServices(permissions.BasePermission):
    """Signed-in users read the rows `for_user` gives them; writes go on to the services,
    which decide by role and plan state. Read-only API tokens never write."""

    message = "Sign in to use the API."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if token_is_read_only(request):
            self.message = "This API token is read-only."
            return False
        return True


class PlanRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(required=False)
    errors = serializers.DictField(required=False, help_text="Every invalid field's messages")


class PlanEditConflictSerializer(PlanRefusalSerializer):
    """An edit conflict (`edit-conflict`) carries both versions; a 409 refusal by the
    record's state (`read-only`, `invalid-move`) has the refusal's fields only."""

    current = serializers.DictField(
        required=False, help_text="The record as it is saved now (edit conflicts)"
    )
    attempted = serializers.DictField(
        required=False, help_text="The values that were not saved (edit conflicts)"
    )
    saved_by = serializers.CharField(
        required=False, allow_null=True, help_text="Who saved it last, if known (edit conflicts)"
    )


ERROR = OpenApiResponse(PlanRefusalSerializer, description="Refused, with the reason")
CONFLICT = OpenApiResponse(
    PlanEditConflictSerializer,
    description="Someone saved the record first (412 when If-Match was sent): both versions; "
    "or (409) the record's state refuses the change",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag (`"<revision>"`) the edit started from; 412 if it is no longer current',
)
REFUSALS = {400: ERROR, 403: ERROR, 409: ERROR}


def write_schemas(serializer, *, verbs=("create", "update", "partial_update", "destroy"),
                  update_request=None) -> dict:  # fmt: skip
    """extend_schema_view arguments documenting writes: If-Match, refusals and conflicts."""
    conflicts = {**REFUSALS, 409: CONFLICT, 412: CONFLICT}
    update = {"request": update_request} if update_request is not None else {}
    edit = {"parameters": [IF_MATCH], "responses": {200: serializer, **conflicts}, **update}
    schemas = {
        "create": extend_schema(responses={201: serializer, **REFUSALS}),
        "update": extend_schema(**edit),
        "partial_update": extend_schema(**edit),
        "destroy": extend_schema(
            parameters=[IF_MATCH], responses={204: None, **REFUSALS, 412: CONFLICT}
        ),
    }
    return {verb: schemas[verb] for verb in verbs}


class PlanApiMixin:
    """Viewset behaviour shared by the plan resources."""

    permission_classes = [ReadInScopeWriteThroughServices]

    # --- Preconditions -------------------------------------------------------------------

    def expected_revision(self, validated: dict) -> int | None:
        """The revision the client edited from: the If-Match header (`*` means any), else
        the `revision` field of the body, else None (no check)."""
        revision = validated.pop("revision", None)
        header = self.request.headers.get("If-Match")
        if header is None or header.strip() == "*":
            return revision if header is None else None
        match = _ETAG.match(header)
        if not match:
            raise ValidationError({"If-Match": 'Send the ETag you read, like "3".'})
        return int(match.group(1))

    def with_etag(self, response: Response, instance) -> Response:
        response["ETag"] = f'"{instance.revision}"'
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return self.with_etag(Response(self.get_serializer(instance).data), instance)

    # --- Errors --------------------------------------------------------------------------

    def handle_exception(self, exc):
        if isinstance(exc, EditConflict):
            return self.conflict_response(exc)
        if isinstance(exc, PlanError):
            return Response(self.refusal_body(exc), status=self.refusal_status(exc))
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(
                exc.message_dict
                if hasattr(exc, "error_dict")
                else {"non_field_errors": exc.messages}
            )
        if isinstance(exc, ValidationError):
            return Response(invalid_body(exc.detail), status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)

    @staticmethod
    def refusal_status(exc: PlanError) -> int:
        if isinstance(exc, NotAllowed):
            return status.HTTP_403_FORBIDDEN
        if isinstance(exc, InvalidMove) and exc.field and exc.field not in STATE_FIELDS:
            return status.HTTP_400_BAD_REQUEST
        return status.HTTP_409_CONFLICT

    @staticmethod
    def refusal_body(exc: PlanError) -> dict:
        code = {NotAllowed: "not-allowed", ReadOnly: "read-only", InvalidMove: "invalid-move"}
        return error_body(exc.message, code.get(type(exc), "refused"), exc.field)

    def conflict_response(self, exc: EditConflict) -> Response:
        shown = self.get_serializer(exc.current)
        attempted = {}
        for name, value in exc.attempted.items():
            field = shown.fields.get(name)
            if value is None or field is None:
                attempted[name] = value
            else:
                try:
                    attempted[name] = field.to_representation(value)
                except (AttributeError, TypeError, ValueError):
                    attempted[name] = str(value)
        precondition = self.request.headers.get("If-Match") is not None
        response = Response(
            error_body(
                exc.message,
                "edit-conflict",
                current=shown.data,
                attempted=attempted,
                saved_by=exc.saved_by.get_username() if exc.saved_by else None,
            ),
            status=(
                status.HTTP_412_PRECONDITION_FAILED if precondition else status.HTTP_409_CONFLICT
            ),
        )
        return self.with_etag(response, exc.current)


class ServiceCreateMixin:
    """POST: validated values go to the viewset's `create_through_services(values)`."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values.pop("revision", None)
        instance = self.create_through_services(values)
        response = Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)
        return self.with_etag(response, instance)


class ServiceUpdateMixin:
    """PATCH (and PUT where the viewset allows it): the viewset's
    `update_through_services(instance, values, expected_revision)`. `fixed_fields` are set on
    create and never changed (the serializer refuses a different value)."""

    fixed_fields: tuple[str, ...] = ("plan",)
    # What the request body is read with, when not the serializer the answer is shown with.
    update_serializer_class = None

    def update(self, request, *args, partial: bool = False, **kwargs):
        instance = self.get_object()
        serializer_class = self.update_serializer_class or self.get_serializer_class()
        serializer = serializer_class(
            instance, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        expected = self.expected_revision(values)
        for name in self.fixed_fields:
            values.pop(name, None)
        instance = self.update_through_services(instance, values, expected)
        return self.with_etag(Response(self.get_serializer(instance).data), instance)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


class ServiceDestroyMixin:
    """DELETE: the viewset's `destroy_through_services(instance)`. With `If-Match` on a
    record that has a revision, the row is locked and the revision checked in the delete's
    transaction: a stale one is answered 412 with the PATCH conflict's body (`current`,
    `attempted` empty) and nothing is deleted. No header (or `*`) deletes without a check.
    Resources whose ETags are hashes (ConditionalRequestsMixin) checked If-Match before."""

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        expected = None
        if request.headers.get("If-Match") is not None and hasattr(instance, "revision"):
            expected = self.expected_revision({})
        if expected is None:
            self.destroy_through_services(instance)
            return Response(status=status.HTTP_204_NO_CONTENT)
        with transaction.atomic():
            conflict = revision_conflict(instance, expected)  # the row is locked from here
            # The services' refusals (403, 409) come first, as they do for PATCH; a stale
            # revision then undoes the delete.
            self.destroy_through_services(instance)
            if conflict is not None:
                raise conflict
        return Response(status=status.HTTP_204_NO_CONTENT)


def reject_changes_after_create(serializer, attrs: dict, names) -> None:
    """Some fields are set when a record is created and never after (its plan, its CCG)."""
    if serializer.instance is None:
        return
    errors = {}
    for name in names:
        if name in attrs and attrs[name] != getattr(serializer.instance, name):
            errors[name] = "This can only be set when the record is created."
    if errors:
        raise ValidationError(errors)


def revision_field():
    return serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Read: the record's revision. Write: the revision the edit started from "
        "(409 with both versions if someone saved since); or send If-Match instead.",
    )
