"""A real Celery worker over real Redis sends the outbox; a dead broker loses nothing."""

import logging
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from config.celery_app import app
from reform.outbox.models import OutboxMessage
from reform.outbox.services import enqueue
from reform.outbox.tasks import send_due
from reform.outbox.testing import private_broker, wait_until

Status = OutboxMessage.Status


def _enqueue(**overrides) -> OutboxMessage:
    fields = {
        "kind": "return_notice",
        "to": ["head@example.gov.cn"],
        "subject": "报告已退回",
        "body_text": "您单位的进展报告已被退回，请修改后重新提交。",
    }
    with transaction.atomic():
        return enqueue(**(fields | overrides))


def _is_sent(message: OutboxMessage) -> bool:
    return OutboxMessage.objects.filter(id=message.id, status=Status.SENT).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_committed_message(settings, mail_server):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    app.control.purge()  # what earlier tests published, with no worker to take it
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        message = _enqueue()  # the commit hands it to the worker; no sweep needed
        assert wait_until(lambda: _is_sent(message))

    assert mail_server.message_ids() == [message.message_id]


@pytest.fixture
def private_redis(settings):
    with private_broker(settings) as server:
        yield server


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_nothing_is_lost(private_redis, mail_server, caplog):
    private_redis.stop()

    with caplog.at_level(logging.WARNING, logger="reform.outbox.services"):
        started = time.monotonic()
        message = _enqueue()  # the user's request: must neither fail nor hang
        took = time.monotonic() - started

    assert took < 5
    assert "periodic sweep will send it" in caplog.text
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert mail_server.received == []

    private_redis.start()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        send_due.delay()  # as beat does every minute
        assert wait_until(lambda: _is_sent(message))

    assert mail_server.message_ids() == [message.message_id]
