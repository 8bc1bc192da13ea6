"""`qipp-programmes/` and `qipp-schemes/`: QIPP workstreams and their savings schemes.

A scheme carries its twelve months (written through `qipp-monthly/`) and computed, read-only
year-to-date figures from `finance.qipp_figures`: plan and actual to date, variance and
variance %, forecast outturn, RAG and the month they run through. The RAG thresholds are the
CCG's `QippRagThreshold`, else the default row, else `qipp_figures.DEFAULT_THRESHOLDS`, read
once per request. `qipp-schemes/?format=csv` and `?format=xlsx` give the QIPP tracker in the
layout of real QIPP reports (`finance.qipp_io`), which imports back unchanged.
"""

from __future__ import annotations

import json

from django.db.models import Count, Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import mixins, renderers, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from commissioning.api import ccg_field
from commissioning.api_csv import CSVListMixin
from commissioning.api_fields import ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from commissioning.api_filters import IdFilter
from commissioning.models import Provider
from plans.api_common import reject_changes_after_create, revision_field
from plans.api_plans import YearField
from priorities.models import DeliveryStatus, PriorityArea, Programme

from . import qipp_figures
from .api_common import (
    HTTP_METHODS,
    MONEY,
    FinanceApiMixin,
    FinanceWriteMixin,
    YearFilter,
    ccg_filter,
    finance_write_schemas,
)
from .api_common import rag_thresholds as thresholds_of
from .models import QippMonth, QippProgramme, QippScheme

RAGS = [qipp_figures.Rag.GREEN, qipp_figures.Rag.AMBER, qipp_figures.Rag.RED]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Programmes ----------------------------------------------------------------------------


class QippProgrammeSerializer(serializers.ModelSerializer):
    ccg = ccg_field(label="CCG")
    priority = ScopedPrimaryKeyRelatedField(
        model=PriorityArea, required=False, allow_null=True,
        help_text="Id of the priority it serves (of one of the CCG's plans)",
    )  # fmt: skip
    programme = ScopedPrimaryKeyRelatedField(
        model=Programme, required=False, allow_null=True,
        help_text="Id of the transformational programme it serves (one of the CCG's)",
    )  # fmt: skip
    scheme_count = serializers.IntegerField(read_only=True, help_text="Its schemes, all years")
    revision = revision_field()

    class Meta:
        model = QippProgramme
        fields = ["id", "ccg", "name", "lead", "description", "priority", "programme", "order",
                  "scheme_count", "revision"]  # fmt: skip
        validators: list = []  # the services name a duplicate programme in words

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg"])
        return attrs


class QippProgrammeFilter(filters.FilterSet):
    ccg = ccg_filter()
    priority = IdFilter(field_name="priority_id", label="Priority id")
    transformational_programme = IdFilter(
        field_name="programme_id", label="Transformational programme id"
    )

    class Meta:
        model = QippProgramme
        fields = ["ccg", "priority", "transformational_programme"]


@extend_schema_view(**finance_write_schemas(QippProgrammeSerializer))
class QippProgrammeViewSet(CSVListMixin, FinanceApiMixin, FinanceWriteMixin,
                           mixins.ListModelMixin, viewsets.GenericViewSet):  # fmt: skip
    """QIPP programmes (workstreams): Orthopaedics, Outpatients, Urgent care, Medicines
    management. A programme still used by schemes cannot be deleted (409)."""

    model = QippProgramme
    serializer_class = QippProgrammeSerializer
    filterset_class = QippProgrammeFilter
    search_fields = ["name", "lead", "description"]
    ordering_fields = ["order", "name"]
    ordering = ["ccg__ods_code", "order", "name", "id"]
    http_method_names = HTTP_METHODS
    csv_filename = "qipp-programmes"

    def get_queryset(self):
        return (
            QippProgramme.objects.for_user(self.request.user)
            .select_related("ccg")
            .annotate(scheme_count=Count("schemes"))
        )


# --- Schemes -------------------------------------------------------------------------------


class SchemeMonthSerializer(serializers.ModelSerializer):
    class Meta:
        model = QippMonth
        fields = ["id", "month", "plan", "actual", "forecast", "illustrative", "revision"]
        read_only_fields = fields


def figure(name: str, help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(source=f"qipp_now.{name}", read_only=True,
                                    help_text=help_text, **MONEY)  # fmt: skip


@extend_schema_field({
    "type": "string", "nullable": True, "readOnly": True, "example": "amber",
    "description": "From the year-to-date variance % and the CCG's thresholds: green on or "
    "ahead of plan, amber behind, red well behind; empty with no plan to date",
})  # fmt: skip
class RagField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="qipp_now.rag")
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value


def scheme_figures(scheme, thresholds: qipp_figures.Thresholds) -> qipp_figures.Figures:
    months = [qipp_figures.Month(m.month, m.plan, m.actual, m.forecast)
              for m in scheme.months.all()]  # fmt: skip
    return qipp_figures.figures(months, thresholds=thresholds)


class QippSchemeSerializer(serializers.ModelSerializer):
    ccg = ccg_field(label="CCG")
    year = YearField(help_text="The financial year, e.g. 2012/13")
    qipp_programme = ScopedPrimaryKeyRelatedField(
        model=QippProgramme, help_text="Id of the QIPP programme (one of the CCG's)"
    )
    qipp_programme_name = serializers.CharField(source="qipp_programme.name", read_only=True)
    provider = ScopedSlugRelatedField(
        model=Provider, slug_field="ods_code", required=False, allow_null=True,
        help_text="The provider's ODS code, if the scheme is with one",
    )  # fmt: skip
    priority = ScopedPrimaryKeyRelatedField(
        model=PriorityArea, required=False, allow_null=True,
        help_text="Id of the linked priority (of one of the CCG's plans)",
    )  # fmt: skip
    programme = ScopedPrimaryKeyRelatedField(
        model=Programme, required=False, allow_null=True,
        help_text="Id of the transformational programme it serves (one of the CCG's)",
    )  # fmt: skip
    months = SchemeMonthSerializer(
        many=True, read_only=True, help_text="M1 (April) to M12 (March) as recorded"
    )
    ytd_plan = figure("ytd_plan", "Plan to date: M1 to the month reported")
    ytd_actual = figure(
        "ytd_actual", "Actual to date (a month with no actual counts as nothing saved)"
    )
    variance = figure("variance", "Actual minus plan to date (positive: ahead of plan)")
    variance_percent = serializers.DecimalField(
        max_digits=9, decimal_places=2, read_only=True, allow_null=True,
        source="qipp_now.variance_percent", help_text="Variance / plan to date × 100",
    )  # fmt: skip
    forecast_outturn = figure(
        "forecast_outturn", "Actuals reported, then the forecast (or plan) of each month"
    )
    rag = RagField()
    through = serializers.IntegerField(
        read_only=True, source="qipp_now.through",
        help_text="The last month reported (1 is April); 0 when none is",
    )  # fmt: skip
    through_label = serializers.CharField(read_only=True, source="qipp_now.through_label")
    revision = revision_field()

    class Meta:
        model = QippScheme
        fields = ["id", "ccg", "year", "qipp_programme", "qipp_programme_name", "reference",
                  "project", "point_of_delivery", "provider", "lead", "priority", "programme",
                  "activity_change", "activity_unit", "planned_saving", "status",
                  "description", "source", "illustrative", "months", "ytd_plan", "ytd_actual",
                  "variance", "variance_percent", "forecast_outturn", "rag", "through",
                  "through_label", "revision"]  # fmt: skip
        validators: list = []  # the services name a duplicate reference in words

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg"])
        return attrs

    def to_representation(self, scheme):
        book = self.context.get("rag_thresholds")
        thresholds = book.for_ccg(scheme.ccg_id) if book else qipp_figures.DEFAULT_THRESHOLDS
        scheme.qipp_now = scheme_figures(scheme, thresholds)
        return super().to_representation(scheme)


class QippSchemeFilter(filters.FilterSet):
    ccg = ccg_filter()
    year = YearFilter()
    programme = IdFilter(field_name="qipp_programme_id", label="QIPP programme id")
    transformational_programme = IdFilter(
        field_name="programme_id", label="Transformational programme id"
    )
    priority = IdFilter(field_name="priority_id", label="Priority id")
    provider = filters.CharFilter(field_name="provider__ods_code", lookup_expr="iexact",
                                  label="Provider ODS code")  # fmt: skip
    status = filters.ChoiceFilter(choices=DeliveryStatus.choices)
    rag = filters.CharFilter(
        method="filter_rag", label="Year-to-date RAG: green, amber, red, or none (no plan to date)"
    )

    class Meta:
        model = QippScheme
        fields = ["ccg", "year", "programme", "transformational_programme", "priority",
                  "provider", "status", "rag", "illustrative"]  # fmt: skip

    def filter_rag(self, queryset, name, value):
        """The RAG is worked out from the months: two queries, however many schemes."""
        value = value.strip().lower()
        if value not in (*RAGS, "none"):
            raise ValidationError({name: f"'{value}' is not a RAG: use green, amber, red or none."})
        thresholds = thresholds_of(self.request)
        wanted = None if value == "none" else value
        schemes = {pk: (ccg_id, []) for pk, ccg_id in queryset.values_list("pk", "ccg_id")}
        months = QippMonth.objects.for_user(self.request.user).filter(scheme_id__in=schemes)
        for row in months.values_list("scheme_id", "month", "plan", "actual", "forecast"):
            schemes[row[0]][1].append(qipp_figures.Month(*row[1:]))
        keep = [
            pk
            for pk, (ccg_id, rows) in schemes.items()
            if qipp_figures.figures(rows, thresholds=thresholds.for_ccg(ccg_id)).rag == wanted
        ]
        return queryset.filter(pk__in=keep)  # fmt: skip


class DownloadRenderer(renderers.BaseRenderer):
    """A file made elsewhere (the QIPP report), passed through as it is; refusals as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode("utf-8")


class QippCsvRenderer(DownloadRenderer):
    media_type = "text/csv"
    format = "csv"


class QippXlsxRenderer(DownloadRenderer):
    media_type = XLSX
    format = "xlsx"


@extend_schema_view(**finance_write_schemas(QippSchemeSerializer))
class QippSchemeViewSet(FinanceApiMixin, FinanceWriteMixin, mixins.ListModelMixin,
                        viewsets.GenericViewSet):  # fmt: skip
    """QIPP schemes with their months and year-to-date figures (the QIPP tracker).
    `format=csv` or `format=xlsx` downloads the tracker in the QIPP report layout: unique
    ref, project name, point of delivery, gross plan, gross actual, gross variance,
    variance % and the monthly columns."""

    model = QippScheme
    serializer_class = QippSchemeSerializer
    filterset_class = QippSchemeFilter
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, QippCsvRenderer,
                        QippXlsxRenderer]  # fmt: skip
    search_fields = ["reference", "project", "point_of_delivery", "lead", "description"]
    ordering_fields = ["reference", "project", "planned_saving", "status", "year"]
    ordering = ["ccg__ods_code", "-year", "qipp_programme__order", "reference", "id"]
    http_method_names = HTTP_METHODS

    def get_renderers(self):
        found = super().get_renderers()
        if getattr(self, "action", None) == "list":
            return found
        return [r for r in found if r.format not in ("csv", "xlsx")]  # lists only

    def get_queryset(self):
        user = self.request.user
        return (
            QippScheme.objects.for_user(user)
            .select_related("ccg", "qipp_programme", "provider")
            .prefetch_related(Prefetch("months", queryset=QippMonth.objects.for_user(user)))
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "rag_thresholds": thresholds_of(self.request)}

    def list(self, request, *args, **kwargs):
        wanted = getattr(request.accepted_renderer, "format", None)
        if wanted not in (QippCsvRenderer.format, QippXlsxRenderer.format):
            return super().list(request, *args, **kwargs)
        from . import qipp_io

        schemes = list(self.filter_queryset(self.get_queryset()))
        made = qipp_io.qipp_csv(schemes) if wanted == "csv" else qipp_io.qipp_xlsx(schemes)
        response = Response(made)
        response["Content-Disposition"] = f'attachment; filename="qipp-tracker.{wanted}"'
        return response
