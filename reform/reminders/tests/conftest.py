"""The shipped plan and its people, a real mail server, a real Celery worker, and a clock.

The reminders are written for fixed days of 2025 H2 (due Thursday 2025-12-25; cooperating
units Thursday 2025-12-18), so every test names the day it runs on.
"""

import asyncio
import datetime as dt
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
from celery.contrib.testing.worker import start_worker
from django.db.models import F

from config.celery_app import app
from reform.org.models import ContactPerson, Role, Unit
from reform.org.tests import factories as f
from reform.outbox.models import DeliveryAttempt, OutboxMessage
from reform.plan.models import Period
from reform.plan.services import load_plan

D = dt.date
DUE = D(2025, 12, 25)  # Thursday
COOPERATING_DUE = D(2025, 12, 18)  # Thursday, 5 working days before


def free_port() -> int:
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


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://reform.example.gov.cn"


@pytest.fixture
def plan(db):
    """The shipped plan, units, assignments and periods 2021 H2 – 2025 H2, with drafts.

    The periods before 2025 H2 are closed, as the provincial office would have done once
    their reports were in; tests that need an open earlier period reopen it.
    """
    load_plan()
    current = Period.objects.get(year=2025, half=2)
    Period.objects.exclude(pk=current.pk).update(is_closed=True)
    assert (current.due_on, current.cooperating_due_on) == (DUE, COOPERATING_DUE)
    return current


@pytest.fixture
def cast(plan):
    """The provincial tax bureau (lead of many tasks), the police (cooperating on 21 and
    23), customs (cooperating on 21), the provincial and Harbin offices, leadership."""
    tax = Unit.objects.get(code="hlj-tax")
    police = Unit.objects.get(code="hlj-police")
    customs = Unit.objects.get(code="hlj-customs")
    province = tax.jurisdiction
    harbin = province.children.get(code="harbin")
    ContactPerson.objects.create(unit=police, name="联络员", email="liaison@police.example")
    return {
        "tax": tax,
        "police": police,
        "customs": customs,
        "province": province,
        "harbin": harbin,
        "tax_staff": f.person("tax-staff", (Role.STAFF, tax)),
        "tax_head": f.person("tax-head", (Role.HEAD, tax)),
        "police_staff": f.person("police-staff", (Role.STAFF, police)),
        "customs_staff": f.person("customs-staff", (Role.STAFF, customs)),
        "office": f.person("office", (Role.OFFICE, province)),
        "leader": f.person("leader", (Role.LEADERSHIP, province)),
        "harbin_office": f.person("harbin-office", (Role.OFFICE, harbin)),
    }


# --- a real mail server ----------------------------------------------------------------------


class MailServer:
    """An aiosmtpd handler that keeps what it accepted.

    ``refuse``: answer "451 try again later" to that many DATAs first; ``refuse_all``: to
    every one. ``hold(address)``: the first message to that address waits, without an
    answer, until ``release()``; then it is refused, never kept (its client died meanwhile).
    """

    def __init__(self):
        self.refuse = 0
        self.refuse_all = False
        self.received: list[email.message.EmailMessage] = []
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
            self.received.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
        return "250 Message accepted for delivery"

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


@pytest.fixture
def smtp_port(settings):
    """Django sends by SMTP to 127.0.0.1:<port> (pytest-django installs the in-memory
    backend otherwise)."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "改革办 <reform-tracker@example.gov.cn>"
    settings.SITE_URL = "https://reform.example.gov.cn"
    return port


@pytest.fixture
def mail_service(smtp_port):
    """A mail server the test may stop and start (an outage); started."""
    service = SmtpService(MailServer(), smtp_port)
    service.start()
    yield service
    service.stop()


@pytest.fixture
def mail_server(mail_service):
    return mail_service.handler


# --- a real Celery worker ----------------------------------------------------------------------


@pytest.fixture
def worker(settings):
    """A Celery worker (solo pool, in a thread) on the real Redis broker."""
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "REDIS_URL must name a Redis for these tests"
    app.control.purge()  # what earlier tests published with no worker to take it
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as w:
        yield w


def advance_outbox_clock(delta: dt.timedelta) -> None:
    """As if ``delta`` had passed for the outbox: its schedule lives in these timestamps."""
    OutboxMessage.objects.update(
        created_at=F("created_at") - delta,
        next_attempt_at=F("next_attempt_at") - delta,
        claimed_at=F("claimed_at") - delta,
        failing_since=F("failing_since") - delta,
        sent_at=F("sent_at") - delta,
    )
    DeliveryAttempt.objects.update(
        started_at=F("started_at") - delta, finished_at=F("finished_at") - delta
    )


# --- a private Redis that a test may stop -------------------------------------------------------


class RedisServer:
    """A redis-server of the test's own, on a free port: stopping the shared one would
    break every other test running against it."""

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

        assert wait_until(answers, 10), "redis-server did not start"

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def use_broker(url: str) -> None:
    """Point the app at another broker; the pools hold connections to the old one."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def private_redis(settings):
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (apt-get install -y redis-server)")
    server = RedisServer(free_port())
    server.start()
    url = f"redis://127.0.0.1:{server.port}/0"
    saved = app.conf.broker_url
    settings.CELERY_BROKER_URL = url
    use_broker(url)
    yield server
    server.stop()
    use_broker(saved)
