"""Drill: Redis, the broker, is stopped while people work.

Pages still serve (a unit's page, a report save, sign-off, the office's return and urging
notice), /healthz answers 503 naming the broker, and every email written meanwhile goes out
once Redis is back (a worker plus beat's every-minute sweep), exactly once.

Only the test's own redis-server is stopped; the shared one is never touched.
"""

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from reform.org.models import ContactPerson
from reform.outbox.models import OutboxMessage
from reform.outbox.tasks import send_due
from reform.outbox.testing import wait_until
from reform.reports import selectors
from reform.reports.models import Report

from .conftest import celery_worker

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

Status = OutboxMessage.Status


def timed(call):
    """The response, and how long the request took (a dead broker must not make it hang)."""
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def published(task) -> bool:
    try:
        task.delay()
    except Exception:  # the broker is still coming back
        return False
    return True


def test_with_redis_stopped_pages_serve_and_every_email_goes_out_once_it_is_back(
    client, plan, cast, mail_server, private_redis
):
    ContactPerson.objects.create(unit=cast["police"], name="联络员", email="liaison@police.example")
    period = selectors.period_from(None)
    assert not period.is_closed
    report = Report.objects.get(unit=cast["tax"], period=period, task__number=2)
    report_url = reverse("reports:report", args=[report.pk])
    assert client.get("/healthz").status_code == 200

    private_redis.stop()

    # /healthz names the broker; the database still answers.
    response = client.get("/healthz")
    assert response.status_code == 503
    health = response.json()
    assert health["status"] == "unavailable"
    assert health["database"] == "ok"
    assert health["broker"].startswith("error: ConnectionError")

    # The unit's staff open their page and save, and send for sign-off; the head signs off.
    client.force_login(cast["tax_staff"])
    page, took = timed(lambda: client.get(reverse("reports:unit", args=[cast["tax"].pk])))
    assert page.status_code == 200 and took < 5
    saved, took = timed(
        lambda: client.post(
            report_url,
            {
                "version": report.version,
                "status": "on_track",
                "percent": "60",
                "progress": "Redis停机期间填写的进展。",
                "problems": "",
                "next_steps": "继续推进。",
            },
        )
    )
    assert saved.status_code == 302 and took < 5
    assert client.post(reverse("reports:send", args=[report.pk]), {"version": 2}).status_code == 302
    client.force_login(cast["tax_head"])
    assert (
        client.post(reverse("reports:sign_off", args=[report.pk]), {"version": 3}).status_code
        == 302
    )
    report.refresh_from_db()
    assert (report.state, report.progress) == (Report.State.SUBMITTED, "Redis停机期间填写的进展。")

    # The office returns it (a return notice) and urges the police (an urging notice).
    client.force_login(cast["office"])
    returned, took = timed(
        lambda: client.post(
            reverse("reports:return", args=[report.pk]), {"comment": "请补充具体数据。"}
        )
    )
    assert returned.status_code == 302 and took < 5
    police_reports = selectors.not_submitted(unit=cast["police"], period=period)
    urged, took = timed(
        lambda: client.post(
            reverse("reports:urging_new") + f"?unit={cast['police'].pk}&period={period.code}",
            {
                "reports": [str(r.pk) for r in police_reports],
                "message": "请尽快报送。",
                "reply_by": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            },
        )
    )
    assert urged.status_code == 302 and took < 5

    # Both emails wait in the outbox; nothing went out, nothing is marked failed.
    kinds = sorted(OutboxMessage.objects.values_list("kind", flat=True))
    assert kinds == ["return_notice", "urging_notice"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.PENDING}
    assert mail_server.received == []

    # Redis is back; a worker runs and beat publishes its every-minute sweep.
    private_redis.start()
    with celery_worker():
        assert wait_until(lambda: published(send_due), 60)
        assert wait_until(lambda: not OutboxMessage.objects.exclude(status=Status.SENT).exists())
        # Later sweeps (beat goes on every minute) find nothing more to send.
        send_due.delay()
        send_due.delay()
        time.sleep(2)

    expected = sorted(OutboxMessage.objects.values_list("message_id", flat=True))
    assert sorted(mail_server.message_ids()) == expected  # each one, exactly once
    assert mail_server.to_counts() == {
        "tax-staff@example.gov.cn": 1,  # the return notice
        "tax-head@example.gov.cn": 1,
        "police-staff@example.gov.cn": 1,  # the urging notice
        "liaison@police.example": 1,
    }
    assert client.get("/healthz").status_code == 200
