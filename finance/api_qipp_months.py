"""`qipp-monthly/`: a QIPP scheme's figures for each month, M1 (April) to M12 (March).

`POST` records a month through `finance.services.record_month`: it creates the month when
the scheme has none (201) or changes the figures sent (200), guarded by If-Match or
`revision` when the month exists. `PATCH`/`PUT` change a month's figures with the same
check; the scheme and the month are fixed once recorded.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from commissioning.api_csv import CSVListMixin
from commissioning.api_fields import ScopedPrimaryKeyRelatedField
from commissioning.api_filters import IdFilter
from plans.api_common import (
    CONFLICT,
    IF_MATCH,
    REFUSALS,
    reject_changes_after_create,
    revision_field,
)
from plans.api_plans import YearField

from . import qipp_figures, services
from .api_common import (
    HTTP_METHODS,
    FinanceApiMixin,
    FinanceWriteMixin,
    YearFilter,
    ccg_filter,
    finance_write_schemas,
)
from .models import QippMonth, QippScheme

FIGURES = ("plan", "actual", "forecast", "illustrative")


class QippMonthSerializer(serializers.ModelSerializer):
    scheme = ScopedPrimaryKeyRelatedField(model=QippScheme, help_text="Id of the QIPP scheme")
    reference = serializers.CharField(source="scheme.reference", read_only=True)
    ccg = serializers.CharField(source="scheme.ccg.ods_code", read_only=True, label="CCG")
    year = YearField(source="scheme.year", read_only=True)
    month = serializers.IntegerField(
        min_value=1, max_value=qipp_figures.MONTHS, help_text="1 is April (M1), 12 is March"
    )
    month_label = serializers.SerializerMethodField(help_text="M1 (April)")
    revision = revision_field()

    class Meta:
        model = QippMonth
        fields = ["id", "scheme", "reference", "ccg", "year", "month", "month_label", "plan",
                  "actual", "forecast", "illustrative", "revision"]  # fmt: skip
        extra_kwargs = {
            "plan": {"help_text": "The saving planned for the month (default 0)"},
            "actual": {"help_text": "The saving made, once known"},
            "forecast": {"help_text": "The saving now expected, when someone has made one"},
        }
        validators: list = []  # record_month creates or updates: a month is never a duplicate

    def get_month_label(self, record) -> str:
        return qipp_figures.month_label(record.month)

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["scheme", "month"])
        return attrs


class QippMonthFilter(filters.FilterSet):
    ccg = ccg_filter("scheme__ccg")
    year = YearFilter("scheme__year")
    scheme = IdFilter(field_name="scheme_id", label="QIPP scheme id")
    programme = IdFilter(field_name="scheme__qipp_programme_id",
                                     label="QIPP programme id")  # fmt: skip
    provider = filters.CharFilter(field_name="scheme__provider__ods_code", lookup_expr="iexact",
                                  label="Provider ODS code")  # fmt: skip
    reported = filters.BooleanFilter(field_name="actual", lookup_expr="isnull", exclude=True,
                                     label="Months with an actual")  # fmt: skip

    class Meta:
        model = QippMonth
        fields = ["ccg", "year", "scheme", "programme", "provider", "month", "reported"]


@extend_schema_view(
    create=extend_schema(
        parameters=[IF_MATCH],
        responses={
            200: OpenApiResponse(QippMonthSerializer, description="The month's figures changed"),
            201: OpenApiResponse(QippMonthSerializer, description="The month recorded"),
            **REFUSALS,
            409: CONFLICT,
            412: CONFLICT,
        },
    ),  # fmt: skip
    **finance_write_schemas(QippMonthSerializer, verbs=("update", "partial_update", "destroy")),
)
class QippMonthViewSet(CSVListMixin, FinanceApiMixin, FinanceWriteMixin, mixins.ListModelMixin,
                       viewsets.GenericViewSet):  # fmt: skip
    """Monthly QIPP figures: plan, actual and forecast of a scheme's month."""

    model = QippMonth
    serializer_class = QippMonthSerializer
    filterset_class = QippMonthFilter
    ordering_fields = ["month", "plan", "actual"]
    ordering = ["scheme__ccg__ods_code", "-scheme__year", "scheme__reference", "month", "id"]
    http_method_names = HTTP_METHODS
    fixed_fields = ("scheme", "month")
    csv_filename = "qipp-monthly"

    def get_queryset(self):
        return QippMonth.objects.for_user(self.request.user).select_related("scheme__ccg")

    def create(self, request, *args, **kwargs):
        """Record a month: created when the scheme has none for it, else its figures change
        (send If-Match or `revision` to guard against a stale edit)."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        expected = self.expected_revision(values)
        scheme, month = values.pop("scheme"), values.pop("month")
        existed = self.get_queryset().filter(scheme=scheme, month=month).exists()
        figures = {name: values[name] for name in FIGURES if name in values}
        record = services.record_month(scheme, month, user=request.user,
                                       expected_revision=expected, **figures)  # fmt: skip
        record = self.fresh(record)
        answer = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return self.with_etag(Response(self.get_serializer(record).data, status=answer), record)
