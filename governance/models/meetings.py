"""Committees, their members and meetings: agenda, minutes, numbered resolutions, action log.

Replaces the council-style minutes system. A committee belongs to a CCG (or is a partner's,
e.g. a council scrutiny commission or a Health and Wellbeing Board the CCG reports to)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ..queries import (
    AgendaItemQuerySet,
    AttendanceQuerySet,
    CommitteeMemberQuerySet,
    CommitteeQuerySet,
    MeetingActionQuerySet,
    MeetingQuerySet,
    ResolutionQuerySet,
)


class CommitteeKind(models.TextChoices):
    GOVERNING_BODY = "governing-body", "Governing body"
    AUDIT = "audit", "Audit committee"
    REMUNERATION = "remuneration", "Remuneration committee"
    FINANCE_PERFORMANCE = "finance-performance", "Finance and performance"
    QUALITY = "quality", "Quality and patient safety"
    PRIMARY_CARE = "primary-care", "Primary care"
    MANAGEMENT_TEAM = "management-team", "Management team"
    FORUM = "forum", "Forum"
    HEALTH_AND_WELLBEING_BOARD = "health-and-wellbeing-board", "Health and Wellbeing Board"
    SCRUTINY = "scrutiny", "Scrutiny committee"
    OTHER = "other", "Other"


class Committee(models.Model):
    ccg = models.ForeignKey("commissioning.CCG", on_delete=models.PROTECT,
                            related_name="committees")  # fmt: skip
    partner = models.ForeignKey(
        "commissioning.PartnerOrganisation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="committees", help_text="Set when the committee is a partner's (a council's)",
    )  # fmt: skip
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=CommitteeKind.choices)
    frequency = models.CharField(max_length=120, blank=True, help_text='"Monthly", "Quarterly"')
    duties = models.TextField("duties / terms of reference", blank=True)
    quorum_members = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Voting members who must be present"
    )
    quorum_requires_chair = models.BooleanField(
        default=False, help_text="The chair (or vice chair) must be present"
    )
    quorum_requires_lay_member = models.BooleanField(default=False)
    quorum_requires_gp = models.BooleanField(default=False)
    quorum_note = models.TextField(blank=True, help_text="The quorum as the terms state it")
    reports_to = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="reporting_committees")  # fmt: skip
    is_public = models.BooleanField("meets in public", default=False)
    is_required = models.BooleanField(
        default=False, help_text="Required by statute (audit, remuneration)"
    )
    order = models.PositiveIntegerField(default=0)
    source_note = models.CharField(max_length=200, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = CommitteeQuerySet.as_manager()

    class Meta:
        ordering = ["ccg", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ccg", "name"], name="committee_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice-chair", "Vice chair"
    CORE = "core", "Core member"
    ADDITIONAL = "additional", "Additional member"
    IN_ATTENDANCE = "in-attendance", "In attendance"
    OBSERVER = "observer", "Observer"


class MemberCategory(models.TextChoices):
    GP = "gp", "GP"
    LAY = "lay", "Lay member"
    CLINICIAN = "clinician", "Other clinician"
    OFFICER = "officer", "Officer"
    PARTNER = "partner", "Partner representative"
    OTHER = "other", "Other"


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("commissioning.Person", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="committee_seats")  # fmt: skip
    title = models.CharField(
        max_length=200, blank=True, help_text="The seat as the terms name it, e.g. 'Lay member'"
    )
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.CORE)
    category = models.CharField(
        max_length=12, choices=MemberCategory.choices, default=MemberCategory.OTHER
    )
    voting = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()
    objects = CommitteeMemberQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "order", "id"]

    def __str__(self) -> str:
        return self.person.name if self.person_id else (self.title or "Vacant seat")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    time = models.TimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    title = models.CharField(max_length=200, blank=True, help_text="e.g. 'Supplementary agenda'")
    minutes_approved_on = models.DateField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "-date", "-time"]

    def __str__(self) -> str:
        return f"{self.committee.name}, {self.date:%-d %B %Y}"


class Attendance(models.Model):
    """Who was at a meeting (present) or sent apologies; quorum is checked from this."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="attendance")  # fmt: skip
    name = models.CharField(max_length=200, blank=True, help_text="Someone not a member")
    present = models.BooleanField(default=True)

    history = HistoricalRecords()
    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=models.Q(member__isnull=False),
                name="attendance_once_per_member",
            )
        ]

    def __str__(self) -> str:
        who = str(self.member) if self.member_id else self.name
        return f"{who} ({'present' if self.present else 'apologies'})"


class Purpose(models.TextChoices):
    DECISION = "decision", "For decision"
    APPROVAL = "approval", "For approval"
    ASSURANCE = "assurance", "For assurance"
    DISCUSSION = "discussion", "For discussion"
    NOTING = "noting", "For noting"
    INFORMATION = "information", "For information"


class Part(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    number = models.CharField(max_length=12, help_text='"1", "7a"')
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    presenters = models.CharField(max_length=300, blank=True)
    purpose = models.CharField(max_length=12, choices=Purpose.choices, default=Purpose.NOTING)
    part = models.CharField(max_length=8, choices=Part.choices, default=Part.PUBLIC)
    plan = models.ForeignKey("plans.Plan", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="agenda_items")  # fmt: skip
    minutes = models.TextField(blank=True, help_text="Markdown")
    # The report cover sheet (seed 004): to, date, from, subject, purpose, key issues, ...
    paper_to = models.CharField("report to", max_length=200, blank=True)
    paper_date = models.DateField(null=True, blank=True)
    paper_from = models.CharField("report from", max_length=200, blank=True)
    paper_subject = models.CharField(max_length=300, blank=True)
    paper_purpose = models.TextField(blank=True)
    paper_key_issues = models.TextField(blank=True)
    paper_recommendations = models.TextField(blank=True)
    paper_author = models.CharField(max_length=200, blank=True)
    paper_contact = models.CharField(max_length=200, blank=True)
    attachment = models.FileField(upload_to="papers/%Y/%m/", blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def has_paper(self) -> bool:
        return bool(self.paper_subject or self.paper_purpose or self.paper_recommendations)


class Resolution(models.Model):
    """ "Resolved: (1) ..." numbered within its meeting."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="resolutions")
    number = models.PositiveIntegerField()
    text = models.TextField()

    history = HistoricalRecords()
    objects = ResolutionQuerySet.as_manager()

    class Meta:
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="resolution_number_unique")
        ]

    def __str__(self) -> str:
        return f"({self.number}) {self.text[:60]}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETE = "complete", "Complete"
    DROPPED = "dropped", "Dropped"


class MeetingAction(models.Model):
    """An action from a meeting; open actions are carried to the committee's next meetings."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions_raised")
    item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="actions")  # fmt: skip
    text = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)  # fmt: skip
    closed_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")  # fmt: skip
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = MeetingActionQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "due_on", "id"]

    def __str__(self) -> str:
        return self.text[:80]
