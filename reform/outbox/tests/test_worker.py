"""A real Celery worker over real Redis sends the outbox; a dead broker loses nothing."""

import logging
import shutil
import subprocess
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from config.celery_app import app
from reform.outbox.models import OutboxMessage
from reform.outbox.services import enqueue
from reform.outbox.tasks import send_due

from .conftest import free_port

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


def _wait_until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _is_sent(message: OutboxMessage) -> bool:
    return OutboxMessage.objects.filter(id=message.id, status=Status.SENT).exists()


def _use_broker(url: str) -> None:
    """Point the app at another broker; the pools hold connections to the old one."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_a_committed_message(settings, mail_server):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    app.control.purge()  # what earlier tests published, with no worker to take it
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        message = _enqueue()  # the commit hands it to the worker; no sweep needed
        assert _wait_until(lambda: _is_sent(message))

    assert mail_server.message_ids() == [message.message_id]


class RedisServer:
    """A private redis-server that the test can stop and start again on the same port."""

    def __init__(self, port: int):
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port)

        def answers():
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        assert _wait_until(answers, 10), "redis-server did not start"

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def private_redis(settings):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (apt-get install -y redis-server)")
    server = RedisServer(free_port())
    server.start()
    url = f"redis://127.0.0.1:{server.port}/0"
    saved = app.conf.broker_url
    settings.CELERY_BROKER_URL = url
    _use_broker(url)
    yield server
    server.stop()
    _use_broker(saved)


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
        assert _wait_until(lambda: _is_sent(message))

    assert mail_server.message_ids() == [message.message_id]
