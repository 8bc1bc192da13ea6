"""`consultation-comments/`: stakeholders comment on a plan in consultation; the planning
manager responds and marks each comment accepted, partly accepted or not accepted (with
the reason). Creating is `services.add_comment`, PATCH is `services.respond_to_comment`."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from commissioning.api_fields import ScopedPrimaryKeyRelatedField
from commissioning.api_filters import IdFilter
from commissioning.models import Locality, PartnerOrganisation

from . import services
from .api_common import PlanApiMixin, ServiceCreateMixin, ServiceUpdateMixin, write_schemas
from .api_content import plan_field
from .models import ConsultationComment, Outcome


class CommentSerializer(serializers.ModelSerializer):
    plan = plan_field()
    consultation = serializers.PrimaryKeyRelatedField(read_only=True)
    target_collection = serializers.CharField(
        required=False, allow_blank=True, help_text='Blank for the whole plan, or "sections"'
    )
    target_key = serializers.UUIDField(
        required=False, allow_null=True, help_text="The key of the section (or other item)"
    )
    partner = ScopedPrimaryKeyRelatedField(
        model=PartnerOrganisation, required=False, allow_null=True
    )
    locality = ScopedPrimaryKeyRelatedField(model=Locality, required=False, allow_null=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    stakeholder = serializers.CharField(read_only=True, help_text="Who the comment is from")
    responded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    answered = serializers.BooleanField(source="is_answered", read_only=True)
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, allow_blank=True, read_only=True, help_text="Blank until answered"
    )
    revision = serializers.IntegerField(read_only=True)

    class Meta:
        model = ConsultationComment
        fields = [
            "id",
            "plan",
            "consultation",
            "target_collection",
            "target_key",
            "target_label",
            "stakeholder",
            "author",
            "on_behalf_of",
            "partner",
            "locality",
            "body",
            "created_at",
            "response",
            "outcome",
            "outcome_reason",
            "answered",
            "responded_by",
            "responded_at",
            "revision",
        ]
        read_only_fields = [
            "target_label",
            "created_at",
            "response",
            "outcome",
            "outcome_reason",
            "responded_at",
        ]


RESPONSE_FIELDS = ("response", "outcome", "outcome_reason")


class CommentResponseSerializer(serializers.Serializer):
    response = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    outcome_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Needed unless the comment is accepted"
    )
    revision = serializers.IntegerField(
        required=False, min_value=1, help_text="The revision the response started from"
    )

    def validate(self, attrs):
        others = sorted(set(self.initial_data) - {*RESPONSE_FIELDS, "revision"})
        if others:
            raise ValidationError(
                {
                    others[0]: "A comment cannot be changed: send response, outcome and "
                    "outcome_reason to respond to it."
                }  # fmt: skip
            )
        return attrs


class CommentFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id", label="Plan id")
    ccg = filters.CharFilter(field_name="plan__ccg__ods_code", label="CCG ODS code")
    outcome = filters.ChoiceFilter(choices=Outcome.choices)
    answered = filters.BooleanFilter(method="filter_answered", label="Has an outcome")

    class Meta:
        model = ConsultationComment
        fields = ["plan", "ccg", "outcome", "answered"]

    def filter_answered(self, queryset, name, value):
        return queryset.exclude(outcome="") if value else queryset.filter(outcome="")


@extend_schema_view(
    **write_schemas(
        CommentSerializer,
        verbs=("create", "partial_update"),
        update_request=CommentResponseSerializer,
    )
)
class CommentViewSet(
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Consultation comments on a plan, a section or another item, with their responses.
    Invited stakeholders comment while the consultation is open; planning managers record
    comments for others and respond (PATCH `response`, `outcome`, `outcome_reason`)."""

    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    search_fields = ["body", "response", "on_behalf_of"]
    ordering_fields = ["created_at", "responded_at"]
    ordering = ["plan_id", "created_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    update_serializer_class = CommentResponseSerializer

    def get_queryset(self):
        return ConsultationComment.objects.for_user(self.request.user).select_related(
            "plan__ccg", "author", "partner", "responded_by"
        )

    def create_through_services(self, values):
        plan = values.pop("plan")
        return services.add_comment(plan, user=self.request.user, **values)

    def update_through_services(self, comment, values, expected_revision):
        answer = {name: values.get(name, getattr(comment, name)) for name in RESPONSE_FIELDS}
        return services.respond_to_comment(
            comment, user=self.request.user, expected_revision=expected_revision, **answer
        )
