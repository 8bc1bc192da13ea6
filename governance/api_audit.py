"""`audit-events/`: the audit log of the CCGs a user reads it for (read only).

Each event is one recorded change (django-simple-history) to a CCG's plans, priorities,
finance, QIPP, risks, committees, meetings, roles or governing body seats: when, who, which
record, the kind of change and each changed field's old and new value. The same rows as the
page `/ccgs/<ods>/audit/` (governance.audit), newest first, for the CCG's governing body
members and planning managers (and staff); anyone else gets an empty list and 404 for an
event. Filters: `ccg` (ODS code), `since` and `until` (dates, inclusive), `kind`, `user` (an
id), `change` (created, changed, deleted). Paged like every list; `format=csv` or `xlsx`
gives every matching event, its field changes as text.
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from commissioning.api_concurrency import ConditionalRequestsMixin
from commissioning.api_filters import IdFilter
from commissioning.api_spreadsheets import spreadsheet_format
from commissioning.models import CCG

from . import audit


class AuditFieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name, e.g. current_likelihood")
    label = serializers.CharField(help_text="The field as the pages name it")
    old = serializers.CharField(help_text="The value before, as the pages show it")
    new = serializers.CharField(help_text="The value after")


class AuditEventSerializer(serializers.Serializer):
    id = serializers.CharField(help_text='The event: "<kind>-<history id>", e.g. risk-12')
    when = serializers.DateTimeField()
    who = serializers.CharField(help_text='The name of who made the change, or "system"')
    user = serializers.IntegerField(source="user_id", allow_null=True,
                                    help_text="Their user id; null for the system")  # fmt: skip
    username = serializers.CharField()
    ccg = serializers.CharField(source="ods", label="CCG", help_text="CCG ODS code")
    kind = serializers.ChoiceField(choices=audit.KIND_CHOICES)
    kind_label = serializers.CharField(label="Kind of record")
    record_id = serializers.IntegerField(help_text="The changed record's id")
    record = serializers.CharField(help_text="The record's name")
    url = serializers.CharField(allow_null=True, help_text="Its page, when it still exists")
    change = serializers.ChoiceField(choices=list(audit.CHANGE_TYPES))
    reason = serializers.CharField(help_text="The reason recorded with the change, if any")
    changes = AuditFieldChangeSerializer(many=True, help_text="Each changed field (a change only)")
    changes_text = serializers.CharField(
        label="Field changes", help_text="The changes as 'Field: old -> new; ...'"
    )
    unrecorded = serializers.BooleanField(
        help_text="A change with no earlier row to compare with (copied in bulk)"
    )


class AuditEventFilter(filters.FilterSet):
    """Checks the query; `governance.audit` applies it to every tracked table."""

    ccg = filters.CharFilter(label="CCG ODS code")
    since = filters.DateFilter(label="Changed on or after (YYYY-MM-DD)")
    until = filters.DateFilter(label="Changed on or before (YYYY-MM-DD)")
    kind = filters.ChoiceFilter(choices=audit.KIND_CHOICES, label="Kind of record")
    user = IdFilter(label="Changed by (user id)")
    change = filters.ChoiceFilter(choices=[(c, c) for c in audit.CHANGE_TYPES],
                                  label="Created, changed or deleted")  # fmt: skip


PARAMETERS = [
    OpenApiParameter("ccg", str, description="CCG ODS code"),
    OpenApiParameter("since", {"type": "string", "format": "date"},
                     description="Changed on or after (YYYY-MM-DD)"),
    OpenApiParameter("until", {"type": "string", "format": "date"},
                     description="Changed on or before (YYYY-MM-DD)"),
    OpenApiParameter("kind", str, enum=[slug for slug, _ in audit.KIND_CHOICES],
                     description="Kind of record"),
    OpenApiParameter("user", {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
                     description="Changed by (user id)"),
    OpenApiParameter("change", str, enum=list(audit.CHANGE_TYPES),
                     description="Created, changed or deleted"),
]  # fmt: skip


@extend_schema_view(
    list=extend_schema(parameters=PARAMETERS),
    retrieve=extend_schema(parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH)]),
)
class AuditEventViewSet(ConditionalRequestsMixin, viewsets.GenericViewSet):
    serializer_class = AuditEventSerializer
    filter_backends = []  # the filters are applied by governance.audit, across tables
    lookup_value_regex = r"[a-z-]+-\d+"
    csv_filename = "audit-events"

    def get_queryset(self):  # for the schema and the browsable API only
        return audit.Membership.history.none()

    def get_csv_columns(self):
        return [
            ("when", "When"), ("who", "Who"), ("username", "Username"), ("ccg", "CCG"),
            ("kind_label", "Kind of record"), ("record", "Record"), ("record_id", "Record id"),
            ("change", "Change"), ("changes_text", "Field changes"), ("reason", "Reason"),
            ("url", "Page"),
        ]  # fmt: skip

    def _filters(self) -> audit.AuditFilters:
        filterset = AuditEventFilter(self.request.query_params, queryset=self.get_queryset())
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        data = filterset.form.cleaned_data
        readable = audit.audit_ccg_ids(self.request.user)
        ids = None if readable is None else set(readable)
        ccgs = CCG.objects.for_user(self.request.user)
        if data.get("ccg"):
            chosen = ccgs.filter(ods_code=data["ccg"].upper()).values_list("pk", flat=True)
            ids = set(chosen) if ids is None else ids & set(chosen)
        self.ods_by_ccg = dict(
            (ccgs if ids is None else ccgs.filter(pk__in=ids))
            .values_list("pk", "ods_code")
        )  # fmt: skip
        return audit.AuditFilters(
            ccg_ids=None if ids is None else frozenset(ids),
            since=data.get("since"),
            until=data.get("until"),
            kinds=(data["kind"],) if data.get("kind") else (),
            user_id=data.get("user"),
            change=data.get("change") or "",
        )

    def _present(self, events) -> list:
        events = list(events)
        for event in events:
            event.ods = self.ods_by_ccg.get(event.ccg_id, "")
        return self.get_serializer(events, many=True).data

    def list(self, request, *args, **kwargs):
        filters_ = self._filters()
        if spreadsheet_format(request) is not None:  # every matching event, no pages
            return Response(self._present(audit.iter_events(filters_, self.ods_by_ccg)))
        index = audit.event_index(filters_)
        page = self.paginate_queryset(index)
        return self.get_paginated_response(self._present(audit.events_for(page, self.ods_by_ccg)))

    def retrieve(self, request, pk=None, *args, **kwargs):
        filters_ = self._filters()
        if filters_.ccg_ids is not None and not filters_.ccg_ids:
            raise exceptions.NotFound()
        event = audit.event_by_id(str(pk), filters_, self.ods_by_ccg)
        if event is None:
            raise exceptions.NotFound()
        return Response(self._present([event])[0])
