"""`programmes/`: transformational programmes of a CCG, spanning plans and years.

Read by anyone with a role in the CCG (their intentions follow each plan's readers); changed
by its planning managers through `priorities.services`, with the If-Match / `revision` check.
Linked commitments are written as a list of ids: the difference is linked and unlinked.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, viewsets

from commissioning.api import ccg_field
from commissioning.api_fields import ScopedPrimaryKeyRelatedField
from plans.api_common import (
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    reject_changes_after_create,
    revision_field,
    write_schemas,
)

from . import services
from .models import Commitment, Programme, ProgrammeIntention, ProgrammeMeasure


class IntentionSerializer(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title", read_only=True)

    class Meta:
        model = ProgrammeIntention
        fields = ["id", "plan", "plan_title", "text", "order"]
        read_only_fields = fields


class ProgrammeMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeMeasure
        fields = ["id", "text", "order"]
        read_only_fields = fields


class ProgrammeSerializer(serializers.ModelSerializer):
    ccg = ccg_field()
    order = serializers.IntegerField(min_value=0, required=False)
    commitments = ScopedPrimaryKeyRelatedField(
        model=Commitment,
        many=True,
        required=False,
        help_text="Ids of the commitments it delivers (of the programme's CCG's plans); "
        "writing the list links and unlinks the difference",
    )
    intentions = IntentionSerializer(
        many=True, read_only=True, help_text="What it intends in each plan you can read"
    )
    measures = ProgrammeMeasureSerializer(
        many=True, read_only=True, help_text="The measures that show it working"
    )
    revision = revision_field()

    class Meta:
        model = Programme
        fields = ["id", "ccg", "name", "lead", "description", "order", "commitments",
                  "intentions", "measures", "revision"]  # fmt: skip
        validators = []  # the services name a duplicate programme in words

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg"])
        return attrs


class ProgrammeFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")

    class Meta:
        model = Programme
        fields = ["ccg"]


@extend_schema_view(**write_schemas(ProgrammeSerializer, verbs=("create", "update",
                                                                 "partial_update")))  # fmt: skip
class ProgrammeViewSet(
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Transformational programmes (e.g. Diabetes, Dementia, End of Life): their lead, the
    commitments they deliver, their intentions in each plan and their measures."""

    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    search_fields = ["name", "lead", "description"]
    ordering_fields = ["order", "name"]
    ordering = ["ccg__ods_code", "order", "name", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    fixed_fields = ("ccg",)

    def get_queryset(self):
        user = self.request.user
        intentions = ProgrammeIntention.objects.for_user(user).select_related("plan")
        return (
            Programme.objects.for_user(user)
            .select_related("ccg")
            .prefetch_related(
                Prefetch("commitments", queryset=Commitment.objects.for_user(user)),
                Prefetch("intentions", queryset=intentions.order_by("plan_id", "order", "id")),
                Prefetch("measures", queryset=ProgrammeMeasure.objects.for_user(user)),
            )
        )

    def fresh(self, programme):
        return self.get_queryset().get(pk=programme.pk)

    def _link(self, programme, commitments) -> None:
        """Make the linked commitments the user can see exactly `commitments`."""
        wanted = {commitment.pk: commitment for commitment in commitments}
        visible = Commitment.objects.for_user(self.request.user)
        linked = {c.pk: c for c in visible.filter(programmes=programme)}
        for pk in sorted(set(linked) - set(wanted)):
            services.unlink_commitment(programme, linked[pk], user=self.request.user)
        for pk in sorted(set(wanted) - set(linked)):
            services.link_commitment(programme, wanted[pk], user=self.request.user)

    @transaction.atomic
    def create_through_services(self, values):
        commitments = values.pop("commitments", [])
        ccg = values.pop("ccg")
        programme = services.create_programme(ccg, user=self.request.user, **values)
        self._link(programme, commitments)
        return self.fresh(programme)

    @transaction.atomic
    def update_through_services(self, programme, values, expected_revision):
        commitments = values.pop("commitments", None)
        services.update_programme(
            programme, user=self.request.user, expected_revision=expected_revision, **values
        )
        if commitments is not None:
            self._link(programme, commitments)
        return self.fresh(programme)
