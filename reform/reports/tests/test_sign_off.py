"""A report awaiting the head's sign-off: the head edits and signs off or sends it back,
staff may only withdraw it; both return it to the state it came from.

Each story is played through the pages with the test client, as the unit's people use them.
"""

import datetime as dt
import io
import zoneinfo

import pytest
from django.urls import reverse

from reform.attachments.models import Attachment as Evidence
from reform.history.services import entries_for
from reform.outbox.models import OutboxMessage
from reform.reports.models import Report
from reform.reports.services import (
    report_accept,
    report_return,
    report_send_for_sign_off,
    report_sign_off,
)
from reform.reports.tests import helpers
from reform.reports.tests.helpers import report_of

from .test_review import submitted

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 10, 10, 0, tzinfo=SHANGHAI))


def awaiting(plan, cast, task_number=2) -> Report:
    """The tax bureau's report, filled in by staff and sent to the head."""
    report = submitted(report_of(cast["tax"], task_number, plan), cast["tax_staff"])
    assert report.state == Report.State.AWAITING_SIGN_OFF
    return report


def page_of(client, report) -> str:
    return client.get(reverse("reports:report", args=[report.pk])).content.decode()


def form_data(report, **overrides):
    return helpers.form_data(report, **({"progress": "经办人改动。"} | overrides))


def test_staff_see_only_withdraw_while_the_head_signs(client, plan, cast):
    report = awaiting(plan, cast)
    client.force_login(cast["tax_staff"])
    page = page_of(client, report)
    assert 'id="withdraw"' in page
    assert "保存草稿" not in page and "<textarea" not in page  # the text is read-only
    assert 'id="evidence-form"' not in page
    assert 'id="sign-off"' not in page and 'id="send-back"' not in page
    assert "报告已提交负责人审签" in page  # why they cannot change it


def test_the_server_refuses_staffs_changes_while_the_head_signs(client, plan, cast):
    report = awaiting(plan, cast)
    client.force_login(cast["tax_staff"])
    response = client.post(reverse("reports:report", args=[report.pk]), form_data(report))
    assert response.status_code == 409
    assert "报告已提交负责人审签" in response.content.decode()
    upload = io.BytesIO(PDF)
    upload.name = "材料.pdf"
    client.post(reverse("reports:evidence_upload", args=[report.pk]), {"file": upload})
    send = client.post(reverse("reports:send", args=[report.pk]), {"version": report.version})
    assert send.status_code == 302
    report.refresh_from_db()
    assert report.progress == "按计划推进。"
    assert report.state == Report.State.AWAITING_SIGN_OFF
    assert not Evidence.objects.filter(report=report).exists()


def test_staff_withdraw_the_report_to_change_it_and_send_it_again(client, plan, cast):
    report = awaiting(plan, cast)
    client.force_login(cast["tax_staff"])
    confirm = client.get(reverse("reports:withdraw", args=[report.pk]))
    assert "撤回" in confirm.content.decode()
    response = client.post(
        reverse("reports:withdraw", args=[report.pk]), {"version": report.version}, follow=True
    )
    page = response.content.decode()
    report.refresh_from_db()
    assert report.state == Report.State.DRAFT
    assert "已撤回" in page and "保存草稿" in page
    assert "经办人撤回审签" in page  # the history names what happened
    assert (
        client.post(reverse("reports:report", args=[report.pk]), form_data(report)).status_code
        == 302
    )
    report.refresh_from_db()
    assert report.progress == "经办人改动。"


def test_the_head_edits_and_signs_off_a_report_awaiting_sign_off(client, plan, cast):
    report = awaiting(plan, cast)
    client.force_login(cast["tax_head"])
    page = page_of(client, report)
    assert "保存草稿" in page and 'id="sign-off"' in page and 'id="send-back"' in page
    assert 'id="withdraw"' not in page and 'id="send-for-sign-off"' not in page
    data = form_data(report, progress="负责人改定。")
    assert client.post(reverse("reports:report", args=[report.pk]), data).status_code == 302
    report.refresh_from_db()
    client.post(reverse("reports:sign_off", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert (report.state, report.progress) == (Report.State.SUBMITTED, "负责人改定。")


def test_the_head_sends_a_report_back_with_a_comment_staff_are_told(client, plan, cast):
    report = awaiting(plan, cast)
    client.force_login(cast["tax_head"])
    url = reverse("reports:send_back", args=[report.pk])
    empty = client.post(url, {"version": report.version, "comment": "  "})
    assert empty.status_code == 200 and "请填写" in empty.content.decode()
    report.refresh_from_db()
    assert report.state == Report.State.AWAITING_SIGN_OFF

    client.post(url, {"version": report.version, "comment": "请补充推广覆盖户数。"})
    report.refresh_from_db()
    assert report.state == Report.State.DRAFT
    notice = OutboxMessage.objects.get(kind="sign_off_return")
    assert notice.to == ["tax-staff@example.gov.cn"]  # staff only, not the head who sent it
    assert "请补充推广覆盖户数。" in notice.body_text
    assert "负责人退回" in notice.subject

    client.force_login(cast["tax_staff"])
    page = page_of(client, report)
    assert "请补充推广覆盖户数。" in page and 'id="sign-off-comment"' in page
    assert "保存草稿" in page and 'id="send-for-sign-off"' in page
    # Sent again, the comment is done with.
    client.post(reverse("reports:send", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert (report.state, report.sign_off_comment) == (Report.State.AWAITING_SIGN_OFF, "")


def test_a_report_returned_by_the_office_goes_back_to_returned_with_the_comment_kept(
    client, plan, cast
):
    report = awaiting(plan, cast)
    report = report_sign_off(report=report, actor=cast["tax_head"], base_version=report.version)
    report = report_return(report=report, actor=cast["office"], comment="请补充具体数据。")
    report = report_send_for_sign_off(
        report=report, actor=cast["tax_staff"], base_version=report.version
    )
    client.force_login(cast["tax_staff"])
    client.post(reverse("reports:withdraw", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    assert (report.state, report.review_comment) == (Report.State.RETURNED, "请补充具体数据。")
    assert "请补充具体数据。" in page_of(client, report)


def test_each_move_is_refused_to_the_wrong_role_and_in_the_wrong_state(client, plan, cast):
    report = awaiting(plan, cast)
    client.force_login(cast["tax_head"])
    assert (
        client.post(
            reverse("reports:withdraw", args=[report.pk]), {"version": report.version}
        ).status_code
        == 403
    )
    client.force_login(cast["tax_staff"])
    back = reverse("reports:send_back", args=[report.pk])
    assert client.post(back, {"version": report.version, "comment": "x"}).status_code == 403
    client.force_login(cast["office"])
    assert (
        client.post(
            reverse("reports:withdraw", args=[report.pk]), {"version": report.version}
        ).status_code
        == 403
    )
    report.refresh_from_db()
    assert report.state == Report.State.AWAITING_SIGN_OFF
    # Withdrawn, there is nothing left to withdraw: a message, no change.
    client.force_login(cast["tax_staff"])
    client.post(reverse("reports:withdraw", args=[report.pk]), {"version": report.version})
    report.refresh_from_db()
    response = client.post(
        reverse("reports:withdraw", args=[report.pk]), {"version": report.version}, follow=True
    )
    assert "只有待负责人审签的报告才能撤回或退回" in response.content.decode()
    assert report.version == Report.objects.get(pk=report.pk).version


def test_the_pages_offer_nothing_once_submitted(client, plan, cast):
    report = awaiting(plan, cast)
    report = report_sign_off(report=report, actor=cast["tax_head"], base_version=report.version)
    report_accept(report=report, actor=cast["office"])
    for who in ("tax_staff", "tax_head"):
        client.force_login(cast[who])
        page = page_of(client, report)
        assert 'id="report-actions"' not in page and "<textarea" not in page


def test_the_history_tells_withdrawal_and_send_back_in_words(client, plan, cast):
    report = awaiting(plan, cast)
    client.force_login(cast["tax_head"])
    client.post(
        reverse("reports:send_back", args=[report.pk]),
        {"version": report.version, "comment": "请补充数据。"},
    )
    notes = [e.note for e in entries_for(report) if e.note]
    assert set(notes) == {"sent_back"}  # stored as a code, on each row of the change
    page = page_of(client, report)
    assert "负责人退回" in page and "sent_back" not in page
    client.cookies["django_language"] = "en"
    english = page_of(client, report)
    assert "sent back by the head" in english and "Awaiting sign-off → Draft" not in english


@pytest.mark.parametrize("who, action", [("tax_head", "send_back"), ("tax_staff", "withdraw")])
def test_the_confirmation_pages_run_a_fixed_number_of_queries(
    client, plan, cast, django_assert_num_queries, who, action
):
    report = awaiting(plan, cast)
    client.force_login(cast[who])
    url = reverse(f"reports:{action}", args=[report.pk])
    client.get(url)  # warms Django's content-type cache, as in a running server
    # session, user, scope, report, unit names, session save (3)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
