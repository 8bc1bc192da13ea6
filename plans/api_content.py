"""`sections/`, `plan-statements/`, `milestones/`: what is written in a plan, and its timeline.

Rows are read through `for_user`; every write goes through `plans.services` with the
plan's rules (planning managers, editable states) and the If-Match / `revision` check.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from commissioning.api_fields import ScopedPrimaryKeyRelatedField
from commissioning.api_filters import IdFilter

from . import services
from .api_common import (
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceDestroyMixin,
    ServiceUpdateMixin,
    reject_changes_after_create,
    revision_field,
    write_schemas,
)
from .markdown import render_markdown
from .models import Milestone, Plan, PlanStatement, Section, StatementKind


def plan_field():
    return ScopedPrimaryKeyRelatedField(
        model=Plan, help_text="The plan's id; set when created, never changed"
    )


class PlanContentFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id", label="Plan id")
    ccg = filters.CharFilter(field_name="plan__ccg__ods_code", label="CCG ODS code")


class ContentViewSet(
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ServiceDestroyMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """A plan's records: create, read, update (PATCH or PUT) and delete through services."""

    model = None
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user).select_related("plan__ccg")

    @property
    def user(self):
        return self.request.user


# --- Sections ----------------------------------------------------------------------------


class SectionSerializer(serializers.ModelSerializer):
    plan = plan_field()
    body = serializers.CharField(required=False, allow_blank=True, help_text="Markdown")
    body_html = serializers.SerializerMethodField(help_text="The body rendered, sanitised")
    order = serializers.IntegerField(min_value=0, required=False)
    revision = revision_field()

    class Meta:
        model = Section
        fields = ["id", "plan", "key", "title", "body", "body_html", "order", "revision",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["key", "updated_at"]

    @extend_schema_field(serializers.CharField())
    def get_body_html(self, section) -> str:
        return str(render_markdown(section.body))

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["plan"])
        return attrs


class SectionFilter(PlanContentFilter):
    class Meta:
        model = Section
        fields = ["plan", "ccg"]


@extend_schema_view(**write_schemas(SectionSerializer))
class SectionViewSet(ContentViewSet):
    """A plan's sections (foreword, introduction, ..., appendices), written in Markdown."""

    model = Section
    serializer_class = SectionSerializer
    filterset_class = SectionFilter
    search_fields = ["title", "body"]
    ordering_fields = ["order", "title"]
    ordering = ["plan_id", "order", "id"]

    def create_through_services(self, values):
        return services.add_section(values.pop("plan"), user=self.user, **values)

    def update_through_services(self, section, values, expected_revision):
        return services.update_section(
            section, user=self.user, expected_revision=expected_revision, **values
        )

    def destroy_through_services(self, section):
        services.delete_section(section, user=self.user)


# --- Statements: aims, values, principles, objectives -------------------------------------


class StatementSerializer(serializers.ModelSerializer):
    plan = plan_field()
    order = serializers.IntegerField(min_value=0, required=False)
    revision = revision_field()

    class Meta:
        model = PlanStatement
        fields = ["id", "plan", "key", "kind", "group", "title", "text", "order", "revision",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["key", "updated_at"]

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["plan"])
        return attrs


class StatementFilter(PlanContentFilter):
    kind = filters.ChoiceFilter(choices=StatementKind.choices)

    class Meta:
        model = PlanStatement
        fields = ["plan", "ccg", "kind"]


@extend_schema_view(**write_schemas(StatementSerializer))
class StatementViewSet(ContentViewSet):
    """A plan's short statements: strategic aims, values, principles and objectives."""

    model = PlanStatement
    serializer_class = StatementSerializer
    filterset_class = StatementFilter
    search_fields = ["title", "text", "group"]
    ordering_fields = ["kind", "order"]
    ordering = ["plan_id", "kind", "order", "id"]

    def create_through_services(self, values):
        return services.add_statement(values.pop("plan"), user=self.user, **values)

    def update_through_services(self, statement, values, expected_revision):
        return services.update_statement(
            statement, user=self.user, expected_revision=expected_revision, **values
        )

    def destroy_through_services(self, statement):
        services.delete_statement(statement, user=self.user)


# --- Milestones ---------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):
    plan = plan_field()
    overdue = serializers.SerializerMethodField(help_text="Due before today and not done")
    revision = revision_field()

    class Meta:
        model = Milestone
        fields = ["id", "plan", "title", "due_on", "done_on", "note", "overdue", "revision"]

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, milestone) -> bool:
        return milestone.is_overdue(timezone.localdate())

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["plan"])
        return attrs


class MilestoneFilter(PlanContentFilter):
    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue")

    class Meta:
        model = Milestone
        fields = ["plan", "ccg", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(done_on__isnull=True, due_on__lt=timezone.localdate())
        return queryset.filter(overdue if value else ~overdue)


@extend_schema_view(**write_schemas(MilestoneSerializer))
class MilestoneViewSet(ContentViewSet):
    """The plan's timeline: due and done dates (overdue ones flagged)."""

    model = Milestone
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    search_fields = ["title", "note"]
    ordering_fields = ["due_on", "done_on", "title"]
    ordering = ["plan_id", "due_on", "id"]

    def create_through_services(self, values):
        return services.add_milestone(values.pop("plan"), user=self.user, **values)

    def update_through_services(self, milestone, values, expected_revision):
        return services.update_milestone(
            milestone, user=self.user, expected_revision=expected_revision, **values
        )

    def destroy_through_services(self, milestone):
        services.delete_milestone(milestone, user=self.user)
