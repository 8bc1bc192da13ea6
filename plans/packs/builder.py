"""Building a pack: the PackBuild row is the truth; this does the work and records it.

`run_build(build_id)` is safe to run twice and to retry: a finished build is left alone, and
a build found "running" (its worker was killed) is simply run again. Steps and progress are
saved as it goes, so pages and the API can show them. The HTML is hashed first: a finished
build of the same kind and subject with the same hash lends its file (unless the build is
forced). The PDF is made in memory and saved through Django's storage API under a name made
from its SHA-256; the default storage writes atomically, so no half-written file is visible.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from ..models import FINISHED_STATUSES, PackBuild, PackStatus
from .document import document_html
from .registry import PackContext

logger = logging.getLogger(__name__)


class PackFetchRefused(ValueError):
    pass


def fetcher():
    """A WeasyPrint URL fetcher that fetches nothing but `data:` URLs."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, timeout=1)


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of `html` (tagged for accessibility, PDF/UA-1) and its page count."""
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=fetcher()).render(pdf_tags=True)
    output = io.BytesIO()
    document.write_pdf(output, pdf_variant="pdf/ua-1", pdf_tags=True)
    return output.getvalue(), len(document.pages)


def _save_progress(build: PackBuild, step: str, progress: int) -> None:
    build.step, build.progress = step, progress
    PackBuild.objects.filter(pk=build.pk).update(step=step, progress=progress,
                                                 heartbeat_at=timezone.now())  # fmt: skip
    delay = getattr(settings, "PACK_STEP_DELAY_SECONDS", 0)
    if delay:  # fault tests slow builds down to kill a worker mid-build
        time.sleep(delay)


class NotThisMessage(Exception):
    """The message is not the build's current one (it was lost and sent again)."""


def _claim(build_id: int, task_id: str | None = None) -> PackBuild | None:
    with transaction.atomic():
        build = PackBuild.objects.select_for_update().filter(pk=build_id).first()
        if build is None or build.status in FINISHED_STATUSES:
            return build
        if task_id and build.task_id and task_id != build.task_id:
            raise NotThisMessage(f"pack {build_id} now runs as message {build.task_id}")
        now = timezone.now()
        build.status = PackStatus.RUNNING
        build.attempts += 1
        build.started_at = build.heartbeat_at = now
        build.step, build.progress, build.error = "Starting", 1, ""
        build.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "step",
                                  "progress", "error"])  # fmt: skip
        return build


def context_for(build: PackBuild) -> PackContext:
    return PackContext(kind=build.kind, ccg=build.ccg, user=build.requested_by, plan=build.plan,
                       subject=build.subject)  # fmt: skip


def _reusable(build: PackBuild) -> PackBuild | None:
    if build.forced:
        return None
    earlier = (
        PackBuild.objects.filter(kind=build.kind, plan=build.plan_id,
                                 subject_type=build.subject_type_id, subject_id=build.subject_id,
                                 status=PackStatus.DONE, input_hash=build.input_hash)
        .exclude(pk=build.pk).exclude(file="").order_by("-finished_at").first()
    )  # fmt: skip
    if earlier is not None and default_storage.exists(earlier.file.name):
        return earlier
    return None


def _finish(build: PackBuild, **values) -> PackBuild:
    values |= {"status": PackStatus.DONE, "progress": 100, "step": "Done",
               "finished_at": timezone.now(), "error": ""}  # fmt: skip
    for name, value in values.items():
        setattr(build, name, value)
    build.save(update_fields=list(values))
    return build


def run_build(build_id: int, task_id: str | None = None) -> PackBuild | None:
    """Build PackBuild `build_id`; exceptions propagate (the task retries, then fails it).
    `task_id` is the running message's id: when the build records another one (the build
    was sent again after its message was lost), this raises NotThisMessage and does nothing."""
    build = _claim(build_id, task_id)
    if build is None or build.status in FINISHED_STATUSES:
        return build
    started = time.perf_counter()
    html = document_html(context_for(build), title=build.title,
                         on_step=lambda step, pct: _save_progress(build, step, pct))  # fmt: skip
    build.input_hash = hashlib.sha256(f"{build.kind}\n{html}".encode()).hexdigest()
    build.html_seconds = time.perf_counter() - started
    build.save(update_fields=["input_hash", "html_seconds"])
    earlier = _reusable(build)
    if earlier is not None:
        logger.info("Pack %s reuses the file of pack %s (same inputs)", build.pk, earlier.pk)
        return _finish(build, file=earlier.file.name, sha256=earlier.sha256,
                       size=earlier.size, page_count=earlier.page_count, reused_from=earlier,
                       pdf_seconds=0.0)  # fmt: skip
    _save_progress(build, "Laying out the pages", 40)
    started = time.perf_counter()
    pdf, pages = render_pdf(html)
    pdf_seconds = time.perf_counter() - started
    _save_progress(build, "Saving the file", 90)
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"packs/{build.ccg.ods_code}/{digest}.pdf"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(pdf))
    return _finish(build, file=name, sha256=digest, size=len(pdf), page_count=pages,
                   pdf_seconds=pdf_seconds)  # fmt: skip


def fail_build(build_id: int, message: str) -> None:
    PackBuild.objects.filter(pk=build_id).exclude(status=PackStatus.DONE).update(
        status=PackStatus.FAILED, error=message[:2000], finished_at=timezone.now(),
        step="Failed")  # fmt: skip


def note_retry(build_id: int, message: str, attempt: int) -> None:
    PackBuild.objects.filter(pk=build_id, status=PackStatus.RUNNING).update(
        status=PackStatus.QUEUED, step=f"Retrying after attempt {attempt} failed",
        error=message[:2000])  # fmt: skip
