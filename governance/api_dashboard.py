"""`dashboard/<ods>/`: the governing body dashboard's figures as JSON (`governance.dashboard`).

`GET dashboard/` lists the CCGs whose dashboard the user reads (filter `ccg`, CSV);
`GET dashboard/<ods>/?month=2016-03` answers with the dashboard as it stood at the end of
that month (default: the newest month of data): every standard grouped, with its latest
value, target, variation and assurance icons and sparkline values, and the actions of the
plans in force counted by delivery status. Read-only; the CCG is read through `for_user`.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from commissioning.api import CCGFilter
from commissioning.api_concurrency import ConditionalRequestsMixin
from commissioning.api_csv import CSVListMixin
from commissioning.models import CCG

from . import dashboard
from .dashboard import Dashboard, StandardFigures, month_value


class DashboardCCGSerializer(serializers.ModelSerializer):
    dashboard = serializers.SerializerMethodField(help_text="This CCG's dashboard (API)")
    page = serializers.SerializerMethodField(help_text="This CCG's dashboard page")

    class Meta:
        model = CCG
        fields = ["ods_code", "name", "dashboard", "page"]

    def get_dashboard(self, ccg) -> str:
        return reverse("api:dashboard-detail", kwargs={"ods_code": ccg.ods_code})

    def get_page(self, ccg) -> str:
        return reverse("ccg-dashboard", kwargs={"ods": ccg.ods_code})


class IconSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text='"variation" or "assurance"')
    code = serializers.CharField(help_text='e.g. "common_cause", "concern_low", "hit_and_miss"')
    label = serializers.CharField()
    colour = serializers.CharField()
    letter = serializers.CharField()


class LatestSerializer(serializers.Serializer):
    period = serializers.CharField(help_text='The month, or a quarter\'s first month: "2016-03"')
    period_type = serializers.CharField(help_text='"month" or "quarter"')
    value = serializers.DecimalField(max_digits=14, decimal_places=3)
    illustrative = serializers.BooleanField()


class StandardFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    frequency = serializers.CharField()
    local = serializers.BooleanField(help_text="A local KPI of the CCG")
    latest = LatestSerializer(allow_null=True)
    target = serializers.DecimalField(
        max_digits=12, decimal_places=3, allow_null=True,
        help_text="The threshold in force for the latest period; null when there is none",
    )  # fmt: skip
    no_operational_standard = serializers.BooleanField()
    target_met = serializers.BooleanField(allow_null=True)
    variation = IconSerializer(allow_null=True)
    assurance = IconSerializer(allow_null=True)
    trial_limits = serializers.BooleanField()
    points = serializers.IntegerField(help_text="Points in the series up to the month")
    sparkline = serializers.ListField(child=serializers.FloatField())
    page = serializers.CharField(help_text="The standard's drill-down page")


class GroupSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    standards = StandardFiguresSerializer(many=True)


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    rag = serializers.CharField(help_text='"grey", "green", "amber", "red" or "blue"')
    count = serializers.IntegerField()


class PlanDeliverySerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.CharField()
    first_year = serializers.CharField()
    last_year = serializers.CharField()
    counts = StatusCountSerializer(many=True)
    total = serializers.IntegerField()


class PanelRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class PanelSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    rows = PanelRowSerializer(many=True)


class DashboardSerializer(serializers.Serializer):
    ccg = serializers.CharField(help_text="ODS code")
    name = serializers.CharField()
    month = serializers.CharField(allow_null=True, help_text="The figures as at the end of it")
    data_up_to = serializers.CharField(allow_null=True)
    data_up_to_source = serializers.CharField(
        help_text='"import" (the newest successful import), "measurements" or ""'
    )
    first_month = serializers.CharField(allow_null=True)
    illustrative = serializers.BooleanField(help_text="Some figures are illustrative")
    groups = GroupSerializer(many=True)
    delivery = PlanDeliverySerializer(many=True)
    panels = PanelSerializer(many=True)


def _month(value):
    return None if value is None else month_value(value)


def figures_data(ccg, figures: StandardFigures) -> dict:
    standard, latest = figures.standard, figures.latest
    return {
        "code": standard.code,
        "name": standard.name,
        "group": standard.group,
        "unit": standard.unit,
        "direction": standard.direction,
        "frequency": standard.frequency,
        "local": standard.is_local,
        "latest": None
        if latest is None
        else {
            "period": month_value(latest.period_start),
            "period_type": figures.period_type,
            "value": latest.value,
            "illustrative": latest.illustrative,
        },
        "target": figures.target,
        "no_operational_standard": figures.threshold is not None and figures.target is None,
        "target_met": figures.target_met,
        "variation": figures.variation.as_dict() if figures.variation else None,
        "assurance": figures.assurance.as_dict() if figures.assurance else None,
        "trial_limits": figures.result.trial_limits,
        "points": len(figures.points),
        "sparkline": list(figures.sparkline),
        "page": reverse("ccg-standard", kwargs={"ods": ccg.ods_code, "code": standard.code}),
    }


def dashboard_data(figures: Dashboard) -> dict:
    ccg = figures.ccg
    return {
        "ccg": ccg.ods_code,
        "name": ccg.name,
        "month": _month(figures.month),
        "data_up_to": _month(figures.data.up_to),
        "data_up_to_source": figures.data.source,
        "first_month": _month(figures.data.first),
        "illustrative": figures.illustrative,
        "groups": [
            {
                "code": group.code,
                "label": group.label,
                "standards": [figures_data(ccg, row) for row in group.rows],
            }
            for group in figures.groups
        ],
        "delivery": [
            {
                "plan": entry.plan.pk,
                "title": entry.plan.title,
                "state": entry.plan.state,
                "first_year": entry.plan.first_year.label,
                "last_year": entry.plan.last_year.label,
                "counts": [
                    {"status": c.status, "label": c.label, "rag": c.rag.code, "count": c.count}
                    for c in entry.counts
                ],
                "total": entry.total,
            }
            for entry in figures.plans
        ],
        "panels": [
            {
                "code": panel.code,
                "title": panel.title,
                "rows": [{"label": label, "value": value} for label, value in panel.rows],
            }
            for panel in figures.panels
        ],
    }


MONTH_PARAMETER = OpenApiParameter(
    "month",
    OpenApiTypes.STR,
    description="The dashboard as it stood at the end of this month, e.g. 2016-03 "
    "(default: the newest month of data)",
)


@extend_schema_view(
    retrieve=extend_schema(parameters=[MONTH_PARAMETER], responses=DashboardSerializer)
)
class DashboardViewSet(ConditionalRequestsMixin, CSVListMixin, viewsets.ReadOnlyModelViewSet):
    """The governing body dashboard of each CCG the user reads, addressed by ODS code."""

    serializer_class = DashboardCCGSerializer
    lookup_field = "ods_code"
    filterset_class = CCGFilter
    search_fields = ["name", "short_name", "ods_code"]
    ordering_fields = ["name", "ods_code"]
    ordering = ["name"]
    csv_filename = "dashboards"

    def get_queryset(self):
        return CCG.objects.for_user(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        ccg = self.get_object()
        text = request.query_params.get("month", "").strip()
        month = None
        if text:
            try:
                month = dashboard.parse_month(text)
            except ValueError as error:
                raise ValidationError({"month": [str(error)]}) from error
        figures = dashboard.build(request.user, ccg, month)
        return Response(DashboardSerializer(dashboard_data(figures)).data)


def register_api() -> None:
    from commissioning.api_registry import register

    register("dashboard", DashboardViewSet, basename="dashboard")
