"""Drill: back up and restore, as README "Backup and restore" says.

A seeded database (the demo history, a day of reminders in the outbox, evidence files) is
dumped with ``pg_dump -Fc`` and its MEDIA_ROOT packed with tar; both are restored into a fresh
database and a new folder. The application, pointed at the restored copy, finds every report,
history entry and evidence file again (same ids, same bytes), and the daily job run again on
the restored copy sends nothing twice.
"""

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from config.celery_app import app
from reform.attachments.models import Attachment as Evidence
from reform.history.models import HistoryEntry
from reform.outbox.models import OutboxMessage
from reform.reminders.models import ReminderDispatch
from reform.reminders.services import send_reminders
from reform.reports import selectors
from reform.reports.models import Report

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# What the application reads back from a database and its files (run in-process on the
# original, and in a subprocess on the restored copy).
LISTING = """
import hashlib, json
from django.core.files.storage import default_storage
from reform.history.models import HistoryEntry
from reform.attachments.models import Attachment as Evidence
from reform.reports.models import Report
from reform.outbox.models import OutboxMessage
from reform.reminders.models import ReminderDispatch

def sha256(name):
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()

print(json.dumps({
    "reports": sorted(
        [r.pk, r.version, r.state, r.progress, r.updated_at.isoformat()]
        for r in Report.objects.all()
    ),
    "history": sorted(
        [h.pk, h.object_id, h.field, h.after, h.at.isoformat()]
        for h in HistoryEntry.objects.all()
    ),
    "evidence": sorted(
        [e.pk, e.object_id, e.file.name, e.sha256, sha256(e.file.name)]
        for e in Evidence.objects.all()
    ),
    "outbox": sorted(
        [m.pk, m.status, m.message_id] for m in OutboxMessage.objects.all()
    ),
    "dispatch": sorted(
        [d.pk, d.step, d.unit_id, d.message_id] for d in ReminderDispatch.objects.all()
    ),
}))
"""


def pg_env() -> dict:
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432)}
    env["PGUSER"] = db["USER"] or "postgres"
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def run(*command, env=None, cwd=None) -> str:
    done = subprocess.run(
        command, env=env or pg_env(), cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def table_digests(dbname: str) -> dict[str, tuple[int, str]]:
    """Every table of the database: its row count and a digest of all its rows."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname=dbname,
    ) as pg:
        tables = [
            row[0]
            for row in pg.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        digests = {}
        for table in tables:
            digests[table] = pg.execute(
                "SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), ''))"
                f' FROM "{table}" t'
            ).fetchone()
        for name, last_value in pg.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ):
            digests[f"sequence {name}"] = (last_value, "")
    return digests


def listing(env: dict | None = None) -> dict:
    """LISTING, in this process (the original) or against another database and folder."""
    if env is None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(LISTING, {})
        text = out.getvalue()
    else:
        text = run(
            sys.executable, "manage.py", "shell", "-c", LISTING, env=env, cwd=settings.BASE_DIR
        )
    return json.loads(text.strip().splitlines()[-1])  # after anything the shell says first


@pytest.fixture
def seeded():
    """The demo history, a day of reminders written to the outbox (some already delivered
    before the backup, some still waiting), and the demo's evidence files. Returns the day
    of the reminders."""
    call_command("seed_demo", stdout=io.StringIO())
    # The first day from the current period's due date on that has reminders to write (the
    # due date itself may fall on a day off).
    due = selectors.period_from(None).due_on
    day = next(
        due + dt.timedelta(days=n)
        for n in range(15)
        if send_reminders(today=due + dt.timedelta(days=n), dry_run=True).plan.reminders
    )
    result = send_reminders(today=day)
    assert result.sent > 0, result.as_dict()
    app.control.purge()  # the kicks of those rows: no worker here takes them
    first_half = list(OutboxMessage.objects.order_by("id").values_list("id", flat=True))
    first_half = first_half[: len(first_half) // 2 or 1]
    OutboxMessage.objects.filter(id__in=first_half).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now(), next_attempt_at=None
    )
    assert Report.objects.exclude(version=1).exists()
    assert HistoryEntry.objects.exists()
    assert Evidence.objects.exists()
    for evidence in Evidence.objects.all():
        with default_storage.open(evidence.file.name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == evidence.sha256
    return day


@pytest.fixture
def restored_database():
    name = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"
    run("dropdb", "--if-exists", name)
    yield name
    run("dropdb", "--if-exists", "--force", name)


def test_a_backup_restores_every_report_history_entry_and_evidence_file(
    seeded, restored_database, tmp_path, settings
):
    source = connection.settings_dict["NAME"]
    media_root = Path(settings.MEDIA_ROOT)
    backup = tmp_path / "backup"
    backup.mkdir()

    # Back up: the database, then the evidence files (README "Backup and restore").
    run("pg_dump", "-Fc", "--no-owner", "-d", source, "-f", str(backup / "reform.dump"))
    run("tar", "-C", str(media_root), "-czf", str(backup / "media.tar.gz"), ".")

    # Restore on a fresh database and a new, empty folder.
    run("createdb", restored_database)
    run(
        "pg_restore",
        "--no-owner",
        "--exit-on-error",
        "-d",
        restored_database,
        str(backup / "reform.dump"),
    )
    new_media = tmp_path / "restored-media"
    new_media.mkdir()
    run("tar", "-C", str(new_media), "-xzf", str(backup / "media.tar.gz"))
    shutil.rmtree(media_root)  # the original files are gone: only the backup is read

    # Every table, row for row, and every sequence (new rows get new ids, never a used one).
    original = table_digests(source)
    assert table_digests(restored_database) == original
    for table in ("reports_report", "history_historyentry", "attachments_attachment"):
        assert original[table][0] > 0, table
    assert original["outbox_outboxmessage"][0] > 0
    assert original["reminders_reminderdispatch"][0] > 0

    # The application itself, on the restored database and folder, finds everything again.
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    restored_url = (
        f"postgres://{db['USER'] or 'postgres'}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{restored_database}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": restored_url,
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(new_media),
    }
    run(sys.executable, "manage.py", "migrate", "--check", env=env, cwd=settings.BASE_DIR)
    before = {
        "reports": Report.objects.count(),
        "history": HistoryEntry.objects.count(),
        "evidence": Evidence.objects.count(),
    }
    settings.MEDIA_ROOT = new_media  # the original's listing reads the files from the backup
    expected = listing()
    assert {key: len(expected[key]) for key in before} == before
    found = listing(env)
    assert found == expected
    for _pk, _report, _name, recorded, actual in found["evidence"]:
        assert actual == recorded  # the bytes of every evidence file, by sha256

    # The outbox and the dispatch table came along: the daily job run again on the restored
    # copy writes nothing new, and what was sent before the backup stays sent.
    output = run(
        sys.executable,
        "manage.py",
        "send_reminders",
        "--today",
        seeded.isoformat(),
        env=env,
        cwd=settings.BASE_DIR,
    )
    assert " 0 written to the outbox" in output, output
    after = listing(env)
    assert after["outbox"] == expected["outbox"]
    assert after["dispatch"] == expected["dispatch"]
    assert OutboxMessage.objects.count() == len(expected["outbox"])
    assert ReminderDispatch.objects.count() == len(expected["dispatch"])
