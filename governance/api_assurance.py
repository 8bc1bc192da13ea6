"""`assurance-checkpoints/`: NHS England's quarterly assurance checkpoints of CCGs, each with
its balanced scorecard results, findings by area and agreed actions nested in it.

Read by the CCG's internal roles (planning managers, governing body members, viewers),
assurers and staff; scrutiny members and other CCGs see none. Written by assurers (any CCG)
and staff, through `governance.services_assurance`.

The parts are written with their checkpoint: a `scorecard`, `findings` or `actions` list in a
POST gives the new checkpoint those parts; in a PATCH it sets that list whole: an item with
the `id` of one of the checkpoint's parts changes that part, an item without an `id` adds
one, and parts left out are deleted (the list's order is the parts' order). A PATCH without
the list leaves those parts alone. Filters: `ccg` (ODS code), `year` (`2013/14`), `quarter`,
`rating`, `rating_scheme`; `format=csv` gives every filtered checkpoint, one row each.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from commissioning.api_csv import CSVListMixin
from commissioning.years import FinancialYear
from plans.api_common import (
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceDestroyMixin,
    ServiceUpdateMixin,
    reject_changes_after_create,
    revision_field,
    write_schemas,
)
from plans.api_plans import YearField

from . import services_assurance as services
from .api_common import ccg_code_field
from .forms_assurance import MET_WORDS
from .models import (
    AgreedAction,
    AssuranceCheckpoint,
    Finding,
    RatingScheme,
    ScorecardResult,
)

PART_ID_HELP = "Send the id of an existing part to change it; leave it out to add a part"


class ScorecardResultSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text=PART_ID_HELP)
    met = serializers.BooleanField(
        allow_null=True, required=False, help_text="true met, false not met, null not assessed"
    )
    met_text = serializers.SerializerMethodField(help_text="Met, Not met or Not assessed")

    class Meta:
        model = ScorecardResult
        fields = ["id", "metric", "target", "result", "met", "met_text"]

    def get_met_text(self, result) -> str:
        return MET_WORDS[result.met]


class FindingSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text=PART_ID_HELP)

    class Meta:
        model = Finding
        fields = ["id", "area", "text"]


class AgreedActionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False, help_text=PART_ID_HELP)
    overdue = serializers.SerializerMethodField(help_text="Not done and its due date has passed")

    class Meta:
        model = AgreedAction
        fields = ["id", "text", "owner", "due_on", "done_on", "overdue"]

    def get_overdue(self, action) -> bool:
        return bool(not action.done_on and action.due_on and action.due_on < _today(self))


def _today(serializer):
    root = serializer.root
    if not hasattr(root, "_today"):
        root._today = timezone.localdate()
    return root._today


class AssuranceCheckpointSerializer(serializers.ModelSerializer):
    ccg = ccg_code_field()
    year = YearField(help_text="The financial year, e.g. 2013/14")
    quarter = serializers.ChoiceField(choices=[1, 2, 3, 4], help_text="1 to 4")
    rating_scheme = serializers.ChoiceField(
        choices=RatingScheme.choices,
        required=False,
        help_text="Default: the scheme of the year (2013/14 to 2015/16 assurance-2013; from "
        "2016/17 iaf-2016)",
    )
    rating = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A rating of the scheme (2013/14: Assured, Assured with support, Not "
        "assured; 2016/17 on: Outstanding, Good, Requires improvement, Inadequate); empty "
        "when none is given",
    )
    scorecard = ScorecardResultSerializer(many=True, required=False)
    findings = FindingSerializer(many=True, required=False)
    actions = AgreedActionSerializer(many=True, required=False)
    revision = revision_field()

    class Meta:
        model = AssuranceCheckpoint
        fields = ["id", "ccg", "year", "quarter", "held_on", "assessor", "rating_scheme",
                  "rating", "summary", "letter_date", "source_note", "revision", "scorecard",
                  "findings", "actions"]  # fmt: skip
        validators: list = []  # the services name a second checkpoint of a quarter in words

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg", "year", "quarter"])
        return attrs


class AssuranceCheckpointCsvSerializer(serializers.ModelSerializer):
    """One row per checkpoint, for a spreadsheet: the scorecard in words, counts of the rest."""

    ccg = serializers.CharField(source="ccg.ods_code", label="CCG")
    ccg_name = serializers.CharField(source="ccg.name", label="CCG name")
    year = YearField()
    scorecard = serializers.SerializerMethodField(label="Scorecard")
    targets_met = serializers.SerializerMethodField(label="Targets met")
    findings = serializers.SerializerMethodField(label="Findings")
    open_actions = serializers.SerializerMethodField(label="Open actions")
    overdue_actions = serializers.SerializerMethodField(label="Overdue actions")

    class Meta:
        model = AssuranceCheckpoint
        fields = ["id", "ccg", "ccg_name", "year", "quarter", "held_on", "assessor",
                  "rating_scheme", "rating", "letter_date", "scorecard", "targets_met",
                  "findings", "open_actions", "overdue_actions", "source_note"]  # fmt: skip

    def get_scorecard(self, checkpoint) -> list[str]:
        return [
            f"{r.metric} (target {r.target or 'not stated'}): {MET_WORDS[r.met]}"
            for r in checkpoint.scorecard.all()
        ]

    def get_targets_met(self, checkpoint) -> str:
        results = list(checkpoint.scorecard.all())
        return f"{sum(1 for r in results if r.met is True)} of {len(results)}"

    def get_findings(self, checkpoint) -> int:
        return len(checkpoint.findings.all())

    def get_open_actions(self, checkpoint) -> int:
        return sum(1 for a in checkpoint.actions.all() if not a.done_on)

    def get_overdue_actions(self, checkpoint) -> int:
        today = _today(self)
        return sum(1 for a in checkpoint.actions.all()
                   if not a.done_on and a.due_on and a.due_on < today)  # fmt: skip


class AssuranceCheckpointFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")
    year = filters.CharFilter(method="filter_year", label="Financial year, e.g. 2013/14")
    quarter = filters.ChoiceFilter(choices=[(q, str(q)) for q in (1, 2, 3, 4)])
    rating = filters.CharFilter(field_name="rating", lookup_expr="iexact",
                                label="Rating, e.g. Assured with support")  # fmt: skip
    rating_scheme = filters.ChoiceFilter(choices=RatingScheme.choices)

    class Meta:
        model = AssuranceCheckpoint
        fields = ["ccg", "year", "quarter", "rating", "rating_scheme"]

    def filter_year(self, queryset, name, value):
        try:
            year = FinancialYear.parse(value)
        except ValueError as error:
            raise ValidationError({"year": str(error)}) from None
        return queryset.filter(year=year)


@extend_schema_view(**write_schemas(AssuranceCheckpointSerializer,
                                    verbs=("create", "partial_update", "destroy")))  # fmt: skip
class AssuranceCheckpointViewSet(
    CSVListMixin,
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ServiceDestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """NHS England assurance checkpoints of CCGs with their scorecard, findings and agreed
    actions (nested; written with the checkpoint). Assurers and staff write; `format=csv`
    gives every filtered checkpoint."""

    serializer_class = AssuranceCheckpointSerializer
    csv_serializer_class = AssuranceCheckpointCsvSerializer
    filterset_class = AssuranceCheckpointFilter
    ordering_fields = ["year", "quarter", "held_on"]
    ordering = ["ccg__ods_code", "-year", "-quarter", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    fixed_fields = ("ccg", "year", "quarter")

    def get_queryset(self):
        return (
            AssuranceCheckpoint.objects.for_user(self.request.user)
            .select_related("ccg")
            .prefetch_related(Prefetch("scorecard"), Prefetch("findings"), Prefetch("actions"))
        )

    def _fresh(self, checkpoint):
        return self.get_queryset().get(pk=checkpoint.pk)

    def create_through_services(self, values):
        ccg = values.pop("ccg")
        return self._fresh(services.create_checkpoint(ccg, user=self.request.user, **values))

    def update_through_services(self, checkpoint, values, expected_revision):
        return self._fresh(services.update_checkpoint(
            checkpoint, user=self.request.user, expected_revision=expected_revision, **values
        ))  # fmt: skip

    def destroy_through_services(self, checkpoint):
        services.delete_checkpoint(checkpoint, user=self.request.user)


def register_api() -> None:
    from commissioning.api_registry import register

    register("assurance-checkpoints", AssuranceCheckpointViewSet, basename="assurance-checkpoint")
