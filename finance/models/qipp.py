"""QIPP (Quality, Innovation, Productivity and Prevention): programmes (workstreams), schemes
with their planned saving and activity change, and monthly plan, actual and forecast.

Months are numbered as the financial year runs: M1 is April, M12 is March. The RAG of a
scheme comes from its year-to-date variance against thresholds held as data
(`QippRagThreshold`: one default row, and optionally one per CCG)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from commissioning.fields import FinancialYearField
from commissioning.models.imports import ImportStatus
from priorities.models import DeliveryStatus

from ..queries import FinanceQuerySet, SchemeMonthQuerySet, SchemeQuerySet
from .money_fields import money, non_negative_money, percent

MONTHS = 12


class ActivityUnit(models.TextChoices):
    FIRST_OUTPATIENT = "first-outpatient", "first outpatient appointments"
    FOLLOW_UP = "follow-up", "outpatient follow-ups"
    INPATIENT_SPELL = "inpatient-spell", "elective inpatient spells"
    NON_ELECTIVE_SPELL = "non-elective-spell", "non-elective spells"
    AE_ATTENDANCE = "ae-attendance", "A&E attendances"
    PRESCRIPTION = "prescription", "prescription items"
    OTHER = "other", "other"


class QippProgramme(models.Model):
    """A workstream of schemes: Orthopaedics, Outpatients, Urgent care, Medicines management."""

    ccg = models.ForeignKey(
        "commissioning.CCG", on_delete=models.PROTECT, related_name="qipp_programmes"
    )
    name = models.CharField(max_length=200)
    lead = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    priority = models.ForeignKey(
        "priorities.PriorityArea",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qipp_programmes",
    )
    programme = models.ForeignKey(
        "priorities.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qipp_programmes",
        help_text="The transformational programme it serves",
    )
    order = models.PositiveIntegerField(default=0)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = FinanceQuerySet.as_manager()

    class Meta:
        ordering = ["ccg", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ccg", "name"],
                name="qipp_programme_name_unique",
                violation_error_message="This CCG already has a QIPP programme of that name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class QippScheme(models.Model):
    """One QIPP project of one year: "Reduce first OP appointments: 719 first outpatient
    appointments, £106k" (seed 002)."""

    ccg = models.ForeignKey(
        "commissioning.CCG", on_delete=models.PROTECT, related_name="qipp_schemes"
    )
    year = FinancialYearField()
    qipp_programme = models.ForeignKey(
        QippProgramme,
        on_delete=models.PROTECT,
        related_name="schemes",
        verbose_name="QIPP programme",
    )
    reference = models.CharField(max_length=30, help_text="The unique ref of QIPP reports")
    project = models.CharField(max_length=300)
    point_of_delivery = models.CharField(
        max_length=100, blank=True, help_text="Outpatients, elective, non-elective, ..."
    )
    provider = models.ForeignKey(
        "commissioning.Provider",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qipp_schemes",
    )
    lead = models.CharField(max_length=200, blank=True)
    priority = models.ForeignKey(
        "priorities.PriorityArea",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qipp_schemes",
    )
    programme = models.ForeignKey(
        "priorities.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qipp_schemes",
        help_text="The transformational programme it serves",
    )
    activity_change = models.DecimalField(
        max_digits=12, decimal_places=1, null=True, blank=True, help_text="Negative for a reduction"
    )
    activity_unit = models.CharField(max_length=24, choices=ActivityUnit.choices, blank=True)
    planned_saving = non_negative_money("planned saving for the year")
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_STARTED
    )
    description = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    illustrative = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["ccg", "year", "qipp_programme__order", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["ccg", "year", "reference"],
                name="qipp_scheme_reference_unique",
                violation_error_message=(
                    "This CCG already has a QIPP scheme with that reference in that year."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.project}"


class QippMonth(models.Model):
    """A scheme's figures for month M1 (April) to M12 (March): plan, actual when known,
    forecast when someone has made one."""

    scheme = models.ForeignKey(QippScheme, on_delete=models.CASCADE, related_name="months")
    month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MONTHS)],
        help_text="1 is April (M1), 12 is March (M12)",
    )
    plan = money("plan", default=0)
    actual = money("actual", null=True)
    forecast = money("forecast", null=True)
    illustrative = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = SchemeMonthQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "month"],
                name="qipp_month_unique",
                violation_error_message="This scheme already has figures for that month.",
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=MONTHS), name="qipp_month_in_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme.reference} M{self.month}"


class QippRagThreshold(models.Model):
    """Year-to-date variance % at or above `green_from` is green, at or above `amber_from`
    amber, below it red. The row with no CCG is the default (finance/data)."""

    ccg = models.OneToOneField(
        "commissioning.CCG",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="qipp_rag_threshold",
    )
    green_from = percent("green from (variance %)")
    amber_from = percent("amber from (variance %)")
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(green_from__gte=models.F("amber_from")), name="qipp_rag_ordered"
            ),
            models.UniqueConstraint(
                fields=["green_from"],
                condition=models.Q(ccg__isnull=True),
                name="qipp_rag_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"Green from {self.green_from}%, amber from {self.amber_from}%"


class QippImport(models.Model):
    """A QIPP report (CSV or XLSX) brought in for a CCG and year: all-or-nothing, with a
    row-by-row report naming the cell of every problem."""

    ccg = models.ForeignKey(
        "commissioning.CCG", on_delete=models.CASCADE, related_name="qipp_imports"
    )
    year = FinancialYearField()
    source_name = models.CharField(max_length=255)
    file = models.FileField(
        upload_to="imports/qipp/%Y/%m/",
        blank=True,
        help_text="The uploaded file, kept so a preview can be applied",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    dry_run = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Row-level errors")
    preview = models.JSONField(default=list, blank=True, help_text="What the import would do")
    message = models.TextField(blank=True)

    objects = FinanceQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"QIPP import {self.source_name} ({self.status})"
