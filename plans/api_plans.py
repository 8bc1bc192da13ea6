"""`plans/`: plans, their lifecycle moves, annual refresh, frozen versions and diffs."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from commissioning.api import FinancialYearSerializerField, ccg_field
from commissioning.api_filters import IdFilter
from commissioning.years import FinancialYear

from . import services
from .api_common import (
    ERROR,
    REFUSALS,
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    reject_changes_after_create,
    revision_field,
    write_schemas,
)
from .api_diff import DIFF_PARAMETERS, PlanDiffSerializer, plan_diff
from .models import Plan, PlanKind, PlanState, PlanVersion


@extend_schema_field({"type": "string", "example": "2015/16", "pattern": r"^\d{4}/\d{2}$"})
class YearField(FinancialYearSerializerField):
    """A financial year as its label, `2015/16`."""


class PlanFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")
    kind = filters.ChoiceFilter(choices=PlanKind.choices)
    state = filters.ChoiceFilter(choices=PlanState.choices)
    year = filters.CharFilter(
        method="filter_year", label="A financial year the plan's period includes, e.g. 2016/17"
    )
    refreshes = IdFilter(field_name="refreshes_id", label="The plan refreshed")

    class Meta:
        model = Plan
        fields = ["ccg", "kind", "state", "year", "refreshes", "is_public"]

    def filter_year(self, queryset, name, value):
        try:
            year = FinancialYear.parse(value)
        except ValueError as error:
            raise ValidationError({"year": str(error)}) from None
        return queryset.filter(first_year__lte=year, last_year__gte=year)


class PlanSerializer(serializers.ModelSerializer):
    ccg = ccg_field()
    first_year = YearField()
    last_year = YearField()
    period = serializers.CharField(source="period_label", read_only=True, help_text="2015-19")
    draft_number = serializers.IntegerField(
        min_value=1, required=False, help_text='The draft being worked on ("Draft 5"); '
        "set only when the plan is created, afterwards the lifecycle counts it"
    )  # fmt: skip
    version_label = serializers.CharField(read_only=True, help_text='"Draft 5" or "Final"')
    refreshes = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The plan this one refreshes"
    )
    revision = revision_field()

    class Meta:
        model = Plan
        fields = [
            "id",
            "ccg",
            "kind",
            "title",
            "first_year",
            "last_year",
            "period",
            "summary",
            "vision",
            "mission",
            "state",
            "draft_number",
            "version_label",
            "is_public",
            "refreshes",
            "revision",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "created_at", "updated_at"]

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg", "draft_number"])
        return attrs


class VersionSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = PlanVersion
        fields = ["number", "label", "from_state", "to_state", "note", "created_by", "created_at"]


class VersionDetailSerializer(VersionSerializer):
    content = serializers.JSONField(
        read_only=True, help_text="The plan and every collection, as frozen"
    )

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "content"]


CONSULTATION_FIELDS = (
    "opens_on",
    "closes_on",
    "purpose",
    "invited_users",
    "invited_partners",
    "invited_localities",
)


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=PlanState.choices, help_text="The state to move to")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    opens_on = serializers.DateField(required=False, help_text="Opening consultation: from")
    closes_on = serializers.DateField(required=False, help_text="Opening consultation: until")
    purpose = serializers.CharField(required=False, allow_blank=True)
    invited_users = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Usernames"
    )
    invited_partners = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Partner ids"
    )
    invited_localities = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Locality ids"
    )

    def validate(self, attrs):
        window = [name for name in CONSULTATION_FIELDS if name in attrs]
        if attrs["to"] == PlanState.CONSULTATION:
            missing = {
                name: f"Give the date the consultation {verb}."
                for name, verb in (("opens_on", "opens"), ("closes_on", "closes"))
                if name not in attrs
            }
            if missing:
                raise ValidationError(missing)
        elif window:
            raise ValidationError(
                {window[0]: "Consultation details are given only when opening consultation."}
            )
        return attrs


class TransitionResultSerializer(serializers.Serializer):
    plan = PlanSerializer()
    version = VersionSerializer(help_text="The version frozen by this move")


class RefreshSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True)
    first_year = YearField(required=False, help_text="Default: the year after the last refresh")


def _invitees(plan: Plan, usernames: list[str]) -> list:
    """The users named, each holding a role in the plan's CCG (others are refused alike, so
    the answer says nothing about who exists elsewhere)."""
    User = get_user_model()
    names = set(usernames)
    people = User.objects.filter(username__in=names, memberships__ccg=plan.ccg)  # access: CCG's own
    found = list(people.distinct())
    unknown = sorted(names - {user.get_username() for user in found})
    if unknown:
        raise ValidationError(
            {
                "invited_users": f"Only people with a role in {plan.ccg.display_name} can be "
                f"invited: {', '.join(unknown)}"
            }
        )
    return found


@extend_schema_view(
    **write_schemas(PlanSerializer, verbs=("create", "partial_update")),
    retrieve=extend_schema(
        description='The plan; its ETag (`"<revision>"`) goes in If-Match when saving.'
    ),
)
class PlanViewSet(
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Plans of CCGs. Withdrawing a plan is a lifecycle move (`transition/`), not a delete."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    search_fields = ["title", "summary"]
    ordering_fields = ["first_year", "last_year", "title", "state", "updated_at"]
    ordering = ["-first_year", "title", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    fixed_fields = ("ccg", "draft_number")

    def get_queryset(self):
        return Plan.objects.for_user(self.request.user).select_related("ccg")

    def create_through_services(self, values):
        return services.create_plan(user=self.request.user, **values)

    def update_through_services(self, plan, values, expected_revision):
        return services.update_plan(
            plan, user=self.request.user, expected_revision=expected_revision, **values
        )

    def _context(self):
        return self.get_serializer_context()

    @extend_schema(
        request=TransitionSerializer, responses={200: TransitionResultSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the plan to another state (a note says why); freezes a numbered version.
        Opening consultation takes its dates and who is invited."""
        plan = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        window = None
        if data["to"] == PlanState.CONSULTATION:
            window = {name: data[name] for name in CONSULTATION_FIELDS if name in data}
            window["invited_users"] = _invitees(plan, data.get("invited_users", []))
        version = services.transition(
            plan, user=request.user, to=data["to"], note=data["note"], consultation=window
        )
        body = {"plan": PlanSerializer(plan, context=self._context()).data}
        body["version"] = VersionSerializer(version).data
        return Response(body)

    @extend_schema(request=RefreshSerializer, responses={201: PlanSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def refresh(self, request, pk=None):
        """Start the annual refresh of a published multi-year plan: a new draft plan with a
        copy of this plan's content, linked to it."""
        plan = self.get_object()
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refresh = services.start_refresh(
            plan,
            user=request.user,
            title=serializer.validated_data.get("title", ""),
            first_year=serializer.validated_data.get("first_year"),
        )
        response = Response(
            PlanSerializer(refresh, context=self._context()).data, status=status.HTTP_201_CREATED
        )
        response["Location"] = reverse("api:plan-detail", args=[refresh.pk])
        return self.with_etag(response, refresh)

    def _versions(self, plan: Plan):
        return (
            PlanVersion.objects.for_user(self.request.user)
            .for_plan(plan)
            .select_related("created_by")
            .order_by("number")
        )

    @extend_schema(responses=VersionSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def versions(self, request, pk=None):
        """The plan's frozen versions, oldest first (scrutiny members see published ones)."""
        versions = self._versions(self.get_object()).defer("content")
        return Response(VersionSerializer(versions, many=True).data)

    @extend_schema(
        responses={200: VersionDetailSerializer, 404: ERROR},
        parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]+)",
        url_name="version-detail",
        filter_backends=[],
        pagination_class=None,
    )
    def version_detail(self, request, pk=None, number=None):
        """One frozen version with its content."""
        version = self._versions(self.get_object()).filter(number=int(number)).first()
        if version is None:
            raise NotFound(f"This plan has no version {int(number)} that you can see.")
        return Response(VersionDetailSerializer(version).data)

    @extend_schema(
        parameters=DIFF_PARAMETERS, responses={200: PlanDiffSerializer, 400: ERROR, 404: ERROR}
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def diff(self, request, pk=None):
        """What changed between two versions, a version and the live plan, or a refresh and
        its parent: plan fields, then each collection item by item, text word by word."""
        plan = self.get_object()
        return Response(
            PlanDiffSerializer(plan_diff(request.user, plan, request.query_params)).data
        )
