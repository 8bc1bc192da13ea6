"""The sweep that sends lost builds again (plans/packs/recovery.py), case by case, with tasks
run in-process (eager): on SQLite and on PostgreSQL alike. The end-to-end runs with a real
broker and worker are in test_faults_redis.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from plans.models import PackBuild, PackStatus
from plans.packs import recovery
from plans.tasks import build_pack

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(ccg, planner):
    from commissioning.years import FinancialYear
    from plans import services

    return services.create_plan(user=planner, ccg=ccg, kind="strategic-plan",
                                title="Commissioning Plan 2015-19", first_year=FinancialYear(2015),
                                last_year=FinancialYear(2018))  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def build(plan, planner, *, status, beat_ago: int, attempts=0, task_id="lost-message-id"):
    beat = timezone.now() - timedelta(seconds=beat_ago)
    return PackBuild.objects.create(ccg=plan.ccg, kind="plan-document", plan=plan,
                                    title=plan.title, requested_by=planner, status=status,
                                    attempts=attempts, task_id=task_id, step="Laying out",
                                    heartbeat_at=beat)  # fmt: skip


def test_lost_builds_are_sent_again_or_failed_with_a_reason(plan, planner, settings):
    settings.PACK_STALE_SECONDS, settings.PACK_QUEUED_GRACE_SECONDS = 600, 10
    settings.PACK_MAX_ATTEMPTS = 4
    lost_queued = build(plan, planner, status=PackStatus.QUEUED, beat_ago=60)
    just_queued = build(plan, planner, status=PackStatus.QUEUED, beat_ago=1)
    worker_gone = build(plan, planner, status=PackStatus.RUNNING, beat_ago=3600, attempts=1)
    worker_busy = build(plan, planner, status=PackStatus.RUNNING, beat_ago=5, attempts=1)
    given_up = build(plan, planner, status=PackStatus.RUNNING, beat_ago=3600, attempts=4)

    result = recovery.sweep()

    assert sorted(result.resent) == sorted([lost_queued.pk, worker_gone.pk])
    assert result.failed == [given_up.pk] and not result.broker_unreadable
    for row in (lost_queued, just_queued, worker_gone, worker_busy, given_up):
        row.refresh_from_db()
    # sent again (run in-process here): built, under a new message id
    assert lost_queued.status == PackStatus.DONE and lost_queued.attempts == 1
    assert worker_gone.status == PackStatus.DONE and worker_gone.attempts == 2
    assert lost_queued.task_id != "lost-message-id" and worker_gone.task_id != "lost-message-id"
    assert lost_queued.file and lost_queued.file.name == worker_gone.file.name
    # within the grace period, or a worker moving it on: left alone
    assert (just_queued.status, just_queued.task_id) == (PackStatus.QUEUED, "lost-message-id")
    assert (worker_busy.status, worker_busy.attempts) == (PackStatus.RUNNING, 1)
    # tried too often: failed, with the reason, and no file
    assert given_up.status == PackStatus.FAILED and not given_up.file
    assert "stopped 4 times without finishing" in given_up.error and given_up.finished_at


def test_a_message_that_was_replaced_is_ignored(plan, planner):
    row = build(plan, planner, status=PackStatus.QUEUED, beat_ago=0, task_id="the-current-one")

    outcome = build_pack.apply(args=(row.pk,), task_id="an-old-lost-one").get()

    row.refresh_from_db()
    assert outcome == "superseded"
    assert (row.status, row.attempts, row.task_id) == (PackStatus.QUEUED, 0, "the-current-one")
    assert build_pack.apply(args=(row.pk,), task_id="the-current-one").get() == "done"


def test_the_command_sweeps_once(plan, planner, capsys):
    lost = build(plan, planner, status=PackStatus.QUEUED, beat_ago=3600)

    call_command("recover_packs")

    lost.refresh_from_db()
    assert lost.status == PackStatus.DONE
    assert f"Sent again: 1 [{lost.pk}]; failed: 0 []" in capsys.readouterr().out
    call_command("recover_packs")
    assert "Sent again: 0 []; failed: 0 []" in capsys.readouterr().out
