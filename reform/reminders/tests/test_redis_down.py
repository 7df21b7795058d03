"""Redis, the broker, stops while the office returns a report and while the daily job runs;
once it is back, every email goes out, once."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from config.celery_app import app
from reform.outbox.models import OutboxMessage
from reform.outbox.tasks import send_due
from reform.outbox.testing import wait_until
from reform.reminders import emails
from reform.reminders.models import ReminderDispatch
from reform.reminders.tasks import send_daily_reminders
from reform.reports.models import Report
from reform.reports.services import report_return

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_with_redis_stopped_no_email_is_lost(plan, cast, mail_server, private_redis, monkeypatch):
    report = Report.objects.get(unit=cast["tax"], period=plan, task__number=2)
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.SUBMITTED, submitted_at=timezone.now()
    )
    report.refresh_from_db()

    # Redis dies in the middle of the daily job, after the job was handed to the worker.
    real_send = emails.send_unit_reminder

    def redis_dies_during_the_job(reminder, **kwargs):
        if private_redis.process is not None:
            private_redis.stop()
        return real_send(reminder, **kwargs)

    monkeypatch.setattr(emails, "send_unit_reminder", redis_dies_during_the_job)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        send_daily_reminders.delay(today="2025-12-22")
        assert wait_until(
            lambda: ReminderDispatch.objects.filter(step="digest").exists()  # written last
        )
        assert private_redis.process is None

        # And while it is down, the office returns a report: the request neither fails
        # nor hangs, and the unit's notice waits in the outbox.
        started = time.monotonic()
        report_return(report=report, actor=cast["office"], comment="请补充具体数据。")
        assert time.monotonic() - started < 5
        assert OutboxMessage.objects.filter(kind="return_notice").exists()
        assert not OutboxMessage.objects.exclude(status=OutboxMessage.Status.PENDING).exists()
        assert mail_server.received == []

        private_redis.start()
        # Beat's every-minute sweep, once the worker has found the broker again.
        assert wait_until(lambda: _published(send_due), 60)
        assert wait_until(
            lambda: not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists(),
            60,
        )

    assert OutboxMessage.objects.filter(kind="return_notice").count() == 1
    assert mail_server.to_counts() == {
        "tax-staff@example.gov.cn": 2,  # the return notice and the reminder
        "tax-head@example.gov.cn": 2,
        "police-staff@example.gov.cn": 1,
        "liaison@police.example": 1,
        "customs-staff@example.gov.cn": 1,
        "office@example.gov.cn": 1,
    }


def _published(task) -> bool:
    try:
        task.delay()
    except Exception:
        return False
    return True
