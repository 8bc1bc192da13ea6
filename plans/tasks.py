"""Background tasks of plans: building PDF packs. The PackBuild row is the truth.

Acks late and reject on worker lost (settings): a worker killed mid-build hands the message
back, and the build (still "running") is run again. Failures are retried with backoff; the
last failure marks the build failed with its reason.

Sending a build records the message's id on the row first (`task_id`): only that message may
run it. When the broker cannot be reached, sending does not fail the request that asked: the
build stays queued, its step says why, and the workers' sweep (plans/packs/recovery.py, run
on every (re)connection to the broker and every PACK_SWEEP_SECONDS) sends it once the broker
is back, as it does for builds whose message the broker lost.
"""

import logging

from celery import Task, bootsteps, shared_task, uuid
from django.conf import settings
from django.db import connections
from django.utils import timezone

from commissioning.celery import app

from .models import FINISHED_STATUSES, PackBuild
from .packs.builder import NotThisMessage, fail_build, note_retry, run_build

logger = logging.getLogger(__name__)
MAX_RETRIES = 3
QUEUE_UNAVAILABLE = ("Waiting for the build queue, which cannot be reached: the build starts "
                     "when it is back")  # fmt: skip


class PackTask(Task):
    def new_task_id(self) -> str:
        return uuid()

    def apply_async(self, args=None, kwargs=None, task_id=None, **options):
        build_id = (args or [None])[0] if args else (kwargs or {}).get("build_id")
        task_id = task_id or self.new_task_id()
        PackBuild.objects.filter(pk=build_id).exclude(status__in=FINISHED_STATUSES).update(
            task_id=task_id, heartbeat_at=timezone.now())  # fmt: skip
        if self.app.conf.task_always_eager:
            return super().apply_async(args, kwargs, task_id=task_id, **options)
        try:
            return super().apply_async(args, kwargs, task_id=task_id, **options)
        except Exception as error:  # noqa: BLE001 - broker down: the row keeps the build
            logger.warning("Pack %s: the build queue cannot be reached (%s: %s); the sweep "
                           "will send it", build_id, type(error).__name__, error)  # fmt: skip
            PackBuild.objects.filter(pk=build_id, task_id=task_id).exclude(
                status__in=FINISHED_STATUSES).update(step=QUEUE_UNAVAILABLE)  # fmt: skip
            return self.AsyncResult(task_id)


def queue_was_unavailable(build: PackBuild) -> bool:
    """Whether sending `build` found the build queue unavailable (it waits for the sweep)."""
    return PackBuild.objects.filter(pk=build.pk, step=QUEUE_UNAVAILABLE).exists()


@shared_task(bind=True, base=PackTask, acks_late=True, ignore_result=True,
             max_retries=MAX_RETRIES)  # fmt: skip
def build_pack(self, build_id: int) -> str | None:
    try:
        build = run_build(build_id, self.request.id)
    except NotThisMessage as superseded:
        logger.info("Pack %s: message %s ignored, %s", build_id, self.request.id, superseded)
        return "superseded"
    except Exception as error:
        logger.exception("Pack %s: build failed", build_id)
        message = f"{type(error).__name__}: {error}"
        if self.request.retries >= MAX_RETRIES or self.request.is_eager:
            fail_build(build_id, f"The PDF could not be built: {message}")
            return "failed"
        note_retry(build_id, message, self.request.retries + 1)
        raise self.retry(exc=error, countdown=2**self.request.retries) from error
    return build.status if build else None


def sweep_safely() -> None:
    from .packs.recovery import sweep

    try:
        result = sweep()
        if result.resent or result.failed:
            logger.warning("Pack sweep: sent again %s, failed %s", result.resent, result.failed)
    except Exception:  # noqa: BLE001 - a sweep must never stop the worker
        logger.exception("Pack sweep failed")
    finally:
        connections.close_all()  # the worker's main process keeps no connection open


class SweepLostPacks(bootsteps.StartStopStep):
    """A consumer step: starts on every (re)connection to the broker, so builds whose
    messages a restarted broker lost are sent again at once; then every PACK_SWEEP_SECONDS."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.timer_entry = None

    def start(self, parent):
        sweep_safely()
        if settings.PACK_SWEEP_SECONDS > 0 and self.timer_entry is None:
            self.timer_entry = parent.timer.call_repeatedly(
                settings.PACK_SWEEP_SECONDS, sweep_safely)  # fmt: skip

    def stop(self, parent):
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    shutdown = stop


app.steps["consumer"].add(SweepLostPacks)
