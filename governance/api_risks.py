"""`risks/`: the risk register and Governing Body Assurance Framework of each CCG.

Risks are internal: read through `Risk.objects.for_user(user)` (people of the CCG other than
scrutiny members, assurers, staff). Planning managers of the CCG (and staff) add and change
them through `governance.services_risks`, with the If-Match / `revision` check; `status`
closes and reopens a risk. `POST risks/<id>/review/` records a review: the new current
likelihood and consequence join the risk's score history. Scores and bands are worked out
from the matrix (`governance.risk_matrix`) with the CCG's bands (`current_band` is a code:
`low`, `moderate`, `high`, `extreme` on the default matrix). Lists filter by `ccg`, `status`,
`band` (the current band), `committee`, `min_score` (current) and `overdue_review`, and
come as CSV with `format=csv`.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.response import Response

from commissioning.api import ccg_field
from commissioning.api_csv import CSVListMixin
from commissioning.api_fields import ScopedPrimaryKeyRelatedField
from commissioning.api_filters import IdFilter
from plans.api_common import (
    CONFLICT,
    IF_MATCH,
    REFUSALS,
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    reject_changes_after_create,
    revision_field,
    write_schemas,
)
from plans.services.guards import check_revision
from priorities.models import PriorityArea

from . import risk_matrix
from . import services_risks as services
from .models import Committee, Risk, RiskAction, RiskReview, RiskStatus

BAND_SCHEMA = {
    "type": "string",
    "nullable": True,
    "readOnly": True,
    "example": "high",
    "description": "The score's band on the CCG's matrix: low, moderate, high or extreme on "
    "the default matrix (seed 002: Low 1-3, Moderate 4-6, High 8-12, Extreme 15-25)",
}


def _bands(serializer):
    book = serializer.context.get("bands")
    return book if book is not None else services.band_book()


@extend_schema_field(BAND_SCHEMA)
class BandField(serializers.Field):
    """The band code of a risk's inherent, current or target score."""

    def __init__(self, stage: str, **kwargs):
        self.stage = stage
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, risk):
        value = getattr(risk, f"{self.stage}_score")
        band = _bands(self.parent).band(risk.ccg_id, value)
        return band.code if band else None


def score_field(stage: str):
    return serializers.IntegerField(
        read_only=True, help_text=f"{stage.capitalize()} likelihood × consequence (1-25)"
    )


class RiskActionSerializer(serializers.ModelSerializer):
    complete = serializers.SerializerMethodField(help_text="Whether it has been done")

    class Meta:
        model = RiskAction
        fields = ["id", "text", "owner", "due_on", "done_on", "complete"]
        read_only_fields = fields

    def get_complete(self, item) -> bool:
        return item.done_on is not None


class RiskReviewSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(read_only=True, help_text="Likelihood × consequence")
    band = serializers.SerializerMethodField(help_text="The score's band code")
    reviewed_by = serializers.SerializerMethodField(help_text="Who recorded it, if known")

    class Meta:
        model = RiskReview
        fields = ["id", "reviewed_on", "likelihood", "consequence", "score", "band", "note",
                  "reviewed_by"]  # fmt: skip
        read_only_fields = fields

    def get_band(self, review) -> str | None:
        band = _bands(self).band(review.risk.ccg_id, review.score)
        return band.code if band else None

    def get_reviewed_by(self, review) -> str | None:
        return review.reviewed_by.get_username() if review.reviewed_by else None


class RiskSerializer(serializers.ModelSerializer):
    ccg = ccg_field(label="CCG")
    priority = ScopedPrimaryKeyRelatedField(
        model=PriorityArea,
        required=False,
        allow_null=True,
        help_text="Id of the linked priority (of one of the CCG's plans), if any",
    )
    committee = ScopedPrimaryKeyRelatedField(
        model=Committee,
        required=False,
        allow_null=True,
        help_text="Id of the reviewing committee (one of the CCG's), if any",
    )
    inherent_score = score_field("inherent")
    inherent_band = BandField("inherent")
    current_score = score_field("current")
    current_band = BandField("current")
    target_score = score_field("target")
    target_band = BandField("target")
    escalated = serializers.SerializerMethodField(
        help_text=f"The current score is {risk_matrix.ESCALATION_SCORE} or more: the risk "
        "goes to the governing body"
    )
    review_overdue = serializers.SerializerMethodField(
        help_text="Open, and its next review date has passed"
    )
    status = serializers.ChoiceField(
        choices=RiskStatus.choices,
        required=False,
        help_text="open or closed; change it to close or reopen the risk",
    )
    actions = RiskActionSerializer(many=True, read_only=True)
    reviews = RiskReviewSerializer(
        many=True, read_only=True, help_text="The score history: each review, oldest first"
    )
    revision = revision_field()

    class Meta:
        model = Risk
        fields = [
            "id", "ccg", "reference", "title", "strategic_objective", "priority", "cause",
            "event", "effect", "owner", "committee",
            "inherent_likelihood", "inherent_consequence", "inherent_score", "inherent_band",
            "current_likelihood", "current_consequence", "current_score", "current_band",
            "target_likelihood", "target_consequence", "target_score", "target_band",
            "escalated", "key_controls", "internal_assurance", "external_assurance",
            "gaps_in_control", "gaps_in_assurance", "last_reviewed_on", "next_review_on",
            "review_overdue", "status", "illustrative", "actions", "reviews", "revision",
        ]  # fmt: skip
        read_only_fields = ["last_reviewed_on", "illustrative"]
        extra_kwargs = {
            "reference": {"required": False, "allow_blank": True,
                          "help_text": "Unique in the CCG; R01, R02 ... when left out"},
        }  # fmt: skip
        validators = []  # the services name a duplicate reference in words

    def get_escalated(self, risk) -> bool:
        return risk_matrix.is_escalated(risk.current_score)

    def get_review_overdue(self, risk) -> bool:
        return (
            risk.status == RiskStatus.OPEN
            and risk.next_review_on is not None
            and risk.next_review_on < timezone.localdate()
        )

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg"])
        if self.instance is None and attrs.get("status", RiskStatus.OPEN) != RiskStatus.OPEN:
            raise serializers.ValidationError({"status": "A new risk is open."})
        return attrs


class RiskCsvSerializer(RiskSerializer):
    """A register row for a spreadsheet: everything but the nested actions and reviews."""

    class Meta(RiskSerializer.Meta):
        fields = [name for name in RiskSerializer.Meta.fields
                  if name not in ("actions", "reviews", "revision")]  # fmt: skip


class RiskReviewRequestSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField(
        min_value=1, max_value=5, help_text="The current likelihood now (1-5)"
    )
    consequence = serializers.IntegerField(
        min_value=1, max_value=5, help_text="The current consequence now (1-5)"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reviewed_on = serializers.DateField(required=False, help_text="Default: today")
    next_review_on = serializers.DateField(
        required=False, allow_null=True, help_text="Default: three months after the review"
    )
    revision = revision_field()


class RiskFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")
    status = filters.ChoiceFilter(choices=RiskStatus.choices)
    band = filters.CharFilter(method="filter_band", label="Current band code (e.g. extreme)")
    committee = IdFilter(field_name="committee_id", label="Reviewing committee id")
    min_score = filters.NumberFilter(
        field_name="score_now", lookup_expr="gte", label="Current score at least this"
    )
    overdue_review = filters.BooleanFilter(
        method="filter_overdue", label="Open risks whose next review date has passed"
    )

    class Meta:
        model = Risk
        fields = ["ccg", "status", "band", "committee", "min_score", "overdue_review"]

    def filter_band(self, queryset, name, value):
        return queryset.filter(services.band_book().score_ranges(value.strip().lower()))

    def filter_overdue(self, queryset, name, value):
        overdue = {"status": RiskStatus.OPEN, "next_review_on__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class RiskOrdering(OrderingFilter):
    """Orders by the annotated current score when asked for `current_score`."""

    NAMES = {"current_score": "score_now"}

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        return [self._mapped(term) for term in ordering] if ordering else ordering

    def _mapped(self, term):
        if not isinstance(term, str):
            return term
        descending = term.startswith("-")
        name = self.NAMES.get(term.lstrip("-"), term.lstrip("-"))
        return f"-{name}" if descending else name


_conflicts = {**REFUSALS, 409: CONFLICT, 412: CONFLICT}


@extend_schema_view(**write_schemas(RiskSerializer, verbs=("create", "update",
                                                           "partial_update")))  # fmt: skip
class RiskViewSet(
    CSVListMixin,
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Risks of the register: cause, event and effect, inherent / current / target likelihood
    × consequence with their scores and bands, controls, sources of assurance, gaps, review
    dates, actions and the score history. Internal to the CCG (not for scrutiny members)."""

    serializer_class = RiskSerializer
    csv_serializer_class = RiskCsvSerializer
    filterset_class = RiskFilter
    filter_backends = [filters.DjangoFilterBackend, SearchFilter, RiskOrdering]
    search_fields = ["reference", "title", "cause", "event", "effect", "owner",
                     "strategic_objective"]  # fmt: skip
    ordering_fields = ["reference", "current_score", "next_review_on", "last_reviewed_on"]
    ordering = ["ccg__ods_code", "reference", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    fixed_fields = ("ccg",)
    csv_filename = "risk-register"

    def get_queryset(self):
        user = self.request.user
        risks = (
            Risk.objects.for_user(user)
            .select_related("ccg")
            .annotate(score_now=services.score_now())
        )
        if self.wants_csv():
            return risks
        reviews = RiskReview.objects.for_user(user).select_related("reviewed_by", "risk")
        return risks.prefetch_related(
            Prefetch("actions", queryset=RiskAction.objects.for_user(user)),
            Prefetch("reviews", queryset=reviews.order_by("reviewed_on", "pk")),
        )

    @cached_property
    def bands(self):
        return services.band_book()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "bands": self.bands}

    def fresh(self, risk):
        return self.get_queryset().get(pk=risk.pk)

    @transaction.atomic
    def create_through_services(self, values):
        values.pop("status", None)
        ccg = values.pop("ccg")
        return self.fresh(services.create_risk(ccg, user=self.request.user, **values))

    @transaction.atomic
    def update_through_services(self, risk, values, expected_revision):
        user = self.request.user
        status = values.pop("status", risk.status)
        if status == RiskStatus.OPEN and risk.status == RiskStatus.CLOSED:
            services.reopen_risk(risk, user=user, expected_revision=expected_revision)
            expected_revision = None
        if values:
            services.update_risk(risk, user=user, expected_revision=expected_revision, **values)
            expected_revision = None
        if status == RiskStatus.CLOSED and risk.status == RiskStatus.OPEN:
            services.close_risk(risk, user=user, expected_revision=expected_revision)
            expected_revision = None
        # Nothing to change (`{}`, or the status it has): a stale revision is still refused.
        check_revision(risk, expected_revision)
        return self.fresh(risk)

    @extend_schema(
        request=RiskReviewRequestSerializer,
        parameters=[IF_MATCH],
        responses={
            200: RiskSerializer,
            **_conflicts,
            404: OpenApiResponse(description="Not found"),
        },
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Record a review: the current likelihood and consequence now (they join the score
        history), a note, the review date and the next review date."""
        risk = self.get_object()
        serializer = RiskReviewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        expected = self.expected_revision(values)
        services.review_risk(risk, user=request.user, expected_revision=expected, **values)
        risk = self.fresh(risk)
        return self.with_etag(Response(self.get_serializer(risk).data), risk)


def register_api() -> None:
    from commissioning.api_registry import register

    register("risks", RiskViewSet, basename="risk")
