"""send_due against a real SMTP server (aiosmtpd): delivery, retries, outages, races."""

import datetime as dt
import io
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from reform.outbox import services
from reform.outbox.models import DeliveryAttempt, OutboxMessage
from reform.outbox.services import enqueue, send_due

Status = OutboxMessage.Status
START = dt.datetime(2025, 12, 1, 9, 0, tzinfo=dt.UTC)


def _enqueue(number: int = 1, **overrides) -> OutboxMessage:
    fields = {
        "kind": "urging_notice",
        "to": [f"unit{number}@example.gov.cn"],
        "subject": f"催办通知 {number}",
        "body_text": f"请于2025年12月25日前报送第{number}项任务的进展情况。",
    }
    with transaction.atomic():
        return enqueue(**(fields | overrides))


def _sweep_until(traveller, end: dt.datetime) -> None:
    """What beat does every minute, skipping the minutes in which nothing is due."""
    while True:
        due = OutboxMessage.objects.filter(status=Status.PENDING).aggregate(
            at=Min("next_attempt_at")
        )["at"]
        if due is None or due > end:
            break
        traveller.move_to(due)
        send_due()
    traveller.move_to(end)


def test_a_message_arrives_whole(db, mail_server):
    message = _enqueue(
        to=["head@example.gov.cn", "staff@example.gov.cn"],
        subject="【提醒】2025年下半年进展报告还有3个工作日截止",
        body_text="您单位尚有以下任务未报送：\n15．推进税务执法信息网上查询",
        body_html="<p>您单位尚有以下任务未报送：</p><ul><li>15．推进税务执法信息网上查询</li></ul>",
        reply_to=["office@example.gov.cn"],
    )

    assert send_due() == {"sent": 1, "retrying": 0, "failed": 0, "skipped": 0}

    [received] = mail_server.received
    # Python folds the long encoded header onto a continuation line; the parser keeps the
    # fold's space, mail clients drop it.
    assert received["Subject"].strip() == "【提醒】2025年下半年进展报告还有3个工作日截止"
    assert received["Message-ID"] == message.message_id
    assert received["To"] == "head@example.gov.cn, staff@example.gov.cn"
    assert received["Reply-To"] == "office@example.gov.cn"
    assert "reform-tracker@example.gov.cn" in received["From"]
    plain = received.get_body(preferencelist=("plain",))
    assert plain.get_content_charset() == "utf-8"
    assert plain.get_content().replace("\r\n", "\n").strip() == message.body_text
    html = received.get_body(preferencelist=("html",))
    assert "<li>15．推进税务执法信息网上查询</li>" in html.get_content()
    assert sorted(mail_server.envelopes[0].rcpt_tos) == [
        "head@example.gov.cn",
        "staff@example.gov.cn",
    ]

    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.claimed_at is None
    [attempt] = message.delivery_attempts.all()
    assert attempt.ok and attempt.finished_at and attempt.error == ""


def test_a_text_only_message_has_no_html_part(db, mail_server):
    _enqueue(body_html="")
    send_due()

    [received] = mail_server.received
    assert not received.is_multipart()


def test_a_refusing_server_is_retried_with_backoff_until_it_accepts(db, flaky_mail_server):
    with time_machine.travel(START, tick=False) as traveller:
        message = _enqueue()

        assert send_due()["retrying"] == 1
        message.refresh_from_db()
        assert message.status == Status.PENDING
        assert message.next_attempt_at == START + dt.timedelta(minutes=1)
        assert send_due() == {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0}  # not due

        traveller.shift(dt.timedelta(minutes=1))
        assert send_due()["retrying"] == 1
        message.refresh_from_db()
        assert message.next_attempt_at == START + dt.timedelta(minutes=3)

        traveller.shift(dt.timedelta(minutes=1))
        assert send_due()["sent"] == 0  # still waiting
        traveller.shift(dt.timedelta(minutes=1))
        assert send_due()["sent"] == 1

    assert flaky_mail_server.message_ids() == [message.message_id]
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 3
    assert message.last_error == ""
    attempts = list(message.delivery_attempts.all())
    assert [a.ok for a in attempts] == [False, False, True]
    assert [a.error for a in attempts[:2]] == ["SMTPDataError: 451 try again later"] * 2
    assert all(a.finished_at for a in attempts)

    send_due()
    assert len(flaky_mail_server.received) == 1


def test_a_day_long_mail_server_outage_loses_nothing(db, stopped_mail_service):
    with time_machine.travel(START, tick=False) as traveller:
        messages = [_enqueue(number) for number in range(3)]
        assert send_due()["retrying"] == 3

        _sweep_until(traveller, START + dt.timedelta(hours=24))

        for message in messages:
            message.refresh_from_db()
            assert message.status == Status.PENDING
            assert message.attempts > 20
            assert "ConnectionRefusedError" in message.last_error
            assert message.delivery_attempts.filter(ok=False).count() == message.attempts

        stopped_mail_service.start()
        _sweep_until(traveller, START + dt.timedelta(hours=25))
        traveller.shift(dt.timedelta(hours=3))
        send_due()

    assert sorted(stopped_mail_service.handler.message_ids()) == sorted(
        m.message_id for m in messages
    )
    for message in messages:
        message.refresh_from_db()
        assert message.status == Status.SENT
        assert message.delivery_attempts.filter(ok=True).count() == 1


def test_a_message_failing_beyond_the_window_is_marked_failed_with_its_error(db, smtp_port):
    with time_machine.travel(START, tick=False) as traveller:
        message = _enqueue()
        _sweep_until(traveller, START + dt.timedelta(hours=25, minutes=59))
        message.refresh_from_db()
        assert message.status == Status.PENDING  # retried for more than a day

        _sweep_until(traveller, START + dt.timedelta(hours=28))

    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.next_attempt_at is None
    assert message.last_error.startswith("ConnectionRefusedError")
    last = message.delivery_attempts.last()
    assert last.started_at - START >= services.GIVE_UP_AFTER
    assert message.delivery_attempts.count() == message.attempts


def test_the_give_up_window_counts_from_the_first_failure(db, smtp_port, settings):
    """A row queued while the broker was down for longer than the window still gets its
    retries once sweeping resumes."""
    settings.OUTBOX_GIVE_UP_AFTER = dt.timedelta(hours=2)
    with time_machine.travel(START, tick=False) as traveller:
        message = _enqueue()
        traveller.shift(dt.timedelta(hours=5))
        send_due()
        message.refresh_from_db()
        assert message.status == Status.PENDING

        _sweep_until(traveller, START + dt.timedelta(hours=8))

    message.refresh_from_db()
    assert message.status == Status.FAILED


def test_a_failed_message_sent_again_on_the_offices_request(db, mail_server):
    message = _enqueue()
    OutboxMessage.objects.filter(id=message.id).update(
        status=Status.FAILED, attempts=30, last_error="timed out", next_attempt_at=None
    )

    assert services.retry([message.id]) == 1
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert send_due()["sent"] == 1
    assert mail_server.message_ids() == [message.message_id]


def test_retry_leaves_rows_that_have_not_failed_alone(db):
    pending = _enqueue(1)
    sent = _enqueue(2)
    OutboxMessage.objects.filter(id=sent.id).update(status=Status.SENT, sent_at=timezone.now())

    assert services.retry([pending.id, sent.id]) == 0
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_a_row_left_sending_by_a_killed_worker_is_sent_again(db, mail_server):
    with time_machine.travel(START, tick=False) as traveller:
        stuck = _enqueue(1)
        busy = _enqueue(2)
        # A worker claimed both and died; the second claim is recent (another worker may
        # still be in its SMTP conversation).
        for message, claimed_at in [
            (stuck, START - dt.timedelta(minutes=11)),
            (busy, START - dt.timedelta(minutes=2)),
        ]:
            OutboxMessage.objects.filter(id=message.id).update(
                status=Status.SENDING, claimed_at=claimed_at, attempts=1
            )
            DeliveryAttempt.objects.create(message=message, started_at=claimed_at)

        assert send_due()["sent"] == 1
        assert mail_server.message_ids() == [stuck.message_id]
        stuck.refresh_from_db()
        assert stuck.status == Status.SENT
        assert stuck.attempts == 2
        abandoned, delivered = stuck.delivery_attempts.all()
        assert abandoned.error == services.ABANDONED and abandoned.finished_at == START
        assert delivered.ok
        busy.refresh_from_db()
        assert busy.status == Status.SENDING

        traveller.shift(dt.timedelta(minutes=9))
        assert send_due()["sent"] == 1

    assert mail_server.message_ids() == [stuck.message_id, busy.message_id]


def test_a_row_another_worker_claimed_first_is_skipped(db, mail_server):
    message = _enqueue()
    as_read = OutboxMessage.objects.filter(id=message.id).values_list("id", "status", "attempts")[0]
    send_due()  # the other worker

    with services._Connection() as connection:
        assert services._process(*as_read, now=None, connection=connection) == "skipped"
    assert mail_server.message_ids() == [message.message_id]
    assert message.delivery_attempts.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_send_each_message_once(mail_server):
    messages = [_enqueue(number) for number in range(40)]
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            start.wait()
            results.append(send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(mail_server.message_ids()) == sorted(m.message_id for m in messages)
    assert sum(result["sent"] for result in results) == 40
    assert DeliveryAttempt.objects.count() == 40
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}


def test_the_command_sends_what_is_due(db, mail_server):
    message = _enqueue()
    out = io.StringIO()

    call_command("send_outbox", stdout=out)

    assert "sent: 1" in out.getvalue()
    assert mail_server.message_ids() == [message.message_id]


def test_the_sweep_is_scheduled_every_minute_in_the_database(db):
    task = PeriodicTask.objects.get(task="outbox.send_due")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (60, "seconds")


def test_backoff_grows_then_stays_hourly():
    minutes = [services.backoff(n).total_seconds() / 60 for n in range(1, 10)]
    assert minutes == [1, 2, 5, 10, 20, 40, 60, 60, 60]


def test_a_backlog_larger_than_one_batch_goes_out_in_one_sweep_over_one_connection(db, mail_server):
    messages = [_enqueue(number) for number in range(25)]
    assert send_due(limit=10)["sent"] == 25
    assert sorted(mail_server.message_ids()) == sorted(m.message_id for m in messages)
    assert len(set(mail_server.peers)) == 1
