"""What the unit reads: Chinese text and HTML naming the unit, the period, the date and
every missing task, each linked to its report form."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest

from reform.outbox.testing import wait_until
from reform.reminders.models import ReminderDispatch
from reform.reminders.services import send_reminders
from reform.reminders.tasks import send_daily_reminders
from reform.reports.models import Report

D = dt.date
LINK = re.compile(r"https://reform\.example\.gov\.cn/reports/(\d+)/")


def parts(received):
    text = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    return text, html


@pytest.mark.django_db(transaction=True)
def test_the_email_names_unit_period_date_and_every_missing_task_with_working_links(
    client, plan, cast, mail_server, worker
):
    tax = cast["tax"]
    Report.objects.filter(unit=tax, period=plan, task__number__in=[4, 9]).update(
        state=Report.State.SUBMITTED
    )
    missing = list(
        Report.objects.filter(unit=tax, period=plan)
        .exclude(task__number__in=[4, 9])
        .select_related("task")
    )
    submitted = list(
        Report.objects.filter(unit=tax, period=plan, task__number__in=[4, 9]).select_related("task")
    )
    assert len(missing) == 25

    send_daily_reminders.delay(today="2025-12-22")
    assert wait_until(lambda: len(mail_server.for_address("tax-staff@example.gov.cn")) == 1)

    [received] = mail_server.for_address("tax-staff@example.gov.cn")
    dispatch = ReminderDispatch.objects.get(unit=tax)
    assert received["Message-ID"] == (
        f"<reminder-2025H2-unit{tax.pk}-lead-d-3@reform.example.gov.cn>"
    )
    assert received["Subject"].strip() == (  # a long header folds; clients drop the fold
        "【报送提醒】国家税务总局黑龙江省税务局：2025年下半年改革任务进展情况"
        "于2025-12-25截止报送，还剩3个工作日"
    )
    assert "reform-tracker@example.gov.cn" in received["From"]
    assert {a.addr_spec for a in received["To"].addresses} == {
        "tax-staff@example.gov.cn",
        "tax-head@example.gov.cn",
    }
    text, html = parts(received)
    for body in (text, html):
        assert "国家税务总局黑龙江省税务局" in body
        assert "2025年下半年" in body and "2025-12-25" in body and "还剩3个工作日" in body
        assert "以下25项任务尚未报送" in body
        for report in missing:
            assert f"{report.task.label}．{report.task.short_title}" in body
        for report in submitted:
            assert f"{report.task.label}．{report.task.short_title}" not in body
    text_links = [int(pk) for pk in LINK.findall(text)]
    html_links = [int(pk) for pk in re.findall(r'href="' + LINK.pattern, html)]
    assert sorted(text_links) == sorted(html_links) == sorted(r.pk for r in missing)

    # Every link opens that report's form for a signed-in member of the unit.
    client.force_login(cast["tax_staff"])
    for report in missing:
        path = urlsplit(f"https://reform.example.gov.cn/reports/{report.pk}/").path
        page = client.get(path)
        assert page.status_code == 200
        content = page.content.decode()
        assert f"{report.task.label}．{report.task.short_title}" in content
        assert 'id="report-form"' in content and "<form" in content
    assert dispatch.message.status == "sent"


def test_a_cooperating_units_email_names_its_earlier_date(plan, cast):
    send_reminders(today=D(2025, 12, 17))  # one working day before December 18

    message = ReminderDispatch.objects.get(unit=cast["police"]).message
    assert message.subject == (
        "【报送提醒】黑龙江省公安厅：2025年下半年改革任务进展情况于2025-12-18截止报送，还剩1个工作日"
    )
    for body in (message.body_text, message.body_html):
        assert "贵单位为配合单位，请在上述日期前向牵头单位报送。" in body
        assert "21．" in body and "23．" in body


def test_on_the_date_and_overdue(plan, cast):
    send_reminders(today=D(2025, 12, 25))
    send_reminders(today=D(2025, 12, 26))

    on_date = ReminderDispatch.objects.get(unit=cast["tax"], step="d0").message
    assert "今日截止报送" in on_date.subject and "今日（2025-12-25）截止报送" in on_date.body_text
    overdue = ReminderDispatch.objects.get(unit=cast["tax"], step="d+1").message
    assert overdue.subject.startswith("【逾期提醒】国家税务总局黑龙江省税务局")
    assert "已逾期1个工作日" in overdue.body_text and "请尽快报送" in overdue.body_html


def test_a_due_date_on_a_day_off_is_announced_on_the_last_working_day_before(plan, cast):
    # 2022 H1 was due Saturday June 25: on Friday the 24th (when 2022 H1 is the current
    # period), one email says so, not one for "1 day before" and one for "on the date".
    from reform.plan.models import Period

    Period.objects.filter(year=2022, half=1).update(is_closed=False)

    send_reminders(today=D(2022, 6, 24))

    [notice] = ReminderDispatch.objects.filter(unit=cast["tax"])
    assert notice.step == "d0"
    assert "今天是截止前最后一个工作日" in notice.message.subject
    assert "2022-06-25" in notice.message.body_text


def test_the_office_digest_lists_its_late_units_with_links(plan, cast):
    send_reminders(today=D(2025, 12, 22))

    digest = ReminderDispatch.objects.get(step="digest").message
    assert digest.subject.startswith("【逾期汇总】黑龙江省：截至2025-12-22有")
    for body in (digest.body_text, digest.body_html):
        assert "黑龙江省公安厅" in body and "2个工作日" in body
        assert f"/urging/new/?unit={cast['police'].pk}" in body
        assert "https://reform.example.gov.cn/reminders/" in body
