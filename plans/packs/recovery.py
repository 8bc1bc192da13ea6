"""Finding builds whose message was lost, and sending them again. The PackBuild row is the
truth; the broker may forget (Redis restarted without persistence, flushed, a worker killed).

`sweep()` looks at every build still queued or running:

- running, with a heartbeat (`heartbeat_at`, moved on every step) older than
  PACK_STALE_SECONDS: its worker is gone. It is sent again, or failed with a reason once it
  has been tried PACK_MAX_ATTEMPTS times;
- queued for longer than PACK_QUEUED_GRACE_SECONDS, and no message with its `task_id` is in
  the broker (any queue, or taken by a worker and not yet acknowledged): its message was
  lost (or never sent, the queue being down when it was asked for). It is sent again.

Sending again gives the build a new `task_id`: should the old message turn up after all, the
build ignores it (`builder.NotThisMessage`), so a build never runs twice at once. When the
broker cannot be read, nothing is changed. Workers sweep whenever they (re)connect to the
broker and every PACK_SWEEP_SECONDS (plans/tasks.py); `manage.py recover_packs` sweeps once.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import PackBuild, PackStatus

logger = logging.getLogger(__name__)

SENT_AGAIN = "Sent to the build queue again: its message was lost"
WORKER_LOST = "Sent to the build queue again: its worker stopped"


@dataclass
class SweepResult:
    resent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    broker_unreadable: bool = False


def broker_message_ids() -> set[str] | None:
    """The ids of every task message the broker holds (queued, or delivered and not yet
    acknowledged), or None when the broker cannot be read. Only Redis can be read; other
    brokers (the in-memory one of the embedded default) hold nothing between processes."""
    from commissioning.celery import app

    url = app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://")):
        return set()
    import redis

    ids: set[str] = set()
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        keys = list(client.scan_iter(count=1000))
        with client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.type(key)
            types = pipe.execute()
        for key, kind in zip(keys, types, strict=True):
            if kind == b"list":
                raws = client.lrange(key, 0, -1)
            elif kind == b"hash" and key.endswith(b"unacked"):
                raws = client.hvals(key)
            else:
                continue
            for raw in raws:
                ids.update(_ids_in(raw))
    except Exception as error:  # noqa: BLE001 - any failure: we cannot tell what was lost
        logger.warning("Pack sweep: the broker cannot be read (%s)", error)
        return None
    return ids


def _ids_in(raw: bytes) -> set[str]:
    try:
        message = json.loads(raw)
    except ValueError:
        return set()
    if isinstance(message, list) and message:  # unacked: [message, exchange, routing key]
        message = message[0]
    if not isinstance(message, dict):
        return set()
    headers = message.get("headers") or {}
    found = {headers.get("id"), (message.get("properties") or {}).get("correlation_id")}
    return {value for value in found if isinstance(value, str)}


def sweep(now=None) -> SweepResult:
    """Send again (or fail) the builds whose message or worker was lost; see the module."""
    from ..tasks import build_pack

    now = now or timezone.now()
    result = SweepResult()
    present = broker_message_ids()
    if present is None:
        result.broker_unreadable = True
        return result
    stale_before = now - timedelta(seconds=settings.PACK_STALE_SECONDS)
    grace_before = now - timedelta(seconds=settings.PACK_QUEUED_GRACE_SECONDS)
    resend: list[tuple[int, str]] = []
    with transaction.atomic():
        unfinished = [PackStatus.QUEUED, PackStatus.RUNNING]
        candidates = PackBuild.objects.select_for_update(skip_locked=True).filter(
            status__in=unfinished).order_by("queued_at", "pk")  # fmt: skip
        for build in candidates:
            beat = build.heartbeat_at or build.started_at or build.queued_at
            if build.status == PackStatus.RUNNING:
                if beat > stale_before:
                    continue  # its worker is moving it on
                if build.attempts >= settings.PACK_MAX_ATTEMPTS:
                    _fail(build, now)
                    result.failed.append(build.pk)
                    continue
                step = WORKER_LOST
            else:
                if beat > grace_before or (build.task_id and build.task_id in present):
                    continue
                step = SENT_AGAIN
            task_id = build_pack.new_task_id()
            PackBuild.objects.filter(pk=build.pk).update(
                status=PackStatus.QUEUED, task_id=task_id, heartbeat_at=now, step=step)  # fmt: skip
            resend.append((build.pk, task_id))
    for build_id, task_id in resend:
        logger.warning("Pack %s: sent again as %s (its message or worker was lost)",
                       build_id, task_id)  # fmt: skip
        build_pack.apply_async((build_id,), task_id=task_id)
        result.resent.append(build_id)
    return result


def _fail(build: PackBuild, now) -> None:
    PackBuild.objects.filter(pk=build.pk).update(
        status=PackStatus.FAILED, finished_at=now, step="Failed",
        error=f"The build stopped {build.attempts} times without finishing (its worker was "
              "lost each time); it will not be tried again. Ask for it again.")  # fmt: skip
