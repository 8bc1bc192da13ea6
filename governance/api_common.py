"""What the performance API resources share: refusals answered as the plan API answers them
(`{"detail", "code", "field"?}`), and periods written as `2016-04`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from commissioning.api_fields import ScopedSlugRelatedField
from commissioning.models import CCG
from plans.api_common import PlanApiMixin, error_body

from .measurement_import.cells import CellError, parse_period, period_label
from .spc import SpcError


class GovernanceApiMixin(PlanApiMixin):
    """PlanApiMixin's permission and error answers, without revisions: standards and
    measurements carry none (a later save simply wins)."""

    def expected_revision(self, validated: dict) -> None:
        validated.pop("revision", None)
        return None

    def with_etag(self, response, instance):
        return response

    def handle_exception(self, exc):
        if isinstance(exc, SpcError):
            return spc_error_response(exc)
        return super().handle_exception(exc)


def ccg_code_field(help_text: str = "CCG ODS code", **kwargs):
    """A CCG by ODS code, from the CCGs the user can see (commissioning's `ccg_field`, with
    words of our own)."""
    kwargs.setdefault("label", "CCG")
    return ScopedSlugRelatedField(model=CCG, slug_field="ods_code", help_text=help_text,
                                  **kwargs)  # fmt: skip


# The engine names its inputs; the API names them as the request does.
SPC_FIELDS = {"points": "values"}


def spc_error_response(exc: SpcError) -> Response:
    field = SPC_FIELDS.get(exc.field, exc.field)
    return Response(error_body(exc.message, "invalid", field), status=400)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}$",
        "example": "2016-04",
        "description": "A month as YYYY-MM (a quarter by its first month)",
    }  # fmt: skip
)
class PeriodField(serializers.Field):
    """A period as `2016-04`: a month, or a quarter by its first month. Also reads
    `2016-04-01` and `2016/17 Q1` (send period_type quarter with it)."""

    default_error_messages = {"invalid": "{message}"}

    def to_representation(self, value):
        return period_label(value)

    def to_internal_value(self, data):
        try:
            start, _implied = parse_period(data)
        except CellError as error:
            self.fail("invalid", message=error.message[:1].upper() + error.message[1:] + ".")
        return start
