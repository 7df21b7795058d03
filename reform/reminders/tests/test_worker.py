"""The daily job on a real Celery worker over the real Redis broker, mailing a real SMTP
server (aiosmtpd): once per step, retried through refusals and outages, never lost."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from reform.outbox.models import OutboxMessage
from reform.outbox.tasks import send_due
from reform.outbox.testing import wait_until
from reform.reminders import selectors, services
from reform.reminders.models import ReminderDispatch
from reform.reminders.tasks import send_daily_reminders
from reform.reports.models import Report

from .conftest import advance_outbox_clock

Status = OutboxMessage.Status
MONDAY = "2025-12-22"  # 3 working days before the lead date; cooperating date + 2
# Who hears what on that Monday: the tax bureau (lead, 3 days left) and the police
# (cooperating, 1 day late) by their own addresses, the provincial office its digest.
EXPECTED = {
    "tax-staff@example.gov.cn": 1,
    "tax-head@example.gov.cn": 1,
    "police-staff@example.gov.cn": 1,
    "liaison@police.example": 1,
    "office@example.gov.cn": 1,
}


def all_sent() -> bool:
    rows = OutboxMessage.objects.all()
    return rows.exists() and not rows.exclude(status=Status.SENT).exists()


def sweep() -> None:
    """What beat does every minute: the outbox sweep, on the worker; waits until it ran."""
    send_due.delay()
    assert wait_until(
        lambda: (
            not OutboxMessage.objects.filter(
                status=Status.PENDING, next_attempt_at__lte=timezone.now()
            ).exists()
            and not OutboxMessage.objects.filter(status=Status.SENDING).exists()
        )
    )


@pytest.fixture
def customs_has_reported(plan, cast):
    Report.objects.filter(unit=cast["customs"], period=plan).update(state=Report.State.SUBMITTED)


def test_the_job_is_scheduled_every_morning_at_nine_in_shanghai(db):
    job = PeriodicTask.objects.get(task="reminders.send_daily")
    assert job.enabled
    crontab = job.crontab
    assert (crontab.hour, crontab.minute, crontab.day_of_week, str(crontab.timezone)) == (
        "9",
        "0",
        "*",  # every day: the job asks the working-day calendar itself
        "Asia/Shanghai",
    )
    assert PeriodicTask.objects.filter(task="outbox.send_due", enabled=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_job_fired_twice_sends_each_late_unit_one_email(
    plan, cast, customs_has_reported, mail_server, worker
):
    send_daily_reminders.delay(today=MONDAY)
    send_daily_reminders.delay(today=MONDAY)

    assert wait_until(lambda: all_sent() and mail_server.to_counts() == EXPECTED)
    sweep()  # nothing more to send
    assert mail_server.to_counts() == EXPECTED  # customs, which has reported, got nothing
    steps = dict(
        ReminderDispatch.objects.filter(unit__in=[cast["tax"], cast["police"]]).values_list(
            "unit__code", "step"
        )
    )
    assert steps == {"hlj-tax": "d-3", "hlj-police": "d+1"}


@pytest.mark.django_db(transaction=True)
def test_the_job_fired_twice_at_once_sends_each_late_unit_one_email(
    plan, cast, customs_has_reported, mail_server, worker, monkeypatch
):
    # Both runs plan the same reminders before either writes one, then race on the key.
    both_planned = threading.Barrier(2, timeout=20)
    real_plan = selectors.plan_reminders

    def plan_then_wait(**kwargs):
        plan = real_plan(**kwargs)
        both_planned.wait()
        return plan

    monkeypatch.setattr(selectors, "plan_reminders", plan_then_wait)
    results = []

    def run():
        try:
            results.append(services.send_reminders(today=dt.date.fromisoformat(MONDAY)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(results) == 2
    planned = len(results[0].plan.reminders) + len(results[0].plan.digests)
    assert planned > 3
    assert sum(r.sent + r.no_address for r in results) == planned
    assert sum(r.skipped for r in results) == planned
    assert sum(r.errors for r in results) == 0
    assert wait_until(lambda: all_sent() and mail_server.to_counts() == EXPECTED)
    sweep()
    assert mail_server.to_counts() == EXPECTED


@pytest.mark.django_db(transaction=True)
def test_a_refusing_mail_server_is_retried_and_every_attempt_recorded(
    plan, cast, customs_has_reported, mail_server, worker
):
    mail_server.refuse = 2  # "451 try again later" to the first two deliveries

    send_daily_reminders.delay(today=MONDAY)
    assert wait_until(
        lambda: (
            OutboxMessage.objects.count() == 3
            and OutboxMessage.objects.filter(status=Status.SENT).count() == 1
            and OutboxMessage.objects.filter(attempts=1, status=Status.PENDING).count() == 2
        )
    )
    advance_outbox_clock(dt.timedelta(minutes=2))  # past the first backoff (1 minute)
    sweep()

    assert all_sent() and mail_server.to_counts() == EXPECTED
    retried = OutboxMessage.objects.filter(attempts=2)
    assert retried.count() == 2
    for message in retried:
        attempts = list(message.delivery_attempts.all())
        assert [a.ok for a in attempts] == [False, True]
        assert attempts[0].error == "SMTPDataError: 451 try again later"


@pytest.mark.django_db(transaction=True)
def test_a_day_long_mail_server_outage_loses_nothing(
    plan, cast, customs_has_reported, mail_service, worker
):
    mail_service.stop()
    send_daily_reminders.delay(today=MONDAY)
    assert wait_until(
        lambda: (
            OutboxMessage.objects.count() == 3
            and OutboxMessage.objects.filter(attempts=1, status=Status.PENDING).count() == 3
        )
    )

    for _hour in range(23):  # a day of sweeps, an hour apart
        advance_outbox_clock(dt.timedelta(hours=1))
        sweep()
    for message in OutboxMessage.objects.all():
        assert message.status == Status.PENDING  # still being retried, not given up
        assert message.attempts == 24
        assert "ConnectionRefusedError" in message.last_error

    mail_service.start()
    advance_outbox_clock(dt.timedelta(hours=1))
    sweep()

    assert all_sent() and mail_service.handler.to_counts() == EXPECTED


@pytest.mark.django_db(transaction=True)
def test_refused_past_the_retry_window_shows_failed_in_the_log_and_is_sent_from_it(
    client, plan, cast, customs_has_reported, mail_server, worker
):
    mail_server.refuse_all = True
    send_daily_reminders.delay(today=MONDAY)
    assert wait_until(lambda: OutboxMessage.objects.filter(attempts=1).count() == 3)

    advance_outbox_clock(dt.timedelta(hours=27))  # beyond the 26-hour window
    sweep()
    assert OutboxMessage.objects.filter(status=Status.FAILED).count() == 3

    client.force_login(cast["office"])
    log = client.get(reverse("reminders:log") + "?status=failed").content.decode()
    tax = ReminderDispatch.objects.get(unit=cast["tax"])
    assert f'id="dispatch-{tax.pk}"' in log
    assert 'text-bg-danger">发送失败' in log and "SMTPDataError: 451 try again later" in log
    assert "重新发送3封失败邮件" in log

    mail_server.refuse_all = False
    response = client.post(reverse("reminders:retry"), {"all": "1", "status": "failed"})
    assert response.status_code == 302

    assert wait_until(lambda: all_sent() and mail_server.to_counts() == EXPECTED)
    log = client.get(reverse("reminders:log")).content.decode()
    assert 'text-bg-danger">发送失败' not in log
    assert log.count('text-bg-success">已发送') == 3
