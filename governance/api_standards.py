"""`standards/` (by code): the national standards of the catalogue, read by anyone with a role
(changed by staff only), and CCGs' local KPIs, created and changed by their planning managers.
Thresholds are read here; they come from the catalogue file (and the admin).

`GET standards/<code>/spc/?ccg=<ods>&provider=<ods>` is the SPC of the stored series.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from commissioning.api_concurrency import ConditionalRequestsMixin
from commissioning.models import CCG, Provider
from plans.api_common import (
    ServiceCreateMixin,
    ServiceDestroyMixin,
    ServiceUpdateMixin,
    reject_changes_after_create,
    write_schemas,
)

from . import services
from .api_common import GovernanceApiMixin, PeriodField, ccg_code_field
from .api_spc import ERROR, SpcResultSerializer, SpcSettingsInput, settings_from, spc_body
from .models import Measurement, PeriodType, Standard, StandardThreshold
from .series import default_period_type, series_spc


class ThresholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardThreshold
        fields = ["value", "applies_from", "applies_to", "note"]
        read_only_fields = fields
        extra_kwargs = {"value": {"help_text": "Empty: no operational standard in this period"}}


class StandardSerializer(serializers.ModelSerializer):
    ccg = ccg_code_field(
        required=False,
        allow_null=True,
        help_text="The CCG of a local KPI (its ODS code); empty for a national standard",
    )
    is_local = serializers.BooleanField(read_only=True)
    thresholds = ThresholdSerializer(many=True, read_only=True)
    current_threshold = serializers.SerializerMethodField()

    class Meta:
        model = Standard
        fields = ["code", "name", "group", "unit", "direction", "frequency", "description",
                  "source", "ccg", "is_local", "order", "catalogue_version", "thresholds",
                  "current_threshold"]  # fmt: skip
        read_only_fields = ["order", "catalogue_version"]
        # The services name a duplicate code in words, whoever's KPI holds it.
        extra_kwargs = {"code": {"validators": []}}

    @extend_schema_field(ThresholdSerializer(allow_null=True))
    def get_current_threshold(self, standard):
        threshold = standard.threshold_on(timezone.localdate())
        if threshold is None:
            return None
        # The `thresholds` field's serializer, made once for every row of a list: a new
        # ThresholdSerializer per standard built its fields each time (a quarter of the
        # list's time).
        return self.fields["thresholds"].child.to_representation(threshold)

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg", "code"])
        return attrs


class StandardFilter(filters.FilterSet):
    ccg = filters.CharFilter(
        method="for_ccg", label="Standards of a CCG (ODS code): national ones and its local KPIs"
    )
    local = filters.BooleanFilter(
        field_name="ccg", lookup_expr="isnull", exclude=True, label="Local KPIs only (or none)"
    )

    class Meta:
        model = Standard
        fields = ["ccg", "local", "group", "unit", "direction", "frequency"]

    def for_ccg(self, queryset, name, value):
        return queryset.filter(Q(ccg__isnull=True) | Q(ccg__ods_code=value.strip().upper()))


class StoredSpcQuerySerializer(SpcSettingsInput):
    ccg = serializers.CharField(help_text="The CCG's ODS code")
    provider = serializers.CharField(
        required=False, help_text="A provider's ODS code (default: the CCG as a whole)"
    )
    period_type = serializers.ChoiceField(
        choices=PeriodType.choices,
        required=False,
        help_text="month or quarter (default: the standard's usual frequency)",
    )
    to = PeriodField(required=False, help_text="The series up to this period (`2016-03`)")


class StoredSpcSerializer(SpcResultSerializer):
    standard = serializers.CharField(help_text="The standard's code")
    name = serializers.CharField()
    unit = serializers.CharField()
    ccg = serializers.CharField(help_text="ODS code")
    provider = serializers.CharField(allow_null=True, help_text="ODS code, or none")
    period_type = serializers.CharField()


SPC_PARAMETERS = [
    OpenApiParameter("ccg", OpenApiTypes.STR, required=True, description="CCG ODS code"),
    OpenApiParameter("provider", OpenApiTypes.STR, description="Provider ODS code"),
    OpenApiParameter("period_type", OpenApiTypes.STR, enum=PeriodType.values),
    OpenApiParameter("to", OpenApiTypes.STR, description="Up to this period, e.g. 2016-03"),
    OpenApiParameter("run_length", OpenApiTypes.INT),
    OpenApiParameter("trend_length", OpenApiTypes.INT),
    OpenApiParameter("minimum_points", OpenApiTypes.INT),
    OpenApiParameter("screen_moving_ranges", OpenApiTypes.BOOL),
]


@extend_schema_view(**write_schemas(StandardSerializer, verbs=("create", "partial_update",
                                                                 "destroy")))  # fmt: skip
class StandardViewSet(
    ConditionalRequestsMixin,
    GovernanceApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ServiceDestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """NHS Constitution standards and other national measures (e.g. `ae-4-hours`), with the
    thresholds that applied from and to a date, and CCGs' local KPIs."""

    serializer_class = StandardSerializer
    filterset_class = StandardFilter
    lookup_field = "code"
    lookup_value_regex = "[a-z0-9-]+"
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "group", "order"]
    ordering = ["group", "order", "name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    fixed_fields = ("ccg", "code")

    def get_queryset(self):
        user = self.request.user
        thresholds = StandardThreshold.objects.for_user(user).order_by("applies_from")
        return (
            Standard.objects.for_user(user)
            .select_related("ccg")
            .prefetch_related(Prefetch("thresholds", queryset=thresholds))
        )

    def create_through_services(self, values):
        standard = services.create_standard(user=self.request.user, **values)
        return self.get_queryset().get(pk=standard.pk)

    def update_through_services(self, standard, values, expected_revision):
        services.update_standard(standard, user=self.request.user, **values)
        return self.get_queryset().get(pk=standard.pk)

    def destroy_through_services(self, standard):
        services.delete_standard(standard, user=self.request.user)

    @extend_schema(
        parameters=SPC_PARAMETERS,
        responses={200: StoredSpcSerializer, 400: ERROR, 404: ERROR},
        description="The SPC of the standard's stored series for a CCG (or one of its "
        "providers): the threshold in force at the latest period is the target.",
    )
    @action(detail=True, methods=["get"], url_path="spc", filterset_class=None,
            pagination_class=None)  # fmt: skip
    def spc(self, request, code=None):
        standard = self.get_object()
        query = StoredSpcQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        user = request.user
        ccg = CCG.objects.for_user(user).filter(ods_code=data["ccg"].strip().upper()).first()
        if ccg is None:
            raise NotFound(f"There is no CCG {data['ccg']} that you can see.")
        if standard.ccg_id not in (None, ccg.pk):
            raise ValidationError({"ccg": f"{standard.code} is a local KPI of another CCG."})
        provider = None
        if data.get("provider"):
            wanted = data["provider"].strip().upper()
            provider = Provider.objects.for_user(user).filter(ods_code=wanted).first()
            if provider is None:
                raise NotFound(f"There is no provider {data['provider']}.")
        period_type = data.get("period_type") or default_period_type(standard)
        result = series_spc(
            standard,
            ccg,
            provider,
            period_type=period_type,
            up_to=data.get("to"),
            settings=settings_from(data),
            queryset=Measurement.objects.for_user(user),
        )
        return Response(
            {
                "standard": standard.code,
                "name": standard.name,
                "unit": standard.unit,
                "ccg": ccg.ods_code,
                "provider": provider.ods_code if provider else None,
                "period_type": period_type,
                **spc_body(result),
            }
        )
