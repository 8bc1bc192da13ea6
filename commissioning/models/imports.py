"""A record of every dataset import: what came in, what changed, and what was wrong."""

from django.conf import settings
from django.db import models


class Dataset(models.TextChoices):
    PRACTICE_REGISTER = "practice-register", "National practice register (epraccur)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class DatasetImportQuerySet(models.QuerySet):
    def latest_success(self, dataset: str):
        """The newest real import that succeeded (dry runs change nothing, so never count)."""
        return (
            self.filter(dataset=dataset, status=ImportStatus.SUCCEEDED, dry_run=False)
            .order_by("-finished_at", "-pk")
            .first()
        )


class DatasetImport(models.Model):
    dataset = models.CharField(max_length=40, choices=Dataset.choices)
    source_name = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    dry_run = models.BooleanField(default=False)
    close_missing = models.BooleanField(
        default=False, help_text="Close open practices that are absent from the file."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Row-level errors.")
    message = models.TextField(blank=True)

    objects = DatasetImportQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_dataset_display()} from {self.source_name} ({self.status})"
