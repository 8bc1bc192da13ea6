"""`measurements/`: each standard's figures by CCG (and provider) and period, read by CCG;
`?format=csv` gives every filtered row as a spreadsheet. Bulk data comes in through
`measurement-imports/` (a CSV or XLSX upload, all or nothing, answered with the row-by-row
result); one by one, only staff change measurements.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from commissioning.api_concurrency import ConditionalRequestsMixin
from commissioning.api_csv import CSVListMixin
from commissioning.api_fields import ScopedSlugRelatedField
from commissioning.models import CCG, Provider
from plans.api_common import (
    REFUSALS,
    ServiceCreateMixin,
    ServiceDestroyMixin,
    ServiceUpdateMixin,
    reject_changes_after_create,
    write_schemas,
)

from . import services
from .api_common import GovernanceApiMixin, PeriodField, ccg_code_field
from .measurement_import import CellError, parse_period, queue_measurement_import
from .models import ImportStatus, Measurement, MeasurementImport, PeriodType, Standard

FINISHED = (ImportStatus.SUCCEEDED, ImportStatus.FAILED)


# --- Measurements -----------------------------------------------------------------------------


class MeasurementSerializer(serializers.ModelSerializer):
    standard = ScopedSlugRelatedField(
        model=Standard, slug_field="code", help_text="The standard's code, e.g. ae-4-hours"
    )
    standard_name = serializers.CharField(source="standard.name", read_only=True)
    unit = serializers.CharField(source="standard.unit", read_only=True)
    ccg = ccg_code_field()
    provider = ScopedSlugRelatedField(
        model=Provider,
        slug_field="ods_code",
        required=False,
        allow_null=True,
        help_text="A provider's ODS code; empty for the CCG as a whole",
    )
    period = PeriodField(source="period_start")
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        required=False,
        allow_null=True,
        help_text="For a percentage, worked out from numerator and denominator when empty",
    )

    class Meta:
        model = Measurement
        fields = ["id", "standard", "standard_name", "unit", "ccg", "provider", "period",
                  "period_type", "numerator", "denominator", "value", "source",
                  "illustrative", "imported_by", "updated_at"]  # fmt: skip
        read_only_fields = ["imported_by", "updated_at"]
        validators: list = []  # the services name a duplicate period in words

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["standard", "ccg"])
        return attrs


def _period(value: str, name: str):
    try:
        return parse_period(value)[0]
    except CellError as error:
        raise ValidationError({name: error.message}) from None


class MeasurementFilter(filters.FilterSet):
    standard = filters.CharFilter(field_name="standard__code", label="Standard code")
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")
    provider = filters.CharFilter(field_name="provider__ods_code", label="Provider ODS code")
    whole_ccg = filters.BooleanFilter(
        field_name="provider", lookup_expr="isnull", label="The CCG's own figures (no provider)"
    )
    period_from = filters.CharFilter(method="from_period", label="From this period (2016-04)")
    period_to = filters.CharFilter(method="to_period", label="Up to this period (2017-03)")
    period_type = filters.ChoiceFilter(choices=PeriodType.choices)

    class Meta:
        model = Measurement
        fields = ["standard", "ccg", "provider", "whole_ccg", "period_from", "period_to",
                  "period_type", "illustrative"]  # fmt: skip

    def from_period(self, queryset, name, value):
        return queryset.filter(period_start__gte=_period(value, name))

    def to_period(self, queryset, name, value):
        return queryset.filter(period_start__lte=_period(value, name))


@extend_schema_view(**write_schemas(MeasurementSerializer, verbs=("create", "partial_update",
                                                                    "destroy")))  # fmt: skip
class MeasurementViewSet(
    ConditionalRequestsMixin,
    CSVListMixin,
    GovernanceApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ServiceDestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Measurements of standards by CCG, provider and period (`2016-04`). `format=csv` gives
    every filtered row. Imports bring bulk data; staff correct single figures."""

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    ordering_fields = ["period_start", "value"]
    ordering = ["standard__code", "ccg__ods_code", "provider__ods_code", "period_type",
                "period_start", "id"]  # fmt: skip
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    fixed_fields = ("standard", "ccg")

    def get_queryset(self):
        return Measurement.objects.for_user(self.request.user).select_related(
            "standard", "ccg", "provider"
        )

    def _fresh(self, measurement):
        return self.get_queryset().get(pk=measurement.pk)

    def create_through_services(self, values):
        if "period_start" in values:
            values.setdefault("period_type", PeriodType.MONTH)
        return self._fresh(services.create_measurement(user=self.request.user, **values))

    def update_through_services(self, measurement, values, expected_revision):
        return self._fresh(
            services.update_measurement(measurement, user=self.request.user, **values)
        )

    def destroy_through_services(self, measurement):
        services.delete_measurement(measurement, user=self.request.user)


# --- Imports ----------------------------------------------------------------------------------


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="The row of the file")
    column = serializers.CharField(allow_null=True, help_text="The column's name")
    value = serializers.CharField(help_text="What the cell holds")
    message = serializers.CharField(help_text="What is wrong, in words")


class MeasurementImportSerializer(serializers.ModelSerializer):
    ccg = ccg_code_field(read_only=True, allow_null=True)
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, default=None, allow_null=True
    )
    status = serializers.CharField(read_only=True, help_text="queued, running, succeeded, failed")
    errors = ImportErrorSerializer(many=True, read_only=True)
    latest_period = PeriodField(
        read_only=True, allow_null=True, help_text="Data up to this month (`2016-03`)"
    )

    class Meta:
        model = MeasurementImport
        fields = ["id", "source_name", "ccg", "requested_by", "status", "dry_run",
                  "started_at", "finished_at", "rows_read", "created", "updated", "unchanged",
                  "errors", "message", "latest_period"]  # fmt: skip
        read_only_fields = fields


class MeasurementImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8) or XLSX; first row: standard, ccg, provider, period, "
        "period_type, numerator, denominator, value, source"
    )
    ccg = serializers.CharField(
        required=False, allow_blank=True, help_text="Accept rows of this CCG only (ODS code)"
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check and count only; change nothing"
    )

    def validate_ccg(self, value):
        if not value.strip():
            return None
        user = self.context["request"].user
        ccg = CCG.objects.for_user(user).filter(ods_code=value.strip().upper()).first()
        if ccg is None:
            raise ValidationError(f"There is no CCG {value} that you can see.")
        return ccg


class MeasurementImportFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")
    status = filters.ChoiceFilter(choices=ImportStatus.choices)

    class Meta:
        model = MeasurementImport
        fields = ["ccg", "status", "dry_run"]


class MeasurementImportViewSet(
    ConditionalRequestsMixin,
    GovernanceApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Imports of measurement files: what was read, created, updated and unchanged, or every
    problem row by row (nothing is written when any row is wrong)."""

    serializer_class = MeasurementImportSerializer
    filterset_class = MeasurementImportFilter
    ordering_fields = ["id", "finished_at"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return MeasurementImport.objects.for_user(self.request.user).select_related(
            "ccg", "requested_by"
        )

    @extend_schema(
        request={"multipart/form-data": MeasurementImportRequestSerializer},
        responses={
            201: OpenApiResponse(MeasurementImportSerializer, description="Imported (or failed)"),
            202: OpenApiResponse(MeasurementImportSerializer, description="Queued: poll it"),
            **REFUSALS,
        },
    )
    def create(self, request, *args, **kwargs):
        """Upload a file of measurements and import it: the answer carries the result (201),
        or, when the import runs in the background, its queued record to poll (202)."""
        form = MeasurementImportRequestSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        record = queue_measurement_import(
            form.validated_data["file"],
            user=request.user,
            ccg=form.validated_data.get("ccg"),
            dry_run=form.validated_data["dry_run"],
        )
        record = self.get_queryset().get(pk=record.pk)
        done = record.status in FINISHED
        return Response(
            self.get_serializer(record).data,
            status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED,
        )
