"""What the finance API resources share: the plan API's permission, error answers and
revision checks (plans/api_common.py), a viewset base whose writes go through
`finance.services`, money and year fields, the `ccg` and `year` filters, and the QIPP RAG
thresholds (read once per request).

Finance refusals: NotAllowed -> 403; InvalidMove naming a field -> 400 with that field (a
duplicate the model's constraints forbid is named by the field that clashes); InvalidMove
without one (a record still in use) -> 409; EditConflict -> 409, or 412 with If-Match.
"""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.db.models import CheckConstraint, UniqueConstraint
from django.utils.functional import cached_property
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from commissioning.models import CCG
from commissioning.years import FinancialYear
from plans.api_common import (
    CONFLICT,
    IF_MATCH,
    REFUSALS,
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceDestroyMixin,
    ServiceUpdateMixin,
    error_body,
    write_schemas,
)
from plans.errors import InvalidMove

from . import services
from .reading import RagThresholds

MONEY = {"max_digits": 14, "decimal_places": 2}
WRITE_VERBS = ("create", "update", "partial_update", "destroy")
HTTP_METHODS = ["get", "post", "put", "patch", "delete", "head", "options"]

# Check constraints name no field of their own: the field a person would correct.
CHECK_FIELDS = {
    "pooled_contribution_range_ordered": "amount_high",
    "financial_challenge_years_ordered": "last_year",
    "qipp_month_in_year": "month",
    "locality_budget_month_in_year": "month",
}


def finance_write_schemas(serializer, verbs=WRITE_VERBS) -> dict:
    """The plan API's write documentation; a delete also takes If-Match (412 when stale)."""
    schemas = write_schemas(serializer, verbs=tuple(v for v in verbs if v != "destroy"))
    if "destroy" in verbs:
        schemas["destroy"] = extend_schema(
            parameters=[IF_MATCH], responses={204: None, **REFUSALS, 412: CONFLICT}
        )
    return schemas


def money_field(help_text: str = "", **kwargs) -> serializers.DecimalField:
    """Pounds as a decimal string with two places (`"622700000.00"`)."""
    return serializers.DecimalField(**MONEY, help_text=help_text or None, **kwargs)


def computed_money(help_text: str, **kwargs) -> serializers.DecimalField:
    return money_field(help_text, read_only=True, allow_null=True, **kwargs)


def constraint_fields() -> dict[str, str]:
    """The message of each finance model constraint -> the field it concerns."""
    found = {}
    for model in apps.get_app_config("finance").get_models():
        for constraint in model._meta.constraints:
            message = str(constraint.get_violation_error_message())
            if isinstance(constraint, UniqueConstraint) and constraint.fields:
                names = [name for name in constraint.fields if name != "ccg"]
                found[message] = names[-1] if names else constraint.fields[-1]
            elif isinstance(constraint, CheckConstraint) and constraint.name in CHECK_FIELDS:
                found[message] = CHECK_FIELDS[constraint.name]
    return found


def parse_year(value: str, name: str = "year") -> FinancialYear:
    try:
        return FinancialYear.parse(value)
    except (TypeError, ValueError) as error:
        raise ValidationError({name: str(error)}) from None


class YearFilter(filters.CharFilter):
    """A financial year written `2013/14` (or `2013`)."""

    def __init__(self, field_name="year", **kwargs):
        kwargs.setdefault("label", "Financial year, e.g. 2013/14")
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return qs.filter(**{self.field_name: parse_year(value, self.field_name)})


def ccg_filter(path: str = "ccg") -> filters.CharFilter:
    return filters.CharFilter(field_name=f"{path}__ods_code", label="CCG ODS code",
                              lookup_expr="iexact")  # fmt: skip


# --- RAG thresholds -----------------------------------------------------------------------


def rag_thresholds(request) -> RagThresholds:
    """Read once per request, by the filters and the serializer alike."""
    cached = getattr(request, "_finance_rag_thresholds", None)
    if cached is None:
        cached = RagThresholds(CCG.objects.for_user(request.user).values("pk"))
        request._finance_rag_thresholds = cached
    return cached


# --- Viewsets -----------------------------------------------------------------------------


class FinanceApiMixin(PlanApiMixin):
    """The plan API's answers, with finance's refusal codes."""

    @cached_property
    def _constraint_fields(self) -> dict[str, str]:
        return constraint_fields()

    def with_etag(self, response, instance):
        if not hasattr(instance, "revision"):
            return response  # planning rules and imports carry no revision
        return super().with_etag(response, instance)

    def conflict_response(self, exc):
        """Show the record as saved now the way the resource shows it (with its figures)."""
        fresh = self.get_queryset().filter(pk=exc.current.pk).first()
        if fresh is not None:
            exc.current = fresh
        return super().conflict_response(exc)

    def handle_exception(self, exc):
        if isinstance(exc, InvalidMove) and not exc.field:
            field = self._constraint_fields.get(exc.message)
            if field:
                return Response(error_body(exc.message, "invalid", field),
                                status=status.HTTP_400_BAD_REQUEST)  # fmt: skip
        return super().handle_exception(exc)


class FinanceWriteMixin(ServiceCreateMixin, ServiceUpdateMixin, ServiceDestroyMixin):
    """Create, update and delete through `finance.services` for `model`. Rows owned by a CCG
    take `ccg` from the body; rows under a parent take the parent (services.EDITABLE)."""

    model = None
    fixed_fields: tuple[str, ...] = ("ccg",)

    def fresh(self, record):
        return self.get_queryset().get(pk=record.pk)

    def create_through_services(self, values):
        ccg = values.pop("ccg", None)
        kwargs = {} if services.EDITABLE[self.model].parent else {"ccg": ccg}
        return self.fresh(services.create(self.model, user=self.request.user, **kwargs,
                                          **values))  # fmt: skip

    def update_through_services(self, record, values, expected_revision):
        services.update(record, user=self.request.user, expected_revision=expected_revision,
                        **values)  # fmt: skip
        return self.fresh(record)

    def destroy_through_services(self, record):
        header = self.request.headers.get("If-Match")
        expected = self.expected_revision({}) if header is not None else None
        services.delete(record, user=self.request.user, expected_revision=expected)


def pounds_or_none(value) -> Decimal | None:
    return None if value is None else Decimal(value)
