"""`priorities/`, `commitments/`, `actions/`: what a plan commits to, and the delivery tracker.

Rows are read through `for_user` (they follow their plan); every write goes through
`priorities.services` with the plan's lifecycle rules and the If-Match / `revision` check
(plans/api_common.py). Delivery status is not written here: it is the latest progress
update's (`progress-updates/`). `GET actions/?plan=<id>&format=csv` is the delivery tracker
as a spreadsheet, every filtered row on one sheet.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from commissioning.api_csv import CSVListMixin
from commissioning.api_fields import ScopedPrimaryKeyRelatedField
from commissioning.api_filters import IdFilter
from commissioning.models import Locality
from commissioning.years import FinancialYear
from plans.api_common import reject_changes_after_create, revision_field, write_schemas
from plans.api_content import ContentViewSet, plan_field

from . import delivery, services
from .models import (
    Action,
    Commitment,
    DeliveryStatus,
    DuePrecision,
    PriorityArea,
    ProgressUpdate,
    quarter_end,
)

STATUSES = [status.value for status in DeliveryStatus]
NOT_COMPLETE = [status for status in STATUSES if status != DeliveryStatus.COMPLETE]
RAG_CODES = list(dict.fromkeys(delivery.RAG[status].code for status in DeliveryStatus))


# --- Shared fields and filters ------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "enum": RAG_CODES,
        "readOnly": True,
        "description": "The delivery status's colour: grey not started, green on track, amber "
        "at risk, red off track, blue complete",
    }
)
class RagField(serializers.Field):
    """The RAG colour of the record's delivery status."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="status")
        super().__init__(**kwargs)

    def to_representation(self, status):
        return delivery.rag(status).code


class StatusField(serializers.ChoiceField):
    """The current delivery status, set by the latest progress update."""

    def __init__(self, **kwargs):
        kwargs.update(choices=DeliveryStatus.choices, read_only=True)
        kwargs.setdefault("help_text", "The latest progress update's status (not written here)")
        super().__init__(**kwargs)


def locality_field():
    return ScopedPrimaryKeyRelatedField(
        model=Locality,
        required=False,
        allow_null=True,
        help_text="A locality of the plan's CCG the record is about, if any",
    )


_QUARTER = re.compile(
    r"^\s*(?:(?P<year>\d{4}\s*/\s*\d{2,4})\s*Q(?P<q>[1-4])|Q(?P<q2>[1-4])\s*(?P<year2>\d{4}\s*/"
    r"\s*\d{2,4}))\s*$",
    re.IGNORECASE,
)


def parse_quarter(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a quarter written `2013/14 Q2` (or `Q2 2013/14`)."""
    match = _QUARTER.match(text or "")
    if not match:
        raise ValueError(f"'{text}' is not a quarter: write it like 2013/14 Q2")
    year = FinancialYear.parse(match.group("year") or match.group("year2"))
    quarter = int(match.group("q") or match.group("q2"))
    start = year.start if quarter == 1 else quarter_end(year, quarter - 1) + dt.timedelta(days=1)
    return start, quarter_end(year, quarter)


def _within(queryset, condition: Q):
    """Rows matching a condition across a to-many relation, without joining it into the
    query (so counts annotated later are not narrowed by the filter)."""
    return queryset.filter(pk__in=queryset.filter(condition).values("pk"))


# --- Priorities ---------------------------------------------------------------------------

ACTION_COUNTS_SCHEMA = {
    "type": "object",
    "readOnly": True,
    "description": "How many of the priority's actions are in each delivery status",
    "properties": {status: {"type": "integer"} for status in STATUSES},
    "required": STATUSES,
}


def annotate_action_counts(queryset):
    actions = "commitments__actions"
    counts = {
        f"actions_{status.replace('-', '_')}": Count(
            actions, filter=Q(commitments__actions__status=status)
        )
        for status in STATUSES
    }
    overdue = Q(
        commitments__actions__due_on__lt=timezone.localdate(),
        commitments__actions__status__in=NOT_COMPLETE,
    )
    return queryset.annotate(
        **counts, actions_total=Count(actions), actions_overdue=Count(actions, filter=overdue)
    )


class PrioritySerializer(serializers.ModelSerializer):
    plan = plan_field()
    order = serializers.IntegerField(min_value=0, required=False)
    action_counts = serializers.SerializerMethodField()
    actions_total = serializers.SerializerMethodField(help_text="Its actions")
    actions_overdue = serializers.SerializerMethodField(
        help_text="Its actions past their due date and not complete"
    )
    revision = revision_field()

    class Meta:
        model = PriorityArea
        fields = ["id", "plan", "key", "title", "objective", "end_state", "hwb_aims", "order",
                  "action_counts", "actions_total", "actions_overdue", "revision",
                  "updated_at"]  # fmt: skip
        read_only_fields = ["key", "updated_at"]

    def _statuses(self, priority) -> list[str]:
        """For a record read without the counts (a conflict's current version)."""
        request = self.context.get("request")
        actions = Action.objects.for_user(getattr(request, "user", None))
        return list(actions.filter(commitment__priority=priority).values_list("status", "due_on"))

    @extend_schema_field(ACTION_COUNTS_SCHEMA)
    def get_action_counts(self, priority) -> dict:
        if hasattr(priority, "actions_total"):
            return {s: getattr(priority, f"actions_{s.replace('-', '_')}") for s in STATUSES}
        return delivery.counts_by_status(status for status, _ in self._statuses(priority))

    def get_actions_total(self, priority) -> int:
        if hasattr(priority, "actions_total"):
            return priority.actions_total
        return len(self._statuses(priority))

    def get_actions_overdue(self, priority) -> int:
        if hasattr(priority, "actions_overdue"):
            return priority.actions_overdue
        today = timezone.localdate()
        return sum(delivery.is_overdue(due, s, today) for s, due in self._statuses(priority))

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["plan"])
        return attrs


class PriorityFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id", label="Plan id")
    ccg = filters.CharFilter(field_name="plan__ccg__ods_code", label="CCG ODS code")
    priority = IdFilter(field_name="id", label="Priority id")
    status = filters.ChoiceFilter(
        choices=DeliveryStatus.choices,
        method="filter_status",
        label="Has a commitment or action in this delivery status",
    )
    lead = filters.CharFilter(
        method="filter_lead", label="Has a commitment or action whose lead contains this"
    )
    locality = IdFilter(method="filter_locality", label="Has a commitment about this locality (id)")

    class Meta:
        model = PriorityArea
        fields = ["plan", "ccg", "priority", "status", "lead", "locality"]

    def filter_status(self, queryset, name, value):
        return _within(
            queryset, Q(commitments__status=value) | Q(commitments__actions__status=value)
        )

    def filter_lead(self, queryset, name, value):
        return _within(
            queryset,
            Q(commitments__lead__icontains=value) | Q(commitments__actions__lead__icontains=value),
        )

    def filter_locality(self, queryset, name, value):
        return _within(queryset, Q(commitments__locality_id=value))


@extend_schema_view(**write_schemas(PrioritySerializer))
class PriorityViewSet(ContentViewSet):
    """A plan's priority areas, with how their actions stand (counts by delivery status)."""

    model = PriorityArea
    serializer_class = PrioritySerializer
    filterset_class = PriorityFilter
    search_fields = ["title", "objective", "end_state"]
    ordering_fields = ["order", "title"]
    ordering = ["plan_id", "order", "id"]

    def filter_queryset(self, queryset):
        # Counted after filtering, so that filters across commitments do not narrow counts.
        return annotate_action_counts(super().filter_queryset(queryset))

    def fresh(self, priority):
        return annotate_action_counts(self.get_queryset()).get(pk=priority.pk)

    def create_through_services(self, values):
        plan = values.pop("plan")
        return self.fresh(services.add_priority(plan, user=self.user, **values))

    def update_through_services(self, priority, values, expected_revision):
        services.update_item(
            priority, user=self.user, expected_revision=expected_revision, **values
        )
        return self.fresh(priority)

    def destroy_through_services(self, priority):
        services.delete_item(priority, user=self.user)


# --- Commitments --------------------------------------------------------------------------


class CommitmentSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="priority.plan_id", read_only=True)
    priority = ScopedPrimaryKeyRelatedField(
        model=PriorityArea, help_text="The priority's id; set when created, never changed"
    )
    locality = locality_field()
    order = serializers.IntegerField(min_value=0, required=False)
    status = StatusField()
    rag = RagField()
    revision = revision_field()

    class Meta:
        model = Commitment
        fields = ["id", "plan", "priority", "key", "text", "lead", "locality", "order", "status",
                  "rag", "status_reported_on", "revision", "updated_at"]  # fmt: skip
        read_only_fields = ["key", "status_reported_on", "updated_at"]

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["priority"])
        return attrs


class CommitmentFilter(filters.FilterSet):
    plan = IdFilter(field_name="priority__plan_id", label="Plan id")
    ccg = filters.CharFilter(field_name="priority__plan__ccg__ods_code", label="CCG ODS code")
    priority = IdFilter(field_name="priority_id", label="Priority id")
    status = filters.ChoiceFilter(choices=DeliveryStatus.choices, label="Delivery status")
    lead = filters.CharFilter(lookup_expr="icontains", label="Lead contains")
    locality = IdFilter(field_name="locality_id", label="Locality id")

    class Meta:
        model = Commitment
        fields = ["plan", "ccg", "priority", "status", "lead", "locality"]


@extend_schema_view(**write_schemas(CommitmentSerializer))
class CommitmentViewSet(ContentViewSet):
    """The plan's "We will ..." commitments under each priority."""

    model = Commitment
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    fixed_fields = ("priority",)
    search_fields = ["text", "lead"]
    ordering_fields = ["order", "status", "lead"]
    ordering = ["priority__plan_id", "priority__order", "order", "id"]

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user).select_related(
            "priority__plan__ccg", "locality"
        )

    def create_through_services(self, values):
        priority = values.pop("priority")
        return services.add_commitment(priority, user=self.user, **values)

    def update_through_services(self, commitment, values, expected_revision):
        return services.update_item(
            commitment, user=self.user, expected_revision=expected_revision, **values
        )

    def destroy_through_services(self, commitment):
        services.delete_item(commitment, user=self.user)


# --- Actions and the delivery tracker -----------------------------------------------------


class ActionSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="commitment.priority.plan_id", read_only=True)
    priority = serializers.IntegerField(source="commitment.priority_id", read_only=True)
    commitment = ScopedPrimaryKeyRelatedField(
        model=Commitment, help_text="The commitment's id; set when created, never changed"
    )
    order = serializers.IntegerField(min_value=0, required=False)
    due_label = serializers.CharField(read_only=True, help_text='"Q2 2013/14" or "30 Sep 2013"')
    due_quarter = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text='The quarter it falls in, "2013/14 Q2". Write it instead of due_on for an '
        "action due in a quarter (due_on becomes the quarter's last day); blank for none",
    )
    status = StatusField()
    rag = RagField()
    overdue = serializers.SerializerMethodField(help_text="Past its due date and not complete")
    revision = revision_field()

    class Meta:
        model = Action
        fields = ["id", "plan", "priority", "commitment", "key", "text", "lead", "due_on",
                  "due_precision", "due_label", "due_quarter", "order", "status", "rag",
                  "overdue", "status_reported_on", "revision", "updated_at"]  # fmt: skip
        read_only_fields = ["key", "status_reported_on", "updated_at"]

    def get_overdue(self, action) -> bool:
        return delivery.is_overdue(action.due_on, action.status, timezone.localdate())

    def validate_due_on(self, value):
        """An action is due in a financial year it can be reported in (its quarter is shown)."""
        if value is not None:
            try:
                FinancialYear.containing(value)
            except ValueError:
                raise ValidationError(
                    f"{value:%d %B %Y} is not in a financial year an action can be due in."
                ) from None
        return value

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["commitment"])
        if "due_quarter" in attrs:
            text = attrs.pop("due_quarter").strip()
            if not text:
                due_on = None
            else:
                try:
                    due_on = parse_quarter(text)[1]
                except ValueError as error:
                    raise ValidationError({"due_quarter": str(error)}) from None
            if attrs.get("due_on", due_on) != due_on:
                raise ValidationError({"due_quarter": "Give a due date or a quarter, not both."})
            attrs["due_on"] = due_on
            attrs["due_precision"] = DuePrecision.QUARTER if due_on else DuePrecision.DATE
        return attrs


class TrackerRowSerializer(serializers.ModelSerializer):
    """One row of the delivery tracker spreadsheet."""

    priority = serializers.CharField(source="commitment.priority.title", label="Priority")
    commitment = serializers.CharField(source="commitment.text", label="Commitment")
    action = serializers.CharField(source="text", label="Action")
    lead = serializers.CharField(label="Lead")
    due = serializers.CharField(source="due_label", label="Due")
    status = serializers.CharField(source="get_status_display", label="Status")
    rag = serializers.SerializerMethodField(label="RAG")
    overdue = serializers.SerializerMethodField(label="Overdue")
    latest_update_on = serializers.DateField(label="Latest update", allow_null=True)
    latest_narrative = serializers.CharField(label="Latest narrative", allow_null=True)

    class Meta:
        model = Action
        fields = ["priority", "commitment", "action", "lead", "due", "status", "rag", "overdue",
                  "latest_update_on", "latest_narrative"]  # fmt: skip
        read_only_fields = fields

    def get_rag(self, action) -> str:
        return delivery.rag(action.status).label

    def get_overdue(self, action) -> str:
        overdue = delivery.is_overdue(action.due_on, action.status, timezone.localdate())
        return "Overdue" if overdue else ""


class ActionFilter(filters.FilterSet):
    plan = IdFilter(field_name="commitment__priority__plan_id", label="Plan id")
    ccg = filters.CharFilter(
        field_name="commitment__priority__plan__ccg__ods_code", label="CCG ODS code"
    )
    priority = IdFilter(field_name="commitment__priority_id", label="Priority id")
    commitment = IdFilter(field_name="commitment_id", label="Commitment id")
    status = filters.ChoiceFilter(choices=DeliveryStatus.choices, label="Delivery status")
    lead = filters.CharFilter(lookup_expr="icontains", label="Lead contains")
    locality = IdFilter(
        field_name="commitment__locality_id", label="Locality id (of the commitment)"
    )
    due_quarter = filters.CharFilter(
        method="filter_due_quarter", label="Due in this quarter, e.g. 2013/14 Q2"
    )
    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue")
    due_before = filters.DateFilter(
        field_name="due_on", lookup_expr="lte", label="Due on or before"
    )
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte", label="Due on or after")

    class Meta:
        model = Action
        fields = ["plan", "ccg", "priority", "commitment", "status", "lead", "locality",
                  "due_quarter", "overdue", "due_before", "due_after"]  # fmt: skip

    def filter_due_quarter(self, queryset, name, value):
        try:
            start, end = parse_quarter(value)
        except ValueError as error:
            raise ValidationError({"due_quarter": str(error)}) from None
        return queryset.filter(due_on__range=(start, end))

    def filter_overdue(self, queryset, name, value):
        overdue = Q(due_on__lt=timezone.localdate(), status__in=NOT_COMPLETE)
        return queryset.filter(overdue if value else ~overdue)


FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description="`csv`: the delivery tracker as a spreadsheet (every filtered row, no pages)",
)


@extend_schema_view(
    **write_schemas(ActionSerializer),
    list=extend_schema(
        parameters=[FORMAT],
        responses={
            (200, "application/json"): ActionSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="The delivery tracker: priority, commitment, action, lead, due, "
                "status, RAG, overdue, latest update date and narrative (UTF-8 with BOM)",
            ),
        },
    ),
)
class ActionViewSet(CSVListMixin, ContentViewSet):
    """Actions that deliver each commitment, with their due date or quarter and delivery
    status: the delivery tracker. `?format=csv` gives it as a spreadsheet."""

    model = Action
    serializer_class = ActionSerializer
    csv_serializer_class = TrackerRowSerializer
    filterset_class = ActionFilter
    fixed_fields = ("commitment",)
    search_fields = ["text", "lead", "commitment__text"]
    ordering_fields = ["due_on", "status", "lead", "order"]
    ordering = ["commitment__priority__plan_id", "commitment__priority__order",
                "commitment__order", "order", "id"]  # fmt: skip

    def get_queryset(self):
        user = self.request.user
        actions = self.model.objects.for_user(user).select_related(
            "commitment__priority__plan__ccg", "commitment__locality"
        )
        if self.wants_csv():
            latest = (
                ProgressUpdate.objects.for_user(user)
                .filter(action=OuterRef("pk"))
                .order_by("-reported_on", "-id")
            )
            actions = actions.annotate(
                latest_update_on=Subquery(latest.values("reported_on")[:1]),
                latest_narrative=Subquery(latest.values("narrative")[:1]),
            )
        return actions

    def get_csv_filename(self) -> str:
        plan = self.request.query_params.get("plan", "")
        return f"delivery-tracker-plan-{plan}.csv" if plan.isdigit() else "delivery-tracker.csv"

    def create_through_services(self, values):
        commitment = values.pop("commitment")
        return services.add_action(commitment, user=self.user, **values)

    def update_through_services(self, action, values, expected_revision):
        return services.update_item(
            action, user=self.user, expected_revision=expected_revision, **values
        )

    def destroy_through_services(self, action):
        services.delete_item(action, user=self.user)
