"""NHS Constitution standards (versioned thresholds), measurements and their imports."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..queries import (
    MeasurementImportQuerySet,
    MeasurementQuerySet,
    StandardChildQuerySet,
    StandardQuerySet,
)


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    NEITHER = "neither", "Neither"


class Unit(models.TextChoices):
    PERCENT = "percent", "Percentage"
    COUNT = "count", "Count"
    RATE = "rate", "Rate"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class StandardGroup(models.TextChoices):
    RTT = "rtt", "Referral to treatment"
    DIAGNOSTICS = "diagnostics", "Diagnostics"
    AE = "ae", "A&E"
    CANCER = "cancer", "Cancer"
    AMBULANCE = "ambulance", "Ambulance"
    MENTAL_HEALTH = "mental-health", "Mental health"
    QUALITY = "quality", "Quality and experience"
    OTHER = "other", "Other"


class Standard(models.Model):
    """A standard or KPI: national (from the catalogue data file) or a CCG's local KPI."""

    code = models.SlugField(max_length=60, unique=True, help_text='e.g. "ae-4-hours"')
    name = models.CharField(max_length=200)
    group = models.CharField(max_length=20, choices=StandardGroup.choices)
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    description = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Where the definition is")
    ccg = models.ForeignKey(
        "commissioning.CCG",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="local_standards",
        help_text="Set for a CCG's local KPI; empty for a national standard",
    )
    order = models.PositiveIntegerField(default=0)
    catalogue_version = models.CharField(max_length=20, blank=True)

    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["group", "order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_local(self) -> bool:
        return self.ccg_id is not None

    def threshold_on(self, day: dt.date):
        """The threshold row in force on `day`, or None (none known)."""
        for row in self.thresholds.all():
            if row.applies_from <= day and (row.applies_to is None or day <= row.applies_to):
                return row
        return None


class StandardThreshold(models.Model):
    """The operational standard from a date (to a date): thresholds changed over the years.
    `value` empty means "no operational standard" in that period."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="thresholds")
    value = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    applies_from = models.DateField()
    applies_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    objects = StandardChildQuerySet.as_manager()

    class Meta:
        ordering = ["standard", "applies_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "applies_from"], name="threshold_from_unique"
            ),
            models.CheckConstraint(
                condition=Q(applies_to__isnull=True) | Q(applies_to__gte=models.F("applies_from")),
                name="threshold_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.standard.code} from {self.applies_from}"


class PeriodType(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class Measurement(models.Model):
    """One period's figure for a standard, for a CCG (and optionally one provider)."""

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="measurements")
    ccg = models.ForeignKey(
        "commissioning.CCG", on_delete=models.PROTECT, related_name="measurements"
    )
    provider = models.ForeignKey(
        "commissioning.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
    )
    period_start = models.DateField(help_text="First day of the month or quarter")
    period_type = models.CharField(
        max_length=8, choices=PeriodType.choices, default=PeriodType.MONTH
    )
    numerator = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=3)
    source = models.CharField(max_length=200, blank=True)
    imported_by = models.ForeignKey(
        "MeasurementImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
    )
    illustrative = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["standard", "ccg", "provider", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "ccg", "period_type", "period_start"],
                condition=Q(provider__isnull=True),
                name="measurement_unique_ccg_period",
            ),
            models.UniqueConstraint(
                fields=["standard", "ccg", "provider", "period_type", "period_start"],
                condition=Q(provider__isnull=False),
                name="measurement_unique_provider_period",
            ),
        ]
        indexes = [models.Index(fields=["ccg", "standard", "period_start"])]

    def __str__(self) -> str:
        return f"{self.standard.code} {self.ccg.ods_code} {self.period_label}"

    @property
    def period_label(self) -> str:
        """ "2016-04" for a month; "2016-Q1" style is not used: quarters are written by the
        first month too, "2016-04", with period_type saying which."""
        return f"{self.period_start:%Y-%m}"

    def clean(self) -> None:
        if self.period_start and self.period_start.day != 1:
            raise ValidationError({"period_start": "A period starts on the first of a month"})
        if (
            self.period_type == PeriodType.QUARTER
            and self.period_start
            and self.period_start.month not in (1, 4, 7, 10)
        ):
            raise ValidationError({"period_start": "A quarter starts in April, July, October "
                                   "or January"})  # fmt: skip


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class MeasurementImport(models.Model):
    """A CSV/XLSX file of measurements: all-or-nothing, with a row-by-row report. The newest
    successful one says how current the data is ("data up to March 2016")."""

    source_name = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/measurements/%Y/%m/", blank=True)
    ccg = models.ForeignKey(
        "commissioning.CCG",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurement_imports",
        help_text="Empty for a national file (all CCGs)",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Row-level errors")
    message = models.TextField(blank=True)
    latest_period = models.DateField(null=True, blank=True, help_text="Data up to this month")

    objects = MeasurementImportQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Measurements from {self.source_name} ({self.status})"
