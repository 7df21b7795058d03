"""The reminder log: the office sees what was sent to whom, what waits, what failed and
why, and sends failed emails again; leadership reads; unit people have no such page."""

import datetime as dt

import pytest
from django.urls import reverse

from reform.org.models import Role
from reform.org.tests import factories as f
from reform.outbox.models import OutboxMessage
from reform.plan.models import Assignment, Period
from reform.reminders.models import ReminderDispatch
from reform.reminders.services import send_reminders
from reform.reports.services import ensure_reports

D = dt.date
LOG = reverse("reminders:log")
RETRY = reverse("reminders:retry")


@pytest.fixture
def harbin_unit(cast):
    unit = f.unit("哈尔滨市税务局", jurisdiction=cast["harbin"])
    Assignment.objects.create(
        task=Assignment.objects.get(unit=cast["tax"], task__number=2).task,
        unit=unit,
        role="lead",
        justification="本地分工",
        origin="office",
    )
    ensure_reports()
    f.person("harbin-tax-staff", (Role.STAFF, unit))
    return unit


@pytest.fixture
def sent(plan, cast, harbin_unit):
    """Monday December 22's reminders, one of the province's and Harbin's failed."""
    send_reminders(today=D(2025, 12, 22))
    tax = ReminderDispatch.objects.get(unit=cast["tax"])
    harbin = ReminderDispatch.objects.get(unit=harbin_unit)
    police = ReminderDispatch.objects.get(unit=cast["police"])
    failed = {"status": "failed", "attempts": 31, "last_error": "SMTPDataError: 550 mailbox full"}
    OutboxMessage.objects.filter(pk__in=[tax.message_id, harbin.message_id]).update(**failed)
    OutboxMessage.objects.filter(pk=police.message_id).update(status="sent")
    return {"tax": tax, "harbin": harbin, "police": police}


def row(dispatch) -> str:
    return f'id="dispatch-{dispatch.pk}"'


def test_the_office_sees_to_whom_when_and_why_it_failed_in_its_jurisdiction_and_below(
    client, cast, sent
):
    client.force_login(cast["office"])
    page = client.get(LOG).content.decode()

    assert all(row(d) in page for d in sent.values())
    assert "tax-head@example.gov.cn, tax-staff@example.gov.cn" in page
    assert "SMTPDataError: 550 mailbox full" in page
    assert "黑龙江省领导小组办公室" in page  # its digest
    assert "无邮箱地址" in page  # the units nobody can be written to
    assert "重新发送1封失败邮件" in page  # its own failed row, not Harbin's
    court = ReminderDispatch.objects.get(unit__code="hlj-court")
    assert "请为该单位添加联系人或账号邮箱。" in page and row(court) in page


def test_the_city_office_sees_only_its_own(client, cast, sent):
    client.force_login(cast["harbin_office"])
    page = client.get(LOG).content.decode()

    assert row(sent["harbin"]) in page
    assert row(sent["tax"]) not in page and row(sent["police"]) not in page


def test_filter_by_period_and_status(client, plan, cast, sent):
    client.force_login(cast["office"])

    failed = client.get(LOG, {"status": "failed"}).content.decode()
    assert row(sent["tax"]) in failed and row(sent["police"]) not in failed
    waiting = client.get(LOG, {"status": "pending"}).content.decode()
    assert row(sent["tax"]) not in waiting and "reminder-log-empty" not in waiting
    earlier = client.get(LOG, {"period": "2025H1"}).content.decode()
    assert "reminder-log-empty" in earlier
    current = client.get(LOG, {"period": "2025H2", "status": "sent"}).content.decode()
    assert row(sent["police"]) in current and row(sent["tax"]) not in current
    assert client.get(LOG, {"period": "nonsense", "status": "<b>"}).status_code == 200


def test_the_office_sends_its_failed_email_again(client, cast, sent):
    client.force_login(cast["office"])

    response = client.post(RETRY, {"dispatch": sent["tax"].pk, "status": "failed"})

    assert response.status_code == 302 and response["Location"] == LOG + "?status=failed"
    assert OutboxMessage.objects.get(pk=sent["tax"].message_id).status == "pending"
    assert OutboxMessage.objects.get(pk=sent["harbin"].message_id).status == "failed"


def test_retry_rights(client, cast, sent):
    harbin_row, tax_row = sent["harbin"], sent["tax"]
    # The province reads Harbin's log; Harbin's office acts on it.
    client.force_login(cast["office"])
    assert client.post(RETRY, {"dispatch": harbin_row.pk}).status_code == 403
    client.force_login(cast["harbin_office"])
    assert client.post(RETRY, {"dispatch": tax_row.pk}).status_code == 404
    assert client.post(RETRY, {"dispatch": 10**9}).status_code == 404
    # Leadership reads, never acts; unit people have no log.
    client.force_login(cast["leader"])
    page = client.get(LOG)
    assert page.status_code == 200 and row(tax_row) in page.content.decode()
    assert "重新发送" not in page.content.decode()
    assert client.post(RETRY, {"dispatch": tax_row.pk}).status_code == 403
    assert client.post(RETRY, {"all": "1"}).status_code == 403
    client.force_login(cast["tax_staff"])
    assert client.get(LOG).status_code == 403
    assert client.post(RETRY, {"dispatch": tax_row.pk}).status_code == 403
    assert client.get(RETRY).status_code == 405
    assert set(OutboxMessage.objects.filter(status="failed").values_list("pk", flat=True)) == {
        harbin_row.message_id,
        tax_row.message_id,
    }
    client.logout()
    assert client.get(LOG).status_code == 302  # to the sign-in page


def test_the_office_sees_the_log_in_its_menu(client, cast, sent):
    client.force_login(cast["office"])
    assert f'href="{LOG}"' in client.get(reverse("reports:review")).content.decode()
    client.force_login(cast["tax_staff"])
    assert f'href="{LOG}"' not in client.get(reverse("plan:overview")).content.decode()


@pytest.fixture
def many_rows(plan, cast, sent):
    """More periods, units and rows: an N+1 would show in the count."""

    def grow(units: int):
        for number in range(units):
            unit = f.unit(f"测试单位{number}", jurisdiction=cast["province"])
            f.person(f"unit{number}-staff", (Role.STAFF, unit))
            Assignment.objects.create(
                task=Assignment.objects.get(unit=cast["tax"], task__number=7).task,
                unit=unit,
                role="cooperating",
                justification="测试",
                origin="office",
            )
        ensure_reports()
        Period.objects.filter(year=2025, half=1).update(is_closed=False)
        send_reminders(today=D(2025, 12, 23))
        send_reminders(today=D(2025, 12, 24))

    return grow


def test_the_log_runs_a_fixed_number_of_queries(client, cast, many_rows, django_assert_num_queries):
    client.force_login(cast["office"])
    client.get(LOG)  # the session and language settle on the first request
    # Session, user, memberships (the rights answer), periods, the retryable count, the
    # page count, the page's rows; then the session's save (SESSION_SAVE_EVERY_REQUEST:
    # savepoint, update, release).
    with django_assert_num_queries(10):
        small = client.get(LOG, {"period": "2025H2"})
    many_rows(12)
    with django_assert_num_queries(10):
        big = client.get(LOG)
    with django_assert_num_queries(10):
        client.get(LOG, {"status": "failed", "page": "2"})
    assert small.status_code == big.status_code == 200
    assert big.content.decode().count('id="dispatch-') > small.content.decode().count(
        'id="dispatch-'
    )
