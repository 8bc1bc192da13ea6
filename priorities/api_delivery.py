"""`progress-updates/`: the delivery record. Updates are added (through
`services.record_progress`, which sets the action's or commitment's current status) and read;
never changed or deleted, so the record of what was reported stays as it was reported."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from commissioning.api_concurrency import ConditionalRequestsMixin
from commissioning.api_fields import ScopedPrimaryKeyRelatedField
from commissioning.api_filters import IdFilter
from plans.api_common import REFUSALS, PlanApiMixin, ServiceCreateMixin

from . import services
from .api_content import RagField
from .models import Action, Commitment, DeliveryStatus, ProgressUpdate


class ProgressUpdateSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    action = ScopedPrimaryKeyRelatedField(
        model=Action, required=False, allow_null=True, help_text="The action it is about"
    )
    commitment = ScopedPrimaryKeyRelatedField(
        model=Commitment,
        required=False,
        allow_null=True,
        help_text="The commitment it is about (give an action or a commitment, not both)",
    )
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    rag = RagField()
    reported_on = serializers.DateField(
        required=False, help_text="The date reported (default today; never in the future)"
    )
    reported_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True,
        help_text="Who recorded it (username)",
    )  # fmt: skip
    illustrative = serializers.BooleanField(
        required=False, default=False, help_text="Example data, not from a real CCG report"
    )

    class Meta:
        model = ProgressUpdate
        fields = ["id", "plan", "action", "commitment", "status", "rag", "narrative",
                  "reported_on", "reported_by", "illustrative", "created_at"]  # fmt: skip
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        if bool(attrs.get("action")) == bool(attrs.get("commitment")):
            raise ValidationError(
                {"action": "Say which action, or which commitment, the update is about."}
            )
        return attrs


class ProgressUpdateFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id", label="Plan id")
    ccg = filters.CharFilter(field_name="plan__ccg__ods_code", label="CCG ODS code")
    action = IdFilter(field_name="action_id", label="Action id")
    commitment = IdFilter(field_name="commitment_id", label="Commitment id")
    status = filters.ChoiceFilter(choices=DeliveryStatus.choices, label="Delivery status")
    reported_after = filters.DateFilter(
        field_name="reported_on", lookup_expr="gte", label="Reported on or after"
    )
    reported_before = filters.DateFilter(
        field_name="reported_on", lookup_expr="lte", label="Reported on or before"
    )
    illustrative = filters.BooleanFilter(label="Example data")

    class Meta:
        model = ProgressUpdate
        fields = ["plan", "ccg", "action", "commitment", "status", "reported_after",
                  "reported_before", "illustrative"]  # fmt: skip


@extend_schema_view(create=extend_schema(responses={201: ProgressUpdateSerializer, **REFUSALS}))
class ProgressUpdateViewSet(
    ConditionalRequestsMixin,
    PlanApiMixin,
    ServiceCreateMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Dated progress updates on actions and commitments: who reported what, when, with which
    delivery status. Planning managers record them once the plan is approved or published;
    the latest becomes the action's (or commitment's) status. Kept as reported: no edits."""

    serializer_class = ProgressUpdateSerializer
    filterset_class = ProgressUpdateFilter
    search_fields = ["narrative"]
    ordering_fields = ["reported_on", "created_at", "status"]
    ordering = ["-reported_on", "-created_at", "-id"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return ProgressUpdate.objects.for_user(self.request.user).select_related(
            "plan__ccg", "reported_by"
        )

    def create_through_services(self, values):
        subject = values.pop("action", None) or values.pop("commitment")
        values.pop("commitment", None)
        return services.record_progress(subject, user=self.request.user, **values)
