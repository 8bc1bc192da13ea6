"""`principles/`, `locality-focus/`, `success-measures/`: more of what a plan says.

Principles are the plan's statements of kind "principle" (plans.models.PlanStatement),
written through plans.services with the kind fixed; locality focus and success measures are
this app's content, written through priorities.services. All follow the plan's lifecycle
and the If-Match / `revision` check of plans/api_common.py.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers

from commissioning.api_fields import ScopedPrimaryKeyRelatedField
from commissioning.api_filters import IdFilter
from commissioning.models import Locality
from plans import services as plan_services
from plans.api_common import reject_changes_after_create, revision_field, write_schemas
from plans.api_content import ContentViewSet, PlanContentFilter, plan_field
from plans.models import PlanStatement, StatementKind

from . import services
from .models import LocalityFocus, PriorityArea, SuccessMeasure

# --- Principles ---------------------------------------------------------------------------


class PrincipleSerializer(serializers.ModelSerializer):
    plan = plan_field()
    group = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=120,
        help_text='The heading it sits under, e.g. "Principles of transformation"',
    )
    order = serializers.IntegerField(min_value=0, required=False)
    revision = revision_field()

    class Meta:
        model = PlanStatement
        fields = ["id", "plan", "key", "group", "title", "text", "order", "revision",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["key", "updated_at"]

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["plan"])
        return attrs


class PrincipleFilter(PlanContentFilter):
    group = filters.CharFilter(lookup_expr="iexact", label="Heading (exact, any case)")

    class Meta:
        model = PlanStatement
        fields = ["plan", "ccg", "group"]


@extend_schema_view(**write_schemas(PrincipleSerializer))
class PrincipleViewSet(ContentViewSet):
    """The CCG's commissioning principles in a plan (e.g. Quality & Safety, Integration, Best
    Value), grouped under headings; they are the plan's statements of kind principle."""

    model = PlanStatement
    serializer_class = PrincipleSerializer
    filterset_class = PrincipleFilter
    search_fields = ["title", "text", "group"]
    ordering_fields = ["order", "group"]
    ordering = ["plan_id", "order", "id"]

    def get_queryset(self):
        return super().get_queryset().filter(kind=StatementKind.PRINCIPLE)

    def create_through_services(self, values):
        plan = values.pop("plan")
        return plan_services.add_statement(
            plan, user=self.user, kind=StatementKind.PRINCIPLE, **values
        )

    def update_through_services(self, statement, values, expected_revision):
        return plan_services.update_statement(
            statement, user=self.user, expected_revision=expected_revision, **values
        )

    def destroy_through_services(self, statement):
        plan_services.delete_statement(statement, user=self.user)


# --- Locality focus -----------------------------------------------------------------------


class LocalityFocusSerializer(serializers.ModelSerializer):
    plan = plan_field()
    locality = ScopedPrimaryKeyRelatedField(
        model=Locality, help_text="A locality of the plan's CCG (id)"
    )
    order = serializers.IntegerField(min_value=0, required=False)
    revision = revision_field()

    class Meta:
        model = LocalityFocus
        fields = ["id", "plan", "locality", "key", "text", "order", "revision", "updated_at"]
        read_only_fields = ["key", "updated_at"]

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["plan"])
        return attrs


class LocalityFocusFilter(PlanContentFilter):
    locality = IdFilter(field_name="locality_id", label="Locality id")

    class Meta:
        model = LocalityFocus
        fields = ["plan", "ccg", "locality"]


@extend_schema_view(**write_schemas(LocalityFocusSerializer))
class LocalityFocusViewSet(ContentViewSet):
    """Each locality's own focus areas for the plan's year."""

    model = LocalityFocus
    serializer_class = LocalityFocusSerializer
    filterset_class = LocalityFocusFilter
    search_fields = ["text"]
    ordering_fields = ["order"]
    ordering = ["plan_id", "locality__name", "order", "id"]

    def get_queryset(self):
        return super().get_queryset().select_related("locality")

    def create_through_services(self, values):
        plan = values.pop("plan")
        return services.add_locality_focus(plan, user=self.user, **values)

    def update_through_services(self, focus, values, expected_revision):
        return services.update_item(
            focus, user=self.user, expected_revision=expected_revision, **values
        )

    def destroy_through_services(self, focus):
        services.delete_item(focus, user=self.user)


# --- Success measures ---------------------------------------------------------------------


class SuccessMeasureSerializer(serializers.ModelSerializer):
    plan = plan_field()
    priority = ScopedPrimaryKeyRelatedField(
        model=PriorityArea,
        required=False,
        allow_null=True,
        help_text="The priority of the same plan it measures, if any",
    )
    order = serializers.IntegerField(min_value=0, required=False)
    revision = revision_field()

    class Meta:
        model = SuccessMeasure
        fields = ["id", "plan", "priority", "key", "measure", "baseline", "aspiration", "source",
                  "order", "revision", "updated_at"]  # fmt: skip
        read_only_fields = ["key", "updated_at"]

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["plan"])
        return attrs


class SuccessMeasureFilter(PlanContentFilter):
    priority = IdFilter(field_name="priority_id", label="Priority id")

    class Meta:
        model = SuccessMeasure
        fields = ["plan", "ccg", "priority"]


@extend_schema_view(**write_schemas(SuccessMeasureSerializer))
class SuccessMeasureViewSet(ContentViewSet):
    """How the plan will know it worked: measures with their baseline and aspiration."""

    model = SuccessMeasure
    serializer_class = SuccessMeasureSerializer
    filterset_class = SuccessMeasureFilter
    search_fields = ["measure", "source"]
    ordering_fields = ["order"]
    ordering = ["plan_id", "order", "id"]

    def create_through_services(self, values):
        plan = values.pop("plan")
        return services.add_success_measure(plan, user=self.user, **values)

    def update_through_services(self, measure, values, expected_revision):
        return services.update_item(
            measure, user=self.user, expected_revision=expected_revision, **values
        )

    def destroy_through_services(self, measure):
        services.delete_item(measure, user=self.user)
