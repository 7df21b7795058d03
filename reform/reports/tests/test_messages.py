"""What the report, review and urging forms say when they refuse an entry, in Chinese and in
English: the field named by its label, in the words an office uses (reform.forms), and
lists of names joined as the language joins them (reform.wording)."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from reform.org.tests.pages import LANGUAGES, choose_language, field_error, form_errors, read
from reform.plan.models import Indicator
from reform.reports.models import Report, UrgingNotice
from reform.reports.tests.helpers import form_data, report_of

from .test_review import submitted

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(params=LANGUAGES)
def language(request, client):
    return choose_language(client, request.param)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 1, 10, 0, tzinfo=SHANGHAI))


def save(client, report, **overrides):
    return client.post(reverse("reports:report", args=[report.pk]), form_data(report, **overrides))


def test_a_6000_character_progress_is_refused_naming_the_field(client, plan, cast, language):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])

    response = save(client, report, progress="字" * 6000)

    assert response.status_code == 200
    assert (
        field_error(response.content.decode(), "id_progress")
        == {
            "zh-hans": "进展情况不能超过5000字，现为6000字。",
            "en": "Progress made may not be longer than 5,000 characters (now 6,000).",
        }[language]
    )
    report.refresh_from_db()
    assert (report.progress, report.version) == ("", 1)  # nothing saved


def test_django_wording_is_gone_from_the_page(client, plan, cast, language):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])

    html = save(client, report, progress="字" * 5001, problems="问" * 5002).content.decode()

    assert "确保" not in html and "Ensure" not in html
    assert (
        field_error(html, "id_problems")
        == {
            "zh-hans": "存在问题不能超过5000字，现为5002字。",
            "en": "Problems may not be longer than 5,000 characters (now 5,002).",
        }[language]
    )


def test_a_status_not_in_the_list(client, plan, cast, language):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])

    response = save(client, report, status="almost")

    assert (
        field_error(response.content.decode(), "id_status")
        == {
            "zh-hans": "请从列表中选择推进状态。",
            "en": "Status: choose one of the options listed.",
        }[language]
    )


def test_the_percent_keeps_its_own_words(client, plan, cast, language):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])

    too_much = save(client, report, percent="140").content.decode()
    not_a_number = save(client, report, percent="六十").content.decode()

    assert (
        field_error(too_much, "id_percent")
        == {
            "zh-hans": "完成进度应在0至100之间。",
            "en": "Percent complete must be between 0 and 100.",
        }[language]
    )
    assert (
        field_error(not_a_number, "id_percent")
        == {
            "zh-hans": "请输入0至100之间的整数。",
            "en": "Enter a whole number between 0 and 100.",
        }[language]
    )


@pytest.mark.parametrize(
    "value, chinese, english",
    [
        ("很多", "{name}应为数字。", "{name} must be a number."),
        ("-1", "{name}不能小于0。", "{name} may not be less than 0."),
        ("1.234", "{name}最多保留2位小数。", "{name} may have at most 2 decimal places."),
        ("1234567890123", "{name}不能超过12位数字。", "{name} may have at most 12 digits."),
        (
            "12345678901.5",
            "{name}的整数部分不能超过10位。",
            "{name} may have at most 10 digits before the decimal point.",
        ),
    ],
)
def test_an_indicator_value_is_checked_naming_the_indicator(
    client, plan, cast, language, value, chinese, english
):
    report = report_of(cast["tax"], 15, plan)
    indicator = Indicator.objects.get(code="t15-export-refund-days")
    client.force_login(cast["tax_staff"])

    response = save(client, report, **{f"indicator_{indicator.pk}": value})

    # The label is "办理正常出口退税的平均时间（个工作日）"; the message names the indicator.
    expected = chinese if language == "zh-hans" else english
    assert field_error(response.content.decode(), f"id_indicator_{indicator.pk}") == (
        expected.format(name=indicator.name)
    )
    assert not report.indicator_values.exists()


def test_a_form_without_its_version_asks_to_reload(client, plan, cast, language):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])

    response = save(client, report, version="")

    assert (
        form_errors(response.content.decode())
        == {
            "zh-hans": "表单不完整，请重新加载页面。",
            "en": "The form was incomplete; please reload the page.",
        }[language]
    )


def test_sending_an_incomplete_report_lists_what_is_missing(client, plan, cast, language):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])

    response = client.post(
        reverse("reports:send", args=[report.pk]), {"version": report.version}, follow=True
    )

    assert (
        form_errors(response.content.decode())
        == {
            "zh-hans": "报送前请填写：推进状态、完成进度（%）、进展情况、下步计划。",
            "en": "Please fill in before sending: status, percent complete, "
            "progress made (进展情况), next steps (下步计划).",
        }[language]
    )
    report.refresh_from_db()
    assert report.state == Report.State.DRAFT


def test_the_report_and_the_unit_page_list_what_is_still_needed(client, plan, cast, language):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    save(client, report, status="", percent="", next_steps="")
    expected = {
        "zh-hans": "推进状态、完成进度（%）、下步计划",
        "en": "status, percent complete, next steps (下步计划)",
    }[language]

    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    unit_page = client.get(reverse("reports:unit", args=[cast["tax"].pk])).content.decode()

    still = {"zh-hans": "尚需填写：", "en": "Still needed:"}[language]
    assert read(page, r'id="still-missing">') == f"{still} {expected}"
    assert read(unit_page, rf'id="report-row-{report.pk}">.*?text-body-secondary">') == expected


def test_a_return_comment_over_the_limit(client, plan, cast, language):
    report = submitted(report_of(cast["tax"], 2, plan), cast["tax_staff"], cast["tax_head"])
    client.force_login(cast["office"])

    response = client.post(reverse("reports:return", args=[report.pk]), {"comment": "退" * 5100})

    # The English label is a question ("Why is the report returned?"): "your answer" names it.
    assert (
        field_error(response.content.decode(), "id_comment")
        == {
            "zh-hans": "退回原因不能超过5000字，现为5100字。",
            "en": "Your answer may not be longer than 5,000 characters (now 5,100).",
        }[language]
    )
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED


def test_an_urging_notice_without_text_or_with_a_bad_date(client, plan, cast, language):
    client.force_login(cast["office"])
    url = reverse("reports:urging_new") + f"?unit={cast['police'].pk}&period={plan.code}"
    reports = [r.pk for r in Report.objects.filter(unit=cast["police"], period=plan)]

    empty = client.post(url, {"reports": reports, "message": "", "reply_by": ""})
    bad_date = client.post(url, {"reports": reports, "message": "请报送。", "reply_by": "12/15"})

    html = empty.content.decode()
    assert (
        field_error(html, "id_message")
        == {
            "zh-hans": "请填写通知内容。",
            "en": "Notice is required.",
        }[language]
    )
    assert (
        field_error(html, "id_reply_by")
        == {
            "zh-hans": "请填写回复时限。",
            "en": "Reply by is required.",
        }[language]
    )
    assert (
        field_error(bad_date.content.decode(), "id_reply_by")
        == {
            "zh-hans": "请按“2026-12-25”的格式填写回复时限。",
            "en": "Reply by: enter a date such as 2026-12-25.",
        }[language]
    )
    assert not UrgingNotice.objects.exists()


def test_the_urging_list_joins_the_task_numbers(client, plan, cast, language):
    client.force_login(cast["office"])
    url = reverse("reports:urging_new") + f"?unit={cast['police'].pk}&period={plan.code}"
    reports = Report.objects.filter(unit=cast["police"], period=plan).order_by("task__number")
    client.post(
        url, {"reports": [r.pk for r in reports], "message": "请报送。", "reply_by": "2025-12-05"}
    )
    notice = UrgingNotice.objects.get()

    html = client.get(reverse("reports:urging")).content.decode()

    labels = sorted((r.task.label for r in notice.reports.all()), key=str)
    assert len(labels) == 2
    cell = read(html, rf'id="notice-{notice.pk}">(?:.*?<td[^>]*>){{2}}.*?<td class="small">')
    separator = {"zh-hans": "、", "en": ", "}[language]
    assert sorted(cell.split(separator), key=str) == labels
