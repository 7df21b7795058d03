"""Test helpers shared by the outbox, reminders and failure-drill tests: a real mail server
(aiosmtpd) that can be stopped and started, a private redis-server, free ports and waiting.

Only tests import this module; it needs the test extras (aiosmtpd, redis-server on PATH).
"""

import asyncio
import contextlib
import email
import email.policy
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter

import pytest
import redis
from aiosmtpd.controller import Controller

# The project's Celery app (config.celery_app), without importing the configuration from
# the ground floor: config is loaded with the settings, and its app is the current one.
from celery import current_app as app


def free_port() -> int:
    """A port nothing listens on (yet): for a server the test starts, or a closed port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


# --- a real mail server ----------------------------------------------------------------------


class MailServer:
    """An aiosmtpd handler that keeps what it accepted.

    ``refuse``: answer "451 try again later" to that many DATAs first; ``refuse_all``: to
    every one. ``hold(address)``: the first message to that address waits, without an
    answer, until ``release()``; then it is refused, never kept (its client died meanwhile).
    """

    def __init__(self, refuse: int = 0):
        self.refuse = refuse
        self.refuse_all = False
        self.received: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.peers = []  # the client's (host, port) per accepted message: one per connection
        self._lock = threading.Lock()
        self._hold_for: str | None = None
        self.holding = threading.Event()
        self._released = threading.Event()

    def hold(self, address: str) -> None:
        self._hold_for = address

    def release(self) -> None:
        self._released.set()

    async def handle_DATA(self, server, session, envelope):
        if self._hold_for and self._hold_for in envelope.rcpt_tos and not self.holding.is_set():
            self.holding.set()
            while not self._released.is_set():  # without blocking the server's event loop
                await asyncio.sleep(0.05)
            return "451 try again later"
        with self._lock:
            if self.refuse_all or self.refuse > 0:
                self.refuse = max(self.refuse - 1, 0)
                return "451 try again later"
            self.envelopes.append(envelope)
            self.peers.append(session.peer)
            self.received.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.received]

    def to_counts(self) -> Counter:
        """How many messages each address received."""
        counts = Counter()
        for message in self.received:
            for address in message["To"].addresses:
                counts[address.addr_spec] += 1
        return counts

    def for_address(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.received if address in [a.addr_spec for a in m["To"].addresses]]


class SmtpService:
    """An aiosmtpd Controller that can be stopped and started again on the same port."""

    def __init__(self, handler: MailServer, port: int):
        self.handler = handler
        self.port = port
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def use_smtp(settings, port: int) -> None:
    """Django sends by SMTP to 127.0.0.1:<port> (pytest-django installs the in-memory
    backend otherwise); ``settings`` is pytest-django's fixture."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "改革办 <reform-tracker@example.gov.cn>"


# --- a private Redis that a test may stop -------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own, on a free port: stopping the shared one would
    break every other test running against it."""

    def __init__(self, port: int):
        self.port = port
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

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

        try:
            assert wait_until(answers, 10), "redis-server did not start"
        finally:
            client.close()

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def use_broker(url: str) -> None:
    """Point the Celery app at another broker; the pools hold connections to the old one."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def private_broker(settings):
    """A started private redis-server that the Celery app and ``settings`` (pytest-django's
    fixture) use as broker until the block ends; then it is stopped and the old broker is back.
    """
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (apt-get install -y redis-server)")
    server = RedisServer(free_port())
    server.start()
    saved = app.conf.broker_url
    settings.CELERY_BROKER_URL = server.url
    use_broker(server.url)
    try:
        yield server
    finally:
        server.stop()
        use_broker(saved)
