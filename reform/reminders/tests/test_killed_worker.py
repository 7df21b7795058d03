"""A worker process killed (SIGKILL) in the middle of a batch, then started again: every
late unit gets its email, and none gets two."""

import datetime as dt
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from config.celery_app import app
from reform.outbox.models import OutboxMessage
from reform.outbox.services import ABANDONED, CLAIM_TIMEOUT
from reform.outbox.tasks import send_due
from reform.outbox.testing import wait_until
from reform.reminders.models import ReminderDispatch
from reform.reminders.tasks import send_daily_reminders

from .conftest import advance_outbox_clock

BASE_DIR = Path(django_settings.BASE_DIR)
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


class WorkerProcess:
    """``celery -A config worker`` in its own process, on the test's database and broker."""

    def __init__(self, settings, log_dir: Path, smtp_port: int):
        db = settings.DATABASES["default"]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
            "SITE_URL": settings.SITE_URL,
        }
        if db.get("PASSWORD"):
            self.env["PGPASSWORD"] = db["PASSWORD"]
        self.log_dir = log_dir
        self.process = None
        self.log = None

    def start(self) -> None:
        self.log = self.log_dir / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--hostname",
                f"killed-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        assert wait_until(lambda: "ready." in self.output() or self.process.poll() is not None)
        assert self.process.poll() is None, self.output()

    def output(self) -> str:
        return self.log.read_text() if self.log and self.log.exists() else ""

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def test_a_worker_killed_between_two_units_leaves_no_unit_without_or_with_two_emails(
    settings, plan, cast, mail_server, smtp_port, tmp_path
):
    app.control.purge()
    # The police's email will hang in the SMTP conversation, before the server accepts it.
    mail_server.hold("police-staff@example.gov.cn")
    worker = WorkerProcess(settings, tmp_path, smtp_port)
    worker.start()
    try:
        send_daily_reminders.delay(today="2025-12-22")
        assert wait_until(mail_server.holding.is_set), worker.output()
        assert mail_server.to_counts()["tax-staff@example.gov.cn"] == 1  # the unit before
        worker.kill()  # between the tax bureau's email and customs'
        mail_server.release()  # the hung conversation ends unaccepted

        police = ReminderDispatch.objects.get(unit=cast["police"]).message
        police.refresh_from_db()
        assert police.status == OutboxMessage.Status.SENDING  # claimed by the dead worker
        assert "customs-staff@example.gov.cn" not in mail_server.to_counts()

        # Ten minutes on, the claim has expired; a new worker and beat's sweep take over.
        advance_outbox_clock(CLAIM_TIMEOUT + dt.timedelta(minutes=1))
        worker.start()
        send_due.delay()
        assert wait_until(
            lambda: not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()
        ), worker.output()
    finally:
        worker.stop()

    assert mail_server.to_counts() == {
        "tax-staff@example.gov.cn": 1,
        "tax-head@example.gov.cn": 1,
        "police-staff@example.gov.cn": 1,
        "liaison@police.example": 1,
        "customs-staff@example.gov.cn": 1,
        "office@example.gov.cn": 1,
    }
    attempts = list(police.delivery_attempts.all())
    assert [(a.ok, a.error) for a in attempts] == [(False, ABANDONED), (True, "")]
