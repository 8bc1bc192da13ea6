"""Background tasks of plans: building PDF packs. The PackBuild row is the truth.

Acks late and reject on worker lost (settings): a worker killed mid-build hands the message
back, and the build (still "running") is run again. Failures are retried with backoff; the
last failure marks the build failed with its reason.
"""

import logging

from celery import shared_task

from .packs.builder import fail_build, note_retry, run_build

logger = logging.getLogger(__name__)
MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=MAX_RETRIES)
def build_pack(self, build_id: int) -> str | None:
    try:
        build = run_build(build_id)
    except Exception as error:
        logger.exception("Pack %s: build failed", build_id)
        message = f"{type(error).__name__}: {error}"
        if self.request.retries >= MAX_RETRIES or self.request.is_eager:
            fail_build(build_id, f"The PDF could not be built: {message}")
            return "failed"
        note_retry(build_id, message, self.request.retries + 1)
        raise self.retry(exc=error, countdown=2**self.request.retries) from error
    return build.status if build else None
