"""People and governing body membership."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..access import ScopedQuerySet
from .organisations import CCG


class PersonQuerySet(ScopedQuerySet):
    pass


class Person(models.Model):
    ccg = models.ForeignKey(
        CCG,
        on_delete=models.CASCADE,
        related_name="people",
        help_text="The CCG whose records hold this person.",
    )
    name = models.CharField(max_length=200, help_text="As written, e.g. Dr Jonathan Wells.")
    job_title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "people"
        ordering = ["ccg__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ccg", "name"], name="person_name_unique_in_ccg")
        ]

    def __str__(self) -> str:
        return self.name


class SeatCategory(models.TextChoices):
    """What a governing body seat is, for the composition rules (NHS (CCG) Regs 2012, reg 11)."""

    GP = "gp", "GP"
    ACCOUNTABLE_OFFICER = "accountable-officer", "Accountable officer"
    CHIEF_FINANCE_OFFICER = "chief-finance-officer", "Chief finance officer"
    REGISTERED_NURSE = "registered-nurse", "Registered nurse"
    SECONDARY_CARE_DOCTOR = "secondary-care-doctor", "Secondary care specialist doctor"
    LAY_GOVERNANCE = "lay-governance", "Lay member (audit and governance)"
    LAY_PPI = "lay-ppi", "Lay member (patient and public involvement)"
    LAY_OTHER = "lay-other", "Lay member"
    PRACTICE_MANAGER = "practice-manager", "Practice manager"
    OFFICER = "officer", "Officer"
    OBSERVER = "observer", "Observer"


class GoverningBodyQuerySet(ScopedQuerySet):
    def current(self, on: dt.date | None = None):
        on = on or dt.date.today()
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on),
            Q(end_date__isnull=True) | Q(end_date__gte=on),
        )


class GoverningBodyMembership(models.Model):
    """A seat on a CCG's governing body; a seat with no person is a vacancy (e.g. "TBC")."""

    ccg = models.ForeignKey(CCG, on_delete=models.CASCADE, related_name="governing_body")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="seats"
    )
    title = models.CharField(max_length=200, help_text="As written, e.g. Chair and Clinical Lead.")
    category = models.CharField(max_length=30, choices=SeatCategory.choices)
    is_chair = models.BooleanField(default=False)
    voting = models.BooleanField(default=True)
    lead_areas = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()  # seats filled, changed and ended (the audit log)
    objects = GoverningBodyQuerySet.as_manager()

    class Meta:
        ordering = ["ccg__name", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ccg", "person"],
                condition=Q(person__isnull=False, end_date__isnull=True),
                name="one_current_seat_per_person",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(is_chair=False),
                name="vacant_seat_is_not_chair",
            ),
        ]

    def __str__(self) -> str:
        who = self.person.name if self.person_id else "Vacant"
        return f"{who}: {self.title}"

    @property
    def is_vacant(self) -> bool:
        return self.person_id is None

    def clean(self):
        super().clean()
        if self.person_id and self.person.ccg_id != self.ccg_id:
            raise ValidationError({"person": "This person is recorded under another CCG."})
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})
