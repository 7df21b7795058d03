"""Benchmark: N late units reminded through the application's path to a local SMTP server,
beside a plain smtplib loop to the same server in the same run.

Not a test: it fills a throwaway database (its name must start with "bench"):

    createdb -h 127.0.0.1 -U postgres bench_reminders
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reminders \\
        DJANGO_SECRET_KEY=bench-not-secret-0123456789abcdef \\
        .venv/bin/python manage.py bench_reminders --units 10000
"""

import asyncio
import datetime as dt
import logging
import smtplib
import socket
import time

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from config.celery_app import app as celery_app
from reform.org.models import ContactPerson, Jurisdiction, Origin, Unit
from reform.outbox.models import OutboxMessage
from reform.outbox.services import send_due
from reform.plan.models import Assignment, Period, Plan, Section, Task
from reform.reminders.services import send_reminders
from reform.reports.services import ensure_reports

TODAY = dt.date(2025, 12, 18)  # the cooperating units' date of 2025 H2: "due today"
TASKS_PER_UNIT = 3


class CountingHandler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        await asyncio.sleep(0)
        return "250 OK"


class Command(BaseCommand):
    help = (
        "Benchmark the reminders: N late units through the job and the outbox to a local "
        "aiosmtpd, beside a plain smtplib loop. Only on a database named bench*: it is "
        "flushed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=10_000)

    def handle(self, *args, units: int, **options):
        name = str(settings.DATABASES["default"]["NAME"])
        if connection.vendor != "postgresql" or not name.startswith("bench"):
            raise CommandError(
                f"Refusing to run on database {name!r}: it is flushed. Create a throwaway "
                "PostgreSQL database whose name starts with 'bench' and point DATABASE_URL "
                "at it (createdb -h 127.0.0.1 -U postgres bench_reminders)."
            )
        if units < 1:
            raise CommandError("--units must be at least 1.")
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per verb
        # The outbox hands each new row to a worker through the broker; here nobody listens
        # and the sweep below does the sending, so the hand-off goes to an in-memory queue.
        celery_app.conf.broker_url = "memory://"
        celery_app.conf.task_always_eager = False
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

        self.stdout.write(f"Preparing {name}: migrate, flush, {units} late units…")
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        self._make_units(units)

        handler = CountingHandler()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        try:
            self._run(units, handler, port)
        finally:
            controller.stop()

    def _make_units(self, count: int) -> None:
        province = Jurisdiction.objects.create(
            code="bench", name="基准测试省", level=1, origin=Origin.OFFICE
        )
        plan = Plan.objects.create(
            code="bench",
            title="基准测试方案",
            issuers="基准",
            issued_on=dt.date(2021, 7, 8),
            general_requirements="—",
            organisation="—",
        )
        section = Section.objects.create(plan=plan, number=1, numeral="一", title="基准")
        tasks = [
            Task.objects.create(
                plan=plan,
                section=section,
                number=n,
                short_title=f"基准任务{n}",
                full_text=f"基准任务{n}。",
                origin=Origin.PLAN,
            )
            for n in range(1, TASKS_PER_UNIT + 1)
        ]
        Period.objects.create(
            year=2025,
            half=2,
            opens_on=dt.date(2025, 7, 1),
            due_on=dt.date(2025, 12, 25),
            cooperating_due_on=TODAY,
            origin=Origin.PLAN,
        )
        units = Unit.objects.bulk_create(
            [
                Unit(
                    code=f"bench-{i}",
                    name=f"基准单位{i}",
                    jurisdiction=province,
                    order=i,
                    origin=Origin.OFFICE,
                )
                for i in range(count)
            ],
            batch_size=2000,
        )
        ContactPerson.objects.bulk_create(
            [
                ContactPerson(unit=u, name="联络员", email=f"unit{u.pk}@bench.example")
                for u in units
            ],
            batch_size=2000,
        )
        Assignment.objects.bulk_create(
            [
                Assignment(
                    task=task,
                    unit=u,
                    jurisdiction=province,
                    role=Assignment.Role.COOPERATING,
                    justification="基准",
                    origin=Origin.OFFICE,
                )
                for u in units
                for task in tasks
            ],
            batch_size=2000,
        )
        ensure_reports()

    def _run(self, units: int, handler: CountingHandler, port: int) -> None:
        write = self.stdout.write
        started = time.perf_counter()
        result = send_reminders(today=TODAY)
        written = time.perf_counter()
        if result.sent != units:
            raise CommandError(f"The job wrote {result.sent} reminders, not {units}.")
        while OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists():
            counts = send_due(limit=1000)
            if counts["sent"] == 0:
                raise CommandError(f"The outbox stopped sending: {counts}")
        delivered = time.perf_counter()
        if handler.count != units:
            raise CommandError(f"The server received {handler.count} emails, not {units}.")

        # The same messages, built beforehand, sent by plain smtplib: first one connection
        # per message (as the outbox's backend does), then all over one connection.
        messages = [
            (m.to, self._bytes(m))
            for m in OutboxMessage.objects.order_by("id").only(
                "to", "subject", "body_text", "body_html", "message_id"
            )
        ]
        sender = settings.DEFAULT_FROM_EMAIL
        handler.count = 0
        plain_started = time.perf_counter()
        for to, data in messages:
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.sendmail(sender, to, data)
        plain_each = time.perf_counter() - plain_started
        one_started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for to, data in messages:
                smtp.sendmail(sender, to, data)
        plain_one = time.perf_counter() - one_started
        if handler.count != 2 * units:
            raise CommandError(f"smtplib delivered {handler.count}, not {2 * units}.")

        job, sending, app = written - started, delivered - written, delivered - started
        rate = units / app
        write("")
        write(f"units (late, 1 email each, {TASKS_PER_UNIT} tasks listed): {units}")
        write(f"job: dispatch + outbox rows       {job:8.2f} s  {units / job:8.1f} rows/s")
        write(f"outbox: delivery to aiosmtpd     {sending:8.2f} s  {units / sending:8.1f} emails/s")
        write(f"application path, end to end     {app:8.2f} s  {rate:8.1f} emails/s")
        write(
            f"plain smtplib, a connection each {plain_each:8.2f} s  "
            f"{units / plain_each:8.1f} emails/s"
        )
        write(
            f"plain smtplib, one connection    {plain_one:8.2f} s  "
            f"{units / plain_one:8.1f} emails/s"
        )
        write(
            f"ratio, application / smtplib (a connection each): {rate / (units / plain_each):.2f}"
            f"; (one connection): {rate / (units / plain_one):.2f}"
        )
        if settings.DEBUG:
            write("(DJANGO_DEBUG is on: Django records every query, which slows the job.)")

    @staticmethod
    def _bytes(message: OutboxMessage) -> bytes:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=message.to,
            headers={"Message-ID": message.message_id},
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        return email.message().as_bytes(linesep="\r\n")  # as the SMTP backend sends it
