"""The committees and meetings API: `committees/`, `meetings/`, `agenda-items/`,
`resolutions/` and `meeting-actions/` (the action log).

Reads follow `for_user`: scrutiny members read committees that meet in public, their
meetings and only the public part of their agendas (and those items' resolutions); attendance,
the quorum check and the action log are internal. Lists filter by `ccg`, `committee`, a date
range (`date_from` / `date_to`: the meeting's date; an action's due date) and `status`, and
answer `format=csv` with every filtered row. Writes go through
`governance.services_meetings` (planning managers of the CCG; staff), with the If-Match /
`revision` check on records that carry a revision.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from commissioning.access import ccg_scope
from commissioning.api import ccg_field
from commissioning.api_concurrency import ConditionalRequestsMixin
from commissioning.api_csv import CSVListMixin
from commissioning.api_fields import LocalTimeField, ScopedPrimaryKeyRelatedField
from commissioning.api_filters import IdFilter
from commissioning.models import PartnerOrganisation
from plans.api_common import (
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceDestroyMixin,
    ServiceUpdateMixin,
    reject_changes_after_create,
    revision_field,
    write_schemas,
)
from plans.models import Plan

from . import action_log, quorum
from . import services_meetings as services
from .api_common import GovernanceApiMixin
from .models import (
    ActionStatus,
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingAction,
    MeetingStatus,
    Resolution,
)
from .queries import INTERNAL_ROLES

NO_DELETE = ("create", "update", "partial_update")


def _internal_ccgs(user) -> set[int] | None:
    """The CCGs whose internal records (attendance, actions) `user` reads; None: all."""
    scope = ccg_scope(user)
    return None if scope.everything else scope.ccg_ids(set(INTERNAL_ROLES))


def _reads_internal(context, ccg_id: int) -> bool:
    ccgs = context.get("internal_ccgs", set())
    return ccgs is None or ccg_id in ccgs


class InternalContextMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["internal_ccgs"] = _internal_ccgs(self.request.user)
        return context


def _date_filters():
    return (
        filters.DateFilter(field_name="date", lookup_expr="gte", label="On or after (YYYY-MM-DD)"),
        filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before (YYYY-MM-DD)"),
    )


# --- Committees ---------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = CommitteeMember
        fields = ["id", "person", "name", "title", "role", "category", "voting", "order"]
        read_only_fields = fields


class CommitteeSerializer(serializers.ModelSerializer):
    ccg = ccg_field()
    reports_to = ScopedPrimaryKeyRelatedField(
        model=Committee,
        required=False,
        allow_null=True,
        help_text="The committee it reports to (of the same CCG)",
    )
    partner = ScopedPrimaryKeyRelatedField(
        model=PartnerOrganisation,
        required=False,
        allow_null=True,
        help_text="Set when the committee is a partner's (a council's)",
    )
    order = serializers.IntegerField(min_value=0, required=False)
    members = MemberSerializer(many=True, read_only=True, help_text="Who sits on it")
    quorum_rules = serializers.SerializerMethodField(help_text="The quorum check's rules, in words")
    revision = revision_field()

    class Meta:
        model = Committee
        fields = ["id", "ccg", "name", "kind", "frequency", "duties", "quorum_members",
                  "quorum_requires_chair", "quorum_requires_lay_member", "quorum_requires_gp",
                  "quorum_note", "quorum_rules", "reports_to", "partner", "is_public",
                  "is_required", "order", "source_note", "members", "revision"]  # fmt: skip
        validators: list = []  # the services name a duplicate committee in words

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_quorum_rules(self, committee) -> list[str]:
        rules = quorum.rules_of(committee)
        lines = []
        if rules.members:
            lines.append(f"{rules.members} voting members present")
        if rules.requires_chair:
            lines.append("the chair or vice chair present")
        if rules.requires_lay_member:
            lines.append("a lay member present")
        if rules.requires_gp:
            lines.append("a GP member present")
        return lines

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["ccg"])
        return attrs


class CommitteeCsvSerializer(CommitteeSerializer):
    members = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_members(self, committee) -> str:
        return "; ".join(f"{m} ({m.get_role_display()})" for m in committee.members.all())


class CommitteeFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="ccg__ods_code", label="CCG ODS code")
    committee = IdFilter(field_name="id", label="Committee id")

    class Meta:
        model = Committee
        fields = ["ccg", "committee", "kind", "is_public", "is_required"]


@extend_schema_view(**write_schemas(CommitteeSerializer, verbs=NO_DELETE))
class CommitteeViewSet(
    CSVListMixin,
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """A CCG's governing body and committees: kind, frequency, duties, quorum (as the terms
    state it and as rules), reporting line, public or private, and membership."""

    serializer_class = CommitteeSerializer
    csv_serializer_class = CommitteeCsvSerializer
    filterset_class = CommitteeFilter
    search_fields = ["name", "duties"]
    ordering_fields = ["order", "name"]
    ordering = ["ccg__ods_code", "order", "name", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    fixed_fields = ("ccg",)

    def get_queryset(self):
        user = self.request.user
        members = CommitteeMember.objects.for_user(user).select_related("person")
        return (
            Committee.objects.for_user(user)
            .select_related("ccg")
            .prefetch_related(Prefetch("members", queryset=members))
        )

    def fresh(self, committee):
        return self.get_queryset().get(pk=committee.pk)

    def create_through_services(self, values):
        ccg = values.pop("ccg")
        return self.fresh(services.create_committee(ccg, user=self.request.user, **values))

    def update_through_services(self, committee, values, expected_revision):
        services.update_committee(
            committee, user=self.request.user, expected_revision=expected_revision, **values
        )
        return self.fresh(committee)


# --- Meetings -----------------------------------------------------------------------------------


class QuorumSerializer(serializers.Serializer):
    quorate = serializers.BooleanField()
    checked = serializers.BooleanField(help_text="False when there are no rules or attendance")
    voting_present = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="In plain words")


class AttendanceSerializer(serializers.ModelSerializer):
    member = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    name = serializers.SerializerMethodField()
    role = serializers.CharField(source="member.role", read_only=True, default="guest")

    class Meta:
        model = Attendance
        fields = ["id", "member", "name", "role", "present"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_name(self, row) -> str:
        return str(row.member) if row.member_id else row.name


class AttendanceWriteSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="A committee member's id")
    status = serializers.ChoiceField(
        choices=[services.PRESENT, services.APOLOGIES, services.NOT_RECORDED],
        help_text='"present", "apologies" or "" (not recorded)',
    )


class MeetingSerializer(serializers.ModelSerializer):
    committee = ScopedPrimaryKeyRelatedField(model=Committee, help_text="The committee's id")
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    ccg = serializers.CharField(source="committee.ccg.ods_code", read_only=True)
    attendance = serializers.SerializerMethodField(
        help_text="Who was present or sent apologies (people of the CCG, not scrutiny members)"
    )
    quorum = serializers.SerializerMethodField(help_text="The quorum check, from the attendance")
    record_attendance = AttendanceWriteSerializer(
        many=True,
        write_only=True,
        required=False,
        help_text="Set attendance: one entry a member; members not named are left as they are",
    )
    guests = serializers.ListField(
        child=serializers.CharField(max_length=200),
        write_only=True,
        required=False,
        help_text="Names of people in attendance who are not members (replaces the list)",
    )
    time = LocalTimeField(required=False, allow_null=True, help_text="Start time, UK local time")
    revision = revision_field()

    class Meta:
        model = Meeting
        fields = ["id", "committee", "committee_name", "ccg", "date", "time", "location",
                  "status", "title", "minutes_approved_on", "attendance", "quorum",
                  "record_attendance", "guests", "revision"]  # fmt: skip

    def _internal(self, meeting) -> bool:
        return _reads_internal(self.context, meeting.committee.ccg_id)

    # The nested serializers are made once for every row of a list (building one builds
    # its fields, which cost more than the row itself).
    @cached_property
    def _attendance(self):
        return AttendanceSerializer(many=True)

    @cached_property
    def _quorum(self):
        return QuorumSerializer()

    @extend_schema_field(AttendanceSerializer(many=True, allow_null=True))
    def get_attendance(self, meeting):
        if not self._internal(meeting):
            return None
        return self._attendance.to_representation(meeting.attendance.all())

    @extend_schema_field(QuorumSerializer(allow_null=True))
    def get_quorum(self, meeting):
        if not self._internal(meeting):
            return None
        result = quorum.check_meeting(meeting.committee, meeting.attendance.all())
        return self._quorum.to_representation(
            {
                "quorate": result.quorate,
                "checked": result.checked,
                "voting_present": result.voting_present,
                "reasons": result.reasons,
            }  # fmt: skip
        )

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["committee"])
        return attrs


class MeetingFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="committee__ccg__ods_code", label="CCG ODS code")
    committee = IdFilter(field_name="committee_id", label="Committee id")
    date_from, date_to = _date_filters()
    status = filters.ChoiceFilter(choices=MeetingStatus.choices)

    class Meta:
        model = Meeting
        fields = ["ccg", "committee", "date_from", "date_to", "status"]


@extend_schema_view(**write_schemas(MeetingSerializer, verbs=NO_DELETE))
class MeetingViewSet(
    InternalContextMixin,
    CSVListMixin,
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings of committees: date, time, location, status; attendance and the quorum check
    (internal). PATCH `record_attendance` ([{"member", "status"}]) and `guests` to record who
    was there."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["date"]
    ordering = ["-date", "-time", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    fixed_fields = ("committee",)

    def get_queryset(self):
        user = self.request.user
        attendance = Attendance.objects.for_user(user).select_related("member__person")
        return (
            Meeting.objects.for_user(user)
            .select_related("committee__ccg")
            .prefetch_related(Prefetch("attendance", queryset=attendance))
        )

    def fresh(self, meeting):
        return self.get_queryset().get(pk=meeting.pk)

    def _attendance(self, meeting, members, guests) -> None:
        if members is None and guests is None:
            return
        states = {row["member"]: row["status"] for row in members or []}
        services.record_attendance(meeting, user=self.request.user, members=states, guests=guests)

    @transaction.atomic
    def create_through_services(self, values):
        members, guests = values.pop("record_attendance", None), values.pop("guests", None)
        committee = values.pop("committee")
        meeting = services.create_meeting(committee, user=self.request.user, **values)
        self._attendance(meeting, members, guests)
        return self.fresh(meeting)

    @transaction.atomic
    def update_through_services(self, meeting, values, expected_revision):
        members, guests = values.pop("record_attendance", None), values.pop("guests", None)
        if values or expected_revision is not None:
            services.update_meeting(
                meeting, user=self.request.user, expected_revision=expected_revision, **values
            )
        self._attendance(meeting, members, guests)
        return self.fresh(meeting)


# --- Agenda items -------------------------------------------------------------------------------


class ResolutionInItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resolution
        fields = ["id", "number", "text"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.ModelSerializer):
    meeting = ScopedPrimaryKeyRelatedField(model=Meeting, help_text="The meeting's id")
    committee = serializers.IntegerField(source="meeting.committee_id", read_only=True)
    ccg = serializers.CharField(source="meeting.committee.ccg.ods_code", read_only=True)
    meeting_date = serializers.DateField(source="meeting.date", read_only=True)
    number = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text='"7", "7a"; empty: the next'
    )
    order = serializers.IntegerField(min_value=0, required=False)
    plan = ScopedPrimaryKeyRelatedField(
        model=Plan, required=False, allow_null=True, help_text="A plan of the CCG it concerns"
    )
    attachment = serializers.SerializerMethodField(help_text="Where to download the paper")
    resolutions = ResolutionInItemSerializer(
        many=True, read_only=True, help_text="Numbered through the meeting in agenda order"
    )
    revision = revision_field()

    class Meta:
        model = AgendaItem
        fields = ["id", "meeting", "committee", "ccg", "meeting_date", "number", "order",
                  "title", "presenters", "purpose", "part", "plan", "minutes", "paper_to",
                  "paper_date", "paper_from", "paper_subject", "paper_purpose",
                  "paper_key_issues", "paper_recommendations", "paper_author", "paper_contact",
                  "attachment", "resolutions", "revision"]  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_attachment(self, item):
        if not item.attachment:
            return None
        meeting = item.meeting
        ods = meeting.committee.ccg.ods_code
        return reverse(
            "agenda-item-paper", kwargs={"ods": ods, "pk": meeting.pk, "item_id": item.pk}
        )

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["meeting"])
        return attrs


class AgendaItemCsvSerializer(AgendaItemSerializer):
    resolutions = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_resolutions(self, item) -> str:
        return " ".join(f"({r.number}) {r.text}" for r in item.resolutions.all())


class AgendaItemFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="meeting__committee__ccg__ods_code", label="CCG ODS code")
    committee = IdFilter(field_name="meeting__committee_id", label="Committee id")
    meeting = IdFilter(field_name="meeting_id", label="Meeting id")
    date_from = filters.DateFilter(field_name="meeting__date", lookup_expr="gte",
                                   label="Meetings on or after (YYYY-MM-DD)")  # fmt: skip
    date_to = filters.DateFilter(field_name="meeting__date", lookup_expr="lte",
                                 label="Meetings on or before (YYYY-MM-DD)")  # fmt: skip
    status = filters.ChoiceFilter(
        field_name="meeting__status", choices=MeetingStatus.choices, label="The meeting's status"
    )

    class Meta:
        model = AgendaItem
        fields = ["ccg", "committee", "meeting", "date_from", "date_to", "status", "part",
                  "purpose", "plan"]  # fmt: skip


@extend_schema_view(**write_schemas(AgendaItemSerializer))
class AgendaItemViewSet(
    CSVListMixin,
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ServiceDestroyMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Agenda items with their purpose, part (public or private), presenters, linked plan,
    report cover sheet, minutes (Markdown) and resolutions. Scrutiny members see the public
    part only."""

    serializer_class = AgendaItemSerializer
    csv_serializer_class = AgendaItemCsvSerializer
    filterset_class = AgendaItemFilter
    search_fields = ["title", "minutes", "paper_subject"]
    ordering_fields = ["order"]
    ordering = ["-meeting__date", "meeting_id", "order", "id"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    fixed_fields = ("meeting",)

    def get_queryset(self):
        user = self.request.user
        return (
            AgendaItem.objects.for_user(user)
            .select_related("meeting__committee__ccg")
            .prefetch_related(Prefetch("resolutions", queryset=Resolution.objects.for_user(user)))
        )

    def fresh(self, item):
        return self.get_queryset().get(pk=item.pk)

    def create_through_services(self, values):
        meeting = values.pop("meeting")
        title = values.pop("title", "")
        item = services.add_agenda_item(meeting, user=self.request.user, title=title, **values)
        return self.fresh(item)

    def update_through_services(self, item, values, expected_revision):
        services.update_agenda_item(
            item, user=self.request.user, expected_revision=expected_revision, **values
        )
        return self.fresh(item)

    def destroy_through_services(self, item):
        services.delete_agenda_item(item, user=self.request.user)


# --- Resolutions --------------------------------------------------------------------------------


class ResolutionSerializer(serializers.ModelSerializer):
    item = ScopedPrimaryKeyRelatedField(model=AgendaItem, help_text="The agenda item's id")
    meeting = serializers.IntegerField(source="item.meeting_id", read_only=True)
    committee = serializers.IntegerField(source="item.meeting.committee_id", read_only=True)
    ccg = serializers.CharField(source="item.meeting.committee.ccg.ods_code", read_only=True)
    meeting_date = serializers.DateField(source="item.meeting.date", read_only=True)
    item_number = serializers.CharField(source="item.number", read_only=True)
    label = serializers.SerializerMethodField(help_text='"(1)": its number in the meeting')

    class Meta:
        model = Resolution
        fields = ["id", "item", "item_number", "meeting", "committee", "ccg", "meeting_date",
                  "number", "label", "text"]  # fmt: skip
        read_only_fields = ["number"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_label(self, resolution) -> str:
        return f"({resolution.number})"

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["item"])
        return attrs


class ResolutionFilter(filters.FilterSet):
    ccg = filters.CharFilter(
        field_name="item__meeting__committee__ccg__ods_code", label="CCG ODS code"
    )
    committee = IdFilter(field_name="item__meeting__committee_id",
                                     label="Committee id")  # fmt: skip
    meeting = IdFilter(field_name="item__meeting_id", label="Meeting id")
    date_from = filters.DateFilter(field_name="item__meeting__date", lookup_expr="gte",
                                   label="Meetings on or after (YYYY-MM-DD)")  # fmt: skip
    date_to = filters.DateFilter(field_name="item__meeting__date", lookup_expr="lte",
                                 label="Meetings on or before (YYYY-MM-DD)")  # fmt: skip
    status = filters.ChoiceFilter(field_name="item__meeting__status",
                                  choices=MeetingStatus.choices,
                                  label="The meeting's status")  # fmt: skip

    class Meta:
        model = Resolution
        fields = ["ccg", "committee", "meeting", "item", "date_from", "date_to", "status"]


@extend_schema_view(**write_schemas(ResolutionSerializer))
class ResolutionViewSet(
    ConditionalRequestsMixin,
    CSVListMixin,
    GovernanceApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    ServiceDestroyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Resolutions ("Resolved: (1) ... (2) ..."), numbered through each meeting in agenda
    order: adding or removing one renumbers the meeting's others."""

    serializer_class = ResolutionSerializer
    filterset_class = ResolutionFilter
    search_fields = ["text"]
    ordering = ["-item__meeting__date", "item__meeting_id", "number", "id"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    fixed_fields = ("item",)

    def get_queryset(self):
        return Resolution.objects.for_user(self.request.user).select_related(
            "item__meeting__committee__ccg"
        )

    def fresh(self, resolution):
        return self.get_queryset().get(pk=resolution.pk)

    def create_through_services(self, values):
        resolution = services.add_resolution(
            values["item"], user=self.request.user, text=values.get("text", "")
        )
        return self.fresh(resolution)

    def update_through_services(self, resolution, values, expected_revision):
        if "text" in values:
            services.update_resolution(resolution, user=self.request.user, text=values["text"])
        return self.fresh(resolution)

    def destroy_through_services(self, resolution):
        services.delete_resolution(resolution, user=self.request.user)


# --- Meeting actions ----------------------------------------------------------------------------


class MeetingActionSerializer(serializers.ModelSerializer):
    meeting = ScopedPrimaryKeyRelatedField(model=Meeting, help_text="The meeting that raised it")
    committee = serializers.IntegerField(source="committee_id", read_only=True)
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    ccg = serializers.CharField(source="committee.ccg.ods_code", read_only=True)
    meeting_date = serializers.DateField(source="meeting.date", read_only=True)
    item = ScopedPrimaryKeyRelatedField(
        model=AgendaItem, required=False, allow_null=True, help_text="An item of that meeting"
    )
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    overdue = serializers.SerializerMethodField(help_text="Open, and its due date has passed")
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    revision = revision_field()

    class Meta:
        model = MeetingAction
        fields = ["id", "committee", "committee_name", "ccg", "meeting", "meeting_date", "item",
                  "text", "owner", "due_on", "status", "closed_on", "note", "overdue",
                  "created_by", "revision"]  # fmt: skip

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, action) -> bool:
        return action_log.action_is_overdue(action, timezone.localdate())

    def validate(self, attrs):
        reject_changes_after_create(self, attrs, ["meeting"])
        return attrs


class MeetingActionFilter(filters.FilterSet):
    ccg = filters.CharFilter(field_name="committee__ccg__ods_code", label="CCG ODS code")
    committee = IdFilter(field_name="committee_id", label="Committee id")
    meeting = IdFilter(field_name="meeting_id", label="Raised at this meeting (id)")
    carried_to = IdFilter(method="filter_carried_to", label="Carried over to this meeting (id)")
    date_from = filters.DateFilter(field_name="due_on", lookup_expr="gte",
                                   label="Due on or after (YYYY-MM-DD)")  # fmt: skip
    date_to = filters.DateFilter(field_name="due_on", lookup_expr="lte",
                                 label="Due on or before (YYYY-MM-DD)")  # fmt: skip
    status = filters.ChoiceFilter(choices=ActionStatus.choices)
    overdue = filters.BooleanFilter(method="filter_overdue", label="Overdue only (true)")

    class Meta:
        model = MeetingAction
        fields = ["ccg", "committee", "meeting", "carried_to", "date_from", "date_to", "status",
                  "overdue"]  # fmt: skip

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = action_log.overdue(queryset, timezone.localdate())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

    def filter_carried_to(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        meeting = Meeting.objects.for_user(user).filter(pk=value).first()
        if meeting is None:
            return queryset.none()
        return action_log.carried_over(queryset, meeting)


@extend_schema_view(**write_schemas(MeetingActionSerializer, verbs=NO_DELETE))
class MeetingActionViewSet(
    CSVListMixin,
    PlanApiMixin,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """The action log: actions raised at meetings, with owner, due date and status (open,
    complete, dropped), carried from meeting to meeting until closed. Internal to the CCG
    (not scrutiny members). Close an action with PATCH `status`; it is never deleted."""

    serializer_class = MeetingActionSerializer
    filterset_class = MeetingActionFilter
    search_fields = ["text", "owner", "note"]
    ordering_fields = ["due_on", "id"]
    ordering = ["committee__ccg__ods_code", "committee_id", "due_on", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    fixed_fields = ("meeting",)

    def get_queryset(self):
        return MeetingAction.objects.for_user(self.request.user).select_related(
            "committee__ccg", "meeting", "created_by"
        )

    def fresh(self, action):
        return self.get_queryset().get(pk=action.pk)

    @transaction.atomic
    def create_through_services(self, values):
        meeting = values.pop("meeting")
        status = values.pop("status", ActionStatus.OPEN)
        closed_on = values.pop("closed_on", None)
        action = services.raise_action(meeting, user=self.request.user, **values)
        if status != ActionStatus.OPEN:
            action = services.close_action(action, user=self.request.user, status=status,
                                           on=closed_on)  # fmt: skip
        return self.fresh(action)

    def update_through_services(self, action, values, expected_revision):
        services.update_action(
            action, user=self.request.user, expected_revision=expected_revision, **values
        )
        return self.fresh(action)


def register_api() -> None:
    from commissioning.api_registry import register

    register("committees", CommitteeViewSet, basename="committee")
    register("meetings", MeetingViewSet, basename="meeting")
    register("agenda-items", AgendaItemViewSet, basename="agenda-item")
    register("resolutions", ResolutionViewSet, basename="resolution")
    register("meeting-actions", MeetingActionViewSet, basename="meeting-action")
