"""PDF packs: a build record is the truth about a build; Celery only runs it.

A build is of one kind (plan document, plan on a page, annual review pack, governing body
pack) for a plan or for a meeting (any model a higher app registers as a pack subject: plans
cannot import governance, so a meeting is held as a generic reference). It records who asked,
its status and progress with the current step, the error when it failed, the file with its
SHA-256 and page count, and its timings. `input_hash` is the SHA-256 of the document's final
HTML: building the same inputs again reuses the file unless the build is forced.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..queries import PackBuildQuerySet


class PackKind(models.TextChoices):
    PLAN_DOCUMENT = "plan-document", "Plan document"
    PLAN_ON_A_PAGE = "plan-on-a-page", "Plan on a page"
    ANNUAL_REVIEW = "annual-review", "Annual review pack"
    GOVERNING_BODY = "governing-body", "Governing body pack"


# The kinds built for a plan; the others are built for a registered subject (a meeting).
PLAN_KINDS = frozenset({PackKind.PLAN_DOCUMENT, PackKind.PLAN_ON_A_PAGE, PackKind.ANNUAL_REVIEW})


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


FINISHED_STATUSES = frozenset({PackStatus.DONE, PackStatus.FAILED})


class PackBuild(models.Model):
    ccg = models.ForeignKey("commissioning.CCG", on_delete=models.CASCADE,
                            related_name="pack_builds")  # fmt: skip
    kind = models.CharField(max_length=20, choices=PackKind.choices)
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="pack_builds")  # fmt: skip
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True,
                                     blank=True)  # fmt: skip
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")  # fmt: skip
    forced = models.BooleanField(default=False, help_text="Build even if the inputs are unchanged")
    status = models.CharField(max_length=8, choices=PackStatus.choices,
                              default=PackStatus.QUEUED)  # fmt: skip
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    step = models.CharField(max_length=120, blank=True, help_text="What the build is doing")
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(
        max_length=64, blank=True, help_text="The Celery message that may run the build now; "
        "a message with another id (lost and re-sent) is ignored")  # fmt: skip
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the build was last sent to the queue or moved "
        "on a step: a running build whose heartbeat is stale has lost its worker")  # fmt: skip
    input_hash = models.CharField(max_length=64, blank=True)
    reused_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")  # fmt: skip
    file = models.FileField(upload_to="packs/", blank=True, max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True, help_text="Bytes")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    html_seconds = models.FloatField(null=True, blank=True)
    pdf_seconds = models.FloatField(null=True, blank=True)
    published = models.BooleanField(
        default=False, help_text="Downloadable by scrutiny members (and the public when the "
        "plan is public)")  # fmt: skip
    published_at = models.DateTimeField(null=True, blank=True)

    objects = PackBuildQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-pk"]
        indexes = [models.Index(fields=["kind", "plan", "subject_type", "subject_id", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(plan__isnull=False) | models.Q(subject_id__isnull=False),
                name="pack_build_has_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def download_name(self) -> str:
        from django.utils.text import slugify

        return f"{slugify(self.title or self.get_kind_display())[:80] or 'pack'}.pdf"
